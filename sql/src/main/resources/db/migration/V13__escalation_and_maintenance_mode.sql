-- Escalation: an alert of the same system and type with another severity moves the one open incident to that
-- severity (warning -> critical, or back) instead of opening a second one. Each move is kept here.
CREATE TABLE alert_severity_changes (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    alert_row     bigint NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    -- the event that moved it (null for producers without event ids)
    alert_id      bigint,
    from_severity text NOT NULL CHECK (from_severity IN ('info', 'warning', 'critical')),
    to_severity   text NOT NULL CHECK (to_severity IN ('info', 'warning', 'critical')),
    -- firing: an event of the new severity; resolved: the higher severity ended while a lower one still fires
    cause         text NOT NULL CHECK (cause IN ('firing', 'resolved')),
    changed_at    timestamptz NOT NULL
);
CREATE INDEX alert_severity_changes_row_idx ON alert_severity_changes (alert_row, changed_at);
CREATE UNIQUE INDEX alert_severity_changes_event_uq ON alert_severity_changes (alert_id, cause)
    WHERE alert_id IS NOT NULL;

-- Maintenance mode for the whole system, one row: while on, consumers take no new messages (they wait in the
-- queues) and the API refuses writes with 503. Set by `fleetwatch maintenance on|off` or PUT /api/maintenance-mode.
CREATE TABLE maintenance_mode (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    enabled   boolean NOT NULL DEFAULT false,
    reason    text,
    since     timestamptz NOT NULL DEFAULT now(),
    set_by    text
);
INSERT INTO maintenance_mode DEFAULT VALUES;
