package db.migration;

import io.fleetwatch.messages.Bounds;
import io.fleetwatch.messages.MetricCatalog;
import io.fleetwatch.sql.MetricsStorage;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * The metrics of the catalog beyond the contract's first eight (schema_version 2), each a nullable column of
 * {@code metrics} and its rollups, alertable as the catalog says ({@link MetricColumns}); and
 * {@code filesystem_metrics}, one row per mounted filesystem of a sample (a hypertable with compression and
 * retention on TimescaleDB; on PostgreSQL a table whose old rows the maintenance job's partition drop deletes).
 */
@SuppressWarnings("checkstyle:TypeName")
public class V17__Metric_catalog extends BaseJavaMigration {
    /** The metrics this migration adds; their type, bounds, rollup and alertability come from the catalog. */
    static final List<String> ADDED = List.of("load_avg_1", "load_avg_5", "load_avg_15", "swap_usage",
            "disk_read_mbps", "disk_write_mbps", "cpu_temperature", "gpu_memory_usage", "gpu_temperature",
            "process_count", MetricCatalog.FILESYSTEM_USAGE_MAX);

    static final String FILESYSTEMS = """
            CREATE TABLE filesystem_metrics (
                system_id    bigint NOT NULL REFERENCES systems (id) ON DELETE CASCADE,
                collected_at timestamptz NOT NULL,
                mount        text NOT NULL CHECK (length(mount) BETWEEN 1 AND %d),
                usage        double precision NOT NULL CHECK (usage BETWEEN 0 AND 100),
                size_gb      double precision CHECK (size_gb BETWEEN 0 AND %s),
                CONSTRAINT filesystem_metrics_uq UNIQUE (system_id, collected_at, mount)
            )""".formatted(Bounds.MOUNT_MAX, Bounds.FILESYSTEM_GB_MAX);

    /** Continuous aggregates cannot be created or refreshed inside a transaction block. */
    @Override
    public boolean canExecuteInTransaction() {
        return false;
    }

    @Override
    public void migrate(Context context) throws Exception {
        Connection c = context.getConnection();
        MetricColumns.add(c, MetricCatalog.DEFAULT, ADDED);
        try (Statement st = c.createStatement()) {
            st.execute(FILESYSTEMS);
            if (MetricsStorage.TIMESCALEDB.equals(MetricsStorage.recorded(c))) {
                st.execute("SELECT create_hypertable('filesystem_metrics', 'collected_at',"
                        + " chunk_time_interval => INTERVAL '1 day')");
                st.execute("ALTER TABLE filesystem_metrics SET (timescaledb.compress,"
                        + " timescaledb.compress_segmentby = 'system_id', timescaledb.compress_orderby ="
                        + " 'mount, collected_at DESC')");
                st.execute("SELECT add_compression_policy('filesystem_metrics', INTERVAL '7 days')");
                st.execute("SELECT add_retention_policy('filesystem_metrics', (SELECT (value || ' days')::interval"
                        + " FROM fleetwatch_meta WHERE key = 'metrics_retention_days'))");
            } else {
                st.execute("CREATE INDEX filesystem_metrics_time_idx ON filesystem_metrics (collected_at)");
                // the maintenance job's retention of metrics (V2's function) takes these rows along
                st.execute(V2__Metrics_storage.DROP_PARTITIONS.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION")
                        .replace("DELETE FROM metrics_default WHERE collected_at < cutoff;",
                                "DELETE FROM metrics_default WHERE collected_at < cutoff;\n"
                                        + "    DELETE FROM filesystem_metrics WHERE collected_at < cutoff;"));
            }
        }
    }
}
