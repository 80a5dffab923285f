package io.fleetwatch.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.api.ApiServer;
import io.fleetwatch.api.ApiSettings;
import io.fleetwatch.cli.Main;
import io.fleetwatch.sql.Database;
import io.fleetwatch.sql.DatabaseSettings;
import io.fleetwatch.testing.Fleet;
import io.fleetwatch.testing.TestDatabase;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Scenario 8: the API refuses callers without a valid token (401) and viewers that try to write (403); hostile strings
 * in every parameter of every endpoint are answered with a 4xx problem and change nothing; oversized requests are
 * refused; nothing ever answers 5xx, and the server keeps serving.
 */
class ApiSecurityIT {
    static final List<String> HOSTILE = List.of("' OR '1'='1", "1; DROP TABLE systems; --", "1 UNION SELECT * FROM api_tokens",
            "../../../../etc/passwd", "<script>alert(1)</script>", "${jndi:ldap://127.0.0.1/x}", "%00", "\u0000",
            "-1", "99999999999999999999999", "1e309", "NaN", "0x1F", " 1", "１２", "'; SELECT pg_sleep(5); --",
            "2025-01-01T00:00:00Z'; DELETE FROM metrics; --", "a".repeat(5000), "\uD83D\uDCA3", "true", "null", "[]", "{}");

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<Integer, Integer> statuses = new TreeMap<>();

    @Test
    void refusesWithoutTokenOrRoleAndShrugsOffHostileAndOversizedInput() throws Exception {
        try (TestDatabase db = TestDatabase.create()) {
            Map<String, String> env = Map.of("DATABASE_URL", db.jdbcUrl());
            assertThat(Main.run(env, "db", "migrate")).isZero();
            try (var c = db.connect(); Statement st = c.createStatement()) {
                st.execute("INSERT INTO systems (id, hostname) VALUES (1, 'web-1'), (2, 'web-2')");
                st.execute("INSERT INTO metrics (system_id, collected_at, cpu_percent, ram_percent, disk_percent,"
                        + " network_sent_mbps, network_recv_mbps, uptime_seconds, logged_in_users) SELECT 1,"
                        + " now() - g * interval '10 seconds', 10, 20, 30, 0, 0, 100, 0 FROM generate_series(1, 50) g");
                st.execute("INSERT INTO alerts (id, system_id, alert_type, severity, occurred_at) VALUES"
                        + " (1, 1, 'cpu_high', 'warning', now()), (2, 2, 'ram_high', 'critical', now())");
            }
            Fleet fleet = new Fleet(env);
            String viewer = fleet.output("admin", "create-token", "--name", "grafana", "--role", "viewer").strip();
            String admin = fleet.output("admin", "create-token", "--name", "ops", "--role", "admin").strip();
            assertThat(viewer).startsWith("fwt_").hasSizeGreaterThan(40);
            String before = snapshot(db);

            try (HikariDataSource ds = Database.pool(DatabaseSettings.fromEnv(env), "api-it");
                 // this scenario makes 40 failed token checks on purpose: a limit above that, so each stays a 401
                 ApiServer api = ApiServer.start(new ApiSettings("127.0.0.1", 0, List.of()).withAuthLimit(
                         new ApiSettings.AuthLimit(1_000, java.time.Duration.ofMinutes(1))), ds, Clock.systemUTC())) {
                String base = "http://127.0.0.1:" + api.port();
                List<String> reads = List.of("/api/systems", "/api/systems/1", "/api/systems/1/metrics", "/api/alerts",
                        "/api/alerts?state=all", "/api/overview", "/api/queues");

                // no token, a wrong one, another scheme: 401 everywhere, the open probes stay open
                for (String auth : new String[] {null, "Bearer fwt_not-a-real-token-at-all-0000000000", "Basic b3BzOm9wcw==",
                        "Bearer ", "Bearer " + viewer + "x"}) {
                    for (String path : reads) {
                        assertThat(send(get(base + path, auth))).as("GET %s with %s", path, auth).isEqualTo(401);
                    }
                    assertThat(send(post(base + "/api/alerts/1/acknowledge", auth, ""))).isEqualTo(401);
                }
                assertThat(send(get(base + "/livez", null))).isEqualTo(200);

                // roles: the viewer reads and may not write; the admin writes once, then 409
                for (String path : reads) {
                    assertThat(send(get(base + path, viewer))).as("viewer GET %s", path).isEqualTo(200);
                }
                HttpResponse<String> forbidden = http.send(post(base + "/api/alerts/1/acknowledge", viewer, ""),
                        HttpResponse.BodyHandlers.ofString());
                statuses.merge(forbidden.statusCode(), 1, Integer::sum);
                assertThat(forbidden.statusCode()).isEqualTo(403);
                assertThat(forbidden.body()).contains("admin role");
                assertThat(forbidden.headers().firstValue("Content-Type")).hasValueSatisfying(
                        t -> assertThat(t).startsWith("application/problem+json"));
                for (String[] w : new String[][] {{"POST", "/api/alert-rules"}, {"PUT", "/api/alert-rules/1"},
                        {"DELETE", "/api/alert-rules/1"}, {"POST", "/api/maintenance-windows"},
                        {"DELETE", "/api/maintenance-windows/1"}, {"POST", "/api/alerts/1/silence"}, {"POST", "/api/scans"}}) {
                    HttpRequest r = HttpRequest.newBuilder(URI.create(base + w[1])).header("Authorization", "Bearer " + viewer)
                            .header("Content-Type", "application/json")
                            .method(w[0], HttpRequest.BodyPublishers.ofString("{}")).build();
                    assertThat(send(r)).as("viewer %s %s", w[0], w[1]).isEqualTo(403);
                }
                HttpResponse<String> ack = http.send(post(base + "/api/alerts/1/acknowledge", admin, ""),
                        HttpResponse.BodyHandlers.ofString());
                statuses.merge(ack.statusCode(), 1, Integer::sum);
                assertThat(ack.statusCode()).isEqualTo(200);
                assertThat(ack.body()).contains("\"acknowledged_by\":\"ops\"");
                assertThat(send(post(base + "/api/alerts/1/acknowledge", admin, ""))).isEqualTo(409);
                String afterAck = snapshot(db);

                // hostile strings in every parameter of every endpoint, as admin (the widest access)
                int hostile = 0;
                for (String h : HOSTILE) {
                    String v = URLEncoder.encode(h, StandardCharsets.UTF_8).replace("+", "%20");
                    List<HttpRequest> rs = new ArrayList<>();
                    rs.add(get(base + "/api/systems/" + v + "/metrics", admin));
                    rs.add(get(base + "/api/systems/" + v, admin));
                    for (String q : List.of("dept", "status", "search", "limit", "offset")) {
                        rs.add(get(base + "/api/systems?" + q + "=" + v, admin));
                    }
                    for (String q : List.of("from", "to", "limit", "bucket")) {
                        rs.add(get(base + "/api/systems/1/metrics?" + q + "=" + v, admin));
                    }
                    for (String q : List.of("state", "system_id", "limit", "offset")) {
                        rs.add(get(base + "/api/alerts?" + q + "=" + v, admin));
                    }
                    rs.add(post(base + "/api/alerts/" + v + "/acknowledge", admin, ""));
                    for (HttpRequest r : rs) {
                        int code = send(r);
                        hostile++;
                        String u = r.uri().toString();
                        assertThat(code).as("%s %s", r.method(), u.length() > 150 ? u.substring(0, 150) + "…" : u)
                                .isIn(200, 400, 404, 405, 413, 414);
                    }
                }
                assertThat(snapshot(db)).as("hostile parameters changed nothing").isEqualTo(afterAck);

                // oversized: a 2 MB body (limit 1 MB), a 64 KB URL, a 64 KB header
                int big = send(post(base + "/api/alerts/2/acknowledge", admin, "x".repeat(2 * 1024 * 1024)));
                int longUrl = send(get(base + "/api/alerts?state=" + "a".repeat(64 * 1024), admin));
                int bigHeader = send(HttpRequest.newBuilder(URI.create(base + "/api/alerts"))
                        .header("Authorization", "Bearer " + admin).header("X-Filler", "f".repeat(64 * 1024)).GET().build());
                assertThat(big).as("2 MB body").isEqualTo(413);
                assertThat(longUrl).as("64 KB URL").isBetween(400, 499);
                assertThat(bigHeader).as("64 KB header").isBetween(400, 499);
                assertThat(snapshot(db)).as("oversized requests changed nothing").isEqualTo(afterAck);
                assertThat(send(get(base + "/api/systems", viewer))).as("still serving").isEqualTo(200);
                assertThat(statuses.keySet()).as("no 5xx, ever").allMatch(s -> s < 500);
                Traffic.figures(String.format("API: %d requests (%d with hostile parameters), answers by status %s,"
                        + " 5xx 0; oversized body %d, URL %d, header %d; tables unchanged by hostile input",
                        statuses.values().stream().mapToInt(Integer::intValue).sum(), hostile, statuses, big, longUrl,
                        bigHeader));
            }
            assertThat(before).isNotEqualTo(snapshot(db)); // only the admin's acknowledge changed anything
        }
    }

