package io.fleetwatch.sql;

import io.fleetwatch.settings.Keys;
import io.fleetwatch.settings.Settings;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code fleetwatch db migrate} and {@code fleetwatch db status}: Flyway over the migrations in this module. */
public final class Migrator {
    private static final Logger LOG = LoggerFactory.getLogger(Migrator.class);
    private final DataSource dataSource;
    private final String timescaleMode;
    private final int retentionDays;

    public Migrator(DataSource dataSource, String timescaleMode) {
        this(dataSource, timescaleMode, 90);
    }

    public Migrator(DataSource dataSource, String timescaleMode, int retentionDays) {
        this.dataSource = dataSource;
        this.timescaleMode = timescaleMode == null || timescaleMode.isBlank() ? "auto" : timescaleMode;
        if (retentionDays < 1) {
            throw new IllegalArgumentException(ENV_RETENTION_DAYS + ": must be at least 1 day, not " + retentionDays);
        }
        this.retentionDays = retentionDays;
    }

    /** {@code FLEETWATCH_TIMESCALEDB} (auto), {@code FLEETWATCH_METRICS_RETENTION_DAYS} (90). */
    public static Migrator from(DataSource dataSource, Settings s) {
        return new Migrator(dataSource, s.get(Keys.DATABASE_TIMESCALEDB), s.get(Keys.DATABASE_RETENTION_DAYS));
    }

    public static Migrator fromEnv(DataSource dataSource, Map<String, String> env) {
        return from(dataSource, Settings.fromEnv(env));
    }

    public static final String ENV_RETENTION_DAYS = Keys.DATABASE_RETENTION_DAYS.env();

    private Flyway flyway() {
        return Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .placeholders(Map.of(MetricsStorage.PLACEHOLDER, timescaleMode,
                        db.migration.V4__Metrics_lifecycle.RETENTION_PLACEHOLDER, Integer.toString(retentionDays)))
                .validateMigrationNaming(true)
                .cleanDisabled(true)
                .load();
    }

    /**
     * Applies pending migrations; returns one line per applied migration (none when up to date). Before the metrics
     * table exists, looks at the server first: {@code require} on a server that cannot run TimescaleDB is a
     * configuration error naming the fix; {@code auto} there goes on with plain PostgreSQL and says how to enable it.
     */
    public List<String> migrate() {
        preflight();
        MigrateResult r = flyway().migrate();
        List<String> lines = new ArrayList<>();
        r.migrations.forEach(m -> lines.add("applied " + m.version + " " + m.description + " (" + m.executionTime + " ms)"));
        return lines;
    }

    private void preflight() {
        if ("off".equals(timescaleMode)) {
            return;
        }
        try (Connection c = dataSource.getConnection()) {
            String recorded = MetricsStorage.recorded(c);
            if (recorded != null) {
                if ("require".equals(timescaleMode) && !MetricsStorage.TIMESCALEDB.equals(recorded)) {
                    throw new IllegalArgumentException(MetricsStorage.ENV_MODE + "=require but this database's metrics"
                            + " table was created as plain PostgreSQL; use a new database to move to TimescaleDB");
                }
                return;
            }
            MetricsStorage.Detection d = MetricsStorage.detect(c);
            if (!d.usable() && "require".equals(timescaleMode)) {
                throw new IllegalArgumentException(MetricsStorage.ENV_MODE + "=require but " + d.reason());
            }
            if (!d.usable()) {
                LOG.warn("metrics will be a plain PostgreSQL table: {} (or set {}=off to choose plain PostgreSQL"
                        + " and silence this)", d.reason(), MetricsStorage.ENV_MODE);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the database before migrating: " + e.getMessage(), e);
        }
    }

    /** The table {@link #report()} prints, for callers that need only the lines. */
    public List<String> status() throws SQLException {
        return report().lines();
    }

    /** One line per known migration with its state, then the metrics storage; and how many migrations are pending. */
    public record Report(List<String> lines, int pending) {}

    /**
     * One {@code info()} for both the table and the pending count: each Flyway call connects again and logs its
     * connection lines again, which is how {@code db status} used to print them twice, around its table.
     */
    public Report report() throws SQLException {
        MigrationInfoService info = flyway().info();
        List<String> lines = new ArrayList<>();
        for (MigrationInfo i : info.all()) {
            lines.add(String.format("%-4s %-28s %-9s %s", i.getVersion(), i.getDescription(), i.getState().getDisplayName(),
                    i.getInstalledOn() == null ? "" : i.getInstalledOn().toInstant().toString()));
        }
        try (Connection c = dataSource.getConnection()) {
            String storage = MetricsStorage.recorded(c);
            lines.add("metrics storage: " + (storage == null ? "not migrated yet" : storage));
        }
        return new Report(List.copyOf(lines), info.pending().length);
    }

    public int pending() {
        return flyway().info().pending().length;
    }
}
