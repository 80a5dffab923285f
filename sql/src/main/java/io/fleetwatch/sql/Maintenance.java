package io.fleetwatch.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metrics maintenance job for the PostgreSQL storage: creates daily partitions ahead, drops those past the
 * retention, and materialises the closed buckets of {@code metrics_5m}, {@code metrics_1h} and {@code metrics_1d} (run it every minute). Several instances may run it; a PostgreSQL advisory lock lets one of them work at a time (leader
 * election). On TimescaleDB the database's own policies do this. On both engines it first looks for systems that
 * stopped sending samples ({@code fw_detect_silence}: down, and a {@code no_data} alert until they are back).
 */
public final class Maintenance {
    private static final Logger LOG = LoggerFactory.getLogger(Maintenance.class);

    /** Advisory lock id of this job (Fleetwatch's locks are 7130xx). */
    public static final long LOCK_ID = 713001L;

    /**
     * What one run did; {@code skipped} when another instance held the lock; {@code noDataEvents}: no-data alerts
     * fired or resolved (V10's {@code fw_detect_silence}); {@code expired}: rows past their retention deleted
     * (V11's {@code fw_apply_retention}: scans, alerts, events, notifications, sent outbox rows).
     */
    public record Result(boolean skipped, int created, int dropped, int rolledUp, int noDataEvents, int expired,
                         String storage) {}

    /** At most this many rows per table and run, so a first run over a large backlog holds no lock for long. */
    static final int RETENTION_BATCH = 10_000;

    private final DataSource dataSource;
    private final Clock clock;
    private final int daysAhead;
    private final Retention retention;

    /** Retention periods as {@code fleetwatch_meta} has them (else V11's defaults). */
    public Maintenance(DataSource dataSource, Clock clock, int daysAhead) {
        this(dataSource, clock, daysAhead, null);
    }

    /** With the retention periods of the settings, written into {@code fleetwatch_meta} at each run. */
    public Maintenance(DataSource dataSource, Clock clock, int daysAhead, Retention retention) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.daysAhead = daysAhead;
        this.retention = retention;
    }

    public Result run() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            String storage = MetricsStorage.recorded(c);
            if (!tryLock(c)) {
                return new Result(true, 0, 0, 0, 0, 0, storage);
            }
            try {
                OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
                int noData;
                try (PreparedStatement ps = c.prepareStatement("SELECT fw_detect_silence(?)")) {
                    ps.setObject(1, now);
                    noData = single(ps);
                }
                if (retention != null) {
                    writeRetention(c, retention);
                }
                int expired;
                try (PreparedStatement ps = c.prepareStatement("SELECT fw_apply_retention(?, ?)")) {
                    ps.setObject(1, now);
                    ps.setInt(2, RETENTION_BATCH);
                    expired = single(ps);
                }
                if (!MetricsStorage.POSTGRESQL.equals(storage)) {
                    return new Result(false, 0, 0, 0, noData, expired, storage); // TimescaleDB's own policies do the rest
                }
                int retentionDays = retentionDays(c);
                int created;
                try (PreparedStatement ps = c.prepareStatement("SELECT fw_metrics_create_partitions(?::date, ?)")) {
                    ps.setObject(1, now.toLocalDate().minusDays(1));
                    ps.setInt(2, daysAhead + 2);
                    created = single(ps);
                }
                int dropped;
                try (PreparedStatement ps = c.prepareStatement("SELECT fw_metrics_drop_partitions(?)")) {
                    ps.setObject(1, now.minus(Duration.ofDays(retentionDays)));
                    dropped = single(ps);
                }
                int rolledUp;
                try (PreparedStatement ps = c.prepareStatement("SELECT fw_refresh_metrics_5m(?)")) {
                    ps.setObject(1, now);
                    rolledUp = single(ps);
                    logWarnings(ps); // buckets the refresh could not compute and skipped
                }
                // each level from the closed buckets of the one below: hourly from 5 minutes, daily from hours
                for (db.migration.V7__Metrics_rollups.Level level : db.migration.V7__Metrics_rollups.LEVELS) {
                    try (PreparedStatement ps = c.prepareStatement("SELECT fw_refresh_metrics_rollup(?, ?::interval, ?,"
                            + " (SELECT value::timestamptz FROM fleetwatch_meta WHERE key = ?))")) {
                        ps.setString(1, level.name());
                        ps.setString(2, level.width());
                        ps.setString(3, level.source() + "_data");
                        ps.setString(4, level.source() + "_watermark");
                        single(ps);
                    }
                }
                return new Result(false, created, dropped, rolledUp, noData, expired, storage);
            } finally {
                try (Statement st = c.createStatement()) {
                    st.execute("SELECT pg_advisory_unlock(" + LOCK_ID + ")");
                }
            }
        }
    }

    /**
     * The settings' periods, where {@code fw_apply_retention} reads them; a row is written only when it changes. The
     * instance holding the lock applies its own settings, so every instance should be configured alike.
     */
    private static void writeRetention(Connection c, Retention r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO fleetwatch_meta (key, value) VALUES (?, ?)"
                + " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()"
                + " WHERE fleetwatch_meta.value IS DISTINCT FROM EXCLUDED.value")) {
            for (Map.Entry<String, String> row : r.metaRows().entrySet()) {
                ps.setString(1, row.getKey());
                ps.setString(2, row.getValue());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static boolean tryLock(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_try_advisory_lock(" + LOCK_ID + ")")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static int retentionDays(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT value FROM fleetwatch_meta WHERE key = 'metrics_retention_days'")) {
            return rs.next() ? Integer.parseInt(rs.getString(1)) : 90;
        }
    }

    private static void logWarnings(Statement st) throws SQLException {
        for (java.sql.SQLWarning w = st.getWarnings(); w != null; w = w.getNextWarning()) {
            LOG.warn("metrics maintenance: {}", io.fleetwatch.messages.Reasons.of(w.getMessage()));
        }
    }

    private static int single(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