    private int send(HttpRequest r) throws Exception {
        int code;
        try {
            code = http.send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException first) {
            // The server closes the connection after a 413; a POST the client had already queued on that pooled
            // connection fails without an answer (GETs the client retries itself). Once more, on a new connection:
            try {
                code = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (java.io.IOException again) {
                code = 0; // no answer twice: counted, and fails the status assertions
            }
        }
        statuses.merge(code, 1, Integer::sum);
        return code;
    }

    private static HttpRequest get(String url, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).GET();
        return auth(b, token).build();
    }

    private static HttpRequest post(String url, String token, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        return auth(b, token).build();
    }

    private static HttpRequest.Builder auth(HttpRequest.Builder b, String token) {
        if (token == null) {
            return b;
        }
        return b.header("Authorization", token.startsWith("Bearer") || token.startsWith("Basic") ? token : "Bearer " + token);
    }

    /** Row counts and the acknowledge columns: what hostile input must not change. */
    private static String snapshot(TestDatabase db) throws Exception {
        StringBuilder sb = new StringBuilder();
        try (var c = db.connect(); Statement st = c.createStatement()) {
            for (String q : List.of("SELECT count(*) FROM systems", "SELECT count(*) FROM metrics",
                    "SELECT count(*) FROM api_tokens", "SELECT string_agg(id || ':' || coalesce(acknowledged_by, '-'), ','"
                            + " ORDER BY id) FROM alerts")) {
                try (var rs = st.executeQuery(q)) {
                    rs.next();
                    sb.append(rs.getString(1)).append(' ');
                }
            }
        }
        return sb.toString();
    }
}
