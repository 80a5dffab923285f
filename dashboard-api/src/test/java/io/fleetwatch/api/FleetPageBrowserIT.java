package io.fleetwatch.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.api.internal.TokenCheck;
import io.fleetwatch.sql.Database;
import io.fleetwatch.sql.DatabaseSettings;
import io.fleetwatch.sql.Migrator;
import io.fleetwatch.testing.TestDatabase;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The fleet and host pages in a real browser (Debian's Chromium through playwright-core, web/test/fleet.mjs) against
 * the API on a real database holding 10,000 hosts: the first paint of the table (must be within
 * {@link #FIRST_PAINT_MS}), scroll frame times, search, sort, filters kept in the URL over a reload, a live update
 * pushed by the server after the test changes a host in the database, the empty states (a second, empty database), and
 * the host page's ranges on its time axis. Screenshots: target/screenshots/{fleet,fleet-filtered,fleet-live,
 * fleet-empty,host,host-24h}.png; with -Dfleetwatch.docShots=DIR also the small ones the README shows.
 */
class FleetPageBrowserIT {
    static final Path SHOTS = Path.of("target/screenshots");
    static final int HOSTS = 10_000;
    /** First paint of the 10,000-host table, from navigation, median of five loads. */
    static final int FIRST_PAINT_MS = 1000;

    @Test
    void tenThousandHostsSearchSortFilterLiveAndTheHostPage() throws Exception {
        assertThat(Path.of("/usr/bin/chromium")).as("Chromium (scripts/services installs it)").exists();
        try (TestDatabase db = TestDatabase.create();
             TestDatabase emptyDb = TestDatabase.create();
             HikariDataSource ds = pool(db, "fleet-it");
             HikariDataSource emptyDs = pool(emptyDb, "fleet-it-empty")) {
            String token = TokenCheck.newToken();
            fill(ds);
            addToken(ds, token);
            addToken(emptyDs, token);
            Files.createDirectories(SHOTS);
            try (ApiServer api = ApiServer.start(new ApiSettings("127.0.0.1", 0, List.of()), ds, Clock.systemUTC());
                 ApiServer empty = ApiServer.start(new ApiSettings("127.0.0.1", 0, List.of()), emptyDs,
                         Clock.systemUTC())) {
                ProcessBuilder pb = new ProcessBuilder("node", "test/fleet.mjs").directory(Path.of("web").toFile())
                        .redirectErrorStream(true);
                pb.environment().putAll(Map.of("BASE_URL", "http://127.0.0.1:" + api.port(),
                        "EMPTY_URL", "http://127.0.0.1:" + empty.port(), "TOKEN", token,
                        "SHOTS", SHOTS.toAbsolutePath().toString()));
                String docShots = System.getProperty("fleetwatch.docShots");
                if (docShots != null) {
                    Files.createDirectories(Path.of(docShots));
                    pb.environment().put("DOC_SHOTS", Path.of(docShots).toAbsolutePath().toString());
                }
                Process p = pb.start();
                List<String> lines = new ArrayList<>();
                try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = out.readLine()) != null; ) {
                        lines.add(line);
                        if (line.equals("live?")) {
                            changeHostFive(ds); // as the consumer would: a sample, the row touched, an incident
                        }
                    }
                }
                assertThat(p.waitFor(240, TimeUnit.SECONDS)).isTrue();
                String out = String.join("\n", lines);
                System.out.println("browser: " + out.strip());
                assertThat(p.exitValue()).as(out).isZero();
                JsonNode r = new ObjectMapper().readTree(lines.stream().filter(l -> l.startsWith("{"))
                        .reduce((a, b) -> b).orElseThrow());
                assertThat(r.get("errors")).isEmpty();
                assertThat(r.get("checks")).as("failed checks").isEmpty();
                assertThat(r.get("firstPaint").get("median").asInt()).as("first paint of %d hosts, ms", HOSTS)
                        .isLessThanOrEqualTo(FIRST_PAINT_MS);
                assertThat(r.get("scroll").get("mostRows").asInt()).isLessThan(120);
            }
            for (String shot : List.of("fleet", "fleet-filtered", "fleet-live", "fleet-empty", "host", "host-24h")) {
                assertThat(SHOTS.resolve(shot + ".png")).isNotEmptyFile();
            }
        }
    }

    private static HikariDataSource pool(TestDatabase db, String name) {
        HikariDataSource ds = Database.pool(DatabaseSettings.fromEnv(Map.of("DATABASE_URL", db.jdbcUrl())), name);
        new Migrator(ds, "auto").migrate();
        return ds;
    }

    private static void addToken(DataSource ds, String token) throws Exception {
        try (var c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO api_tokens (name, role, token_sha256) VALUES ('ops', 'viewer', ?)")) {
            ps.setBytes(1, TokenCheck.sha256(token));
            ps.executeUpdate();
        }
    }

    /**
     * 10,000 hosts in two departments (odd ids: Chemistry), four vendors, every 7th down and every 13th unknown, one
     * sample each; critical incidents on every 50th and 77th, warnings on every 30th. Host 1 has a renamed identity,
     * a day and a half of samples, alert history and a scan of its /24.
     */
    private static void fill(DataSource ds) throws Exception {
        try (var c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO departments (id, name) VALUES (1, 'Physics'), (2, 'Chemistry')");
            st.execute("INSERT INTO scans (id, dept_id, targets, status, requested_by, probes_sent, answered,"
                    + " hosts_found, started_at, finished_at) VALUES (1, 1, '198.18.0.0/24', 'succeeded', 'cli:ops', 254,"
                    + " 250, 250, now() - interval '2 hours', now() - interval '2 hours' + interval '40 seconds')");
            st.execute("INSERT INTO systems (id, hostname, ip_address, mac_address, vendor, dept_id, status, last_seen,"
                    + " last_scan_id) SELECT g, CASE WHEN g = 1 THEN 'old-name' ELSE 'node-' || lpad(g::text, 5, '0') END,"
                    + " CAST('198.18.' || g / 256 || '.' || g % 256 AS inet),"
                    + " CAST('02:00:00:00:' || lpad(to_hex(g / 256), 2, '0') || ':' || lpad(to_hex(g % 256), 2, '0')"
                    + " AS macaddr), (ARRAY['Dell', 'Lenovo', 'HP', 'Supermicro'])[g % 4 + 1], g % 2 + 1,"
                    + " CASE WHEN g % 7 = 0 THEN 'down' WHEN g % 13 = 0 THEN 'unknown' ELSE 'up' END,"
                    + " now() - (g % 600) * interval '1 second', CASE WHEN g < 255 THEN 1 END"
                    + " FROM generate_series(1, " + HOSTS + ") g");
            st.execute("UPDATE systems SET hostname = 'node-00001' WHERE id = 1"); // a second identity
            st.execute("INSERT INTO metrics (system_id, collected_at, cpu_percent, ram_percent, disk_percent,"
                    + " network_sent_mbps, network_recv_mbps, gpu_percent, uptime_seconds, logged_in_users)"
                    + " SELECT g, now() - (g % 600) * interval '1 second', (g * 37) % 100 + 0.5, (g * 13) % 100,"
                    + " (g * 7) % 100, 1.0, 2.0, NULL, 100000, 1 FROM generate_series(1, " + HOSTS + ") g");
            // host 1: 30 s samples for the last hour, 5 min samples for 75 hours before that
            st.execute("INSERT INTO metrics (system_id, collected_at, cpu_percent, ram_percent, disk_percent,"
                    + " network_sent_mbps, network_recv_mbps, gpu_percent, uptime_seconds, logged_in_users)"
                    + " SELECT 1, now() - g * interval '30 seconds', 50 + 40 * sin(g / 15.0), 60, 70, 1.5, 3.5, CAST(NULL AS float8),"
                    + " 100000 - g * 30, 2 FROM generate_series(2, 119) g"
                    + " UNION ALL SELECT 1, now() - interval '1 hour' - g * interval '5 minutes', 50 + 30 * cos(g / 40.0),"
                    + " 55, 70, 1.0, 2.0, NULL, 400000 - g * 300, 1 FROM generate_series(1, 900) g");
            st.execute("INSERT INTO alerts (system_id, alert_type, severity, value, threshold, occurred_at)"
                    + " SELECT g, 'cpu_high', 'critical', 97, 95, now() - interval '10 minutes'"
                    + " FROM generate_series(1, " + HOSTS + ") g WHERE g % 50 = 0 OR g % 77 = 0"
                    + " UNION ALL SELECT g, 'ram_high', 'warning', 91, 90, now() - interval '20 minutes'"
                    + " FROM generate_series(1, " + HOSTS + ") g WHERE g % 30 = 0");
            st.execute("INSERT INTO alerts (system_id, alert_type, severity, value, threshold, occurred_at, resolved_at,"
                    + " state) VALUES (1, 'disk_high', 'warning', 92, 90, now() - interval '5 hours', NULL, 'firing'),"
                    + " (1, 'cpu_high', 'critical', 99, 95, now() - interval '30 hours', now() - interval '29 hours',"
                    + " 'resolved')");
            st.execute("INSERT INTO alert_events (system_id, alert_type, severity, state, value, threshold, occurred_at)"
                    + " VALUES (1, 'cpu_high', 'critical', 'firing', 99, 95, now() - interval '30 hours'),"
                    + " (1, 'cpu_high', 'critical', 'resolved', 60, 95, now() - interval '29 hours'),"
                    + " (1, 'disk_high', 'warning', 'firing', 92, 90, now() - interval '5 hours')");
            st.execute("ANALYZE");
        }
    }

    private static void changeHostFive(DataSource ds) {
        try (var c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO metrics (system_id, collected_at, cpu_percent, ram_percent, disk_percent,"
                    + " network_sent_mbps, network_recv_mbps, gpu_percent, uptime_seconds, logged_in_users)"
                    + " VALUES (5, now(), 88, 40, 50, 1.0, 2.0, NULL, 100100, 1)");
            st.execute("UPDATE systems SET hostname = 'live-renamed', last_seen = now(), updated_at = now() WHERE id = 5");
            st.execute("INSERT INTO alerts (system_id, alert_type, severity, value, threshold, occurred_at)"
                    + " VALUES (5, 'cpu_high', 'critical', 88, 85, now())");
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
