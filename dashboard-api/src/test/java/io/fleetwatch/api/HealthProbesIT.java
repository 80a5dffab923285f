package io.fleetwatch.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.sql.Database;
import io.fleetwatch.sql.DatabaseSettings;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The probes answer within 1 s while the database and the broker are away: a database that accepts TCP and never
 * answers (a hung server, modelled by a local socket that reads nothing back) or a port where nothing listens, and a
 * broker nobody answers for. Neither the shared PostgreSQL nor RabbitMQ is touched.
 */
class HealthProbesIT {
    static final String TOKEN = "health-probes-it-token-0123456789";
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration WITHIN = Duration.ofSeconds(1);

    /** A TCP server on 127.0.0.1 that accepts connections and never writes a byte. */
    static final class Mute implements AutoCloseable {
        final ServerSocket socket;
        final List<Socket> accepted = new CopyOnWriteArrayList<>();

        Mute() throws Exception {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread t = new Thread(() -> {
                while (!socket.isClosed()) {
                    try {
                        accepted.add(socket.accept());
                    } catch (java.io.IOException closed) {
                        return;
                    }
                }
            }, "mute-server");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws Exception {
            socket.close();
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    /** A port nothing listens on: bound, then released. */
    static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    record Timed(HttpResponse<String> response, Duration took) {}

    static Timed probe(ApiServer api, String path) throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        return new Timed(r, Duration.ofNanos(System.nanoTime() - t0));
    }

    /** Probes for about 5 s (the pool's connection timeout and more): each within 1 s, with the right answer. */
    static void probesStayFast(ApiServer api) throws Exception {
        // the server's first request loads its classes (over a second on a busy machine): not the probes' latency
        probe(api, "/livez");
        long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        int rounds = 0;
        while (System.nanoTime() < until) {
            Timed live = probe(api, "/livez");
            assertThat(live.took()).as("/livez took").isLessThan(WITHIN);
            assertThat(live.response().statusCode()).isEqualTo(200);

            Timed ready = probe(api, "/readyz");
            assertThat(ready.took()).as("/readyz took").isLessThan(WITHIN);
            assertThat(ready.response().statusCode()).as(ready.response().body()).isEqualTo(503);
            assertThat(JSON.readTree(ready.response().body()).get("reason").asText()).contains("database");

            Timed health = probe(api, "/healthz");
            assertThat(health.took()).as("/healthz took").isLessThan(WITHIN);
            assertThat(health.response().statusCode()).as(health.response().body()).isEqualTo(503);
            JsonNode checks = JSON.readTree(health.response().body()).get("checks");
            assertThat(checks.get("database").get("status").asText()).isEqualTo("down");
            assertThat(checks.get("database").get("reason").asText()).contains("database unavailable");
            assertThat(checks.get("broker").get("status").asText()).isEqualTo("down");
            assertThat(checks.get("broker").get("reason").asText()).contains("unreachable");
            rounds++;
            Thread.sleep(300);
        }
        assertThat(rounds).isGreaterThan(3);
    }

    static HikariDataSource pool(int port) {
        return Database.pool(DatabaseSettings.fromEnv(Map.of("DATABASE_URL",
                "jdbc:postgresql://127.0.0.1:" + port + "/fleetwatch?user=fleetwatch")), "health-probes-it");
    }

    @Test
    void aHungDatabaseAndAMuteBrokerLeaveTheProbesFast() throws Exception {
        try (Mute db = new Mute(); Mute broker = new Mute(); HikariDataSource ds = pool(db.port());
             ApiServer api = ApiServer.start(new ApiSettings("127.0.0.1", 0, List.of(TOKEN)), ds, Clock.systemUTC(),
                     new BrokerSettings("127.0.0.1", broker.port(), "guest", "guest", "/", 15672))) {
            probesStayFast(api);
            // the checks did reach the hung server: it was the server that kept them waiting
            assertThat(db.accepted).isNotEmpty();
        }
    }

    @Test
    void aDatabaseAndBrokerThatRefuseLeaveTheProbesFast() throws Exception {
        try (HikariDataSource ds = pool(closedPort());
             ApiServer api = ApiServer.start(new ApiSettings("127.0.0.1", 0, List.of(TOKEN)), ds, Clock.systemUTC(),
                     new BrokerSettings("127.0.0.1", closedPort(), "guest", "guest", "/", 15672))) {
            probesStayFast(api);
        }
    }
}
