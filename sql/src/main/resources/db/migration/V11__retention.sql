-- Retention for everything else that grows: finished scans and their logs, resolved alerts with their events and
-- notifications, sent outbox rows. Run every minute by the maintenance job, at most `batch` rows per table per run so
-- no run holds locks for long. Periods in days, from fleetwatch_meta (keys below), else the defaults here.

CREATE FUNCTION fw_retention_days(meta_key text, fallback integer) RETURNS integer
    LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT value::integer FROM fleetwatch_meta WHERE key = meta_key), fallback);
$$;

CREATE FUNCTION fw_apply_retention(at_time timestamptz, batch integer) RETURNS integer
    LANGUAGE plpgsql AS $$
DECLARE
    n     integer;
    total integer := 0;
BEGIN
    -- finished scans (their logs go with them); a scan a system still names as its last is kept
    DELETE FROM scans WHERE id IN (
        SELECT s.id FROM scans s
        WHERE s.status IN ('succeeded', 'failed', 'cancelled')
          AND coalesce(s.finished_at, s.created_at) < at_time - make_interval(days => fw_retention_days('retention_scans_days', 90))
          AND NOT EXISTS (SELECT 1 FROM systems y WHERE y.last_scan_id = s.id)
        ORDER BY s.id LIMIT batch);
    GET DIAGNOSTICS n = ROW_COUNT;
    total := total + n;

    -- resolved incidents (their notifications go with them) and the events behind them
    DELETE FROM alerts WHERE id IN (
        SELECT a.id FROM alerts a
        WHERE a.resolved_at < at_time - make_interval(days => fw_retention_days('retention_alerts_days', 365))
        ORDER BY a.id LIMIT batch);
    GET DIAGNOSTICS n = ROW_COUNT;
    total := total + n;
    DELETE FROM alert_events WHERE id IN (
        SELECT e.id FROM alert_events e
        WHERE e.occurred_at < at_time - make_interval(days => fw_retention_days('retention_alerts_days', 365))
          AND NOT EXISTS (SELECT 1 FROM alert_outbox o WHERE o.event_id = e.id AND o.sent_at IS NULL)
          AND NOT EXISTS (SELECT 1 FROM alert_state st WHERE st.fired_event = e.id)
        ORDER BY e.id LIMIT batch);
    GET DIAGNOSTICS n = ROW_COUNT;
    total := total + n;

    -- notifications that were sent or gave up
    DELETE FROM notifications WHERE id IN (
        SELECT x.id FROM notifications x
        WHERE x.status IN ('sent', 'dead')
          AND x.created_at < at_time - make_interval(days => fw_retention_days('retention_notifications_days', 90))
        ORDER BY x.id LIMIT batch);
    GET DIAGNOSTICS n = ROW_COUNT;
    total := total + n;

    -- outbox rows the relay has published (the events stay, as history)
    DELETE FROM alert_outbox WHERE event_id IN (
        SELECT o.event_id FROM alert_outbox o
        WHERE o.sent_at < at_time - make_interval(days => fw_retention_days('retention_outbox_days', 7))
        ORDER BY o.event_id LIMIT batch);
    GET DIAGNOSTICS n = ROW_COUNT;
    total := total + n;
    RETURN total;
END;
$$;
