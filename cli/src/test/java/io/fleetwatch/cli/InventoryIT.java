package io.fleetwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.agent.Agent;
import io.fleetwatch.agent.AgentSettings;
import io.fleetwatch.agent.HostIdentity;
import io.fleetwatch.agent.ThisHost;
import io.fleetwatch.api.ApiServer;
import io.fleetwatch.api.ApiSettings;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.broker.ConfirmingPublisher;
import io.fleetwatch.consumer.ConsumerService;
import io.fleetwatch.consumer.ConsumerSettings;
import io.fleetwatch.consumer.runtime.RelayComponent;
import io.fleetwatch.messages.AlertMessage;
import io.fleetwatch.messages.InventoryMessage;
import io.fleetwatch.messages.MessageCodec;
import io.fleetwatch.messages.Routing;
import io.fleetwatch.testing.Await;
import io.fleetwatch.testing.TestBroker;
import io.fleetwatch.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inventory's whole path on the real services (run on both engines): the agent reads this host through OSHI and
 * publishes with confirms to RabbitMQ, the consumer stores it, the API returns it. Then the host loses half its
 * memory and has a disk replaced: the agent sends the change, the consumer adds a history row saying what changed
 * and raises an info alert, which the relay publishes to the alert exchange. A redelivery stores nothing new; a
 * malformed inventory lands in {@code inventory_queue.dlq} with the reason.
 */
class InventoryIT {
    private static final String TOKEN = "inventory-it-token-0123456789";
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path state;

