package io.fleetwatch.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.api.internal.TokenCheck;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.broker.Topology;
import io.fleetwatch.jobs.ScanJobs;
import io.fleetwatch.sql.Database;
import io.fleetwatch.sql.DatabaseSettings;
import io.fleetwatch.sql.Migrator;
import io.fleetwatch.store.ScanStore;
import io.fleetwatch.testing.TestBroker;
import io.fleetwatch.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The alert and admin pages in a real browser (Debian's Chromium through playwright-core, web/test/admin.mjs) against
 * the API on a real database, with the real scan service claiming the scan the page starts (its policy allows only
 * 127.0.0.1/32, which is all the page asks for). axe-core runs on every page: a serious or critical violation fails
 * the test. Screenshots: target/screenshots/admin-pages/.
 */
class AdminPagesBrowserIT {
    static final Path SHOTS = Path.of("target/screenshots/admin-pages");
    static final List<String> PAGES = List.of("fleet", "host", "alerts", "alerts-silence-form", "alerts-grouped",
            "admin-rules", "admin-windows", "admin-departments", "admin-scans", "admin-tokens", "viewer-rules");

    @Test
    void everyFlowClickedThroughWithNoSeriousAccessibilityViolation() throws Exception {
        assertThat(Path.of("/usr/bin/chromium")).as("Chromium (scripts/services installs it)").exists();
        try (TestBroker tb = TestBroker.create(); TestDatabase db = TestDatabase.create();
             HikariDataSource ds = Database.pool(DatabaseSettings.fromEnv(Map.of("DATABASE_URL", db.jdbcUrl())), "admin-ui-it")) {
            Map<String, String> env = new HashMap<>(tb.env());
            env.put("DATABASE_URL", db.jdbcUrl());
            env.put("FLEETWATCH_SCAN_ALLOW", "127.0.0.1/32");
            try (var c = BrokerSettings.fromEnv(env).newConnection("admin-ui-it")) {
                Topology.fromEnv(env).declare(c);
            }
            new Migrator(ds, "auto").migrate();
            String admin = TokenCheck.newToken();
            String viewer = TokenCheck.newToken();
            seed(ds, admin, viewer);
            Files.createDirectories(SHOTS);
            ScanJobs jobs = new ScanJobs(new ScanStore(Reads.jdbi(ds)), name -> BrokerSettings.fromEnv(env).newConnection(name),
                    Clock.systemUTC());
            JsonNode r;
            try (ApiServer api = ApiServer.start(new ApiSettings("127.0.0.1", 0, List.of()), ds, Clock.systemUTC());
                 AutoCloseable scans = jobs.serveRequests(ScanJobs.policy(env), Duration.ofMillis(500))) {
                ProcessBuilder pb = new ProcessBuilder("node", "test/admin.mjs").directory(Path.of("web").toFile())
                        .redirectErrorStream(true);
                pb.environment().putAll(Map.of("BASE_URL", "http://127.0.0.1:" + api.port(), "TOKEN", admin,
                        "VIEWER_TOKEN", viewer, "SHOTS", SHOTS.toAbsolutePath().toString(), "HOST_ID", "1",
                        "ACK_ALERT", "2", "SILENCE_ALERT", "1", "UNSILENCE_ALERT", "3"));
                Process p = pb.start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
                System.out.println("browser: " + out.strip());
                String json = out.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElse(null);
                assertThat(json).as(out).isNotNull();
                r = new ObjectMapper().readTree(json);
                for (String page : PAGES) {
                    assertThat(r.get("axe").get(page)).as("axe-core serious/critical violations on " + page).isNotNull().isEmpty();
                }
                assertThat(r.get("errors")).as("page errors").isEmpty();
                assertThat(p.exitValue()).as(out).isZero();
            }
            JsonNode f = r.get("filters");
            assertThat(ints(f.get("all"))).containsExactlyInAnyOrder(1, 2, 3);
            assertThat(ints(f.get("critical"))).containsExactly(1);
            assertThat(ints(f.get("host"))).containsExactlyInAnyOrder(3);
            assertThat(ints(f.get("resolved"))).containsExactly(4);
            assertThat(ints(f.get("type"))).containsExactly(2);
            assertThat(ints(r.get("silencedFilter"))).containsExactly(1);
            assertThat(r.get("silencedBadge").asText()).contains("by ops").contains("browser test: noisy fan");
            assertThat(r.get("groupsByHost")).hasSize(3);
            // latest RAM: lab-pc-02 92, gpu-box 91, lab-pc-01 60
            assertThat(r.get("preview").get("count").asInt()).isEqualTo(2);
            assertThat(r.get("preview").get("text").asText()).contains("2 of 3 hosts");
            assertThat(r.get("scan").get("statuses").get(1).asText()).isEqualTo("succeeded");
            assertThat(r.get("scan").get("hostsFound").asText()).isEqualTo("1");
            assertThat(r.get("scan").get("logLines").asInt()).isPositive();
            assertThat(r.get("token").get("worked").asText()).isEqualTo("grafana-ui");
            assertThat(r.get("token").get("afterRevoke").asInt()).isEqualTo(401);
            assertThat(r.get("viewer").get("alertButtons").asInt()).isZero();
            assertThat(r.get("viewer").get("ruleControls").asInt()).isZero();
            assertThat(r.get("viewer").get("tokenControls").asInt()).isZero();
            assertThat(r.get("viewer").get("forbidden").asInt()).as("the API still refuses a viewer").isEqualTo(403);

            assertThat(query(ds, "SELECT acknowledged_by FROM alerts WHERE id = 2")).isEqualTo("ops");
            assertThat(query(ds, "SELECT silenced_by || ': ' || silence_reason || ': ' || (silenced_until > now() + interval '23 hours')"
                    + " FROM alerts WHERE id = 1")).isEqualTo("ops: browser test: noisy fan: true");
            assertThat(query(ds, "SELECT coalesce(silenced_until::text, 'lifted') FROM alerts WHERE id = 3")).isEqualTo("lifted");
            assertThat(query(ds, "SELECT metric || ' ' || fire_at || ' ' || severity FROM alert_rules WHERE alert_type = 'ram_it'"))
                    .isEqualTo("ram_percent 95 critical");
            assertThat(query(ds, "SELECT count(*) FROM maintenance_windows")).isEqualTo("0");
            assertThat(query(ds, "SELECT string_agg(method || ' ' || path, ', ' ORDER BY id) FROM audit_log"
                    + " WHERE path LIKE '/api/maintenance-windows%' OR path LIKE '/api/alerts/%'"))
                    .matches("POST /api/alerts/2/acknowledge, POST /api/alerts/1/silence, POST /api/alerts/3/silence,"
                            + " POST /api/maintenance-windows, DELETE /api/maintenance-windows/[0-9]+");
            assertThat(query(ds, "SELECT status || ' ' || hosts_found || ' ' || requested_by FROM scans WHERE targets = '127.0.0.1/32'"))
                    .isEqualTo("succeeded 1 api:ops");
            assertThat(query(ds, "SELECT (revoked_at IS NOT NULL)::text FROM api_tokens WHERE name = 'grafana-ui'")).isEqualTo("true");
            for (String shot : List.of("alerts", "admin-rules", "admin-windows", "admin-departments", "admin-scans",
                    "admin-tokens")) {
                assertThat(SHOTS.resolve(shot + ".png")).isNotEmptyFile();
            }
        }
    }

    private static List<Integer> ints(JsonNode a) {
        return a == null ? List.of() : java.util.stream.StreamSupport.stream(a.spliterator(), false).map(JsonNode::asInt).toList();
    }

    private static String query(HikariDataSource ds, String sql) throws Exception {
        try (var c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            assertThat(rs.next()).as(sql).isTrue();
            return rs.getString(1);
        }
    }

    /** Three hosts in two departments, an hour of samples for one of them, four incidents, an admin and a viewer. */
    private static void seed(HikariDataSource ds, String admin, String viewer) throws Exception {
        try (var c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO departments (id, name) VALUES (1, 'lab'), (2, 'physics')");
            st.execute("INSERT INTO systems (id, hostname, ip_address, mac_address, status, last_seen, dept_id) VALUES"
                    + " (1, 'lab-pc-01', '198.18.0.11', '02:00:00:00:00:11', 'up', now(), 1),"
                    + " (2, 'lab-pc-02', '198.18.0.12', '02:00:00:00:00:12', 'up', now(), 1),"
                    + " (3, 'gpu-box', '198.18.0.13', '02:00:00:00:00:13', 'down', now() - interval '1 hour', 2)");
            st.execute("INSERT INTO metrics (system_id, collected_at, cpu_percent, ram_percent, disk_percent,"
                    + " network_sent_mbps, network_recv_mbps, gpu_percent, uptime_seconds, logged_in_users)"
                    + " SELECT 1, now() - g * interval '30 seconds', 50 + 40 * sin(g / 20.0), 60, 70, 1.5, 3.5,"
                    + " NULL, 86400 - g * 30, 2 FROM generate_series(1, 100) g");
            st.execute("INSERT INTO metrics (system_id, collected_at, cpu_percent, ram_percent, disk_percent,"
                    + " network_sent_mbps, network_recv_mbps, gpu_percent, uptime_seconds, logged_in_users) VALUES"
                    + " (2, now(), 12, 92, 40, 0.1, 0.2, NULL, 500, 0),"
                    + " (3, now() - interval '1 hour', 97, 91, 50, 0, 0, 88, 1000, 1)");
            st.execute("INSERT INTO alerts (id, system_id, alert_type, severity, value, threshold, occurred_at,"
                    + " resolved_at, silenced_until, silenced_by, silence_reason) VALUES"
                    + " (1, 3, 'cpu_high', 'critical', 97, 95, now() - interval '1 hour', NULL, NULL, NULL, NULL),"
                    + " (2, 1, 'ram_high', 'warning', 91, 90, now() - interval '5 minutes', NULL, NULL, NULL, NULL),"
                    + " (3, 2, 'disk_high', 'warning', 96, 95, now() - interval '2 hours', NULL, now() + interval '3 days',"
                    + " 'ops', 'disk swap booked'),"
                    + " (4, 2, 'cpu_high', 'info', 80, 75, now() - interval '1 day', now() - interval '20 hours', NULL, NULL, NULL)");
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO api_tokens (name, role, token_sha256) VALUES ('ops', 'admin', ?), ('watcher', 'viewer', ?)")) {
                ps.setBytes(1, TokenCheck.sha256(admin));
                ps.setBytes(2, TokenCheck.sha256(viewer));
                ps.executeUpdate();
            }
        }
    }
}
