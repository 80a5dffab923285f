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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The web dashboard in a real browser: Debian's Chromium, headless, driven by playwright-core (web/test/dashboard.mjs)
 * against the API on a real PostgreSQL with seeded data. Screenshots: target/screenshots/{overview,host,alerts,phone}.png.
 */
class DashboardBrowserIT {
    static final Path SHOTS = Path.of("target/screenshots");

    @Test
    void signInSeeTheFleetOpenAHostChartAndAcknowledgeAnAlert() throws Exception {
        assertThat(Path.of("/usr/bin/chromium")).as("Chromium (scripts/services installs it)").exists();
        try (TestDatabase db = TestDatabase.create();
             HikariDataSource ds = Database.pool(DatabaseSettings.fromEnv(Map.of("DATABASE_URL", db.jdbcUrl())), "ui-it")) {
            new Migrator(ds, "auto").migrate();
            String token = TokenCheck.newToken();
            try (var c = ds.getConnection(); Statement st = c.createStatement()) {
                st.execute("INSERT INTO systems (id, hostname, ip_address, mac_address, status, last_seen) VALUES"
                        + " (1, 'lab-pc-01', '198.18.0.11', '02:00:00:00:00:11', 'up', now()),"
                        + " (2, 'lab-pc-02', '198.18.0.12', '02:00:00:00:00:12', 'up', now()),"
                        + " (3, 'gpu-box', '198.18.0.13', '02:00:00:00:00:13', 'down', now() - interval '1 hour')");
                // 54 minutes of 9 s samples for lab-pc-01: a CPU wave, so the chart has a shape; all of them stay in
                // the page's last-hour chart even when the browser opens it a few minutes later on a loaded machine
                // with a load average (a metric of the catalog's second version): its chart group is drawn too
                st.execute("INSERT INTO metrics (system_id, collected_at, cpu_percent, ram_percent, disk_percent,"
                        + " network_sent_mbps, network_recv_mbps, gpu_percent, uptime_seconds, logged_in_users,"
                        + " load_avg_1) SELECT 1, now() - g * interval '9 seconds', 50 + 40 * sin(g / 20.0), 60, 70,"
                        + " 1.5, 3.5, NULL, 86400 - g * 9, 2, 0.5 FROM generate_series(1, 359) g");
                st.execute("INSERT INTO metrics (system_id, collected_at, cpu_percent, ram_percent, disk_percent,"
                        + " network_sent_mbps, network_recv_mbps, gpu_percent, uptime_seconds, logged_in_users)"
                        + " VALUES (2, now(), 12, 30, 40, 0.1, 0.2, NULL, 500, 0), (3, now() - interval '1 hour', 97, 91,"
                        + " 50, 0, 0, 88, 1000, 1)");
                st.execute("INSERT INTO alerts (id, system_id, alert_type, severity, value, threshold, occurred_at) VALUES"
                        + " (1, 3, 'cpu_high', 'critical', 97, 95, now() - interval '1 hour'),"
                        + " (2, 1, 'ram_high', 'warning', 91, 90, now() - interval '5 minutes')");
                // lab-pc-01's inventory (the contract's example) and one change: its memory halved
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO system_inventory (system_id, content_hash,"
                        + " inventory, collected_at, changed_at) VALUES (1, repeat('a', 64), CAST(? AS jsonb), now(), now())");
                     var in = DashboardBrowserIT.class.getResourceAsStream("/golden/inventory.json")) {
                    ps.setString(1, new String(in.readAllBytes(), StandardCharsets.UTF_8));
                    ps.executeUpdate();
                }
                st.execute("INSERT INTO inventory_changes (system_id, changed_at, old_hash, new_hash, changes, inventory)"
                        + " SELECT 1, now(), repeat('b', 64), repeat('a', 64), '[{\"part\": \"memory_bytes\","
                        + " \"item\": null, \"kind\": \"changed\", \"before\": \"34359738368\","
                        + " \"after\": \"17179869184\"}]', inventory FROM system_inventory");
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO api_tokens (name, role, token_sha256) VALUES ('ops', 'admin', ?)")) {
                    ps.setBytes(1, TokenCheck.sha256(token));
                    ps.executeUpdate();
                }
            }
            Files.createDirectories(SHOTS);
            try (ApiServer api = ApiServer.start(new ApiSettings("127.0.0.1", 0, List.of()), ds, Clock.systemUTC())) {
                ProcessBuilder pb = new ProcessBuilder("node", "test/dashboard.mjs").directory(Path.of("web").toFile())
                        .redirectErrorStream(true);
                pb.environment().putAll(Map.of("BASE_URL", "http://127.0.0.1:" + api.port(), "TOKEN", token,
                        "SHOTS", SHOTS.toAbsolutePath().toString(), "HOSTS", "3", "HOST_ID", "1"));
                Process p = pb.start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
                System.out.println("browser: " + out.strip());
                assertThat(p.exitValue()).as(out).isZero();
                JsonNode r = new ObjectMapper().readTree(out.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b)
                        .orElseThrow());
                assertThat(r.get("rows").asInt()).isEqualTo(3);
                assertThat(r.get("chart").get("points").asInt()).isEqualTo(359);
                assertThat(r.at("/inventory/memory").asText()).isEqualTo("16 GiB");
                assertThat(r.at("/inventory/changeText").asText()).contains("memory_bytes: 34359738368 → 17179869184");
                assertThat(r.get("errors")).isEmpty();
            }
            try (var c = ds.getConnection(); Statement st = c.createStatement();
                 var rs = st.executeQuery("SELECT acknowledged_by FROM alerts WHERE acknowledged_at IS NOT NULL")) {
                assertThat(rs.next()).as("one alert acknowledged through the page").isTrue();
                assertThat(rs.getString(1)).isEqualTo("ops");
                assertThat(rs.next()).isFalse();
            }
            for (String shot : List.of("overview", "host", "alerts", "phone")) {
                assertThat(SHOTS.resolve(shot + ".png")).isNotEmptyFile();
            }
        }
    }
}
