package db.migration;

import io.fleetwatch.sql.MetricsStorage;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Collectors;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Coarser rollups for long chart ranges: {@code metrics_1h} over {@code metrics_5m}, and {@code metrics_1d} over
 * {@code metrics_1h}, with the same columns as {@code metrics_5m}. Means are weighted by sample counts, so an hourly
 * or daily mean equals the mean of the raw samples. On TimescaleDB these are hierarchical continuous aggregates with
 * refresh policies; on plain PostgreSQL, tables materialised by the maintenance job behind a watermark, with the open
 * buckets aggregated when read, as {@code metrics_5m} is there.
 *
 * <p>Also makes {@code metrics_5m} real-time on TimescaleDB: since TimescaleDB 2.13 a continuous aggregate created
 * without {@code materialized_only = false} returns materialised buckets only, so the last minutes were missing.
 */
@SuppressWarnings("checkstyle:TypeName")
public class V7__Metrics_rollups extends BaseJavaMigration {
    /** A rolled-up column: averaged ({@code mean}, re-weighted by samples when rolled up again) or its maximum. */
    public record Column(String name, boolean mean) {}

    /** The columns of the rollups as this migration made them: the contract's first eight metrics. */
    static final List<Column> FIRST_EIGHT = List.of(new Column("cpu_percent", true), new Column("ram_percent", true),
            new Column("disk_percent", true), new Column("network_sent_mbps", true),
            new Column("network_recv_mbps", true), new Column("gpu_percent", true),
            new Column("uptime_seconds", false), new Column("logged_in_users", false));

    /** A rollup level: its name, bucket width, and the level it is computed from. */
    public record Level(String name, String width, String source, String startOffset, String endOffset,
                        String schedule) {}

    /** The levels above {@code metrics_5m}, finest first (the maintenance job refreshes them in this order). */
    public static final List<Level> LEVELS = List.of(
            new Level("metrics_1h", "1 hour", "metrics_5m", "3 days", "1 hour", "30 minutes"),
            new Level("metrics_1d", "1 day", "metrics_1h", "7 days", "1 day", "1 hour"));

    /** Continuous aggregates cannot be created inside a transaction block. */
    @Override
    public boolean canExecuteInTransaction() {
        return false;
    }

    /** The select list that rolls {@code source} rows (with a {@code samples} column) up into {@code bucketExpr}. */
    static String rollupColumns(List<Column> columns, String bucketExpr) {
        return "system_id, " + bucketExpr + " AS bucket, sum(samples)::bigint AS samples, " + columns.stream()
                .map(c -> c.mean() ? "sum(" + c.name() + " * samples) / nullif(sum(samples) FILTER (WHERE " + c.name()
                        + " IS NOT NULL), 0) AS " + c.name() : "max(" + c.name() + ") AS " + c.name())
                .collect(Collectors.joining(", "));
    }

    /** One level as a hierarchical continuous aggregate (V17 rebuilds them). */
    static void createCagg(Statement st, Level l, List<Column> columns) throws Exception {
        st.execute("CREATE MATERIALIZED VIEW " + l.name() + " WITH (timescaledb.continuous,"
                + " timescaledb.materialized_only = false) AS SELECT "
                + rollupColumns(columns, "time_bucket(INTERVAL '" + l.width() + "', bucket)")
                + " FROM " + l.source() + " GROUP BY 1, 2 WITH NO DATA");
    }

    /** A level's refresh policy. */
    static String policy(Level l) {
        return "SELECT add_continuous_aggregate_policy('" + l.name() + "', start_offset => INTERVAL '"
                + l.startOffset() + "', end_offset => INTERVAL '" + l.endOffset()
                + "', schedule_interval => INTERVAL '" + l.schedule() + "')";
    }

    /** The select list {@code fw_refresh_metrics_rollup} aggregates with, for any bucket width. */
    static String rollupColumnsFunction(List<Column> columns) {
        return "CREATE OR REPLACE FUNCTION fw_rollup_columns(width interval) RETURNS text LANGUAGE sql IMMUTABLE AS"
                + " $$ SELECT replace(" + quote(rollupColumns(columns,
                "date_bin('@W'::interval, bucket, TIMESTAMPTZ 'epoch')")) + ", '@W', width::text) $$";
    }

    /** A plain-PostgreSQL level: closed buckets from its table, the open ones from the level below. */
    static String levelView(Level l, List<Column> columns) {
        return "CREATE VIEW " + l.name() + " AS SELECT * FROM " + l.name() + "_data WHERE bucket < (SELECT"
                + " value::timestamptz FROM fleetwatch_meta WHERE key = '" + l.name() + "_watermark') UNION ALL"
                + " SELECT * FROM (SELECT " + rollupColumns(columns, "date_bin(INTERVAL '" + l.width()
                + "', bucket, TIMESTAMPTZ 'epoch')") + " FROM " + l.source() + " WHERE bucket >= (SELECT"
                + " value::timestamptz FROM fleetwatch_meta WHERE key = '" + l.name() + "_watermark')"
                + " GROUP BY 1, 2) AS live";
    }

