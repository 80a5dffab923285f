package db.migration;

import io.fleetwatch.sql.MetricsStorage;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Collectors;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Rollup, compression and retention, each storage its own way, behind one name: {@code metrics_5m} (5-minute
 * averages per system) is a continuous aggregate on TimescaleDB and a view over a rollup
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

    /** {@code metrics_5m} as a continuous aggregate of these columns (V17 rebuilds it). */
    static void createCagg5m(Statement st, List<V7__Metrics_rollups.Column> columns) throws Exception {
        st.execute("CREATE MATERIALIZED VIEW metrics_5m WITH (timescaledb.continuous) AS SELECT system_id,"
                + " time_bucket(INTERVAL '5 minutes', collected_at) AS bucket, count(*) AS samples, "
                + selectList(columns) + " FROM metrics GROUP BY system_id, bucket WITH NO DATA");
    }

    static final String POLICY_5M = "SELECT add_continuous_aggregate_policy('metrics_5m', start_offset =>"
            + " INTERVAL '1 day', end_offset => INTERVAL '5 minutes', schedule_interval => INTERVAL '5 minutes')";

    /** avg or max of each column of raw rows, named as the column. */
    static String selectList(List<V7__Metrics_rollups.Column> columns) {
        return columns.stream().map(c -> (c.mean() ? "avg(" : "max(") + c.name() + ") AS " + c.name())
                .collect(Collectors.joining(", "));
    }

    private static void timescale(Statement st, int retentionDays) throws Exception {
        createCagg5m(st, V7__Metrics_rollups.FIRST_EIGHT);
        st.execute(POLICY_5M);
        st.execute("ALTER TABLE metrics SET (timescaledb.compress, timescaledb.compress_segmentby = 'system_id',"
                + " timescaledb.compress_orderby = 'collected_at DESC')");
        st.execute("SELECT add_compression_policy('metrics', INTERVAL '7 days')");
        st.execute("SELECT add_retention_policy('metrics', INTERVAL '" + retentionDays + " days')");
    }

    /** Averages of a set of metrics rows per system and 5-minute bucket; {@code %s} is the row filter. */
    static final String AGGREGATE = aggregate(V7__Metrics_rollups.FIRST_EIGHT);

    /** Averages (maxima) of these columns of a set of metrics rows per system and 5-minute bucket. */
    static String aggregate(List<V7__Metrics_rollups.Column> columns) {
        return "SELECT system_id, date_bin(INTERVAL '5 minutes', collected_at, TIMESTAMPTZ 'epoch') AS bucket,"
                + " count(*) AS samples, " + selectList(columns).replace("%", "%%")
                + " FROM metrics WHERE %s GROUP BY 1, 2";
    }

    /** The plain-PostgreSQL {@code metrics_5m}: materialised buckets before the watermark, the open ones live. */
    static String view5m(String aggregate) {
        return "CREATE VIEW metrics_5m AS SELECT * FROM metrics_5m_data WHERE bucket < fw_metrics_5m_watermark()"
                + " UNION ALL SELECT * FROM (" + aggregate.formatted("collected_at >= fw_metrics_5m_watermark()")
                + ") AS live";
    }

    /**
     * Like TimescaleDB's real-time aggregate: buckets before the watermark are materialised in
     * {@code metrics_5m_data} by {@code fw_refresh_metrics_5m} (run every minute by the maintenance job), the open
     * buckets from the watermark on are aggregated from {@code metrics} when read. A sample that arrives late, for a
     * bucket already materialised, marks that bucket dirty (one cheap statement per insert), and the next refresh
     * recomputes it.
     */
    private static void postgres(Statement st) throws Exception {
        st.execute("""
                CREATE TABLE metrics_5m_data (
                    system_id         bigint NOT NULL REFERENCES systems (id) ON DELETE CASCADE,
                    bucket            timestamptz NOT NULL,
                    samples           bigint NOT NULL,
                    cpu_percent       double precision,
                    ram_percent       double precision,
                    disk_percent      double precision,
                    network_sent_mbps double precision,
                    network_recv_mbps double precision,
                    gpu_percent       double precision,
                    uptime_seconds    bigint,
                    logged_in_users   integer,
                    PRIMARY KEY (system_id, bucket)
                )""");
        st.execute("CREATE TABLE metrics_5m_dirty (bucket timestamptz PRIMARY KEY)");
        st.execute("INSERT INTO fleetwatch_meta (key, value) VALUES ('metrics_5m_watermark', '-infinity')");
        st.execute("""
                CREATE FUNCTION fw_metrics_5m_watermark() RETURNS timestamptz
                    LANGUAGE sql STABLE AS $$
                    SELECT value::timestamptz FROM fleetwatch_meta WHERE key = 'metrics_5m_watermark'
                $$""");
        st.execute("""
                CREATE FUNCTION fw_metrics_5m_mark_dirty() RETURNS trigger
                    LANGUAGE plpgsql AS $$
                BEGIN
                    -- shared with other inserts, exclusive against a refresh (see fw_refresh_metrics_5m)
                    PERFORM pg_advisory_xact_lock_shared(713003);
                    INSERT INTO metrics_5m_dirty
                    SELECT DISTINCT date_bin(INTERVAL '5 minutes', collected_at, TIMESTAMPTZ 'epoch')
                    FROM new_metrics WHERE collected_at < fw_metrics_5m_watermark()
                    ON CONFLICT DO NOTHING;
                    RETURN NULL;
                END;
                $$""");
        st.execute("CREATE TRIGGER metrics_5m_dirty AFTER INSERT ON metrics REFERENCING NEW TABLE AS new_metrics"
                + " FOR EACH STATEMENT EXECUTE FUNCTION fw_metrics_5m_mark_dirty()");
        st.execute("""
                CREATE FUNCTION fw_refresh_metrics_5m(upto timestamptz) RETURNS integer
                    LANGUAGE plpgsql AS $$
                DECLARE
                    old_wm timestamptz;
                    new_wm timestamptz := date_bin(INTERVAL '5 minutes', upto, TIMESTAMPTZ 'epoch');
                    n      integer;
                BEGIN
                    -- Wait for inserts in flight, hold new ones until commit: each insert either committed before the
                    -- statements below look at metrics, or runs after and sees the new watermark (and marks its
                    -- bucket dirty if it is late). Nothing falls between the two.
                    PERFORM pg_advisory_xact_lock(713003);
                    old_wm := fw_metrics_5m_watermark();
                    IF new_wm < old_wm THEN
                        new_wm := old_wm;
                    END IF;
                    -- buckets newly closed, from the oldest sample still in metrics when starting from nothing
                    IF old_wm = '-infinity' THEN
                        SELECT coalesce(date_bin(INTERVAL '5 minutes', min(collected_at), TIMESTAMPTZ 'epoch'), new_wm)
                        INTO old_wm FROM metrics;
                    END IF;
                    DELETE FROM metrics_5m_data
                    WHERE (bucket >= old_wm AND bucket < new_wm) OR bucket IN (SELECT bucket FROM metrics_5m_dirty);
                    INSERT INTO metrics_5m_data
                    SELECT * FROM (""" + AGGREGATE.formatted("""
                        (collected_at >= old_wm AND collected_at < new_wm)
                        OR date_bin(INTERVAL '5 minutes', collected_at, TIMESTAMPTZ 'epoch')
                           IN (SELECT bucket FROM metrics_5m_dirty)""") + """
                    ) AS a WHERE a.bucket < new_wm;
                    GET DIAGNOSTICS n = ROW_COUNT;
                    DELETE FROM metrics_5m_dirty WHERE bucket < new_wm;
                    UPDATE fleetwatch_meta SET value = new_wm::text, updated_at = now()
                    WHERE key = 'metrics_5m_watermark';
                    RETURN n;
                END;
                $$""");
        st.execute(view5m(AGGREGATE));
    }
}
