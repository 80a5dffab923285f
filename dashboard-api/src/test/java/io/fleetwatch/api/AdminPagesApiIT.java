package io.fleetwatch.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.api.internal.TokenCheck;
import io.fleetwatch.sql.Database;
import io.fleetwatch.sql.DatabaseSettings;
import io.fleetwatch.sql.Migrator;
import io.fleetwatch.store.AlertStore;
import io.fleetwatch.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The endpoints behind the page's alert and admin views, on a real database (both engines): a silence with its reason
 * and who set it (no notification is claimed while it holds; audit-logged), the rule preview against each host's
 * latest sample, who the caller is, and API tokens made and revoked from the API.
 */
class AdminPagesApiIT {
    static final String ADMIN = "admin-pages-it-token-0123456789";
    static final String VIEWER = TokenCheck.newToken();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static final ObjectMapper JSON = new ObjectMapper();
    static TestDatabase db;
    static HikariDataSource ds;
    static ApiServer api;

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabase.create();
        ds = Database.pool(DatabaseSettings.fromEnv(Map.of("DATABASE_URL", db.jdbcUrl())), "admin-pages-it");
        new Migrator(ds, "auto").migrate();
        try (var c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO departments (id, name) VALUES (8, 'chemistry')");
            st.execute("INSERT INTO systems (id, hostname, ip_address, status, dept_id, retired_at) VALUES"
                    + " (101, 'chem-01', '198.18.1.1', 'up', 8, NULL), (102, 'chem-02', '198.18.1.2', 'up', 8, NULL),"
                    + " (103, 'chem-03', '198.18.1.3', 'up', 8, NULL), (104, 'chem-old', '198.18.1.4', 'up', 8, now()),"
                    + " (105, 'other-01', '198.18.1.5', 'up', NULL, NULL)");
            // an older hot sample of chem-02 must not count: only the latest one is judged
            st.execute("INSERT INTO metrics (system_id, collected_at, cpu_percent, ram_percent, disk_percent,"
                    + " network_sent_mbps, network_recv_mbps, gpu_percent, uptime_seconds, logged_in_users) VALUES"
                    + " (101, now() - interval '1 minute', 10, 95, 50, 0, 0, NULL, 100, 0),"
                    + " (102, now() - interval '10 minutes', 10, 99, 50, 0, 0, NULL, 100, 0),"
                    + " (102, now() - interval '1 minute', 10, 80, 50, 0, 0, NULL, 100, 0),"
                    + " (104, now() - interval '1 minute', 10, 99, 50, 0, 0, NULL, 100, 0),"
                    + " (105, now() - interval '1 minute', 10, 97, 50, 0, 0, NULL, 100, 0)");
            st.execute("INSERT INTO alerts (id, system_id, alert_type, severity, occurred_at) VALUES"
                    + " (88, 101, 'ram_high', 'warning', now())");
            st.execute("INSERT INTO notifications (alert_row, event_state, channel) VALUES (88, 'firing', 'log')");
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO api_tokens (name, role, token_sha256) VALUES ('watcher', 'viewer', ?)")) {
                ps.setBytes(1, TokenCheck.sha256(VIEWER));
                ps.executeUpdate();
            }
        }
        api = ApiServer.start(new ApiSettings("127.0.0.1", 0, List.of(ADMIN)), ds, Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        api.close();
        ds.close();
        db.close();
    }

    static HttpResponse<String> send(String token, String method, String path, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode ok(HttpResponse<String> r, int status) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        return r.body().isEmpty() ? null : JSON.readTree(r.body());
    }

    @Test
    void aSilenceKeepsItsReasonAndWhoAndHoldsBackNotificationsUntilLifted() throws Exception {
        AlertStore store = new AlertStore(Reads.jdbi(ds));
        assertThat(store.claimDue(Instant.now().plusSeconds(1), 10)).extracting(AlertStore.Due::alertRow)
                .as("unsilenced: due").contains(88L);

        JsonNode s = ok(send(ADMIN, "POST", "/api/alerts/88/silence",
                "{\"until\":\"2099-01-01T00:00:00Z\",\"reason\":\"RAM upgrade on Tuesday\"}"), 200);
        assertThat(s.get("silenced_until").asText()).isEqualTo("2099-01-01T00:00:00Z");
        assertThat(s.get("silenced_by").asText()).isEqualTo("env");
        assertThat(s.get("silence_reason").asText()).isEqualTo("RAM upgrade on Tuesday");
        JsonNode listed = ok(send(VIEWER, "GET", "/api/alerts?state=open", null), 200).get("alerts").get(0);
        assertThat(listed.get("silence_reason").asText()).isEqualTo("RAM upgrade on Tuesday");
        assertThat(listed.get("silenced_by").asText()).isEqualTo("env");
        assertThat(store.claimDue(Instant.now().plusSeconds(1), 10)).as("silenced: nothing sent").isEmpty();

        assertThat(send(VIEWER, "POST", "/api/alerts/88/silence", "{\"until\":null}").statusCode()).isEqualTo(403);
        JsonNode tooLong = ok(send(ADMIN, "POST", "/api/alerts/88/silence",
                "{\"until\":\"2099-01-01T00:00:00Z\",\"reason\":\"" + "x".repeat(501) + "\"}"), 400);
        assertThat(tooLong.get("detail").asText()).startsWith("reason must be text of at most 500");

        JsonNode lifted = ok(send(ADMIN, "POST", "/api/alerts/88/silence", "{\"until\":null}"), 200);
        assertThat(lifted.get("silenced_until").isNull()).isTrue();
        assertThat(lifted.get("silenced_by").isNull()).isTrue();
        assertThat(lifted.get("silence_reason").isNull()).isTrue();
        assertThat(store.claimDue(Instant.now().plusSeconds(1), 10)).extracting(AlertStore.Due::alertRow)
                .as("lifted: due again").contains(88L);

        JsonNode audit = ok(send(ADMIN, "GET", "/api/audit?limit=10", null), 200).get("entries");
        assertThat(audit.findValuesAsText("summary")).anySatisfy(t -> assertThat(t).contains("reason=RAM upgrade on Tuesday"));
        assertThat(audit.findValuesAsText("path")).contains("/api/alerts/88/silence");
    }

    @Test
    void thePreviewCountsInScopeHostsWhoseLatestSampleIsAtOrAboveFireAt() throws Exception {
        JsonNode p = ok(send(VIEWER, "GET", "/api/alert-rules/preview?metric=ram_percent&fire_at=85&dept_id=8", null), 200);
        assertThat(p.get("in_scope").asLong()).as("chem-old is retired").isEqualTo(3);
        assertThat(p.get("with_value").asLong()).as("chem-03 has no sample").isEqualTo(2);
        assertThat(p.get("firing").findValuesAsText("hostname")).containsExactly("chem-01");
        assertThat(p.get("firing").get(0).get("value").asDouble()).isEqualTo(95.0);

        JsonNode at80 = ok(send(VIEWER, "GET", "/api/alert-rules/preview?metric=ram_percent&fire_at=80&dept_id=8", null), 200);
        assertThat(at80.get("firing").findValuesAsText("hostname")).as("at fire_at fires, worst first")
                .containsExactly("chem-01", "chem-02");
        JsonNode fleet = ok(send(VIEWER, "GET", "/api/alert-rules/preview?metric=ram_percent&fire_at=85", null), 200);
        assertThat(fleet.get("in_scope").asLong()).isEqualTo(4);
        assertThat(fleet.get("firing").findValuesAsText("hostname")).containsExactly("other-01", "chem-01");
        JsonNode gpu = ok(send(VIEWER, "GET", "/api/alert-rules/preview?metric=gpu_percent&fire_at=1", null), 200);
        assertThat(gpu.get("with_value").asLong()).as("no GPU anywhere").isZero();

        assertThat(ok(send(VIEWER, "GET", "/api/alert-rules/preview?metric=mood&fire_at=1", null), 400)
                .get("detail").asText()).startsWith("metric must be one of");
        assertThat(ok(send(VIEWER, "GET", "/api/alert-rules/preview?metric=ram_percent&fire_at=lots", null), 400)
                .get("detail").asText()).contains("fire_at").doesNotContain("lots");
        assertThat(send(VIEWER, "GET", "/api/alert-rules/preview?metric=ram_percent", null).statusCode()).isEqualTo(400);
    }

    @Test
    void tokensAreMadeShownOnceListedAndRevokedAtOnce() throws Exception {
        assertThat(ok(send(ADMIN, "GET", "/api/whoami", null), 200)).isEqualTo(JSON.readTree(
                "{\"name\":\"env\",\"role\":\"admin\"}"));
        assertThat(ok(send(VIEWER, "GET", "/api/whoami", null), 200).get("role").asText()).isEqualTo("viewer");
        assertThat(send(VIEWER, "GET", "/api/tokens", null).statusCode()).as("the list is for admins").isEqualTo(403);
        assertThat(send(VIEWER, "POST", "/api/tokens", "{\"name\":\"x\",\"role\":\"admin\"}").statusCode()).isEqualTo(403);

        JsonNode made = ok(send(ADMIN, "POST", "/api/tokens", "{\"name\":\"grafana.it\",\"role\":\"viewer\"}"), 201);
        String secret = made.get("token").asText();
        assertThat(secret).startsWith("fwt_").hasSizeGreaterThan(40);
        assertThat(made.get("role").asText()).isEqualTo("viewer");
        assertThat(ok(send(secret, "GET", "/api/whoami", null), 200).get("name").asText()).isEqualTo("grafana.it");

        HttpResponse<String> list = send(ADMIN, "GET", "/api/tokens", null);
        assertThat(ok(list, 200).findValuesAsText("name")).contains("grafana.it", "watcher");
        assertThat(list.body()).doesNotContain(secret).doesNotContain("sha256");
        assertThat(send(ADMIN, "POST", "/api/tokens", "{\"name\":\"grafana.it\",\"role\":\"viewer\"}").statusCode())
                .isEqualTo(409);
        assertThat(ok(send(ADMIN, "POST", "/api/tokens", "{\"name\":\"no spaces\",\"role\":\"viewer\"}"), 400)
                .get("detail").asText()).startsWith("name must be");
        assertThat(ok(send(ADMIN, "POST", "/api/tokens", "{\"name\":\"ok\",\"role\":\"root\"}"), 400)
                .get("detail").asText()).startsWith("role must be one of");

        ok(send(ADMIN, "DELETE", "/api/tokens/grafana.it", null), 204);
        assertThat(send(secret, "GET", "/api/whoami", null).statusCode()).as("revoked: refused at once").isEqualTo(401);
        assertThat(send(ADMIN, "DELETE", "/api/tokens/grafana.it", null).statusCode()).isEqualTo(404);
        JsonNode audit = ok(send(ADMIN, "GET", "/api/audit?limit=20", null), 200).get("entries");
        assertThat(audit.findValuesAsText("summary")).noneSatisfy(t -> assertThat(t).contains(secret));
        assertThat(audit.findValuesAsText("path")).contains("/api/tokens", "/api/tokens/grafana.it");
    }
}
