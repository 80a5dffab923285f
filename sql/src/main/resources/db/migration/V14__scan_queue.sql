-- Scan jobs as a queue: a job may wait for its time (run_after: `scan submit --at`, or a retry's backoff), repeat
-- (repeat_every_s: `--every`; when one finishes, the next is queued), name its timing profile, and be cancelled
-- (cancel_requested_at: a pending job is cancelled at once, a running one by its runner between probe rounds).
-- queued: false for a sweep run at once by whoever started it (`fleetwatch scan CIDR`, a schedule), which is never
-- re-queued when its runner dies. `retries` (V1) now counts the attempts made after the first. Which runner holds a running job is not stored: it
-- holds a session-level advisory lock on the job's id while it runs, so a running job whose lock is free is stale.
ALTER TABLE scans
    ADD COLUMN profile             text CHECK (length(profile) BETWEEN 1 AND 50),
    ADD COLUMN run_after           timestamptz,
    ADD COLUMN repeat_every_s      integer CHECK (repeat_every_s >= 1),
    ADD COLUMN cancel_requested_at timestamptz,
    ADD COLUMN queued              boolean NOT NULL DEFAULT true;

-- the claimers' question: the oldest pending job whose time has come
CREATE INDEX scans_pending ON scans (coalesce(run_after, created_at), id) WHERE status = 'pending';
-- the recovery's and the parallelism cap's question
CREATE INDEX scans_running ON scans (id) WHERE status = 'running';
-- the statistics of the last 24 hours
CREATE INDEX scans_finished_at ON scans (finished_at) WHERE finished_at IS NOT NULL;
