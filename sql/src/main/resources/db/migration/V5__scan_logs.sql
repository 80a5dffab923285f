-- What a scan job said while it ran (probe choices, warnings such as suspected proxy ARP), for `fleetwatch scan logs`
-- and the API. Kept with the job; removed with it.
CREATE TABLE scan_logs (
    scan_id bigint      NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    seq     integer     NOT NULL,
    at      timestamptz NOT NULL,
    level   text        NOT NULL CHECK (level IN ('debug', 'info', 'warn', 'error')),
    message text        NOT NULL,
    PRIMARY KEY (scan_id, seq)
);