    @Override
    public void migrate(Context context) throws Exception {
        Connection c = context.getConnection();
        try (Statement st = c.createStatement()) {
            if (MetricsStorage.TIMESCALEDB.equals(MetricsStorage.recorded(c))) {
                st.execute("ALTER MATERIALIZED VIEW metrics_5m SET (timescaledb.materialized_only = false)");
                for (Level l : LEVELS) {
                    createCagg(st, l, FIRST_EIGHT);
                    st.execute(policy(l));
                }
            } else {
                postgres(st);
            }
        }
    }

    /**
     * Per level: {@code <name>_data} holds closed buckets before the level's watermark, {@code <name>_dirty} the
     * buckets a late row of the level below invalidated (a statement trigger on the level below marks them), and
     * {@code fw_refresh_metrics_rollup} recomputes both, as {@code fw_refresh_metrics_5m} does for 5 minutes.
     */
    private static void postgres(Statement st) throws Exception {
        st.execute("""
                CREATE FUNCTION fw_metrics_rollup_mark_dirty() RETURNS trigger
                    LANGUAGE plpgsql AS $$
                BEGIN
                    -- TG_ARGV: bucket width, the level's dirty table, the level's watermark key
                    EXECUTE format('INSERT INTO %I SELECT DISTINCT date_bin(%L::interval, bucket, TIMESTAMPTZ ''epoch'')'
                                   ' FROM new_rows WHERE bucket < (SELECT value::timestamptz FROM fleetwatch_meta'
                                   ' WHERE key = %L) ON CONFLICT DO NOTHING', TG_ARGV[1], TG_ARGV[0], TG_ARGV[2]);
                    RETURN NULL;
                END;
                $$""");
        st.execute("""
                CREATE FUNCTION fw_refresh_metrics_rollup(level text, width interval, source_data text, upto timestamptz)
                    RETURNS integer LANGUAGE plpgsql AS $$
                DECLARE
                    wm_key text := level || '_watermark';
                    old_wm timestamptz;
                    new_wm timestamptz := date_bin(width, upto, TIMESTAMPTZ 'epoch');
                    n      integer;
                BEGIN
                    SELECT value::timestamptz INTO old_wm FROM fleetwatch_meta WHERE key = wm_key;
                    IF new_wm < old_wm THEN
                        new_wm := old_wm;
                    END IF;
                    IF old_wm = '-infinity' THEN
                        EXECUTE format('SELECT coalesce(date_bin(%L::interval, min(bucket), TIMESTAMPTZ ''epoch''), %L)'
                                       ' FROM %I', width, new_wm, source_data) INTO old_wm;
                    END IF;
                    EXECUTE format('DELETE FROM %I WHERE (bucket >= %L AND bucket < %L) OR bucket IN (SELECT bucket FROM %I)',
                                   level || '_data', old_wm, new_wm, level || '_dirty');
                    EXECUTE format('INSERT INTO %I SELECT * FROM (SELECT %s FROM %I WHERE (bucket >= %L AND bucket < %L)'
                                   ' OR date_bin(%L::interval, bucket, TIMESTAMPTZ ''epoch'') IN (SELECT bucket FROM %I)'
                                   ' GROUP BY 1, 2) AS a WHERE a.bucket < %L',
                                   level || '_data', fw_rollup_columns(width), source_data, old_wm, new_wm, width,
                                   level || '_dirty', new_wm);
                    GET DIAGNOSTICS n = ROW_COUNT;
                    EXECUTE format('DELETE FROM %I WHERE bucket < %L', level || '_dirty', new_wm);
                    UPDATE fleetwatch_meta SET value = new_wm::text, updated_at = now() WHERE key = wm_key;
                    RETURN n;
                END;
                $$""");
        st.execute(rollupColumnsFunction(FIRST_EIGHT));
        String below = "metrics_5m";
        for (Level l : LEVELS) {
            st.execute("CREATE TABLE " + l.name() + "_data (LIKE metrics_5m_data INCLUDING ALL)");
            st.execute("ALTER TABLE " + l.name() + "_data ADD FOREIGN KEY (system_id) REFERENCES systems (id)"
                    + " ON DELETE CASCADE");
            st.execute("CREATE TABLE " + l.name() + "_dirty (bucket timestamptz PRIMARY KEY)");
            st.execute("INSERT INTO fleetwatch_meta (key, value) VALUES ('" + l.name() + "_watermark', '-infinity')");
            st.execute("CREATE TRIGGER " + l.name() + "_dirty AFTER INSERT ON " + below + "_data REFERENCING NEW TABLE AS"
                    + " new_rows FOR EACH STATEMENT EXECUTE FUNCTION fw_metrics_rollup_mark_dirty('" + l.width() + "', '"
                    + l.name() + "_dirty', '" + l.name() + "_watermark')");
            st.execute(levelView(l, FIRST_EIGHT));
            below = l.name();
        }
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
