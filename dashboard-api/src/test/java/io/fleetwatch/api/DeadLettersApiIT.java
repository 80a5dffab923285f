package io.fleetwatch.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.MessageProperties;
import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.api.internal.TokenCheck;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.broker.Topology;
import io.fleetwatch.messages.Routing;
import io.fleetwatch.sql.Database;
import io.fleetwatch.sql.DatabaseSettings;
import io.fleetwatch.sql.Migrator;
import io.fleetwatch.store.TokenStore;
import io.fleetwatch.testing.Await;
import io.fleetwatch.testing.TestBroker;
import io.fleetwatch.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Dead letters from the API on a throw-away broker vhost: list, replay after a fix, purge; admins only. */
class DeadLettersApiIT {
    static final String ADMIN = "dead-letters-admin-0123456789";
    static final String VIEWER = "dead-letters-viewer-0123456789";
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static final ObjectMapper JSON = new ObjectMapper();
    static TestBroker tb;
    static TestDatabase db;
    static HikariDataSource ds;
    static Connection conn;
    static Channel ch;
    static ApiServer api;

    @BeforeAll
    static void start() throws Exception {
        tb = TestBroker.create();
        db = TestDatabase.create();
        ds = Database.pool(DatabaseSettings.fromEnv(Map.of("DATABASE_URL", db.jdbcUrl())), "dead-letters-it");
        new Migrator(ds, "auto").migrate();
        new TokenStore(Jdbi.create(ds)).create(new TokenStore.Holder("watcher", "viewer"), TokenCheck.sha256(VIEWER));
        BrokerSettings bs = BrokerSettings.fromEnv(tb.env());
        conn = bs.connectionFactory().newConnection("dead-letters-it");
        Topology.standard().declare(conn);
        ch = conn.createChannel();
        api = ApiServer.start(new ApiSettings("127.0.0.1", 0, List.of(ADMIN)), ds, Clock.systemUTC(), bs);
    }

    @AfterAll
    static void stop() throws Exception {
        api.close();
        conn.close();
        ds.close();
        db.close();
        tb.close();
    }

    static HttpResponse<String> call(String method, String path, String token) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                .header("Authorization", "Bearer " + token)
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A message the consumer would refuse: taken from the metrics queue and rejected, so the broker dead-letters it. */
    static void deadLetter(String body) throws Exception {
        ch.basicPublish(Routing.EXCHANGE, Routing.METRICS_ROUTING_KEY, MessageProperties.PERSISTENT_BASIC,
                body.getBytes(StandardCharsets.UTF_8));
        GetResponse r = null;
        for (int i = 0; i < 50 && r == null; i++) {
            r = ch.basicGet(Routing.METRICS_QUEUE, false);
            if (r == null) {
                Thread.sleep(100);
            }
        }
        assertThat(r).isNotNull();
        ch.basicReject(r.getEnvelope().getDeliveryTag(), false);
    }

    @Test
    void listReplayAndPurgeForAdminsOnly() throws Exception {
        deadLetter("{\"not\": \"a metric\"}");
        deadLetter("second refused body");
        String dlq = Routing.deadLetterQueue(Routing.METRICS_QUEUE);
        Await.until(Duration.ofSeconds(10), "two dead letters", () -> ch.messageCount(dlq) == 2);

        JsonNode queues = JSON.readTree(call("GET", "/api/queues", VIEWER).body()).get("queues");
        assertThat(queues).anySatisfy(q -> {
            assertThat(q.get("name").asText()).isEqualTo(Routing.METRICS_QUEUE);
            assertThat(q.get("dead_letters").asInt()).isEqualTo(2);
        });

        for (String[] m : new String[][] {{"GET", ""}, {"POST", "/replay"}, {"POST", "/purge"}}) {
            assertThat(call(m[0], "/api/dead-letters" + m[1], VIEWER).statusCode()).as(m[0] + m[1]).isEqualTo(403);
        }
        assertThat(call("GET", "/api/dead-letters?queue=nope", ADMIN).statusCode()).isEqualTo(400);
        assertThat(call("GET", "/api/dead-letters?limit=0", ADMIN).statusCode()).isEqualTo(400);

        HttpResponse<String> listed = call("GET", "/api/dead-letters?queue=metrics_queue", ADMIN);
        assertThat(listed.statusCode()).isEqualTo(200);
        JsonNode letters = JSON.readTree(listed.body());
        assertThat(letters).hasSize(2);
        assertThat(letters.get(0).get("body").asText()).isEqualTo("{\"not\": \"a metric\"}");
        assertThat(letters.get(0).get("dead_letter_queue").asText()).isEqualTo(dlq);
        assertThat(letters.get(0).get("source_queue").asText()).isEqualTo(Routing.METRICS_QUEUE);
        assertThat(letters.get(0).get("routing_key").asText()).isEqualTo(Routing.METRICS_ROUTING_KEY);
        assertThat(letters.get(1).get("position").asInt()).isEqualTo(2);
        assertThat(JSON.readTree(call("GET", "/api/dead-letters?limit=1", ADMIN).body())).hasSize(1);
        assertThat(JSON.readTree(call("GET", "/api/dead-letters?reason=no-such-reason", ADMIN).body())).isEmpty();
        assertThat(ch.messageCount(dlq)).as("listing leaves them").isEqualTo(2);

        HttpResponse<String> replayed = call("POST", "/api/dead-letters/replay?queue=" + dlq + "&limit=1", ADMIN);
        assertThat(replayed.statusCode()).isEqualTo(200);
        JsonNode outcome = JSON.readTree(replayed.body()).get(0);
        assertThat(outcome.get("taken").asInt()).isEqualTo(1);
        assertThat(outcome.get("left").asInt()).isEqualTo(1);
        Await.until(Duration.ofSeconds(10), "replayed onto the metrics queue",
                () -> ch.messageCount(Routing.METRICS_QUEUE) == 1 && ch.messageCount(dlq) == 1);
        assertThat(new String(ch.basicGet(Routing.METRICS_QUEUE, true).getBody(), StandardCharsets.UTF_8))
                .isEqualTo("{\"not\": \"a metric\"}");

        HttpResponse<String> purged = call("POST", "/api/dead-letters/purge", ADMIN);
        assertThat(purged.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(purged.body())).extracting(o -> o.get("taken").asInt()).containsExactly(0, 1, 0, 0);
        Await.until(Duration.ofSeconds(10), "purged", () -> ch.messageCount(dlq) == 0);
    }
}
