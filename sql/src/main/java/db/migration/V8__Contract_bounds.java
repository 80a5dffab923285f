package db.migration;

import io.fleetwatch.messages.Bounds;
import io.fleetwatch.sql.MetricsStorage;
import java.sql.Connection;
import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * The message contract's bounds ({@link Bounds}) again as database constraints, so that a row outside them cannot
 * be stored by any path; producer-supplied ids adopted only within the contract's range; and a 5-minute rollup
 * (PostgreSQL storage) that skips a bucket it cannot compute instead of failing the whole refresh.
 *
 * <p>The constraint values are read from {@link Bounds} when this migration runs; changing a bound later needs a
 * new migration. A database holding rows outside the bounds fails this migration with the constraint's name:
 * such rows break the rollups anyway and must be removed first.
 */
@SuppressWarnings("checkstyle:TypeName")
public class V8__Contract_bounds extends BaseJavaMigration {

    static String atMost(String column, Object max) {
        return column + " <= " + max;
    }

    static String timeWindow(String column) {
        return column + " >= TIMESTAMPTZ '" + Bounds.EARLIEST + "' AND " + column + " < TIMESTAMPTZ '" + Bounds.LATEST
                + "'";
    }

    /** One CHECK (a single ALTER is what a hypertable with compression takes most simply). */
    public static final String METRICS_BOUNDS = "ALTER TABLE metrics ADD CONSTRAINT metrics_contract_bounds CHECK ("
            + atMost("network_sent_mbps", Bounds.MBPS_MAX) + " AND " + atMost("network_recv_mbps", Bounds.MBPS_MAX)
            + " AND " + atMost("uptime_seconds", Bounds.UPTIME_SECONDS_MAX)
            + " AND " + atMost("logged_in_users", Bounds.USERS_MAX)
            + " AND (source_seq IS NULL OR source_seq >= 0) AND " + timeWindow("collected_at") + ")";

    static String alertValues(String table) {
        return "ALTER TABLE " + table + " ADD CONSTRAINT " + table + "_contract_bounds CHECK ("
                + "(value IS NULL OR abs(value) <= " + Bounds.ALERT_VALUE_MAX + ")"
                + " AND (threshold IS NULL OR abs(threshold) <= " + Bounds.ALERT_VALUE_MAX + ")"
                + " AND " + timeWindow("occurred_at") + ")";
    }

    static final String SYSTEMS_BOUNDS = "ALTER TABLE systems ADD CONSTRAINT systems_contract_bounds CHECK ("
            + "(host_id IS NULL OR length(host_id) <= " + Bounds.HOST_ID_MAX + ")"
            + " AND (hostname IS NULL OR length(hostname) <= " + Bounds.HOSTNAME_MAX + ")"
            + " AND (vendor IS NULL OR length(vendor) <= " + Bounds.VENDOR_MAX + "))";

    /**
     * Like V1's, but an id outside [1, the contract's maximum] is refused (SQLSTATE 22003, a data error: the
     * consumer dead-letters the message) before the sequence is moved, so no input can move a sequence near its end.
     */
    static final String ADOPT_IDS = """
            CREATE OR REPLACE FUNCTION fw_adopt_ids(tbl text, ids bigint[]) RETURNS void
                LANGUAGE plpgsql AS $$
            DECLARE
                seq  text := pg_get_serial_sequence(tbl, 'id');
                lim  bigint := CASE tbl WHEN 'departments' THEN %d ELSE %d END;
                top  bigint;
                bad  bigint;
            BEGIN
                SELECT i INTO bad FROM unnest(ids) AS i WHERE i < 1 OR i > lim LIMIT 1;
                IF FOUND THEN
                    RAISE EXCEPTION USING ERRCODE = '22003',
                        MESSAGE = format('%%s id %%s is outside the range a producer may name (1 to %%s)', tbl, bad, lim);
                END IF;
                SELECT max(i) INTO top FROM unnest(ids) AS i;
                IF top IS NULL THEN
                    RETURN;
                END IF;
                PERFORM pg_advisory_xact_lock(hashtext('fleetwatch.adopt.' || tbl));
                IF top > coalesce(pg_sequence_last_value(seq::regclass), 0) THEN
                    PERFORM setval(seq, top);
                END IF;
                EXECUTE format('INSERT INTO %%I (id) SELECT DISTINCT i FROM unnest($1) AS i ON CONFLICT (id) DO NOTHING', tbl)
                    USING ids;
            END;
            $$""".formatted(Bounds.DEPT_ID_MAX, Bounds.PRODUCER_ID_MAX);

