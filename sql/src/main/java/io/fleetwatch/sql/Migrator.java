package io.fleetwatch.sql;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.output.MigrateResult;

/** {@code fleetwatch db migrate} and {@code fleetwatch db status}: Flyway over the migrations in this module. */
public final class Migrator {
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
    public static Migrator fromEnv(DataSource dataSource, Map<String, String> env) {
        String days = env.getOrDefault(ENV_RETENTION_DAYS, "90").trim();
        try {
            return new Migrator(dataSource, env.get(MetricsStorage.ENV_MODE), Integer.parseInt(days));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(ENV_RETENTION_DAYS + ": '" + days + "' is not a number of days");
        }
    }

    public static final String ENV_RETENTION_DAYS = "FLEETWATCH_METRICS_RETENTION_DAYS";

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

    /** Applies pending migrations; returns one line per applied migration (none when up to date). */
    public List<String> migrate() {
        MigrateResult r = flyway().migrate();
        List<String> lines = new ArrayList<>();
        r.migrations.forEach(m -> lines.add("applied " + m.version + " " + m.description + " (" + m.executionTime + " ms)"));
        return lines;
    }

    /** One line per known migration with its state, then the metrics storage this database uses. */
    public List<String> status() throws SQLException {
        List<String> lines = new ArrayList<>();
        for (MigrationInfo i : flyway().info().all()) {
            lines.add(String.format("%-4s %-28s %-9s %s", i.getVersion(), i.getDescription(), i.getState().getDisplayName(),
                    i.getInstalledOn() == null ? "" : i.getInstalledOn().toInstant().toString()));
        }
        try (Connection c = dataSource.getConnection()) {
            String storage = MetricsStorage.recorded(c);
            lines.add("metrics storage: " + (storage == null ? "not migrated yet" : storage));
        }
        return lines;
    }

    public int pending() {
        return flyway().info().pending().length;
    }
}
