package io.fleetwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetwatch.testing.Await;
import io.fleetwatch.testing.Fleet;
import io.fleetwatch.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code fleetwatch demo} where RabbitMQ and PostgreSQL answer: it uses them, but on a virtual host of its own (a demo
 * consumer on the real queues would take production messages), removed when it stops; the configured database gets
 * this host's samples. (With both stopped, see reliability's DemoIT.)
 */
class DemoOnLocalServicesIT {
    @Test
    void usesTheAnsweringServicesInAVirtualHostOfItsOwn() throws Exception {
        int port = io.fleetwatch.testing.Ports.free();
        Path logs = Path.of("target/demo-logs");
        Map<String, String> local = Map.of("QUEUE_HOST", "127.0.0.1");
        try (TestDatabase db = TestDatabase.create(); Fleet fleet = new Fleet(Map.of("QUEUE_HOST", "127.0.0.1"), logs)) {
            Process demo = fleet.start("demo", Map.of("DATABASE_URL", db.jdbcUrl(), "QUEUE_VHOST", "/"), "demo", "--port",
                    Integer.toString(port));
            Path log = logs.resolve("demo.log");
            Await.until(Duration.ofSeconds(60), "demo running", () -> Files.exists(log)
                    && Files.readString(log).contains("demo: dashboard: http://127.0.0.1:" + port + "/#token="));
            assertThat(Files.readString(log)).contains("demo: broker: RabbitMQ at amqp://guest@127.0.0.1:5672/, in a"
                    + " virtual host of its own (fleetwatch-demo, removed at exit)").contains("demo: database: jdbc:postgresql://");
            assertThat(Management.call(local, "GET", "/api/vhosts/fleetwatch-demo", null)).contains("fleetwatch-demo");
            Await.until(Duration.ofSeconds(40), "this host's samples in the configured database", () -> {
                try (var c = db.connect(); var st = c.createStatement();
                     var rs = st.executeQuery("SELECT count(*) FROM metrics")) {
                    rs.next();
                    return rs.getLong(1) > 0;
                }
            });
            // The scan finds this machine at 127.0.0.1 and the agent runs on it: the dashboard lists it once.
            Await.until(Duration.ofSeconds(40), "the scan of 127.0.0.1 stored", () -> {
                try (var c = db.connect(); var st = c.createStatement(); var rs = st.executeQuery(
                        "SELECT count(*) FROM systems WHERE last_scan_id IS NOT NULL AND host_id IS NOT NULL")) {
                    rs.next();
                    return rs.getLong(1) > 0;
                }
            });
            java.util.regex.Matcher token = java.util.regex.Pattern.compile("#token=([0-9a-f]+)").matcher(Files.readString(log));
            assertThat(token.find()).isTrue();
            java.net.http.HttpResponse<String> list = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/api/systems"))
                            .header("Authorization", "Bearer " + token.group(1)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(list.statusCode()).as(list.body()).isEqualTo(200);
            com.fasterxml.jackson.databind.JsonNode systems = new com.fasterxml.jackson.databind.ObjectMapper().readTree(list.body());
            assertThat(systems).as(list.body()).hasSize(1);
            assertThat(systems.get(0).get("hostname").asText()).isEqualTo(
                    io.fleetwatch.agent.HostIdentity.detect(io.fleetwatch.agent.HostPaths.system()).hostname());
            assertThat(Fleet.stop(demo, 60)).isZero();
            assertThatThrownBy(() -> Management.call(local, "GET", "/api/vhosts/fleetwatch-demo", null))
                    .hasMessageContaining("HTTP 404");
        }
    }
}
