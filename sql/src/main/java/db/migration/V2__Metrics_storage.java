package db.migration;

import io.fleetwatch.sql.MetricsStorage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns {@code metrics} into a TimescaleDB hypertable when the extension can be created, and leaves it a plain
 * PostgreSQL table otherwise. The choice is recorded in {@code fleetwatch_meta} ({@code metrics_storage}) so that
 * later migrations and {@code db status} know which path this database took. The placeholder {@code timescaledb}
 * ({@code auto}, {@code require}, {@code off}) overrides the detection.
 */
@SuppressWarnings("checkstyle:TypeName")
public class V2__Metrics_storage extends BaseJavaMigration {
    private static final Logger LOG = LoggerFactory.getLogger(V2__Metrics_storage.class);

    @Override
    public void migrate(Context context) throws Exception {
        String mode = context.getConfiguration().getPlaceholders().getOrDefault(MetricsStorage.PLACEHOLDER, "auto");
        Connection c = context.getConnection();
        MetricsStorage.Detection d = MetricsStorage.detect(c);
        boolean useTimescale = switch (mode) {
            case "off" -> false;
            case "require" -> {
                if (!d.usable()) {
                    throw new IllegalStateException("timescaledb=require but " + d.reason());
                }
                yield true;
            }
            case "auto" -> d.usable();
            default -> throw new IllegalArgumentException("timescaledb must be auto, require or off, not '" + mode + "'");
        };
        try (Statement st = c.createStatement()) {
            if (useTimescale) {
                st.execute("CREATE EXTENSION IF NOT EXISTS timescaledb");
                // One-day chunks: a thousand hosts at 10 s intervals is ~8.6 M rows a day, a comfortable chunk.
                st.execute("SELECT create_hypertable('metrics', 'collected_at', chunk_time_interval => INTERVAL '1 day',"
                        + " if_not_exists => TRUE)");
                LOG.info("metrics is a TimescaleDB hypertable");
            } else {
                // create_hypertable makes this index on its own; the plain table needs it for time-range reads.
                st.execute("CREATE INDEX metrics_time_idx ON metrics (collected_at DESC)");
                LOG.info("metrics is a plain PostgreSQL table ({})", mode.equals("off") ? "timescaledb=off" : d.reason());
            }
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO fleetwatch_meta (key, value) VALUES ('metrics_storage', ?)"
                        + " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()")) {
            ps.setString(1, useTimescale ? MetricsStorage.TIMESCALEDB : MetricsStorage.POSTGRESQL);
            ps.executeUpdate();
        }
    }
}
