-- The alert trigger of V3, with one change: the first state of a (host, rule) knows the host's newer samples, so a
-- late hot sample for a host without state yet is stored without firing (it fired before: state was created empty).
CREATE OR REPLACE FUNCTION fw_metrics_alerts() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    r        record;
    st       alert_state%ROWTYPE;
    ev       bigint;
    events   integer := 0;
BEGIN
    FOR r IN
        SELECT n.system_id, n.collected_at, s.dept_id, ru.id AS rule_id, ru.alert_type, ru.severity,
               ru.fire_at, ru.clear_at, ru.min_samples, v.value
        FROM new_metrics n
        JOIN systems s ON s.id = n.system_id
        CROSS JOIN LATERAL fw_effective_rules(s.dept_id) ru
        CROSS JOIN LATERAL (SELECT CASE ru.metric
                                       WHEN 'cpu_percent' THEN n.cpu_percent
                                       WHEN 'ram_percent' THEN n.ram_percent
                                       WHEN 'disk_percent' THEN n.disk_percent
                                       WHEN 'gpu_percent' THEN n.gpu_percent
                                       WHEN 'network_sent_mbps' THEN n.network_sent_mbps
                                       WHEN 'network_recv_mbps' THEN n.network_recv_mbps
                                   END AS value) v
        LEFT JOIN alert_state a ON a.system_id = n.system_id AND a.rule_id = ru.id
        -- The common case, a quiet host below the threshold (no state row, or one at rest), needs no state change:
        -- skip it here, set-based, before the row-by-row loop.
        WHERE (a.state IS NOT NULL AND (a.state <> 'ok' OR a.consecutive > 0)) OR v.value >= ru.fire_at
        -- (system, rule) order: concurrent batches lock alert_state rows in the same order, so they cannot deadlock.
        ORDER BY n.system_id, ru.id, n.collected_at
    LOOP
        CONTINUE WHEN r.value IS NULL;  -- no GPU: nothing to judge
        SELECT * INTO st FROM alert_state WHERE system_id = r.system_id AND rule_id = r.rule_id FOR UPDATE;
        IF NOT FOUND THEN
            -- The first state of a (host, rule) starts at the host's newest sample stored before this statement that
            -- is newer than this one: a hot sample that is late for its host (a replayed spool, a straggler into an
            -- old, perhaps compressed, chunk) must not open an incident now, as it would not once state exists.
            INSERT INTO alert_state (system_id, rule_id, last_at)
            SELECT r.system_id, r.rule_id, (
                SELECT max(m.collected_at) FROM metrics m
                WHERE m.system_id = r.system_id AND m.collected_at > r.collected_at
                  AND NOT EXISTS (SELECT 1 FROM new_metrics x
                                  WHERE x.system_id = m.system_id AND x.collected_at = m.collected_at))
            ON CONFLICT DO NOTHING;
            SELECT * INTO st FROM alert_state WHERE system_id = r.system_id AND rule_id = r.rule_id FOR UPDATE;
        END IF;
        -- A late sample (replayed spool) is stored but does not rewind the state machine.
        CONTINUE WHEN st.last_at IS NOT NULL AND r.collected_at <= st.last_at;

        IF st.state = 'firing' THEN
            IF r.value < r.clear_at THEN
                INSERT INTO alert_events (system_id, rule_id, alert_type, severity, state, value, threshold, occurred_at)
                VALUES (r.system_id, r.rule_id, r.alert_type, r.severity, 'resolved', r.value, r.clear_at, r.collected_at)
                RETURNING id INTO ev;
                INSERT INTO alert_outbox (event_id) VALUES (ev);
                events := events + 1;
                st.state := 'ok';
                st.consecutive := 0;
                st.fired_event := NULL;
            END IF;
        ELSIF r.value >= r.fire_at THEN
            st.consecutive := st.consecutive + 1;
            st.state := 'pending';
            IF st.consecutive >= r.min_samples AND NOT fw_in_maintenance(r.system_id, r.dept_id, r.collected_at) THEN
                INSERT INTO alert_events (system_id, rule_id, alert_type, severity, state, value, threshold, occurred_at)
                VALUES (r.system_id, r.rule_id, r.alert_type, r.severity, 'firing', r.value, r.fire_at, r.collected_at)
                RETURNING id INTO ev;
                INSERT INTO alert_outbox (event_id) VALUES (ev);
                events := events + 1;
                st.state := 'firing';
                st.fired_event := ev;
            END IF;
        ELSE
            st.state := 'ok';
            st.consecutive := 0;
        END IF;
        UPDATE alert_state SET state = st.state, consecutive = st.consecutive, last_at = r.collected_at,
                               last_value = r.value, fired_event = st.fired_event
        WHERE system_id = r.system_id AND rule_id = r.rule_id;
    END LOOP;
    IF events > 0 THEN
        -- Delivered at commit, once per statement; the payload is only a hint, the outbox is the truth.
        PERFORM pg_notify('fleetwatch_alerts', events::text);
    END IF;
    RETURN NULL;
END;
$$;
