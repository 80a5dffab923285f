package io.fleetwatch.store;

import jakarta.annotation.Nullable;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * The owner of {@code scans} (scan jobs) and {@code scan_logs} (what a job logged): a job is started or requested,
 * claimed, cancelled, retried, recovered, finished with its counts and log lines, counted, and read back. Targets are
 * stored as one text of CIDRs joined by single spaces ({@link #joinTargets}), as every release so far has stored them.
 *
 * <p>A runner holds a session-level advisory lock on its job's id ({@link Lease}) from the moment the job turns
 * {@code running} (taken in the same transaction) until it is closed: a running job whose lock is free has lost its
 * runner (a process killed, a host gone) and is found by {@link #recoverStale}.
 */
public final class ScanStore {
    /** The advisory-lock class of the scan schedules: one lock per schedule, keyed by its position. */
    static final int SCHEDULE_LOCK_CLASS = 713004;
    /** The advisory-lock class of running jobs: a runner holds (class, job id) while it runs the job. */
    static final int RUN_LOCK_CLASS = 713005;
    /** The advisory-lock class that makes claims one at a time, so the fleet-wide cap on running jobs holds. */
    static final int CLAIM_LOCK_CLASS = 713006;
    /** Jobs that can run: with targets and a requester (a placeholder adopted from a producer's scan_id has neither). */
    private static final String RUNNABLE = "targets IS NOT NULL AND requested_by IS NOT NULL";

    private static final String COLUMNS = "id, dept_id, targets, status, requested_by, probes_sent, answered, retries,"
            + " hosts_found, error, created_at, started_at, finished_at, profile, run_after, repeat_every_s,"
            + " cancel_requested_at";
    private static final RowMapper<Scan> SCAN = ConstructorMapper.of(Scan.class);
    private static final RowMapper<LogLine> LINE = ConstructorMapper.of(LogLine.class);

    private final Jdbi jdbi;

    public ScanStore(Jdbi jdbi) {
        this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
    }

    /**
     * One scan job, every column of {@code scans} but {@code queued} in table order; {@code targets} as stored (null if unknown).
     * {@code retries}: attempts made after the first; {@code runAfter}: not claimed before (null: at once);
     * {@code repeatEveryS}: seconds between occurrences of a repeating job.
     */
    public record Scan(long id, @Nullable Integer deptId, @Nullable String targets, String status,
                       @Nullable String requestedBy, @Nullable Integer probesSent, @Nullable Integer answered,
                       @Nullable Integer retries, @Nullable Integer hostsFound, @Nullable String error,
                       Instant createdAt, @Nullable Instant startedAt, @Nullable Instant finishedAt,
                       @Nullable String profile, @Nullable Instant runAfter, @Nullable Integer repeatEveryS,
                       @Nullable Instant cancelRequestedAt) {
        public Scan {
            if (id < 1) {
                throw new IllegalArgumentException("id: must be positive, not " + id);
            }
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(createdAt, "createdAt");
        }

        /** The targets one by one; empty for a scan known only by an id a producer sent. */
        public List<String> targetList() {
            return splitTargets(targets);
        }
    }

    /** One line a job logged. */
    public record LogLine(Instant at, String level, String message) {
        public LogLine {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(level, "level");
            Objects.requireNonNull(message, "message");
        }
    }

    /** What a finished sweep counted; {@code probesSent} is capped at the column's range. */
    public record Counts(long probesSent, int answered, int hostsFound) {
        public Counts {
            if (probesSent < 0 || answered < 0 || hostsFound < 0) {
                throw new IllegalArgumentException("counts must not be negative");
            }
        }
    }

    /**
     * A job this process claimed: it is {@code running} now. {@code dept} is 1 when the request named none;
     * {@code profile} null for the default; {@code retries} the attempts made before this one.
     */
    public record Claimed(long id, String targets, int dept, @Nullable String profile, int retries) {
        public Claimed {
            if (id < 1) {
                throw new IllegalArgumentException("id: must be positive, not " + id);
            }
            if (retries < 0) {
                throw new IllegalArgumentException("retries: must not be negative, not " + retries);
            }
        }

        public List<String> targetList() {
            return splitTargets(targets);
        }
    }

    /**
     * A job to queue: {@code dept} null for none, {@code profile} null for the default, {@code runAfter} null for at
     * once, {@code repeatEvery} null for once.
     */
    public record Submission(@Nullable Integer dept, List<String> targets, String requestedBy, @Nullable String profile,
                             @Nullable Instant runAfter, @Nullable Duration repeatEvery) {
        public Submission {
            joinTargets(targets); // validates
            targets = List.copyOf(targets);
            Objects.requireNonNull(requestedBy, "requestedBy");
            if (dept != null && dept < 1) {
                throw new IllegalArgumentException("department: must be positive, not " + dept);
            }
            if (repeatEvery != null && (repeatEvery.toSeconds() < 1 || repeatEvery.toSeconds() > Integer.MAX_VALUE)) {
                throw new IllegalArgumentException("every: must be 1 s or more, not " + repeatEvery);
            }
        }
    }

    /** How a job ends: with counts ({@code succeeded}, or {@code cancelled} keeping what it found), or {@code failed}. */
    public enum End { SUCCEEDED, FAILED, CANCELLED }

    /** What {@link #cancel} did. */
    public enum Cancel {
        /** it was pending: cancelled now */
        CANCELLED,
        /** it is running: its runner stops between probe rounds and ends it {@code cancelled} */
        REQUESTED,
        /** it had already ended */
        ALREADY_ENDED,
        NOT_FOUND
    }

    /** Jobs by status: waiting and running now, and those that ended since a given time. */
    public record Stats(long queued, long running, long succeeded, long failed, long cancelled) {
        public Stats {
            if (queued < 0 || running < 0 || succeeded < 0 || failed < 0 || cancelled < 0) {
                throw new IllegalArgumentException("counts must not be negative");
            }
        }
    }

    /** A running job whose runner is gone (its lock is free), as {@link #recoverStale} hands it to its caller. */
    public record Stale(long id, int retries, boolean cancelRequested, boolean queued) {}

    /** What becomes of a stale job: {@code pending} again (at {@code runAfter}), {@code failed} or {@code cancelled}. */
    public record Recovery(String status, @Nullable Instant runAfter, @Nullable String error, LogLine logLine) {
        public Recovery {
            if (!List.of("pending", "failed", "cancelled").contains(status)) {
                throw new IllegalArgumentException("a stale job becomes pending, failed or cancelled, not " + status);
            }
            Objects.requireNonNull(logLine, "logLine");
        }
    }

    /** The stored form of a target list: CIDRs joined by single spaces. */
    public static String joinTargets(List<String> targets) {
        if (targets.isEmpty() || targets.stream().anyMatch(t -> t.isBlank() || t.strip().contains(" "))) {
            throw new IllegalArgumentException("targets: one or more CIDRs without spaces, not " + targets);
        }
        return String.join(" ", targets.stream().map(String::strip).toList());
    }

    /** The stored form back into targets (any run of whitespace separates them). */
    public static List<String> splitTargets(String stored) {
        return stored == null || stored.isBlank() ? List.of() : Arrays.asList(stored.strip().split("\\s+"));
    }

    /**
     * A sweep that starts now ({@code fleetwatch scan}, a schedule): the job row, {@code running}, before any packet,
     * with its runner's lock held until the lease is closed.
     */
    public Lease start(int dept, List<String> targets, String requestedBy) {
        return leased(h -> {
            Stores.adoptIds(h, "departments", List.of((long) dept));
            long id = h.createQuery("INSERT INTO scans (dept_id, targets, status, requested_by, started_at, queued)"
                            + " VALUES (:dept, :targets, 'running', :by, clock_timestamp(), false) RETURNING id")
                    .bind("dept", dept).bind("targets", joinTargets(targets)).bind("by", requestedBy)
                    .mapTo(Long.class).one();
            return Optional.of(new Claimed(id, joinTargets(targets), dept, null, 0));
        }).orElseThrow();
    }

    /** A sweep asked for ({@code POST /api/scans}): a {@code pending} job that a scheduler claims. */
    public Scan request(Integer dept, List<String> targets, String requestedBy) {
        return request(new Submission(dept, targets, requestedBy, null, null, null));
    }

    /** A job queued ({@code POST /api/scans}, {@code fleetwatch scan submit}): {@code pending} until claimed. */
    public Scan request(Submission s) {
        return jdbi.withHandle(h -> h.createQuery("INSERT INTO scans (dept_id, targets, status, requested_by, profile,"
                        + " run_after, repeat_every_s) VALUES (:dept, :targets, 'pending', :by, :profile, :after, :every)"
                        + " RETURNING " + COLUMNS)
                .bind("dept", s.dept()).bind("targets", joinTargets(s.targets())).bind("by", s.requestedBy())
                .bind("profile", s.profile()).bind("after", s.runAfter() == null ? null : Stores.utc(s.runAfter()))
                .bind("every", s.repeatEvery() == null ? null : (Integer) (int) s.repeatEvery().toSeconds())
                .map(SCAN).one());
    }

    /**
     * Claims the pending job that has waited longest for its time, marking it {@code running} with this runner's lock
     * held until the lease is closed; empty when none is due, or when {@code maxRunning} jobs already run (counted
     * over every process on this database: claims take turns by a transaction-level lock).
     * {@code FOR UPDATE SKIP LOCKED} lets several instances share the queue.
     */
    public Optional<Lease> claim(int maxRunning) {
        if (maxRunning < 1) {
            throw new IllegalArgumentException("maxRunning: must be positive, not " + maxRunning);
        }
        return leased(h -> {
            h.createQuery("SELECT pg_advisory_xact_lock(:class, 0)").bind("class", CLAIM_LOCK_CLASS).mapToMap().one();
            long running = h.createQuery("SELECT count(*) FROM scans WHERE status = 'running'").mapTo(Long.class).one();
            if (running >= maxRunning) {
                return Optional.empty();
            }
            return h.createQuery("UPDATE scans SET status = 'running', started_at = clock_timestamp(), finished_at = NULL"
                            + " WHERE id = (SELECT id FROM scans WHERE status = 'pending' AND " + RUNNABLE
                            + " AND coalesce(run_after, created_at) <= now() ORDER BY coalesce(run_after, created_at), id"
                            + " LIMIT 1 FOR UPDATE SKIP LOCKED)"
                            + " RETURNING id, targets, coalesce(dept_id, 1) AS dept, profile, coalesce(retries, 0) AS retries")
                    .map(ConstructorMapper.of(Claimed.class)).findOne();
        });
    }

    /**
     * Runs {@code inTx} in a transaction on a connection kept for the lease; when it yields a job, the job's run lock
     * is taken in that same transaction (so no one sees the job running without its lock) and kept past the commit.
     */
    private Optional<Lease> leased(org.jdbi.v3.core.HandleCallback<Optional<Claimed>, RuntimeException> inTx) {
        Handle h = jdbi.open();
        try {
            Optional<Claimed> c = h.inTransaction(tx -> {
                Optional<Claimed> got = inTx.withHandle(tx);
                got.ifPresent(j -> tx.createQuery("SELECT pg_advisory_lock(:class, :key)").bind("class", RUN_LOCK_CLASS)
                        .bind("key", lockKey(j.id())).mapToMap().one());
                return got;
            });
            if (c.isEmpty()) {
                h.close();
                return Optional.empty();
            }
            return Optional.of(new Lease(h, c.get()));
        } catch (RuntimeException e) {
            h.close();
            throw e;
        }
    }

    /** The 32-bit lock key of a job id (ids beyond 2^31 share keys; a shared key only delays a recovery). */
    private static int lockKey(long id) {
        return (int) (id % Integer.MAX_VALUE);
    }

    /** A running job and its runner's lock, released (the connection returned) on close. */
    public static final class Lease implements AutoCloseable {
        private final Handle handle;
        private final Claimed job;

        private Lease(Handle handle, Claimed job) {
            this.handle = handle;
            this.job = job;
        }

        public Claimed job() {
            return job;
        }

        public long id() {
            return job.id();
        }

        @Override
        public void close() {
            try (handle) {
                handle.createQuery("SELECT pg_advisory_unlock(:class, :key)").bind("class", RUN_LOCK_CLASS)
                        .bind("key", lockKey(job.id())).mapTo(Boolean.class).one();
            }
        }
    }

    /**
     * Cancels job {@code id}: a pending one ends {@code cancelled} now; a running one is marked, and its runner ends it
     * between probe rounds.
     */
    public Cancel cancel(long id) {
        return jdbi.inTransaction(h -> {
            Optional<String> before = h.createQuery("SELECT status FROM scans WHERE id = :id FOR UPDATE").bind("id", id)
                    .mapTo(String.class).findOne();
            if (before.isEmpty()) {
                return Cancel.NOT_FOUND;
            }
            switch (before.get()) {
                case "pending" -> {
                    h.createUpdate("UPDATE scans SET status = 'cancelled', cancel_requested_at = now(),"
                            + " finished_at = now() WHERE id = :id").bind("id", id).execute();
                    return Cancel.CANCELLED;
                }
                case "running" -> {
                    h.createUpdate("UPDATE scans SET cancel_requested_at = coalesce(cancel_requested_at, now())"
                            + " WHERE id = :id").bind("id", id).execute();
                    return Cancel.REQUESTED;
                }
                default -> {
                    return Cancel.ALREADY_ENDED;
                }
            }
        });
    }

    /** Whether someone asked job {@code id} to stop (its runner asks between probe rounds). */
    public boolean cancelRequested(long id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT cancel_requested_at IS NOT NULL FROM scans WHERE id = :id")
                .bind("id", id).mapTo(Boolean.class).findOne().orElse(false));
    }

    /**
     * A failed attempt of job {@code id} to be tried again: {@code pending} from {@code runAfter}, one more retry
     * counted, the error and the attempt's lines kept.
     */
    public void retry(long id, Instant runAfter, String error, List<LogLine> log) {
        jdbi.useTransaction(h -> {
            h.createUpdate("UPDATE scans SET status = 'pending', retries = coalesce(retries, 0) + 1, run_after = :at,"
                            + " error = :error, started_at = NULL, finished_at = NULL WHERE id = :id")
                    .bind("at", Stores.utc(runAfter)).bind("error", error).bind("id", id).execute();
            appendLog(h, id, log);
        });
    }

    /**
     * Finds the running jobs whose runner's lock is free (the runner's process or connection is gone) and turns each
     * into what {@code decide} says, in one transaction that holds each job's lock meanwhile (two recoveries never
     * handle one job). Returns the ids handled.
     */
    public List<Long> recoverStale(java.util.function.Function<Stale, Recovery> decide) {
        return jdbi.inTransaction(h -> {
            List<Stale> running = h.createQuery("SELECT id, coalesce(retries, 0) AS retries,"
                            + " cancel_requested_at IS NOT NULL AS cancel_requested, queued FROM scans"
                            + " WHERE status = 'running'"
                            + " ORDER BY id FOR UPDATE SKIP LOCKED")
                    .map(ConstructorMapper.of(Stale.class)).list();
            List<Long> handled = new java.util.ArrayList<>();
            for (Stale s : running) {
                boolean free = h.createQuery("SELECT pg_try_advisory_xact_lock(:class, :key)").bind("class", RUN_LOCK_CLASS)
                        .bind("key", lockKey(s.id())).mapTo(Boolean.class).one();
                if (!free) {
                    continue;
                }
                Recovery r = decide.apply(s);
                boolean ends = !r.status().equals("pending");
                h.createUpdate("UPDATE scans SET status = :status, run_after = :at, error = :error,"
                                + " retries = coalesce(retries, 0) + :more, started_at = CASE WHEN :ends THEN started_at END,"
                                + " finished_at = CASE WHEN :ends THEN now() END WHERE id = :id")
                        .bind("status", r.status()).bind("at", r.runAfter() == null ? null : Stores.utc(r.runAfter()))
                        .bind("error", r.error()).bind("more", ends ? 0 : 1).bind("ends", ends).bind("id", s.id())
                        .execute();
                appendLog(h, s.id(), List.of(r.logLine()));
                if (ends) {
                    queueNext(h, s.id());
                }
                handled.add(s.id());
            }
            return handled;
        });
    }

    /** Jobs queued and running now, and those that ended since {@code since}, by how they ended. */
    public Stats stats(Instant since) {
        return jdbi.withHandle(h -> h.createQuery("SELECT"
                        + " count(*) FILTER (WHERE status = 'pending' AND " + RUNNABLE + ") AS queued,"
                        + " count(*) FILTER (WHERE status = 'running') AS running,"
                        + " count(*) FILTER (WHERE status = 'succeeded' AND finished_at >= :since) AS succeeded,"
                        + " count(*) FILTER (WHERE status = 'failed' AND finished_at >= :since) AS failed,"
                        + " count(*) FILTER (WHERE status = 'cancelled' AND finished_at >= :since) AS cancelled"
                        + " FROM scans WHERE status IN ('pending', 'running') OR finished_at >= :since")
                .bind("since", Stores.utc(since)).map(ConstructorMapper.of(Stats.class)).one());
    }

    /**
     * Closes a job in one transaction: {@code succeeded} with its counts, or {@code failed} with {@code error}
     * (counts null), and the lines it logged, numbered in order.
     */
    public void finish(long id, Counts counts, String error, List<LogLine> log) {
        if ((counts == null) == (error == null)) {
            throw new IllegalArgumentException("a job finishes with counts or with an error, not " + counts + "/" + error);
        }
        finish(id, error == null ? End.SUCCEEDED : End.FAILED, counts, error, log);
    }

    /**
     * Closes a job in one transaction: its end, counts (null for a failure), error, and the lines it logged after
     * those of earlier attempts. A repeating job queues its next occurrence, unless it was cancelled.
     */
    public void finish(long id, End end, Counts counts, String error, List<LogLine> log) {
        if ((end == End.FAILED) != (counts == null)) {
            throw new IllegalArgumentException(end + " needs " + (end == End.FAILED ? "no counts" : "counts"));
        }
        jdbi.useTransaction(h -> {
            h.createUpdate("UPDATE scans SET status = :status, probes_sent = :sent, answered = :answered,"
                            + " hosts_found = :found, retries = coalesce(retries, 0), error = :error, finished_at = now()"
                            + " WHERE id = :id")
                    .bind("status", end.name().toLowerCase(java.util.Locale.ROOT))
                    .bind("sent", counts == null ? null : (Integer) (int) Math.min(Integer.MAX_VALUE, counts.probesSent()))
                    .bind("answered", counts == null ? null : (Integer) counts.answered())
                    .bind("found", counts == null ? null : (Integer) counts.hostsFound())
                    .bind("error", error).bind("id", id).execute();
            appendLog(h, id, log);
            queueNext(h, id);
        });
    }

    /** A repeating job that ended (not cancelled) queues its next occurrence, one period after this one was due. */
    private static void queueNext(Handle h, long id) {
        h.createUpdate("INSERT INTO scans (dept_id, targets, status, requested_by, profile, run_after, repeat_every_s)"
                + " SELECT dept_id, targets, 'pending', requested_by, profile, greatest(now(), coalesce(run_after,"
                + " created_at) + make_interval(secs => repeat_every_s)), repeat_every_s FROM scans"
                + " WHERE id = :id AND repeat_every_s IS NOT NULL AND status <> 'cancelled'").bind("id", id).execute();
    }

    /** Appends lines to a job's log, after those it has (a retried job keeps every attempt's lines). */
    private static void appendLog(Handle h, long id, List<LogLine> log) {
        if (log.isEmpty()) {
            return;
        }
        int seq = h.createQuery("SELECT coalesce(max(seq) + 1, 0) FROM scan_logs WHERE scan_id = :id").bind("id", id)
                .mapTo(Integer.class).one();
        PreparedBatch batch = h.prepareBatch("INSERT INTO scan_logs (scan_id, seq, at, level, message)"
                + " VALUES (:id, :seq, :at, :level, :message) ON CONFLICT DO NOTHING");
        for (LogLine l : log) {
            batch.bind("id", id).bind("seq", seq++).bind("at", Stores.utc(l.at())).bind("level", l.level())
                    .bind("message", l.message()).add();
        }
        batch.execute();
    }

    /** The most recent jobs, newest first. */
    public List<Scan> recent(int limit, int offset) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM scans ORDER BY id DESC LIMIT :n OFFSET :o")
                .bind("n", limit).bind("o", offset).map(SCAN).list());
    }

    /**
     * The jobs that concern one system, newest first: those whose targets cover its address, and the one that last
     * saw it.
     */
    public List<Scan> ofSystem(long systemId, int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM scans c WHERE c.id IN ("
                        + " SELECT last_scan_id FROM systems WHERE id = :id"
                        + " UNION SELECT c2.id FROM scans c2, systems s, unnest(string_to_array(c2.targets, ' ')) t"
                        + " WHERE s.id = :id AND s.ip_address IS NOT NULL AND t ~ '^[0-9./]+$'"
                        + " AND s.ip_address <<= CAST(t AS inet))"
                        + " ORDER BY c.id DESC LIMIT :n")
                .bind("id", systemId).bind("n", limit).map(SCAN).list());
    }

    public Optional<Scan> find(long id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM scans WHERE id = :id").bind("id", id)
                .map(SCAN).findOne());
    }

    /** Every column of one job, in column order (for inspection). */
    public Optional<Map<String, Object>> inspect(long id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM scans WHERE id = :id").bind("id", id)
                .map((rs, ctx) -> SystemStore.columns(rs)).findOne());
    }

    /** What job {@code id} logged, in order, at most {@code limit} lines. */
    public List<LogLine> log(long id, int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT at, level, message FROM scan_logs WHERE scan_id = :id"
                + " ORDER BY seq LIMIT :n").bind("id", id).bind("n", limit).map(LINE).list());
    }

    /**
     * Takes schedule {@code key}'s session-level advisory lock if no other instance holds it: empty when one does,
     * else the lock, released (and its connection returned) on close.
     */
    public Optional<ScheduleLock> tryScheduleLock(int key) {
        Handle h = jdbi.open();
        try {
            boolean got = h.createQuery("SELECT pg_try_advisory_lock(:class, :key)").bind("class", SCHEDULE_LOCK_CLASS)
                    .bind("key", key).mapTo(Boolean.class).one();
            if (got) {
                return Optional.of(new ScheduleLock(h, key));
            }
            h.close();
            return Optional.empty();
        } catch (RuntimeException e) {
            h.close();
            throw e;
        }
    }

    /** A held schedule lock; see {@link #tryScheduleLock}. */
    public static final class ScheduleLock implements AutoCloseable {
        private final Handle handle;
        private final int key;

        private ScheduleLock(Handle handle, int key) {
            this.handle = handle;
            this.key = key;
        }

        @Override
        public void close() {
            try (handle) {
                handle.createQuery("SELECT pg_advisory_unlock(:class, :key)").bind("class", SCHEDULE_LOCK_CLASS)
                        .bind("key", key).mapTo(Boolean.class).one();
            }
        }
    }
}