    @Test
    void agentToBrokerToConsumerToDatabaseToApiThenAChangeRaisesAnInfoAlert() throws Exception {
        try (TestBroker tb = TestBroker.create(); TestDatabase db = TestDatabase.create()) {
            Map<String, String> env = new HashMap<>(tb.env());
            env.put("DATABASE_URL", db.jdbcUrl());
            env.put("FLEETWATCH_API_TOKEN", TOKEN);
            env.put("FLEETWATCH_API_PORT", "0");
            assertThat(Main.run(env, "queue-setup")).isZero();
            assertThat(Main.run(env, "db", "migrate")).isZero();

            HostIdentity id = new HostIdentity("1a2b3c4d5e6f70819293a4b5c6d7e8f9", "inventory-host");
            // the real reading of this host, through OSHI
            InventoryMessage real = ThisHost.inventory();
            AtomicReference<InventoryMessage> hostNow = new AtomicReference<>(named(real, id));

            try (Connection c = BrokerSettings.fromEnv(env).newConnection("inventory-it");
                 Channel watch = c.createChannel();
                 HikariDataSource ds = Services.database(env, "inventory-it");
                 ConsumerService consumer = new ConsumerService(BrokerSettings.fromEnv(env),
                         Routing.QueueNames.fromEnv(env), ds, ConsumerSettings.fromEnv(env), List.of(),
                         Clock.systemUTC());
                 RelayComponent relay = RelayComponent.start(env, ds);
                 ApiServer api = ApiServer.start(ApiSettings.fromEnv(env), ds, Clock.systemUTC(),
                         BrokerSettings.fromEnv(env))) {
                // what the relay publishes on the alert exchange for info alerts, seen from outside
                String infoAlerts = watch.queueDeclare().getQueue();
                watch.queueBind(infoAlerts, Routing.EXCHANGE, "alerts.info");
                consumer.start();

                AgentSettings settings = new AgentSettings(Duration.ofSeconds(1), state, "/", 64L << 20,
                        Duration.ofDays(7), Duration.ofSeconds(5)).withInventoryEvery(Duration.ofMillis(1_000));
                try (Agent agent = new Agent(settings, BrokerSettings.fromEnv(env), () -> null, id,
                        new io.fleetwatch.agent.SequenceStore(state), Clock.systemUTC())) {
                    agent.setInventory(at -> hostNow.get().at(at));
                    agent.start();
                    Await.until(Duration.ofSeconds(20), "the first inventory published",
                            () -> agent.status().inventoriesPublished() == 1);

                    Await.until(Duration.ofSeconds(20), "the system of the agent",
                            () -> json(get(api, "/api/systems")).size() == 1);
                    long sid = systemId(api);
                    Await.until(Duration.ofSeconds(20), "the inventory through the API",
                            () -> get(api, "/api/systems/" + sid + "/inventory").statusCode() == 200);
                    JsonNode page = json(get(api, "/api/systems/" + sid + "/inventory"));
                    InventoryMessage stored = MessageCodec.mapper().treeToValue(page.get("inventory"),
                            InventoryMessage.class);
                    assertThat(stored.contentHash()).isEqualTo(real.contentHash());
                    assertThat(stored.memoryBytes()).isEqualTo(real.memoryBytes()).isPositive();
                    assertThat(stored.cpu()).isEqualTo(real.cpu());
                    assertThat(stored.os()).isEqualTo(real.os());
                    assertThat(stored.filesystems()).isEqualTo(real.filesystems()).isNotEmpty();
                    assertThat(page.get("content_hash").asText()).isEqualTo(real.contentHash());
                    assertThat(json(get(api, "/api/systems/" + sid + "/inventory/changes"))).isEmpty();

                    // the same content at each check: nothing more is sent
                    Thread.sleep(2_500);
                    assertThat(agent.status().inventoriesPublished()).isEqualTo(1);

                    // half the memory removed, the disk replaced by another
                    InventoryMessage changed = changedHardware(hostNow.get());
                    hostNow.set(changed);
                    Await.until(Duration.ofSeconds(20), "the changed inventory published",
                            () -> agent.status().inventoriesPublished() == 2);
                }

                Await.until(Duration.ofSeconds(20), "one change in the history",
                        () -> json(get(api, "/api/systems/" + systemId(api) + "/inventory/changes")).size() == 1);
                long sid = systemId(api);
                JsonNode change = json(get(api, "/api/systems/" + sid + "/inventory/changes")).get(0);
                List<String> what = new ArrayList<>();
                change.get("changes").forEach(x -> what.add(x.get("part").asText() + " " + x.get("item").asText("")
                        + " " + x.get("kind").asText()));
                assertThat(what).contains("memory_bytes  changed", "disks sdz9 added");
                assertThat(json(get(api, "/api/systems/" + sid + "/inventory")).at("/inventory/memory_bytes")
                        .asLong()).isEqualTo(hostNow.get().memoryBytes());

                // the info alert: published to the alert exchange by the relay, and an open incident in the API
                GetResponse alert = awaitGet(watch, infoAlerts);
                AlertMessage a = MessageCodec.decode(alert.getBody(), AlertMessage.class);
                assertThat(a.alertType()).isEqualTo("inventory_changed");
                assertThat(a.severity().wireName()).isEqualTo("info");
                assertThat(a.systemId()).isEqualTo(sid);
                assertThat(a.value()).isEqualTo((double) change.get("changes").size());
                Await.until(Duration.ofSeconds(20), "the incident listed", () -> {
                    JsonNode alerts = json(get(api, "/api/alerts")).get("alerts");
                    return alerts.size() == 1 && alerts.get(0).get("alert_type").asText().equals("inventory_changed");
                });

                // redelivered twice: same content, no new history row, no new alert
                try (ConfirmingPublisher p = new ConfirmingPublisher(c, "inventory-it", Duration.ofSeconds(5),
                        Clock.systemUTC())) {
                    p.publish(Routing.INVENTORY_ROUTING_KEY, hostNow.get());
                    p.publish(Routing.INVENTORY_ROUTING_KEY, hostNow.get().at(hostNow.get().collectedAt()
                            .plusSeconds(1)));
                    // a late redelivery of the state before the change: older than the current one, ignored
                    p.publish(Routing.INVENTORY_ROUTING_KEY, named(real, id).at(hostNow.get().collectedAt()
                            .minusSeconds(10)));
                    // and a malformed one: a negative memory size
                    String bad = MessageCodec.encodeToString(hostNow.get()).replaceFirst("\"memory_bytes\":\\d+",
                            "\"memory_bytes\":-1");
                    p.publish(Routing.INVENTORY_ROUTING_KEY, bad.getBytes(StandardCharsets.UTF_8));
                }
                GetResponse dead = awaitGet(watch, "inventory_queue.dlq");
                assertThat(dead.getProps().getHeaders().get(Routing.ERROR_HEADER).toString())
                        .contains("memory_bytes must be in [0, 1152921504606846976], not -1");
                assertThat(dead.getProps().getHeaders().get(Routing.SOURCE_QUEUE_HEADER).toString())
                        .isEqualTo("inventory_queue");
                // stored by the workers: five inventories (two from the agent, three redelivered) and the one alert
                Await.until(Duration.ofSeconds(20), "the redeliveries consumed",
                        () -> consumer.stats().stream().mapToLong(s -> s.stored()).sum() == 6);
                Thread.sleep(1_000);
                assertThat(json(get(api, "/api/systems/" + sid + "/inventory/changes"))).hasSize(1);
                assertThat(json(get(api, "/api/systems/" + sid + "/inventory")).at("/inventory/memory_bytes")
                        .asLong()).as("the late past state did not come back").isEqualTo(hostNow.get().memoryBytes());
                assertThat(watch.basicGet(infoAlerts, true)).isNull();

                // the queues endpoint shows the inventory queue and its dead letter
                JsonNode queues = json(get(api, "/api/queues")).get("queues");
                JsonNode inv = null;
                for (JsonNode q : queues) {
                    if (q.get("name").asText().equals("inventory_queue")) {
                        inv = q;
                    }
                }
                assertThat(inv).as(queues.toString()).isNotNull();
                assertThat(inv.get("consumers").asInt()).isEqualTo(1);

                assertThat(get(api, "/api/systems/999999/inventory").statusCode()).isEqualTo(404);
                // a system that never sent one (found by a scan, no agent): 204, no body
                try (var conn = ds.getConnection(); var st = conn.createStatement();
                     var rs = st.executeQuery("INSERT INTO systems (hostname) VALUES ('no-agent') RETURNING id")) {
                    assertThat(rs.next()).isTrue();
                    HttpResponse<String> none = get(api, "/api/systems/" + rs.getLong(1) + "/inventory");
                    assertThat(none.statusCode()).isEqualTo(204);
                    assertThat(none.body()).isEmpty();
                }
                assertThat(get(api, "/api/systems/999999/inventory/changes").statusCode()).isEqualTo(404);
            }
        }
    }

