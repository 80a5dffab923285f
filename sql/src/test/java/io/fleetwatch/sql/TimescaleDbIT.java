package io.fleetwatch.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetwatch.testing.SingleConnectionDataSource;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The TimescaleDB path, on a real TimescaleDB 2.23 (PostgreSQL 17 compiled to WebAssembly, "PGlite", served over the
 * wire protocol by {@code pglite-server} from {@code sql/timescaledb-check}). No TimescaleDB server package exists for
 * this machine; this proves the migrations are valid TimescaleDB and that hypertable, continuous aggregate,
 * compression, retention and the alert trigger work. Behaviour under concurrency is tested on the PostgreSQL service.
 * PGlite runs no background workers, so the test runs the policies' jobs itself.
 */
class TimescaleDbIT {
    private static Process server;
    private static SingleConnectionDataSource ds;
    private static Connection c;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Path.of("timescaledb-check").toAbsolutePath();
        Path bin = dir.resolve("node_modules/.bin/pglite-server");
        if (!Files.isExecutable(bin)) {
            throw new IllegalStateException(bin + " missing: run scripts/services (it runs npm ci in " + dir + ")");
        }
        int port = io.fleetwatch.testing.Ports.free();
        File log = File.createTempFile("pglite", ".log");
        server = new ProcessBuilder(bin.toString(), "-h", "127.0.0.1", "-p", Integer.toString(port),
                "-e", "@electric-sql/pglite/timescaledb:timescaledb")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log).start();
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres&password=pglite"
                + "&sslmode=disable&prepareThreshold=0";
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                ds = new SingleConnectionDataSource(url);
                break;
            } catch (java.sql.SQLException e) {
                if (System.nanoTime() > deadline || !server.isAlive()) {
                    throw new IllegalStateException("pglite-server did not come up: " + Files.readString(log.toPath()), e);
                }
                Thread.sleep(200);
            }
        }
        c = ds.getConnection();
        exec("SET client_min_messages = warning"); // PGlite defaults to debug output
        new Migrator(ds, "require", 90).migrate();
    }

    @AfterAll
    static void stop() throws Exception {
        if (ds != null) {
            ds.shutdown();
        }
        if (server != null) {
            server.destroy();
            server.waitFor();
        }
    }

    private static void exec(String sql) throws Exception {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /** PGlite has no background workers: run a policy's job by hand (CALL takes no subquery, hence two steps). */
    private static void runJob(String proc) throws Exception {
        String id = rows("SELECT job_id FROM timescaledb_information.jobs WHERE proc_name = '" + proc + "'").get(0);
        exec("CALL run_job(" + Integer.parseInt(id) + ")");
    }

    private static List<String> rows(String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
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

    @Test
    void schemaIsTheTimescaleDbOne() throws Exception {
        assertThat(new Migrator(ds, "require").status()).last().isEqualTo("metrics storage: timescaledb");
        assertThat(rows("SELECT hypertable_name FROM timescaledb_information.hypertables")).containsExactly("metrics");
        assertThat(rows("SELECT view_name FROM timescaledb_information.continuous_aggregates"))
                .containsExactly("metrics_5m");
        assertThat(rows("SELECT attname FROM timescaledb_information.compression_settings"
                + " WHERE hypertable_name = 'metrics' AND segmentby_column_index = 1")).containsExactly("system_id");
        assertThat(rows("SELECT proc_name FROM timescaledb_information.jobs WHERE job_id >= 1000" // ours, not built-ins
                + " ORDER BY proc_name"))
                .containsExactly("policy_compression", "policy_refresh_continuous_aggregate", "policy_retention");
    }

    @Test
    void ingestAlertRollupCompressAndRetain() throws Exception {
        exec("INSERT INTO systems (id, hostname) VALUES (5, 'ts-host') ON CONFLICT DO NOTHING");
        // three hot samples in one statement on the hypertable: the statement trigger fires one cpu_high alert
        exec("INSERT INTO metrics (system_id, collected_at, cpu_percent, ram_percent, disk_percent, network_sent_mbps,"
                + " network_recv_mbps, gpu_percent, uptime_seconds, logged_in_users)"
                + " SELECT 5, date_trunc('hour', now()) - interval '2 hours' + g * interval '1 minute', 95 - g, 50, 40,"
                + " 1, 2, NULL, 1000 + g, 1 FROM generate_series(0, 9) g ON CONFLICT DO NOTHING");
        assertThat(rows("SELECT state || '@' || value::int FROM alert_events e JOIN alert_outbox o ON o.event_id = e.id"
                + " WHERE system_id = 5")).containsExactly("firing@93");

        exec("CALL refresh_continuous_aggregate('metrics_5m', NULL, NULL)");
        assertThat(rows("SELECT samples || '|' || round(cpu_percent::numeric, 2) || '|' || uptime_seconds"
                + " FROM metrics_5m WHERE system_id = 5 ORDER BY bucket"))
                .containsExactly("5|93.00|1004", "5|88.00|1009");

        // samples a week and a half old get compressed by the policy's job, and still read back
        exec("INSERT INTO metrics (system_id, collected_at, cpu_percent, ram_percent, disk_percent, network_sent_mbps,"
                + " network_recv_mbps, uptime_seconds, logged_in_users)"
                + " VALUES (5, now() - interval '10 days', 1, 1, 1, 0, 0, 1, 0)");
        runJob("policy_compression");
        assertThat(rows("SELECT count(*) FROM timescaledb_information.chunks WHERE hypertable_name = 'metrics'"
                + " AND is_compressed")).containsExactly("1");
        assertThat(rows("SELECT count(*) FROM metrics WHERE collected_at < now() - interval '9 days'"))
                .containsExactly("1");

        // and samples past the 90-day retention are dropped by the retention job
        exec("INSERT INTO metrics (system_id, collected_at, cpu_percent, ram_percent, disk_percent, network_sent_mbps,"
                + " network_recv_mbps, uptime_seconds, logged_in_users)"
                + " VALUES (5, now() - interval '120 days', 1, 1, 1, 0, 0, 1, 0)");
        assertThat(rows("SELECT count(*) FROM metrics WHERE collected_at < now() - interval '100 days'"))
                .containsExactly("1");
        runJob("policy_retention");
        assertThat(rows("SELECT count(*) FROM metrics WHERE collected_at < now() - interval '100 days'"))
                .containsExactly("0");
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
        exec(db.migration.V8__Contract_bounds.METRICS_BOUNDS);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> exec(row.formatted(Double.MAX_VALUE)))
                .hasMessageContaining("metrics_contract_bounds");
    }
}