    /**
     * V4's refresh, with a way out: when the set-based statement fails (a row that made it in behind the contract's
     * back, whose average overflows), each (system, bucket) is computed on its own under a savepoint, and one that
     * fails is skipped with a WARNING (the maintenance job logs it) rather than keeping the whole fleet's rollup
     * empty. A skipped bucket is missing from metrics_5m; its raw rows stay in metrics.
     */
    static final String REFRESH = """
            CREATE OR REPLACE FUNCTION fw_refresh_metrics_5m(upto timestamptz) RETURNS integer
                LANGUAGE plpgsql AS $$
            DECLARE
                old_wm  timestamptz;
                new_wm  timestamptz := date_bin(INTERVAL '5 minutes', upto, TIMESTAMPTZ 'epoch');
                n       integer := 0;
                k       record;
            BEGIN
                -- see V4: wait for inserts in flight, hold new ones until commit
                PERFORM pg_advisory_xact_lock(713003);
                old_wm := fw_metrics_5m_watermark();
                IF new_wm < old_wm THEN
                    new_wm := old_wm;
                END IF;
                IF old_wm = '-infinity' THEN
                    SELECT coalesce(date_bin(INTERVAL '5 minutes', min(collected_at), TIMESTAMPTZ 'epoch'), new_wm)
                    INTO old_wm FROM metrics;
                END IF;
                DELETE FROM metrics_5m_data
                WHERE (bucket >= old_wm AND bucket < new_wm) OR bucket IN (SELECT bucket FROM metrics_5m_dirty);
                BEGIN
                    INSERT INTO metrics_5m_data
                    SELECT * FROM (%s) AS a WHERE a.bucket < new_wm;
                    GET DIAGNOSTICS n = ROW_COUNT;
                EXCEPTION WHEN OTHERS THEN
                    RAISE WARNING 'metrics_5m: the refresh from %% to %% failed (%%), computing it bucket by bucket',
                        old_wm, new_wm, SQLERRM;
                    FOR k IN
                        SELECT DISTINCT system_id, date_bin(INTERVAL '5 minutes', collected_at, TIMESTAMPTZ 'epoch') AS b
                        FROM metrics WHERE %s
                    LOOP
                        CONTINUE WHEN k.b >= new_wm;
                        BEGIN
                            INSERT INTO metrics_5m_data
                            SELECT * FROM (%s) AS a;
                            n := n + 1;
                        EXCEPTION WHEN OTHERS THEN
                            RAISE WARNING 'metrics_5m: skipped system %% bucket %%: %%', k.system_id, k.b, SQLERRM;
                        END;
                    END LOOP;
                END;
                DELETE FROM metrics_5m_dirty WHERE bucket < new_wm;
                UPDATE fleetwatch_meta SET value = new_wm::text, updated_at = now()
                WHERE key = 'metrics_5m_watermark';
                RETURN n;
            END;
            $$""";

    static final String RANGE_OR_DIRTY = """
            (collected_at >= old_wm AND collected_at < new_wm)
                OR date_bin(INTERVAL '5 minutes', collected_at, TIMESTAMPTZ 'epoch')
                   IN (SELECT bucket FROM metrics_5m_dirty)""";

    static final String ONE_BUCKET = "system_id = k.system_id AND collected_at >= k.b"
            + " AND collected_at < k.b + INTERVAL '5 minutes'";

    @Override
    public void migrate(Context context) throws Exception {
        Connection c = context.getConnection();
        try (Statement st = c.createStatement()) {
            st.execute(METRICS_BOUNDS);
            st.execute(alertValues("alerts"));
            st.execute(alertValues("alert_events"));
            st.execute(SYSTEMS_BOUNDS);
            st.execute(ADOPT_IDS);
            if (MetricsStorage.POSTGRESQL.equals(MetricsStorage.recorded(c))) {
                st.execute(REFRESH.formatted(V4__Metrics_lifecycle.AGGREGATE.formatted(RANGE_OR_DIRTY), RANGE_OR_DIRTY,
                        V4__Metrics_lifecycle.AGGREGATE.formatted(ONE_BUCKET)));
            }
        }
    }
}
