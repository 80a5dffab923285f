package io.fleetwatch.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.api.internal.TokenCheck;
import io.fleetwatch.sql.Database;
import io.fleetwatch.sql.DatabaseSettings;
import io.fleetwatch.sql.Migrator;
import io.fleetwatch.store.Stores;
import io.fleetwatch.store.TokenStore;
import io.fleetwatch.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What guards the admin API, on a real database: the failed-token limit (and the trusted proxy it reads), and the
 * audit log of admin writes.
 */
class AdminGuardIT {
    static final String TOKEN = "admin-guard-it-token-0123456789";
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static TestDatabase db;
    static HikariDataSource ds;
    static String viewerToken;
    static String adminToken;
    static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** A clock the test moves. */
    static final class MovableClock extends Clock {
        volatile Instant now = Instant.parse("2026-12-01T10:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @BeforeAll
    static void start() {
        db = TestDatabase.create();
        ds = Database.pool(DatabaseSettings.fromEnv(Map.of("DATABASE_URL", db.jdbcUrl())), "admin-guard-it");
        new Migrator(ds, "auto").migrate();
        viewerToken = TokenCheck.newToken();
        new TokenStore(Stores.jdbi(ds)).create(new TokenStore.Holder("grafana", "viewer"), TokenCheck.sha256(viewerToken));
        adminToken = TokenCheck.newToken();
        new TokenStore(Stores.jdbi(ds)).create(new TokenStore.Holder("alice", "admin"), TokenCheck.sha256(adminToken));
    }

    @AfterAll
    static void stop() {
        ds.close();
        db.close();
    }

    static HttpResponse<String> get(ApiServer api, String path, String token, String forwardedFor) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (forwardedFor != null) {
            b.header("X-Forwarded-For", forwardedFor);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void failedTokenChecksFromOneAddressAreRefusedWith429UntilTheWindowMoves() throws Exception {
        MovableClock clock = new MovableClock();
        ApiSettings settings = new ApiSettings("127.0.0.1", 0, List.of(TOKEN))
                .withAuthLimit(new ApiSettings.AuthLimit(3, Duration.ofMinutes(1)));
        try (ApiServer api = ApiServer.start(settings, ds, clock)) {
            assertThat(get(api, "/api/departments", null, null).statusCode()).as("no header: no attempt").isEqualTo(401);
            for (int i = 0; i < 3; i++) {
                assertThat(get(api, "/api/departments", "fwt_wrong-" + i, null).statusCode()).isEqualTo(401);
                clock.now = clock.now.plusSeconds(10);
            }
            HttpResponse<String> refused = get(api, "/api/departments", "fwt_wrong-again", null);
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
            // the first failure (at +0 s) leaves the window at +60 s; it is +30 s now
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("30");
            assertThat(refused.body()).contains("too many failed token checks");
            // the token is not even checked: a good one waits too
            assertThat(get(api, "/api/departments", TOKEN, null).statusCode()).isEqualTo(429);
            // X-Forwarded-For from a peer that is no trusted proxy changes nothing
            assertThat(get(api, "/api/departments", TOKEN, "198.18.0.7").statusCode()).isEqualTo(429);
            assertThat(get(api, "/livez", null, null).statusCode()).as("probes stay open").isEqualTo(200);

            clock.now = clock.now.plusSeconds(31);   // the first failure has aged out: one attempt left
            assertThat(get(api, "/api/departments", TOKEN, null).statusCode()).isEqualTo(200);
            assertThat(get(api, "/api/departments", "fwt_wrong-3", null).statusCode()).isEqualTo(401);
            assertThat(get(api, "/api/departments", viewerToken, null).statusCode()).isEqualTo(429);
        }
    }

    @Test
    void behindATrustedProxyTheForwardedClientIsLimitedNotTheProxy() throws Exception {
        MovableClock clock = new MovableClock();
        ApiSettings settings = new ApiSettings("127.0.0.1", 0, List.of(TOKEN))
                .withAuthLimit(new ApiSettings.AuthLimit(2, Duration.ofMinutes(1)))
                .withTrustedProxies(List.of("127.0.0.1"));
        try (ApiServer api = ApiServer.start(settings, ds, clock)) {
            // the client's own X-Forwarded-For entry (left) proves nothing; the proxy appended the real one (right)
            for (int i = 0; i < 2; i++) {
                assertThat(get(api, "/api/departments", "fwt_wrong", "203.0.113.9, 198.18.0.66").statusCode())
                        .isEqualTo(401);
            }
            assertThat(get(api, "/api/departments", TOKEN, "198.18.0.66").statusCode()).isEqualTo(429);
            assertThat(get(api, "/api/departments", TOKEN, "203.0.113.9, 198.18.0.66").statusCode()).isEqualTo(429);
            // another client behind the same proxy is not held up
            assertThat(get(api, "/api/departments", viewerToken, "198.18.0.67").statusCode()).isEqualTo(200);
            assertThat(get(api, "/api/departments", TOKEN, null).statusCode()).isEqualTo(200);
        }
    }

    static HttpResponse<String> send(ApiServer api, String method, String path, String token, String json)
            throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void everyAdminWriteIsInTheAuditLogInOrderWithTheTokensName() throws Exception {
        try (ApiServer api = ApiServer.start(new ApiSettings("127.0.0.1", 0, List.of(TOKEN)), ds, Clock.systemUTC());
             var c = ds.getConnection(); var st = c.createStatement()) {
            st.execute("INSERT INTO systems (id, hostname, ip_address, status) VALUES (41, 'audit-node', '198.18.0.41',"
                    + " 'up') ON CONFLICT DO NOTHING");
            st.execute("INSERT INTO alerts (id, system_id, alert_type, severity, occurred_at) VALUES (4101, 41,"
                    + " 'cpu_high', 'warning', now())");
            Instant since = Instant.now().minusSeconds(1);

            HttpResponse<String> rule = send(api, "POST", "/api/alert-rules", adminToken, "{\"metric\":\"cpu_percent\","
                    + "\"alert_type\":\"cpu_high\",\"fire_at\":95,\"clear_at\":80,\"min_samples\":3,"
                    + "\"severity\":\"critical\"}");
            assertThat(rule.statusCode()).as(rule.body()).isEqualTo(201);
            long ruleId = JSON.readTree(rule.body()).get("id").asLong();
            assertThat(send(api, "POST", "/api/alerts/4101/acknowledge", adminToken, null).statusCode()).isEqualTo(200);
            assertThat(send(api, "POST", "/api/alerts/4101/acknowledge", TOKEN, null).statusCode()).isEqualTo(409);
            HttpResponse<String> window = send(api, "POST", "/api/maintenance-windows", TOKEN, "{\"system_id\":41,"
                    + "\"starts_at\":\"2026-12-01T20:00:00Z\",\"ends_at\":\"2099-01-01T00:00:00Z\","
                    + "\"reason\":\"disk swap\",\"api_token\":\"fwt_not-to-be-written\"}");
            assertThat(window.statusCode()).as(window.body()).isEqualTo(201);   // a field it does not know is ignored
            long windowId;
            windowId = JSON.readTree(window.body()).get("id").asLong();
            assertThat(send(api, "DELETE", "/api/maintenance-windows/" + windowId, adminToken, null).statusCode())
                    .isEqualTo(204);
            // neither reads nor refused writes are admin writes
            assertThat(get(api, "/api/alert-rules", adminToken, null).statusCode()).isEqualTo(200);
            assertThat(send(api, "DELETE", "/api/alert-rules/" + ruleId, viewerToken, null).statusCode()).isEqualTo(403);

            HttpResponse<String> log = get(api, "/api/audit?limit=50&since=" + since, adminToken, null);
            assertThat(log.statusCode()).as(log.body()).isEqualTo(200);
            var entries = JSON.readTree(log.body()).get("entries");
            List<String> seen = new java.util.ArrayList<>();
            for (int i = entries.size() - 1; i >= 0; i--) {   // newest first: read back oldest first
                var e = entries.get(i);
                seen.add(e.get("actor").asText() + " " + e.get("method").asText() + " " + e.get("path").asText() + " "
                        + e.get("target_id").asText() + " " + e.get("status").asInt());
                assertThat(e.get("at").asText()).isNotEmpty();
                assertThat(e.get("client").asText()).isEqualTo("127.0.0.1");
            }
            assertThat(seen).containsExactly(
                    "alice POST /api/alert-rules " + ruleId + " 201",
                    "alice POST /api/alerts/4101/acknowledge 4101 200",
                    "env POST /api/alerts/4101/acknowledge 4101 409",
                    "env POST /api/maintenance-windows " + windowId + " 201",
                    "alice DELETE /api/maintenance-windows/" + windowId + " " + windowId + " 204");
            String ruleSummary = entries.get(entries.size() - 1).get("summary").asText();
            assertThat(ruleSummary).contains("metric=cpu_percent").contains("fire_at=95");
            assertThat(log.body()).doesNotContain("fwt_not-to-be-written").doesNotContain(adminToken);

            HttpResponse<String> asViewer = get(api, "/api/audit", viewerToken, null);
            assertThat(asViewer.statusCode()).as(asViewer.body()).isEqualTo(403);
            assertThat(get(api, "/api/audit?since=yesterday", adminToken, null).statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(get(api, "/api/audit?limit=2", adminToken, null).body()).get("entries")).hasSize(2);
        }
    }
}
