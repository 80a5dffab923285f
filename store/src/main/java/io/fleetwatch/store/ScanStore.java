package io.fleetwatch.store;

import jakarta.annotation.Nullable;
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
 * claimed, finished with its counts and log lines, and read back. Targets are stored as one text of CIDRs joined by
 * single spaces ({@link #joinTargets}), as every release so far has stored them.
 */
public final class ScanStore {
    /** The advisory-lock class of the scan schedules: one lock per schedule, keyed by its position. */
    static final int SCHEDULE_LOCK_CLASS = 713004;

    private static final String COLUMNS = "id, dept_id, targets, status, requested_by, probes_sent, answered, retries,"
            + " hosts_found, error, created_at, started_at, finished_at";
    private static final RowMapper<Scan> SCAN = ConstructorMapper.of(Scan.class);
    private static final RowMapper<LogLine> LINE = ConstructorMapper.of(LogLine.class);

    private final Jdbi jdbi;

    public ScanStore(Jdbi jdbi) {
        this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
    }

    /** One scan job, every column of {@code scans} in table order; {@code targets} as stored (null if unknown). */
    public record Scan(long id, @Nullable Integer deptId, @Nullable String targets, String status,
                       @Nullable String requestedBy, @Nullable Integer probesSent, @Nullable Integer answered,
                       @Nullable Integer retries, @Nullable Integer hostsFound, @Nullable String error,
                       Instant createdAt, @Nullable Instant startedAt, @Nullable Instant finishedAt) {
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

    /** A requested job this process claimed: it is {@code running} now. {@code dept} is 1 when the request named none. */
    public record Claimed(long id, String targets, int dept) {
        public Claimed {
            if (id < 1) {
                throw new IllegalArgumentException("id: must be positive, not " + id);
            }
        }

        public List<String> targetList() {
            return splitTargets(targets);
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

    /** A sweep that starts now ({@code fleetwatch scan}, a schedule): the job row, {@code running}, before any packet. */
    public long start(int dept, List<String> targets, String requestedBy) {
        return jdbi.inTransaction(h -> {
            Stores.adoptIds(h, "departments", List.of((long) dept));
            return h.createQuery("INSERT INTO scans (dept_id, targets, status, requested_by, started_at)"
                            + " VALUES (:dept, :targets, 'running', :by, now()) RETURNING id")
                    .bind("dept", dept).bind("targets", joinTargets(targets)).bind("by", requestedBy)
                    .mapTo(Long.class).one();
        });
    }

    /** A sweep asked for ({@code POST /api/scans}): a {@code pending} job that a scheduler claims. */
    public Scan request(Integer dept, List<String> targets, String requestedBy) {
        return jdbi.withHandle(h -> h.createQuery("INSERT INTO scans (dept_id, targets, status, requested_by)"
                        + " VALUES (:dept, :targets, 'pending', :by) RETURNING " + COLUMNS)
                .bind("dept", dept).bind("targets", joinTargets(targets)).bind("by", requestedBy).map(SCAN).one());
    }

    /**
     * Claims the oldest pending job requested through the API ({@code requested_by} {@code api:…}), marking it
     * {@code running}; {@code FOR UPDATE SKIP LOCKED} lets several instances share the requests.
     */
    public Optional<Claimed> claimRequested() {
        return jdbi.withHandle(h -> h.createQuery("UPDATE scans SET status = 'running', started_at = now()"
                        + " WHERE id = (SELECT id FROM scans WHERE status = 'pending' AND requested_by LIKE 'api:%'"
                        + " ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id, targets, coalesce(dept_id, 1) AS dept")
                .map(ConstructorMapper.of(Claimed.class)).findOne());
    }

    /**
     * Closes a job in one transaction: {@code succeeded} with its counts, or {@code failed} with {@code error}
     * (counts null), and the lines it logged, numbered in order.
     */
    public void finish(long id, Counts counts, String error, List<LogLine> log) {
        if ((counts == null) == (error == null)) {
            throw new IllegalArgumentException("a job finishes with counts or with an error, not " + counts + "/" + error);
        }
        jdbi.useTransaction(h -> {
            h.createUpdate("UPDATE scans SET status = :status, probes_sent = :sent, answered = :answered,"
                            + " hosts_found = :found, retries = 0, error = :error, finished_at = now() WHERE id = :id")
                    .bind("status", error == null ? "succeeded" : "failed")
                    .bind("sent", counts == null ? null : (Integer) (int) Math.min(Integer.MAX_VALUE, counts.probesSent()))
                    .bind("answered", counts == null ? null : (Integer) counts.answered())
                    .bind("found", counts == null ? null : (Integer) counts.hostsFound())
                    .bind("error", error).bind("id", id).execute();
            PreparedBatch batch = h.prepareBatch("INSERT INTO scan_logs (scan_id, seq, at, level, message)"
                    + " VALUES (:id, :seq, :at, :level, :message) ON CONFLICT DO NOTHING");
            int seq = 0;
            for (LogLine l : log) {
                batch.bind("id", id).bind("seq", seq++).bind("at", Stores.utc(l.at())).bind("level", l.level())
                        .bind("message", l.message()).add();
            }
            if (seq > 0) {
                batch.execute();
            }
        });
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
