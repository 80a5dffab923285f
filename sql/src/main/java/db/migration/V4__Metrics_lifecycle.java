package db.migration;

import io.fleetwatch.sql.MetricsStorage;
import java.sql.Connection;
import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Rollup, compression and retention, each storage its own way, behind one name: {@code metrics_5m} (5-minute
 * averages per system, seed 002's aggregation) is a continuous aggregate on TimescaleDB and a view over a rollup
 * table kept current by a statement trigger on PostgreSQL. TimescaleDB also gets compression (segment by system)
 * after 7 days and a retention policy; on PostgreSQL the maintenance job drops old daily partitions.
 */
@SuppressWarnings("checkstyle:TypeName")
public class V4__Metrics_lifecycle extends BaseJavaMigration {
    public static final String RETENTION_PLACEHOLDER = "metrics_retention_days";

    /** Continuous aggregates cannot be created inside a transaction block. */
    @Override
    public boolean canExecuteInTransaction() {
        return false;
    }

    @Override
    public void migrate(Context context) throws Exception {
        int retentionDays = Integer.parseInt(context.getConfiguration().getPlaceholders()
                .getOrDefault(RETENTION_PLACEHOLDER, "90"));
        Connection c = context.getConnection();
        try (Statement st = c.createStatement()) {
            if (MetricsStorage.TIMESCALEDB.equals(MetricsStorage.recorded(c))) {
                timescale(st, retentionDays);
            } else {
                postgres(st);
            }
            st.execute("INSERT INTO fleetwatch_meta (key, value) VALUES ('metrics_retention_days', '" + retentionDays
                    + "') ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()");
        }
    }

    private static void timescale(Statement st, int retentionDays) throws Exception {
        st.execute("""
                CREATE MATERIALIZED VIEW metrics_5m WITH (timescaledb.continuous) AS
                SELECT system_id, time_bucket(INTERVAL '5 minutes', collected_at) AS bucket, count(*) AS samples,
                       avg(cpu_percent) AS cpu_percent, avg(ram_percent) AS ram_percent, avg(disk_percent) AS disk_percent,
                       avg(network_sent_mbps) AS network_sent_mbps, avg(network_recv_mbps) AS network_recv_mbps,
                       avg(gpu_percent) AS gpu_percent, max(uptime_seconds) AS uptime_seconds,
                       max(logged_in_users) AS logged_in_users
                FROM metrics GROUP BY system_id, bucket WITH NO DATA""");
        st.execute("SELECT add_continuous_aggregate_policy('metrics_5m', start_offset => INTERVAL '1 day',"
                + " end_offset => INTERVAL '5 minutes', schedule_interval => INTERVAL '5 minutes')");
        st.execute("ALTER TABLE metrics SET (timescaledb.compress, timescaledb.compress_segmentby = 'system_id',"
                + " timescaledb.compress_orderby = 'collected_at DESC')");
        st.execute("SELECT add_compression_policy('metrics', INTERVAL '7 days')");
        st.execute("SELECT add_retention_policy('metrics', INTERVAL '" + retentionDays + " days')");
    }

    private static void postgres(Statement st) throws Exception {
        st.execute("""
                CREATE TABLE metrics_5m_sums (
                    system_id   bigint NOT NULL REFERENCES systems (id) ON DELETE CASCADE,
                    bucket      timestamptz NOT NULL,
                    samples     integer NOT NULL,
                    cpu_sum     double precision NOT NULL,
                    ram_sum     double precision NOT NULL,
                    disk_sum    double precision NOT NULL,
                    sent_sum    double precision NOT NULL,
                    recv_sum    double precision NOT NULL,
                    gpu_sum     double precision,
                    gpu_samples integer NOT NULL,
                    uptime_max  bigint NOT NULL,
                    users_max   integer NOT NULL,
                    PRIMARY KEY (system_id, bucket)
                )""");
        // Sums and counts, not averages, so each batch adds to a bucket exactly (new_metrics holds only rows that
        // were really inserted: ON CONFLICT DO NOTHING skips duplicates before they reach the transition table).
        st.execute("""
                CREATE FUNCTION fw_metrics_rollup() RETURNS trigger
                    LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO metrics_5m_sums AS s
                    SELECT system_id, date_bin(INTERVAL '5 minutes', collected_at, TIMESTAMPTZ 'epoch'), count(*),
                           sum(cpu_percent), sum(ram_percent), sum(disk_percent), sum(network_sent_mbps),
                           sum(network_recv_mbps), sum(gpu_percent), count(gpu_percent), max(uptime_seconds),
                           max(logged_in_users)
                    FROM new_metrics GROUP BY 1, 2 ORDER BY 1, 2
                    ON CONFLICT (system_id, bucket) DO UPDATE SET
                        samples = s.samples + EXCLUDED.samples, cpu_sum = s.cpu_sum + EXCLUDED.cpu_sum,
                        ram_sum = s.ram_sum + EXCLUDED.ram_sum, disk_sum = s.disk_sum + EXCLUDED.disk_sum,
                        sent_sum = s.sent_sum + EXCLUDED.sent_sum, recv_sum = s.recv_sum + EXCLUDED.recv_sum,
                        gpu_sum = CASE WHEN EXCLUDED.gpu_sum IS NULL THEN s.gpu_sum
                                       ELSE coalesce(s.gpu_sum, 0) + EXCLUDED.gpu_sum END,
                        gpu_samples = s.gpu_samples + EXCLUDED.gpu_samples,
                        uptime_max = greatest(s.uptime_max, EXCLUDED.uptime_max),
                        users_max = greatest(s.users_max, EXCLUDED.users_max);
                    RETURN NULL;
                END;
                $$""");
        st.execute("CREATE TRIGGER metrics_rollup AFTER INSERT ON metrics REFERENCING NEW TABLE AS new_metrics"
                + " FOR EACH STATEMENT EXECUTE FUNCTION fw_metrics_rollup()");
        st.execute("""
                CREATE VIEW metrics_5m AS
                SELECT system_id, bucket, samples::bigint AS samples,
                       cpu_sum / samples AS cpu_percent, ram_sum / samples AS ram_percent,
                       disk_sum / samples AS disk_percent, sent_sum / samples AS network_sent_mbps,
                       recv_sum / samples AS network_recv_mbps,
                       CASE WHEN gpu_samples > 0 THEN gpu_sum / gpu_samples END AS gpu_percent,
                       uptime_max AS uptime_seconds, users_max AS logged_in_users
                FROM metrics_5m_sums""");
    }
}
