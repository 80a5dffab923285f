package io.fleetwatch.sql;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The three rollups (5 minutes, hour, day) on whichever engine the run gives: continuous aggregates (hierarchical)
 * on TimescaleDB, watermark-materialised tables on plain PostgreSQL. Each must equal the averages computed by hand
 * from the raw samples: live before any refresh, materialised after, and again after a late sample.
 */
class RollupsIT {
    private static TestDatabase db;
    private static HikariDataSource ds;
    private static String storage;

    @BeforeAll
    static void setUp() throws Exception {
        db = TestDatabase.create();
        ds = Database.pool(DatabaseSettings.fromEnv(Map.of("DATABASE_URL", db.jdbcUrl())), "rollups-it");
        new Migrator(ds, "auto").migrate();
        try (Connection c = ds.getConnection()) {
            storage = MetricsStorage.recorded(c);
        }
        if (MetricsStorage.TIMESCALEDB.equals(storage)) {
            // The test refreshes by hand (refresh()); a policy job of the database's own firing between the insert
            // and "live, before any refresh" would materialise an hour from a 5-minute level not refreshed yet.
            sql("SELECT alter_job(job_id, scheduled => false) FROM timescaledb_information.jobs"
                    + " WHERE proc_name = 'policy_refresh_continuous_aggregate'");
            for (int i = 0; i < 100 && num("SELECT count(*) FROM timescaledb_information.job_stats"
                    + " WHERE job_status = 'Running'") > 0; i++) {
                Thread.sleep(100);
            }
        }
        sql("INSERT INTO systems (id, hostname) VALUES (1, 'a'), (2, 'b'), (3, 'no-gpu')");
        // 40 days every 5 minutes for three hosts, ending two hours ago; host 3 has no GPU, host 2 a GPU at times
        // only in whole hours (a host's 5-minute bucket either has the reading or not: see V7__Metrics_rollups)
        sql("INSERT INTO metrics (system_id, collected_at, cpu_percent, ram_percent, disk_percent, network_sent_mbps,"
                + " network_recv_mbps, gpu_percent, uptime_seconds, logged_in_users)"
                + " SELECT s, t, (extract(epoch FROM t)::bigint / 300 * 7 + s * 13) % 100, 40 + s, 50, s * 0.5, 1.25,"
                + " CASE WHEN s = 1 THEN (extract(epoch FROM t)::bigint / 300 * 3) % 100"
                + "      WHEN s = 2 AND extract(hour FROM t)::int % 3 = 0 THEN 70 END,"
                + " extract(epoch FROM t)::bigint % 100000, s FROM generate_series(1, 3) s,"
                + " generate_series(date_bin('5 minutes', now() - interval '40 days', timestamptz 'epoch'),"
                + " now() - interval '2 hours', interval '5 minutes') t");
    }

    @AfterAll
    static void tearDown() {
        ds.close();
        db.close();
    }

    private static void sql(String s) {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute(s);
        } catch (Exception e) {
            throw new IllegalStateException(s, e);
        }
    }

    private static long num(String s) throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(s)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Rows of the rollup that differ from the same averages computed from the raw samples; 0 when they agree. */
    private static long diff(String view, String width) throws Exception {
        String byHand = "SELECT system_id, date_bin(interval '" + width + "', collected_at, timestamptz 'epoch'),"
                + " count(*), round(avg(cpu_percent)::numeric, 4), round(avg(ram_percent)::numeric, 4),"
                + " round(avg(network_sent_mbps)::numeric, 4), round(avg(gpu_percent)::numeric, 4), max(uptime_seconds),"
                + " max(logged_in_users) FROM metrics GROUP BY 1, 2";
        String rollup = "SELECT system_id, bucket, samples, round(cpu_percent::numeric, 4), round(ram_percent::numeric, 4),"
                + " round(network_sent_mbps::numeric, 4), round(gpu_percent::numeric, 4), uptime_seconds,"
                + " logged_in_users FROM " + view;
        return num("SELECT count(*) FROM ((" + rollup + " EXCEPT " + byHand + ") UNION ALL (" + byHand + " EXCEPT "
                + rollup + ")) d");
    }

    private static void assertAllAgree(String when) throws Exception {
        assertThat(diff("metrics_5m", "5 minutes")).as("metrics_5m, " + when).isZero();
        assertThat(diff("metrics_1h", "1 hour")).as("metrics_1h, " + when).isZero();
        assertThat(diff("metrics_1d", "1 day")).as("metrics_1d, " + when).isZero();
    }

    /** What the engine's scheduler does on its own: TimescaleDB's refresh policies, or the maintenance job. */
    private static void refresh() throws Exception {
        if (MetricsStorage.TIMESCALEDB.equals(storage)) {
            for (String v : new String[] {"metrics_5m", "metrics_1h", "metrics_1d"}) {
                sql("CALL refresh_continuous_aggregate('" + v + "', NULL, now() - interval '1 hour')");
            }
        } else {
            new Maintenance(ds, Clock.systemUTC(), 7).run();
        }
    }

    /** Buckets materialised by the last refresh, per rollup. */
    private static long materialised(String view) throws Exception {
        if (MetricsStorage.TIMESCALEDB.equals(storage)) {
            try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT format('%I.%I', materialization_hypertable_schema, materialization_hypertable_name)"
                            + " FROM timescaledb_information.continuous_aggregates WHERE view_name = '" + view + "'")) {
                rs.next();
                return num("SELECT count(*) FROM " + rs.getString(1));
            }
        }
        return num("SELECT count(*) FROM " + view + "_data");
    }

    @Test
    void everyRollupEqualsTheRawAveragesLiveMaterialisedAndAfterALateSample() throws Exception {
        System.out.println("RollupsIT on metrics storage " + storage);
        assertThat(num("SELECT count(*) FROM metrics")).isEqualTo(3L * num(
                "SELECT count(*) FROM generate_series(date_bin('5 minutes', now() - interval '40 days', timestamptz 'epoch'),"
                        + " now() - interval '2 hours', interval '5 minutes')"));
        assertAllAgree("live, before any refresh");

        refresh();
        assertThat(materialised("metrics_5m")).as("5-minute buckets materialised").isGreaterThan(30_000);
        assertThat(materialised("metrics_1h")).as("hours materialised").isGreaterThan(2_500);
        assertThat(materialised("metrics_1d")).as("days materialised").isGreaterThanOrEqualTo(3 * 38);
        assertAllAgree("materialised + live");

        // a late sample in a bucket, hour and day that are all materialised already
        sql("INSERT INTO metrics (system_id, collected_at, cpu_percent, ram_percent, disk_percent, network_sent_mbps,"
                + " network_recv_mbps, gpu_percent, uptime_seconds, logged_in_users) VALUES (3,"
                + " date_bin('5 minutes', now() - interval '10 days', timestamptz 'epoch') + interval '17 seconds',"
                + " 99, 99, 99, 9, 9, NULL, 1, 9)");
        refresh();
        assertAllAgree("after a late sample");
    }
}
