package io.fleetwatch.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Connection;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.broker.Topology;
import io.fleetwatch.sql.Database;
import io.fleetwatch.sql.DatabaseSettings;
import io.fleetwatch.sql.Migrator;
import io.fleetwatch.testing.TestBroker;
import io.fleetwatch.testing.TestDatabase;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The files operators load by hand: every SQL query of the Grafana dashboard runs against a migrated database (macros
 * expanded as Grafana would), and the RabbitMQ definitions document imports into a fresh virtual host as exactly the
 * topology queue-setup declares.
 */
class OperatorFilesIT {
    @Test
    void everyGrafanaQueryRunsAgainstTheSchema() throws Exception {
        JsonNode dash = new ObjectMapper().readTree(Path.of("grafana/fleetwatch-dashboard.json").toFile());
        List<String> queries = new ArrayList<>();
        // the database's panels (the Prometheus ones are checked by PrometheusFilesTest)
        dash.get("panels").forEach(p -> p.path("targets").forEach(t -> {
            if (t.has("rawSql")) {
                queries.add(p.get("title").asText() + "\u0000" + t.get("rawSql").asText());
            }
        }));
        dash.get("templating").get("list").forEach(v -> queries.add("variable " + v.get("name").asText() + "\u0000"
                + v.get("query").asText()));
        assertThat(queries).hasSize(18); // 4 fleet-wide, 13 per host (GrafanaDashboardTest), 1 variable
        try (TestDatabase db = TestDatabase.create();
             var ds = Database.pool(DatabaseSettings.fromEnv(Map.of("DATABASE_URL", db.jdbcUrl())), "grafana-it")) {
            new Migrator(ds, "auto").migrate();
            try (var c = ds.getConnection(); Statement st = c.createStatement()) {
                st.execute("INSERT INTO systems (id, hostname, status) VALUES (1, 'a', 'up'), (2, 'b', 'down')");
                st.execute("INSERT INTO metrics (system_id, collected_at, cpu_percent, ram_percent, disk_percent,"
                        + " network_sent_mbps, network_recv_mbps, uptime_seconds, logged_in_users) SELECT 1, now() - g *"
                        + " interval '1 minute', 50, 60, 70, 1, 2, 100, 1 FROM generate_series(1, 30) g");
                st.execute("INSERT INTO filesystem_metrics (system_id, collected_at, mount, usage) SELECT 1, now() - g"
                        + " * interval '1 minute', '/home', 41 FROM generate_series(1, 30) g");
                st.execute("INSERT INTO alerts (system_id, alert_type, severity, occurred_at) VALUES (2, 'cpu_high',"
                        + " 'warning', now())");
                for (String q : queries) {
                    String title = q.substring(0, q.indexOf('\u0000'));
                    String sql = grafanaMacros(q.substring(q.indexOf('\u0000') + 1));
                    int rows = 0;
                    try (ResultSet rs = st.executeQuery(sql)) {
                        while (rs.next()) {
                            rows++;
                        }
                    }
                    assertThat(rows).as("rows of '%s'", title).isPositive();
                }
            }
        }
    }

    /** What Grafana's PostgreSQL datasource does with the macros the dashboard uses (6 h range, $host = 1). */
    static String grafanaMacros(String sql) {
        return sql.replaceAll("\\$__timeGroupAlias\\(([^,]+), [^)]+\\)",
                        "date_bin('1 minute', $1, TIMESTAMPTZ '1970-01-01') AS time")
                .replaceAll("\\$__timeFilter\\(([^)]+)\\)", "$1 BETWEEN now() - interval '6 hours' AND now()")
                .replace("$host", "1");
    }

    @Test
    void theDefinitionsDocumentImportsAsTheTopology() throws Exception {
        try (TestBroker tb = TestBroker.create()) {
            BrokerSettings b = BrokerSettings.fromEnv(tb.env());
            // the file the packages ship (made by the build from the code that declares the topology)
            String doc = java.nio.file.Files.readString(Path.of("target/rabbitmq/fleetwatch-definitions.json"));
            HttpResponse<String> r = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                    HttpRequest.newBuilder(URI.create("http://" + b.host() + ":" + b.managementPort() + "/api/definitions/"
                            + URLEncoder.encode(b.virtualHost(), StandardCharsets.UTF_8)))
                            .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                                    (b.user() + ":" + b.password()).getBytes(StandardCharsets.UTF_8)))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(doc)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isBetween(200, 204);
            try (Connection c = b.connectionFactory().newConnection()) {
                Topology.Report report = Topology.standard().declare(c); // a conflict would throw
                assertThat(report.created()).as("nothing missing after the import").isEmpty();
                assertThat(report.unchanged()).hasSize(10);
            }
        }
    }
}
