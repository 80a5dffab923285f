package io.fleetwatch.sql;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import db.migration.V8__Contract_bounds;
import io.fleetwatch.testing.TestDatabase;
import io.fleetwatch.testing.TestDatabase.Engine;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The TimescaleDB engine itself, on the real server (TimescaleDB preloaded by scripts/services): hypertable chunks,
 * hierarchical continuous aggregates refreshed by their policies, compression of closed chunks with reads unchanged,
 * a late sample into a compressed chunk, retention dropping whole chunks. Policies run as the server's background
 * jobs; where a test cannot wait for a schedule it runs the policy's own job with {@code CALL run_job}.
 */
class TimescaleDbIT {
    private TestDatabase db;
    private HikariDataSource ds;

    @BeforeEach
    void setUp() {
        db = TestDatabase.create(Engine.TIMESCALEDB);
        ds = Database.pool(DatabaseSettings.fromEnv(Map.of("DATABASE_URL", db.jdbcUrl())), "tsdb-it");
        new Migrator(ds, "require", 90).migrate();
        exec("INSERT INTO systems (id, hostname) VALUES (5, 'ts-host'), (6, 'ts-other')");
    }

    @AfterEach
    void tearDown() {
        ds.close();
        db.close();
    }

    private void exec(String sql) {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    private List<String> rows(String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder sb = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    sb.append(i > 1 ? "|" : "").append(rs.getString(i));
                }
                out.add(sb.toString());
            }
        }
        return out;
    }

    private long num(String sql) throws Exception {
        return Long.parseLong(rows(sql).get(0));
    }

    /** Runs a policy's job now; jobs name their hypertable, or for a continuous aggregate its view. */
    private void runJob(String proc, String hypertableOrView) throws Exception {
        exec("CALL run_job(" + job(proc, hypertableOrView) + ")");
    }

    private long job(String proc, String hypertableOrView) throws Exception {
        return num("SELECT job_id FROM timescaledb_information.jobs WHERE proc_name = '" + proc + "'"
                + " AND hypertable_name = '" + hypertableOrView + "'");
    }

    /** Samples of both systems every {@code step} over [now - fromAgo, now - toAgo). */
    private void samples(String fromAgo, String toAgo, String step) {
        exec("INSERT INTO metrics (system_id, collected_at, cpu_percent, ram_percent, disk_percent, network_sent_mbps,"
                + " network_recv_mbps, gpu_percent, uptime_seconds, logged_in_users)"
                + " SELECT s, t, (extract(epoch FROM t)::bigint / 60 * 7 + s) % 90, 50, 40, 1.5, 2.5,"
                + " CASE WHEN s = 5 THEN 30 END, extract(epoch FROM t)::bigint % 100000, 1"
                + " FROM generate_series(5, 6) s, generate_series(date_bin('" + step + "', now() - interval '" + fromAgo
                + "', timestamptz 'epoch'), now() - interval '" + toAgo + "', interval '" + step + "') t"
                + " ON CONFLICT DO NOTHING");
    }

    @Test
    void schemaIsTheTimescaleDbOne() throws Exception {
        assertThat(new Migrator(ds, "require").status()).last().isEqualTo("metrics storage: timescaledb");
        assertThat(rows("SELECT hypertable_name FROM timescaledb_information.hypertables WHERE hypertable_schema ="
                + " 'public'")).containsExactlyInAnyOrder("metrics", "filesystem_metrics");
        assertThat(rows("SELECT time_interval FROM timescaledb_information.dimensions WHERE hypertable_name = 'metrics'"))
                .containsExactly("1 day");
        assertThat(rows("SELECT view_name || '<' || coalesce((SELECT v2.view_name FROM"
                + " timescaledb_information.continuous_aggregates v2 WHERE v.view_definition LIKE '%FROM ' || v2.view_name"
                + " || '%'), 'metrics') || '|' || materialized_only FROM timescaledb_information.continuous_aggregates v"
                + " ORDER BY view_name")).containsExactly("metrics_1d<metrics_1h|false", "metrics_1h<metrics_5m|false",
                "metrics_5m<metrics|false");
        assertThat(rows("SELECT attname FROM timescaledb_information.compression_settings"
                + " WHERE hypertable_name = 'metrics' AND segmentby_column_index = 1")).containsExactly("system_id");
        assertThat(rows("SELECT proc_name FROM timescaledb_information.jobs WHERE job_id >= 1000 ORDER BY proc_name"))
                .containsExactly("policy_compression", "policy_compression", "policy_refresh_continuous_aggregate",
                        "policy_refresh_continuous_aggregate", "policy_refresh_continuous_aggregate", "policy_retention",
                        "policy_retention"); // compression and retention: metrics and filesystem_metrics
    }

    @Test
    void continuousAggregateIsRefreshedByItsPolicyOnTheServersScheduler() throws Exception {
        samples("3 hours", "30 minutes", "1 minute");
        String mat = rows("SELECT format('%I.%I', materialization_hypertable_schema, materialization_hypertable_name)"
                + " FROM timescaledb_information.continuous_aggregates WHERE view_name = 'metrics_5m'").get(0);
        assertThat(num("SELECT count(*) FROM " + mat)).as("nothing materialised before the policy runs").isZero();
        long job = job("policy_refresh_continuous_aggregate", "metrics_5m");
        // the policy runs every 5 minutes; bring its next run forward and let the server's scheduler do it
        exec("SELECT alter_job(" + job + ", next_start => now())");
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (num("SELECT count(*) FROM " + mat) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        // TimescaleDB 2.28.3 on PostgreSQL 15.20 does the job's work, then fails dropping the portal it ran in (a
        // check PostgreSQL 15.20 added; run_job from a session is not affected): docs/timescaledb.md. Any other
        // outcome fails here.
        // the job's first rows are visible before it has written them all and before its outcome is recorded (the
        // refresh commits in batches; seen under load): wait for the outcome, then count
        String statusSql = "SELECT last_run_status FROM timescaledb_information.job_stats WHERE job_id = " + job;
        while ("null".equals(rows(statusSql).get(0)) && System.nanoTime() < deadline) {
            Thread.sleep(250);
        }
        assertThat(num("SELECT count(*) FROM " + mat)).as("5-minute buckets written by the policy's job").isGreaterThan(40);
        String status = rows(statusSql).get(0);
        List<String> errors = rows("SELECT err_message FROM timescaledb_information.job_errors WHERE job_id = " + job);
        System.out.println("metrics_5m refresh policy, background run: " + status + " " + errors);
        assertThat(status).isIn("Success", "Failed");
        if (status.equals("Failed")) {
            assertThat(errors).isNotEmpty().allMatch(e -> e.equals("cannot drop portal \"\" while it is being set up"));
        }
        // what the API reads: the view, materialised part and real-time part together, equal to the raw means
        assertThat(num("SELECT count(*) FROM (SELECT system_id, bucket, round(cpu_percent::numeric, 6) FROM metrics_5m"
                + " EXCEPT SELECT system_id, time_bucket('5 minutes', collected_at), round(avg(cpu_percent)::numeric, 6)"
                + " FROM metrics GROUP BY 1, 2) d")).isZero();
    }

    @Test
    void compressionOfClosedChunksChangesNoNumberAndALateSampleLandsOnce() throws Exception {
        samples("12 days", "1 hour", "1 minute");
        for (String v : new String[] {"metrics_5m", "metrics_1h", "metrics_1d"}) {
            exec("CALL refresh_continuous_aggregate('" + v + "', NULL, now() - interval '1 hour')");
        }
        String raw = "SELECT system_id, date_trunc('hour', collected_at), count(*), round(avg(cpu_percent)::numeric, 6),"
                + " round(avg(gpu_percent)::numeric, 6), max(uptime_seconds) FROM metrics GROUP BY 1, 2 ORDER BY 1, 2";
        String rollups = "SELECT 'd', system_id, bucket, samples, round(cpu_percent::numeric, 6) FROM metrics_1d"
                + " UNION ALL SELECT 'h', system_id, bucket, samples, round(cpu_percent::numeric, 6) FROM metrics_1h"
                + " UNION ALL SELECT '5', system_id, bucket, samples, round(cpu_percent::numeric, 6) FROM metrics_5m"
                + " ORDER BY 1, 2, 3";
        List<String> rawBefore = rows(raw);
        List<String> rollupsBefore = rows(rollups);
        assertThat(rawBefore).hasSizeGreaterThan(2 * 24 * 11);

        runJob("policy_compression", "metrics");
        long compressed = num("SELECT count(*) FROM timescaledb_information.chunks WHERE hypertable_name = 'metrics'"
                + " AND is_compressed");
        long total = num("SELECT count(*) FROM timescaledb_information.chunks WHERE hypertable_name = 'metrics'");
        assertThat(compressed).as("chunks older than 7 days compressed").isBetween(4L, 6L);
        assertThat(total - compressed).as("the last week stays row-store").isGreaterThanOrEqualTo(7);
        assertThat(rows(raw)).as("raw reads after compression").isEqualTo(rawBefore);
        assertThat(rows(rollups)).as("rollups after compression").isEqualTo(rollupsBefore);
        long bytesBefore = num("SELECT sum(before_compression_total_bytes) FROM chunk_compression_stats('metrics')");
        long bytesAfter = num("SELECT sum(after_compression_total_bytes) FROM chunk_compression_stats('metrics')");
        System.out.printf("compression: %d chunks, %d -> %d bytes (%.1fx)%n", compressed, bytesBefore, bytesAfter,
                (double) bytesBefore / bytesAfter);
        assertThat(bytesAfter).isLessThan(bytesBefore / 4);

        // A late sample for a time already in a compressed chunk: the consumer's duplicate-safe insert stores it once.
        String late = "INSERT INTO metrics (system_id, collected_at, cpu_percent, ram_percent, disk_percent,"
                + " network_sent_mbps, network_recv_mbps, uptime_seconds, logged_in_users) VALUES (6,"
                + " date_bin('1 minute', now() - interval '10 days', timestamptz 'epoch') + interval '30 seconds',"
                + " 99, 99, 99, 0, 0, 1, 0) ON CONFLICT (system_id, collected_at) DO NOTHING";
        long before = num("SELECT count(*) FROM metrics");
        long eventsBefore = num("SELECT count(*) FROM alert_events");
        exec(late);
        exec(late); // redelivered
        assertThat(num("SELECT count(*) FROM metrics")).isEqualTo(before + 1);
        // and a sample that duplicates a compressed row is refused by the unique key, as on a row-store chunk
        exec("INSERT INTO metrics SELECT * FROM metrics WHERE system_id = 5 AND collected_at < now() - interval '9 days'"
                + " LIMIT 1 ON CONFLICT (system_id, collected_at) DO NOTHING");
        assertThat(num("SELECT count(*) FROM metrics")).isEqualTo(before + 1);
        // The alert trigger saw the late 99 % and, being late for its host, left the state machine alone.
        assertThat(num("SELECT count(*) FROM alert_events")).isEqualTo(eventsBefore);
        // A hot series now, on the same host, fires as usual.
        exec("INSERT INTO metrics (system_id, collected_at, cpu_percent, ram_percent, disk_percent, network_sent_mbps,"
                + " network_recv_mbps, uptime_seconds, logged_in_users) SELECT 6, now() - interval '50 minutes'"
                + " + g * interval '10 seconds', 97, 50, 40, 0, 0, 1, 0 FROM generate_series(0, 5) g");
        assertThat(rows("SELECT e.alert_type || ':' || e.state FROM alert_events e WHERE e.system_id = 6"))
                .containsExactly("cpu_high:firing");
    }

    @Test
    void retentionDropsWholeChunks() throws Exception {
        samples("2 days", "1 hour", "10 minutes");
        exec("INSERT INTO metrics (system_id, collected_at, cpu_percent, ram_percent, disk_percent, network_sent_mbps,"
                + " network_recv_mbps, uptime_seconds, logged_in_users)"
                + " SELECT 5, now() - d * interval '1 day', 1, 1, 1, 0, 0, 1, 0 FROM generate_series(95, 120, 5) d");
        long chunks = num("SELECT count(*) FROM show_chunks('metrics')");
        long old = num("SELECT count(*) FROM show_chunks('metrics', older_than => now() - interval '90 days')");
        assertThat(old).isEqualTo(6);
        runJob("policy_retention", "metrics");
        assertThat(num("SELECT count(*) FROM show_chunks('metrics')")).isEqualTo(chunks - old);
        assertThat(num("SELECT count(*) FROM metrics WHERE collected_at < now() - interval '90 days'")).isZero();
        assertThat(num("SELECT count(*) FROM metrics WHERE collected_at > now() - interval '3 days'")).isPositive();
    }

    /**
     * The message contract's bounds hold on the hypertable (V8), and the constraint can be added again after chunks
     * were compressed (as on a database that ran V4 to V6 for a while before V8).
     */
    @Test
    void contractBoundsHoldOnTheHypertableAlsoWithCompressedChunks() throws Exception {
        exec("INSERT INTO systems (id, hostname) VALUES (8, 'ts-bounds') ON CONFLICT DO NOTHING");
        String row = "INSERT INTO metrics (system_id, collected_at, cpu_percent, ram_percent, disk_percent,"
                + " network_sent_mbps, network_recv_mbps, gpu_percent, uptime_seconds, logged_in_users)"
                + " VALUES (8, now() - interval '20 days', 1, 2, 3, %s, 0, NULL, 1, 1)";
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> exec(row.formatted(
                        Math.nextUp(io.fleetwatch.messages.Bounds.MBPS_MAX))))
                .hasMessageContaining("metrics_contract_bounds");
        exec(row.formatted(io.fleetwatch.messages.Bounds.MBPS_MAX));
        exec("ALTER TABLE metrics DROP CONSTRAINT metrics_contract_bounds");
        exec("SELECT compress_chunk(c, true) FROM show_chunks('metrics', older_than => INTERVAL '10 days') c");
        assertThat(rows("SELECT count(*) FROM timescaledb_information.chunks WHERE hypertable_name = 'metrics'"
                + " AND is_compressed")).doesNotContain("0");
        exec(V8__Contract_bounds.METRICS_BOUNDS);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> exec(row.formatted(Double.MAX_VALUE)))
                .hasMessageContaining("metrics_contract_bounds");
    }
}
