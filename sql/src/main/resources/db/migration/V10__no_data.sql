-- No-data detection: a system that has been sending samples and stops goes down and raises a `no_data` alert, which
-- resolves when its samples return. Run every minute by the maintenance job (Maintenance), on both storage engines.

-- How many of a system's own intervals (the gap between its last two samples) may pass before it counts as silent.
ALTER TABLE departments ADD COLUMN nodata_intervals integer NOT NULL DEFAULT 3
    CHECK (nodata_intervals BETWEEN 1 AND 1000);

-- Retired on purpose (switched off, given away): never marked silent, never alerts.
ALTER TABLE systems ADD COLUMN retired_at timestamptz;

-- Systems found silent and not yet heard from again, with the event that said so.
CREATE TABLE system_silence (
    system_id   bigint PRIMARY KEY REFERENCES systems (id) ON DELETE CASCADE,
    last_sample timestamptz NOT NULL,
    detected_at timestamptz NOT NULL,
    fired_event bigint REFERENCES alert_events (id) ON DELETE SET NULL
);

CREATE FUNCTION fw_detect_silence(at_time timestamptz) RETURNS integer
    LANGUAGE plpgsql AS $$
DECLARE
    r      record;
    ev     bigint;
    events integer := 0;
BEGIN
    -- data is back, or the system was retired meanwhile: resolve
    FOR r IN
        SELECT ss.system_id, ss.fired_event, s.retired_at, (SELECT max(m.collected_at) FROM metrics m
                WHERE m.system_id = ss.system_id AND m.collected_at > ss.last_sample) AS back_at
        FROM system_silence ss JOIN systems s ON s.id = ss.system_id
        FOR UPDATE OF ss
    LOOP
        CONTINUE WHEN r.back_at IS NULL AND r.retired_at IS NULL;
        DELETE FROM system_silence WHERE system_id = r.system_id;
        IF r.back_at IS NOT NULL THEN
            UPDATE systems SET status = 'up', updated_at = at_time WHERE id = r.system_id;
        END IF;
        IF r.fired_event IS NOT NULL THEN
            INSERT INTO alert_events (system_id, rule_id, alert_type, severity, state, value, threshold, occurred_at)
            VALUES (r.system_id, NULL, 'no_data', 'warning', 'resolved', NULL, NULL, coalesce(r.back_at, at_time))
            RETURNING id INTO ev;
            INSERT INTO alert_outbox (event_id) VALUES (ev);
            events := events + 1;
        END IF;
    END LOOP;

    -- systems that sent samples and have been quiet for longer than their allowance
    FOR r IN
        SELECT s.id, s.dept_id, l.latest, l.gap, coalesce(d.nodata_intervals, 3) AS intervals
        FROM systems s
        LEFT JOIN departments d ON d.id = s.dept_id
        CROSS JOIN LATERAL (
            SELECT max(x.collected_at) AS latest, max(x.collected_at) - min(x.collected_at) AS gap
            FROM (SELECT m.collected_at FROM metrics m WHERE m.system_id = s.id
                  ORDER BY m.collected_at DESC LIMIT 2) x
        ) l
        WHERE s.retired_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM system_silence ss WHERE ss.system_id = s.id)
          AND l.gap > interval '0'
          AND l.latest + l.gap * coalesce(d.nodata_intervals, 3) < at_time
    LOOP
        ev := NULL;
        -- planned work: the host is down, but nobody is woken for it
        IF NOT fw_in_maintenance(r.id, r.dept_id, at_time) THEN
            INSERT INTO alert_events (system_id, rule_id, alert_type, severity, state, value, threshold, occurred_at)
            VALUES (r.id, NULL, 'no_data', 'warning', 'firing',
                    extract(epoch FROM at_time - r.latest), extract(epoch FROM r.gap * r.intervals), at_time)
            RETURNING id INTO ev;
            INSERT INTO alert_outbox (event_id) VALUES (ev);
            events := events + 1;
        END IF;
        INSERT INTO system_silence (system_id, last_sample, detected_at, fired_event) VALUES (r.id, r.latest, at_time, ev);
        UPDATE systems SET status = 'down', updated_at = at_time WHERE id = r.id;
    END LOOP;

    IF events > 0 THEN
        PERFORM pg_notify('fleetwatch_alerts', events::text);
    END IF;
    RETURN events;
END;
$$;