    private static InventoryMessage named(InventoryMessage m, HostIdentity id) {
        return new InventoryMessage(m.schemaVersion(), null, id.hostId(), id.hostname(), m.collectedAt(), null, null,
                m.cpu(), m.memoryBytes(), m.disks(), m.filesystems(), m.networkInterfaces(), m.gpus(), m.os(),
                m.hardware(), m.bios());
    }

    /** Half the memory, and every disk replaced by one new disk. */
    private static InventoryMessage changedHardware(InventoryMessage m) {
        return new InventoryMessage(m.schemaVersion(), m.systemId(), m.hostId(), m.hostname(), m.collectedAt(),
                m.ipAddress(), m.macAddress(), m.cpu(), m.memoryBytes() / 2,
                List.of(new InventoryMessage.Disk("sdz9", "Replacement SSD", "RPL-0001", 256_060_514_304L)),
                m.filesystems(), m.networkInterfaces(), m.gpus(), m.os(), m.hardware(), m.bios());
    }

    private long systemId(ApiServer api) throws Exception {
        return json(get(api, "/api/systems")).get(0).get("system_id").asLong();
    }

    private static GetResponse awaitGet(Channel ch, String queue) throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < until) {
            GetResponse r = ch.basicGet(queue, true);
            if (r != null) {
                return r;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("nothing arrived in " + queue + " within 30 s");
    }

    private HttpResponse<String> get(ApiServer api, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return MessageCodec.mapper().readTree(r.body());
    }
}
