package io.fleetwatch.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.sql.Database;
import io.fleetwatch.sql.DatabaseSettings;
import io.fleetwatch.sql.Migrator;
import io.fleetwatch.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The REST API on a real PostgreSQL: bucketing checked against SQL written independently, paging, filters, errors. */
class ApiIT {
    static final String TOKEN = "api-it-token-0123456789abcdef";
    static TestDatabase db;
    static HikariDataSource ds;
    static ApiServer api;
    // HTTP/1.1: the JDK client's h2c upgrade offer on a new connection has hung a run here (see EndToEndIT)
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabase.create();
        ds = Database.pool(DatabaseSettings.fromEnv(Map.of("DATABASE_URL", db.jdbcUrl())), "api-it");
        new Migrator(ds, "auto").migrate();
        try (var c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO departments (id, name) VALUES (7, 'physics') ON CONFLICT DO NOTHING");
            st.execute("INSERT INTO systems (id, hostname, ip_address, status, dept_id) SELECT g, 'node-' || lpad(g::text, 2, '0'),"
                    + " ('198.18.0.' || g)::inet, CASE WHEN g % 5 = 0 THEN 'down' ELSE 'up' END, CASE WHEN g <= 10 THEN 7 END"
                    + " FROM generate_series(1, 25) g");
            // 2 hours of irregular samples for system 1 (every 7 s, CPU a saw-tooth), fixed times
            st.execute("INSERT INTO metrics (system_id, collected_at, cpu_percent, ram_percent, disk_percent,"
                    + " network_sent_mbps, network_recv_mbps, gpu_percent, uptime_seconds, logged_in_users)"
                    + " SELECT 1, TIMESTAMPTZ '2026-11-20 10:00:00Z' + g * interval '7 seconds', (g * 13) % 100, 50, 60,"
                    + " g % 3, 1, NULL, 1000 + g * 7, g % 4 FROM generate_series(0, 1028) g");
        }
        api = ApiServer.start(new ApiSettings("127.0.0.1", 0, List.of(TOKEN)), ds, Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        api.close();
        ds.close();
        db.close();
    }

    static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A database error: a 500 naming no class, stack frame or SQL; the detail is in the log under its id. */
    @Test
    void aServerErrorLeaksNothingAndCarriesACorrelationId() throws Exception {
        ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                UnexpectedErrorHandler.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> seen =
                new ch.qos.logback.core.read.ListAppender<>();
        seen.start();
        log.addAppender(seen);
        try (var c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("ALTER TABLE alert_rules RENAME TO alert_rules_away");
            try {
                HttpResponse<String> r = get("/api/alert-rules");
                assertThat(r.statusCode()).isEqualTo(500);
                assertThat(r.body()).doesNotContainIgnoringCase("exception").doesNotContain("org.", "java.", "SELECT",
                        "alert_rules", "relation \"", "at io");
                String id = JSON.readTree(r.body()).get("correlation_id").asText();
                assertThat(id).isNotBlank();
                assertThat(seen.list).anySatisfy(e -> {
                    assertThat(e.getFormattedMessage()).contains("correlation_id=" + id);
                    assertThat(e.getThrowableProxy()).isNotNull();
                });
            } finally {
                st.execute("ALTER TABLE alert_rules_away RENAME TO alert_rules");
                log.detachAppender(seen);
            }
        }
    }

    @Test
    void fiveMinuteBucketsEqualSqlWrittenByHand() throws Exception {
        HttpResponse<String> r = get("/api/systems/1/metrics?from=2026-11-20T10:00:00Z&to=2026-11-20T12:00:00Z&bucket=5m");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode rows = JSON.readTree(r.body()).get("metrics");
        // by hand: epoch seconds floored to 300, no date_bin
        List<String> expected = new ArrayList<>();
        try (var c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT to_timestamp(floor(extract(epoch FROM collected_at) / 300) * 300) AS b, avg(cpu_percent),"
                        + " avg(network_sent_mbps), max(logged_in_users), count(*) FROM metrics WHERE system_id = 1"
                        + " AND collected_at >= '2026-11-20 10:00:00Z' AND collected_at < '2026-11-20 12:00:00Z'"
                        + " GROUP BY 1 ORDER BY 1")) {
            while (rs.next()) {
                expected.add(rs.getTimestamp(1).toInstant() + " " + round(rs.getDouble(2)) + " " + round(rs.getDouble(3))
                        + " " + rs.getLong(4));
            }
        }
        List<String> got = new ArrayList<>();
        for (JsonNode row : rows) {
            JsonNode m = row.get("metrics");
            got.add(row.get("collected_at").asText() + " " + round(m.get("cpu_percent").asDouble()) + " "
                    + round(m.get("network_sent_mbps").asDouble()) + " " + m.get("logged_in_users").asLong());
        }
        assertThat(got).hasSize(24).isEqualTo(expected);
        assertThat(rows.get(0).get("metrics").get("gpu_percent").isNull()).as("no GPU stays null").isTrue();

        JsonNode hourly = JSON.readTree(get("/api/systems/1/metrics?from=2026-11-20T10:00:00Z&to=2026-11-20T12:00:00Z"
                + "&bucket=1h").body());
        assertThat(hourly.get("metrics")).hasSize(2);
        assertThat(hourly.get("bucket").asText()).isEqualTo("1h");
        JsonNode raw = JSON.readTree(get("/api/systems/1/metrics?from=2026-11-20T10:00:00Z&to=2026-11-20T12:00:00Z"
                + "&limit=10000").body());
        assertThat(raw.get("metrics")).hasSize(1029);
        assertThat(get("/api/systems/1/metrics?bucket=2m").statusCode()).isEqualTo(400);

        // a range over 24 h reads the hourly rollup (over the 5-minute one); its hourly means equal the raw ones
        JsonNode longRange = JSON.readTree(get("/api/systems/1/metrics?from=2026-11-19T12:00:00Z&to=2026-11-20T13:00:00Z"
                + "&bucket=1h").body());
        assertThat(longRange.get("source").asText()).isEqualTo("metrics_1h");
        JsonNode fiveMinutes = JSON.readTree(get("/api/systems/1/metrics?from=2026-11-19T12:00:00Z"
                + "&to=2026-11-20T13:00:00Z&bucket=5m").body());
        assertThat(fiveMinutes.get("source").asText()).isEqualTo("metrics_5m");
        assertThat(fiveMinutes.get("metrics")).hasSize(24);
        assertThat(hourly.get("source").asText()).isEqualTo("metrics");
        assertThat(longRange.get("metrics")).hasSize(2);
        for (int i = 0; i < 2; i++) {
            assertThat(longRange.get("metrics").get(i).get("collected_at").asText())
                    .isEqualTo(hourly.get("metrics").get(i).get("collected_at").asText());
            assertThat(longRange.get("metrics").get(i).get("metrics").get("cpu_percent").asDouble()).isCloseTo(
                    hourly.get("metrics").get(i).get("metrics").get("cpu_percent").asDouble(),
                    org.assertj.core.data.Offset.offset(1e-9));
        }
    }

    /** The metric catalog is served, typed; every metric of it reaches the samples; filesystems per mount; rules. */
    @Test
    void theMetricCatalogAndEveryMetricOfIt() throws Exception {
        List<String> names = io.fleetwatch.messages.MetricCatalog.DEFAULT.names();
        HttpResponse<String> r = get("/api/metrics/catalog");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode catalog = JSON.readTree(r.body());
        List<String> served = new ArrayList<>();
        catalog.forEach(m -> served.add(m.get("name").asText()));
        assertThat(served).containsExactlyElementsOf(names);
        JsonNode temp = catalog.get(names.indexOf("cpu_temperature"));
        assertThat(temp.get("unit").asText()).isEqualTo("°C");
        assertThat(temp.get("kind").asText()).isEqualTo("gauge");
        assertThat(temp.get("chart_group").asText()).isEqualTo("temperature");
        assertThat(temp.get("alertable").asBoolean()).isTrue();
        try (var c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO metrics (system_id, collected_at, " + String.join(", ", names) + ") SELECT 24,"
                    + " TIMESTAMPTZ '2026-11-20 10:00:00Z', " + String.join(", ", java.util.Collections.nCopies(
                    names.size(), "1")));
            st.execute("INSERT INTO filesystem_metrics (system_id, collected_at, mount, usage, size_gb) VALUES"
                    + " (24, TIMESTAMPTZ '2026-11-20 10:00:00Z', '/home', 41.2, 100), (24, TIMESTAMPTZ"
                    + " '2026-11-20 10:00:00Z', '/', 12.5, NULL)");
        }
        JsonNode sample = JSON.readTree(get("/api/systems/24/metrics?from=2026-11-20T09:00:00Z"
                + "&to=2026-11-20T11:00:00Z").body()).get("metrics").get(0).get("metrics");
        JsonNode latest = JSON.readTree(get("/api/systems/24").body()).get("latest").get("metrics");
        for (String name : names) {
            assertThat(sample.get(name).asDouble()).as("chart " + name).isEqualTo(1.0);
            assertThat(latest.get(name).asDouble()).as("latest " + name).isEqualTo(1.0);
        }
        JsonNode fs = JSON.readTree(get("/api/systems/24/filesystems").body());
        assertThat(fs.get(1).get("mount").asText()).isEqualTo("/home");
        assertThat(fs.get(1).get("usage").asDouble()).isEqualTo(41.2);
        assertThat(get("/api/systems/999/filesystems").statusCode()).isEqualTo(404);
        String rule = "{\"metric\":\"cpu_temperature\",\"alert_type\":\"cpu_hot\",\"fire_at\":-5,"
                + "\"clear_at\":-10,\"severity\":\"warning\"}";
        HttpResponse<String> created = send("POST", "/api/alert-rules", rule);
        assertThat(created.statusCode()).as("a rule below 0 °C: the metric's own range").isEqualTo(201);
        assertThat(send("DELETE", "/api/alert-rules/" + JSON.readTree(created.body()).get("id").asLong(), null)
                .statusCode()).isEqualTo(204);
        assertThat(send("POST", "/api/alert-rules", rule.replace("-5", "250")).statusCode()).isEqualTo(400);
    }

    /** A database without a column of the catalog (a metric added without its migration): the API does not start. */
    @Test
    void theApiRefusesADatabaseThatLacksAMetricOfTheCatalog() throws Exception {
        try (TestDatabase other = TestDatabase.create();
             HikariDataSource ods = Database.pool(DatabaseSettings.fromEnv(Map.of("DATABASE_URL", other.jdbcUrl())),
                     "api-it-catalog")) {
            new Migrator(ods, "auto").migrate();
            try (var c = ods.getConnection(); Statement st = c.createStatement()) {
                st.execute("ALTER TABLE metrics RENAME COLUMN process_count TO process_count_gone");
            }
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> ApiServer.start(new ApiSettings("127.0.0.1", 0,
                            List.of(TOKEN)), ods, Clock.systemUTC()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("lacks the column metrics.process_count of the metric catalog")
                    .hasMessageContaining("fleetwatch db migrate");
        }
    }

    @Test
    void pagingAndFilters() throws Exception {
        HttpResponse<String> page1 = get("/api/systems?limit=10");
        HttpResponse<String> page3 = get("/api/systems?limit=10&offset=20");
        assertThat(page1.headers().firstValue("X-Total-Count")).hasValue("25");
        assertThat(JSON.readTree(page1.body())).hasSize(10);
        JsonNode last = JSON.readTree(page3.body());
        assertThat(last).hasSize(5);
        assertThat(last.get(0).get("system_id").asLong()).isEqualTo(21);
        assertThat(JSON.readTree(get("/api/systems?status=down").body())).hasSize(5);
        assertThat(get("/api/systems?dept=7&status=up").headers().firstValue("X-Total-Count")).hasValue("8");
        JsonNode search = JSON.readTree(get("/api/systems?search=NODE-1").body());
        assertThat(search).extracting(n -> n.get("hostname").asText()).containsExactly("node-10", "node-11", "node-12",
                "node-13", "node-14", "node-15", "node-16", "node-17", "node-18", "node-19");
        assertThat(JSON.readTree(get("/api/systems?search=%25").body())).as("% is a character, not a wildcard").isEmpty();
        assertThat(get("/api/systems?status=sideways").statusCode()).isEqualTo(400);
        assertThat(get("/api/systems?limit=0").statusCode()).isEqualTo(400);
    }

    @Test
    void oneSystemOverviewAndProblems() throws Exception {
        JsonNode one = JSON.readTree(get("/api/systems/1").body());
        assertThat(one.get("hostname").asText()).isEqualTo("node-01");
        assertThat(one.get("latest").get("collected_at").asText()).isEqualTo("2026-11-20T11:59:56Z");
        assertThat(one.get("identity_history")).hasSize(1);
        JsonNode o = JSON.readTree(get("/api/overview").body());
        assertThat(o.get("hosts_total").asLong()).isEqualTo(25);
        assertThat(o.get("hosts_by_status").get("down").asLong()).isEqualTo(5);
        assertThat(o.get("hosts").get(0).get("status").asText()).as("down hosts first").isEqualTo("down");
        HttpResponse<String> missing = get("/api/systems/999");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.headers().firstValue("Content-Type")).hasValueSatisfying(
                t -> assertThat(t).startsWith("application/problem+json"));
        HttpResponse<String> bad = get("/api/systems/abc/metrics");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(bad.body()).get("detail").asText()).contains("'id'").doesNotContain("abc");
        assertThat(get("/ui/index.html").statusCode()).as("the page is open; its data is not").isEqualTo(200);
        assertThat(get("/ui/vendor/chart.umd.min.js").body()).contains("Chart");
        String openapi = get("/openapi/fleetwatch-api-1.yml").body();
        assertThat(openapi).startsWith("openapi: 3").contains("/api/systems/{id}/metrics:").contains("/api/alert-rules/{id}:")
                .contains("bearer");
    }

    /** The README's address for the API description: an index that links the document, open like the document. */
    @Test
    void openApiIndexLinksTheDocument() throws Exception {
        for (String path : List.of("/openapi/", "/openapi")) {
            HttpResponse<String> index = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port()
                    + path)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(index.statusCode()).as(path).isEqualTo(200);
            assertThat(index.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
            assertThat(index.body()).contains("<code>/api/systems/{id}/metrics</code>").doesNotContain("<code>/openapi");
            java.util.regex.Matcher link = java.util.regex.Pattern.compile("href=\"(/openapi/[^\"]+\\.yml)\"")
                    .matcher(index.body());
            assertThat(link.find()).as(index.body()).isTrue();
            HttpResponse<String> doc = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port()
                    + link.group(1))).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(doc.statusCode()).isEqualTo(200);
            assertThat(doc.body()).startsWith("openapi: 3");
        }
    }

    @Test
    void healthAndPrometheusMetrics() throws Exception {
        HttpResponse<String> h = get("/healthz");
        assertThat(h.statusCode()).as(h.body()).isEqualTo(200);
        assertThat(JSON.readTree(h.body()).get("checks").get("broker").get("status").asText()).isEqualTo("unknown");
        // a broker that refuses, and an alert stuck in the outbox: 503, each with its reason
        var nowhere = new io.fleetwatch.broker.BrokerSettings("127.0.0.1", 1, "guest", "guest", "/", 15672);
        try (var c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO alert_events (id, system_id, alert_type, severity, state, occurred_at) OVERRIDING"
                    + " SYSTEM VALUE VALUES (9001, 2, 'cpu_high', 'warning', 'firing', now())");
            st.execute("INSERT INTO alert_outbox (event_id, created_at) VALUES (9001, now() - interval '10 minutes')");
        }
        try (ApiServer sick = ApiServer.start(new ApiSettings("127.0.0.1", 0, List.of(TOKEN)), ds, Clock.systemUTC(),
                nowhere)) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sick.port()
                    + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(503);
            JsonNode checks = JSON.readTree(r.body()).get("checks");
            assertThat(checks.get("database").get("status").asText()).isEqualTo("up");
            assertThat(checks.get("broker").get("reason").asText()).contains("unreachable");
            assertThat(checks.get("relay").get("reason").asText()).contains("waited");
        } finally {
            try (var c = ds.getConnection(); Statement st = c.createStatement()) {
                st.execute("DELETE FROM alert_events WHERE id = 9001");
            }
        }
        get("/api/systems/3");
        HttpResponse<String> m = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(m.statusCode()).isEqualTo(200);
        assertThat(m.body()).contains("fleetwatch_hosts{status=\"down\"} 5.0")
                .contains("http_server_requests_seconds_count{method=\"GET\",route=\"/api/systems/{id}\",status=\"200\"}")
                .contains("jvm_memory_used_bytes");
    }

    static HttpResponse<String> send(String method, String path, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void alertRulesMaintenanceWindowsSilenceDepartmentsScans() throws Exception {
        String rule = "{\"metric\":\"ram_percent\",\"alert_type\":\"ram_high\",\"dept_id\":7,\"fire_at\":85,"
                + "\"clear_at\":75,\"min_samples\":2,\"severity\":\"critical\"}";
        HttpResponse<String> created = send("POST", "/api/alert-rules", rule);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        long id = JSON.readTree(created.body()).get("id").asLong();
        assertThat(send("POST", "/api/alert-rules", rule).statusCode()).as("same scope twice").isEqualTo(409);
        HttpResponse<String> inverted = send("POST", "/api/alert-rules", rule.replace("\"clear_at\":75", "\"clear_at\":95"));
        assertThat(inverted.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(inverted.body()).get("detail").asText()).startsWith("clear_at must be at most fire_at");
        assertThat(JSON.readTree(send("POST", "/api/alert-rules", rule.replace("ram_percent", "mood")).body())
                .get("detail").asText()).startsWith("metric must be one of");
        assertThat(send("POST", "/api/alert-rules", rule.replace("\"dept_id\":7", "\"dept_id\":999")).statusCode())
                .isEqualTo(400);
        assertThat(send("POST", "/api/alert-rules", "{not json").statusCode()).isEqualTo(400);
        HttpResponse<String> put = send("PUT", "/api/alert-rules/" + id, rule.replace("\"fire_at\":85", "\"fire_at\":88"));
        assertThat(JSON.readTree(put.body()).get("fire_at").asDouble()).isEqualTo(88.0);
        assertThat(get("/api/alert-rules").body()).contains("\"fire_at\":88.0");
        assertThat(send("DELETE", "/api/alert-rules/" + id, null).statusCode()).isEqualTo(204);
        assertThat(send("DELETE", "/api/alert-rules/" + id, null).statusCode()).isEqualTo(404);

        HttpResponse<String> window = send("POST", "/api/maintenance-windows", "{\"dept_id\":7,\"starts_at\":"
                + "\"2026-11-22T20:00:00Z\",\"ends_at\":\"2099-01-01T00:00:00Z\",\"reason\":\"kernel updates\"}");
        assertThat(window.statusCode()).as(window.body()).isEqualTo(201);
        assertThat(JSON.readTree(window.body()).get("created_by").asText()).isEqualTo("env");
        assertThat(send("POST", "/api/maintenance-windows", "{\"starts_at\":\"2026-11-22T20:00:00Z\","
                + "\"ends_at\":\"2026-11-22T19:00:00Z\"}").statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(get("/api/maintenance-windows").body())).hasSize(1);
        long wid = JSON.readTree(window.body()).get("id").asLong();
        assertThat(send("DELETE", "/api/maintenance-windows/" + wid, null).statusCode()).isEqualTo(204);

        try (var c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO alerts (id, system_id, alert_type, severity, occurred_at) VALUES (77, 4, 'cpu_high',"
                    + " 'warning', now())");
            st.execute("INSERT INTO scans (id, dept_id, targets, status, hosts_found) VALUES (5, 7, '198.18.0.0/24',"
                    + " 'succeeded', 3)");
            st.execute("INSERT INTO scan_logs (scan_id, seq, at, level, message) VALUES (5, 0, now(), 'info', 'swept')");
        }
        HttpResponse<String> silenced = send("POST", "/api/alerts/77/silence", "{\"until\":\"2099-01-01T00:00:00Z\"}");
        assertThat(JSON.readTree(silenced.body()).get("silenced_until").asText()).isEqualTo("2099-01-01T00:00:00Z");
        assertThat(send("POST", "/api/alerts/78/silence", "{}").statusCode()).isEqualTo(404);
        JsonNode depts = JSON.readTree(get("/api/departments").body());
        assertThat(depts.findValues("hosts").stream().mapToLong(JsonNode::asLong).sum()).isEqualTo(10);
        assertThat(JSON.readTree(get("/api/scans").body()).get(0).get("targets").asText()).isEqualTo("198.18.0.0/24");
        assertThat(JSON.readTree(get("/api/scans/5").body()).get("log").get(0).get("message").asText()).isEqualTo("swept");
        assertThat(get("/api/scans/6").statusCode()).isEqualTo(404);
        HttpResponse<String> requested = send("POST", "/api/scans", "{\"targets\":\" 198.18.0.0/24   198.18.1.0/28\","
                + "\"dept_id\":7}");
        assertThat(requested.statusCode()).as(requested.body()).isEqualTo(202);
        JsonNode job = JSON.readTree(requested.body());
        assertThat(job.get("status").asText()).isEqualTo("pending");
        assertThat(job.get("targets").asText()).isEqualTo("198.18.0.0/24 198.18.1.0/28");
        assertThat(job.get("requested_by").asText()).isEqualTo("api:env");
        assertThat(requested.headers().firstValue("Location")).hasValue("/api/scans/" + job.get("id").asLong());
        assertThat(send("POST", "/api/scans", "{\"targets\":\"example.org; rm -rf /\"}").statusCode()).isEqualTo(400);
    }

    /** Scan jobs queued for later and repeating, cancelled (pending, running, ended, unknown), counted, on /metrics. */
    @Test
    void scanJobsAreQueuedCancelledAndCounted() throws Exception {
        JsonNode before = JSON.readTree(get("/api/scans/stats").body());
        HttpResponse<String> later = send("POST", "/api/scans", "{\"targets\":\"198.18.2.0/24\",\"profile\":\"normal\","
                + "\"at\":\"2099-01-01T00:00:00Z\",\"every\":\"1h\"}");
        assertThat(later.statusCode()).as(later.body()).isEqualTo(202);
        long id = JSON.readTree(later.body()).get("id").asLong();
        JsonNode job = JSON.readTree(get("/api/scans/" + id).body());
        assertThat(job.get("profile").asText()).isEqualTo("normal");
        assertThat(job.get("run_after").asText()).isEqualTo("2099-01-01T00:00:00Z");
        assertThat(job.get("repeat_every_s").asInt()).isEqualTo(3600);
        JsonNode queued = JSON.readTree(get("/api/scans/stats").body());
        assertThat(queued.get("queued").asLong()).isEqualTo(before.get("queued").asLong() + 1);
        assertThat(get("/metrics").body()).containsPattern("fleetwatch_scan_jobs\\{status=\"queued\",?\\} "
                + queued.get("queued").asLong());

        HttpResponse<String> cancelled = send("POST", "/api/scans/" + id + "/cancel", null);
        assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(200);
        assertThat(JSON.readTree(cancelled.body()).get("status").asText()).isEqualTo("cancelled");
        assertThat(JSON.readTree(get("/api/scans/" + id).body()).get("status").asText()).isEqualTo("cancelled");
        assertThat(send("POST", "/api/scans/" + id + "/cancel", null).statusCode()).as("ended already").isEqualTo(409);
        assertThat(send("DELETE", "/api/scans/99999", null).statusCode()).isEqualTo(404);

        long runningId;
        try (var c = ds.getConnection(); Statement st = c.createStatement(); var rs = st.executeQuery(
                "INSERT INTO scans (targets, status, requested_by, started_at) VALUES ('198.18.3.0/24', 'running',"
                        + " 'api:ops', now()) RETURNING id")) {
            rs.next();
            runningId = rs.getLong(1);
        }
        HttpResponse<String> stopping = send("DELETE", "/api/scans/" + runningId, null);
        assertThat(stopping.statusCode()).as(stopping.body()).isEqualTo(202);
        assertThat(JSON.readTree(stopping.body()).get("status").asText()).isEqualTo("cancelling");
        JsonNode running = JSON.readTree(get("/api/scans/" + runningId).body());
        assertThat(running.get("status").asText()).as("its runner ends it").isEqualTo("running");
        assertThat(running.get("cancel_requested_at").isNull()).isFalse();

        JsonNode after = JSON.readTree(get("/api/scans/stats").body());
        assertThat(after.get("cancelled").asLong()).isEqualTo(before.get("cancelled").asLong() + 1);
        assertThat(after.get("running").asLong()).isEqualTo(before.get("running").asLong() + 1);
        assertThat(after.get("queued").asLong()).isEqualTo(before.get("queued").asLong());
        assertThat(send("POST", "/api/scans", "{\"targets\":\"198.18.2.0/24\",\"profile\":\"reckless\"}").statusCode())
                .isEqualTo(400);
        assertThat(send("POST", "/api/scans", "{\"targets\":\"198.18.2.0/24\",\"every\":\"often\"}").statusCode())
                .isEqualTo(400);
    }

    @Test
    void corsOnlyForConfiguredOrigins() throws Exception {
        assertThat(ApiSettings.fromEnv(Map.of(ApiSettings.ENV_TOKEN, TOKEN, ApiSettings.ENV_CORS,
                "https://grafana.lab.example:3000")).corsOrigins()).containsExactly("https://grafana.lab.example:3000");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ApiSettings.fromEnv(Map.of(ApiSettings.ENV_CORS, "*")))
                .hasMessageContaining("FLEETWATCH_API_CORS_ORIGINS: '*' is not an origin");
        try (ApiServer cors = ApiServer.start(new ApiSettings("127.0.0.1", 0, List.of(TOKEN),
                List.of("https://grafana.lab.example:3000")), ds, Clock.systemUTC())) {
            for (String origin : List.of("https://grafana.lab.example:3000", "https://evil.example")) {
                HttpResponse<String> pre = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cors.port()
                                + "/api/systems")).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                        .header("Origin", origin).header("Access-Control-Request-Method", "GET")
                        .header("Access-Control-Request-Headers", "authorization").build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(pre.headers().firstValue("Access-Control-Allow-Origin")).as(origin)
                        .isEqualTo(origin.contains("grafana") ? java.util.Optional.of(origin) : java.util.Optional.empty());
            }
        }
    }

    @Test
    void healthzOpensAtMostOneBrokerConnectionPerInterval() throws Exception {
        // A "broker" that accepts TCP and never speaks AMQP, counting connections: each check costs one.
        java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
        try (java.net.ServerSocket fake = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                while (!fake.isClosed()) {
                    try {
                        fake.accept();
                        accepted.incrementAndGet();
                    } catch (java.io.IOException closed) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            var mute = new io.fleetwatch.broker.BrokerSettings("127.0.0.1", fake.getLocalPort(), "guest", "guest", "/", 15672);
            try (ApiServer probed = ApiServer.start(new ApiSettings("127.0.0.1", 0, List.of(TOKEN)), ds, Clock.systemUTC(),
                    mute)) {
                List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> calls = new java.util.ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    calls.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + probed.port()
                            + "/healthz")).build(), HttpResponse.BodyHandlers.ofString()));
                }
                for (var call : calls) {
                    assertThat(call.get(30, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(503);
                }
            }
        }
        assertThat(accepted.get()).as("AMQP connections for 20 concurrent /healthz calls").isEqualTo(1);
    }

    /**
     * micronaut-core#12940: a body that arrives after its headers, on a request answered with an error, made the
     * streaming server spin on the event loop until the heap was gone (seen here as an OOM in CI). The server now
     * aggregates bodies; the same request shape, repeated on one keep-alive connection, must leave it answering.
     */
    @Test
    void aBodyArrivingAfterItsHeadersOnAnErrorPathDoesNotSpinTheServer() throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", api.port())) {
            s.setSoTimeout(10_000);
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
                    java.nio.charset.StandardCharsets.ISO_8859_1));
            var out = s.getOutputStream();
            for (int i = 0; i < 5; i++) {
                out.write(("POST /api/alerts/" + (990_000 + i) + "/silence HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Authorization: Bearer " + TOKEN + "\r\nContent-Type: application/json\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                out.flush();
                Thread.sleep(300);
                out.write("2\r\n{}\r\n0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                out.flush();
                assertThat(in.readLine()).isEqualTo("HTTP/1.1 404 Not Found");
                int length = 0;
                for (String h = in.readLine(); !h.isEmpty(); h = in.readLine()) {
                    if (h.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                        length = Integer.parseInt(h.substring(15).trim());
                    }
                }
                in.skip(length);
            }
        }
        Runtime rt = Runtime.getRuntime();
        Thread.sleep(1000);
        System.gc();
        long used = rt.totalMemory() - rt.freeMemory();
        assertThat(used).as("heap in use after the requests").isLessThan(400L * 1024 * 1024);
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
    }

    private static String round(double v) {
        return String.format("%.6f", v);
    }
}
