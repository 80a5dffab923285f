package io.fleetwatch.broker;

import io.fleetwatch.transport.Publisher;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.fleetwatch.messages.MessageCodec;
import io.fleetwatch.messages.Routing;
import io.fleetwatch.testing.TestBroker;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against the real local RabbitMQ, in a throw-away vhost. */
class TopologyIT {
    private TestBroker broker;
    private Connection connection;

    @BeforeEach
    void setUp() throws Exception {
        broker = TestBroker.create();
        connection = BrokerSettings.fromEnv(broker.env()).connectionFactory().newConnection("topology-it");
    }

    @AfterEach
    void tearDown() throws Exception {
        connection.close();
        broker.close();
    }

    @Test
    void declaringTwiceChangesNothingAndTheManagementApiShowsEverything() throws Exception {
        Topology.Report first = Topology.standard().declare(connection);
        assertThat(first.created()).hasSize(10);
        Topology.Report second = Topology.standard().declare(connection);
        assertThat(second.created()).isEmpty();
        assertThat(second.unchanged()).hasSize(10);

        JsonNode queues = MessageCodec.mapper().readTree(broker.get("/api/queues/" + broker.encodedVhost()));
        Map<String, JsonNode> byName = new java.util.HashMap<>();
        queues.forEach(q -> byName.put(q.get("name").asText(), q));
        assertThat(byName.keySet()).containsExactlyInAnyOrder("discovery_queue", "metrics_queue", "alert_queue",
                "inventory_queue", "discovery_queue.dlq", "metrics_queue.dlq", "alert_queue.dlq",
                "inventory_queue.dlq");
        JsonNode metrics = byName.get("metrics_queue");
        assertThat(metrics.get("durable").asBoolean()).isTrue();
        assertThat(metrics.at("/arguments/x-message-ttl").asLong()).isEqualTo(86_400_000L);
        assertThat(metrics.at("/arguments/x-dead-letter-exchange").asText()).isEqualTo("fleetwatch.dlx");
        assertThat(metrics.at("/arguments/x-overflow").asText()).isEqualTo("reject-publish");
        assertThat(byName.get("alert_queue").at("/arguments/x-max-priority").asInt()).isEqualTo(10);

        JsonNode bindings = MessageCodec.mapper().readTree(broker.get("/api/bindings/" + broker.encodedVhost()));
        Set<String> edges = new HashSet<>();
        bindings.forEach(b -> edges.add(b.get("source").asText() + " -[" + b.get("routing_key").asText() + "]-> "
                + b.get("destination").asText()));
        assertThat(edges).contains(
                "fleetwatch -[discovery.new]-> discovery_queue",
                "fleetwatch -[metrics.collected]-> metrics_queue",
                "fleetwatch -[alerts.*]-> alert_queue",
                "fleetwatch -[inventory.collected]-> inventory_queue",
                "fleetwatch.dlx -[inventory_queue]-> inventory_queue.dlq",
                "fleetwatch.dlx -[discovery_queue]-> discovery_queue.dlq",
                "fleetwatch.dlx -[metrics_queue]-> metrics_queue.dlq",
                "fleetwatch.dlx -[alert_queue]-> alert_queue.dlq");
    }

    @Test
    void aQueueWithOtherArgumentsIsAClearErrorNamingTheQueueAndTheDifference() throws Exception {
        try (Channel ch = connection.createChannel()) {
            ch.queueDeclare("metrics_queue", true, false, false, Map.of("x-message-ttl", 1000));
        }
        assertThatThrownBy(() -> Topology.standard().declare(connection))
                .isInstanceOf(TopologyConflictException.class)
                .hasMessageContaining("queue 'metrics_queue'")
                .hasMessageContaining("x-message-ttl is '1000'")
                .hasMessageContaining("Fleetwatch declares '86400000'")
                .hasMessageContaining("rabbitmqctl delete_queue metrics_queue");
        // the existing queue was left exactly as it was
        try (Channel ch = connection.createChannel()) {
            assertThat(ch.queueDeclarePassive("metrics_queue").getQueue()).isEqualTo("metrics_queue");
        }
    }

    @Test
    void contractRoutingKeysReachTheirQueuesAndConfirmedPublishesAreDurable() throws Exception {
        Topology.standard().declare(connection);
        try (ConfirmingPublisher pub = new ConfirmingPublisher(connection, "topology-it", Duration.ofSeconds(5),
                Clock.systemUTC()); Channel ch = connection.createChannel()) {
            pub.publish("discovery.new", Map.of("k", 1));
            pub.publish("metrics.collected", Map.of("k", 2));
            pub.publish("alerts.critical", Map.of("k", 3));
            for (String q : new String[] {"discovery_queue", "metrics_queue", "alert_queue"}) {
                GetResponse r = ch.basicGet(q, true);
                assertThat(r).as(q).isNotNull();
                assertThat(r.getProps().getDeliveryMode()).isEqualTo(2);
            }
            // a key no queue is bound for is a failed publish, not a silent loss
            assertThatThrownBy(() -> pub.publish("nothing.bound", Map.of("k", 4)))
                    .isInstanceOf(Publisher.NotConfirmedException.class)
                    .hasMessageContaining("unroutable");
        }
    }

    @Test
    void rejectedMessagesAreDeadLetteredToTheQueuesDlq() throws Exception {
        Topology.standard().declare(connection);
        try (ConfirmingPublisher pub = new ConfirmingPublisher(connection, "topology-it", Duration.ofSeconds(5),
                Clock.systemUTC()); Channel ch = connection.createChannel()) {
            pub.publish(Routing.METRICS_ROUTING_KEY, Map.of("bad", true));
            GetResponse r = ch.basicGet("metrics_queue", false);
            ch.basicReject(r.getEnvelope().getDeliveryTag(), false);
            GetResponse dead = awaitGet(ch, "metrics_queue.dlq");
            assertThat(dead).isNotNull();
            assertThat(new String(dead.getBody())).contains("\"bad\":true");
        }
    }

    @Test
    void quorumQueuesAreReplicatedWithoutPrioritiesAndDeadLetterAtLeastOnce() throws Exception {
        Topology quorum = Topology.fromEnv(Map.of(Topology.QueueType.ENV, "quorum"));
        assertThat(quorum.declare(connection).created()).hasSize(10);
        assertThat(quorum.declare(connection).unchanged()).hasSize(10);

        JsonNode queues = MessageCodec.mapper().readTree(broker.get("/api/queues/" + broker.encodedVhost()));
        queues.forEach(q -> assertThat(q.get("type").asText()).as(q.get("name").asText()).isEqualTo("quorum"));
        Map<String, JsonNode> byName = new java.util.HashMap<>();
        queues.forEach(q -> byName.put(q.get("name").asText(), q));
        JsonNode metrics = byName.get("metrics_queue");
        assertThat(metrics.at("/arguments/x-dead-letter-strategy").asText()).isEqualTo("at-least-once");
        assertThat(metrics.at("/arguments/x-overflow").asText()).isEqualTo("reject-publish");
        assertThat(metrics.at("/arguments/x-delivery-limit").asInt()).isEqualTo(Topology.DELIVERY_LIMIT);
        assertThat(metrics.at("/arguments/x-message-ttl").asLong()).isEqualTo(86_400_000L);
        assertThat(byName.get("alert_queue").at("/arguments/x-max-priority").isMissingNode()).isTrue();
        // --print-definitions: the same, for an import
        assertThat(MessageCodec.mapper().valueToTree(quorum.definitions()).at("/queues/0/arguments/x-queue-type").asText())
                .isEqualTo("quorum");

        // a refused message still reaches its DLQ (at-least-once needs the DLQ to confirm it)
        try (ConfirmingPublisher pub = new ConfirmingPublisher(connection, "topology-it", Duration.ofSeconds(5),
                Clock.systemUTC()); Channel ch = connection.createChannel()) {
            pub.publish("alerts.critical", Map.of("k", 5));
            GetResponse r = ch.basicGet("alert_queue", false);
            ch.basicReject(r.getEnvelope().getDeliveryTag(), false);
            assertThat(awaitGet(ch, "alert_queue.dlq")).isNotNull();
        }

        // the other type on the same broker is a conflict (queue-setup exits 3), nothing changed
        assertThatThrownBy(() -> Topology.standard().declare(connection))
                .isInstanceOf(TopologyConflictException.class)
                .hasMessageContaining("x-queue-type");
    }

    /** Dead-lettering is asynchronous: the message reaches the DLQ a moment after the reject. */
    private static GetResponse awaitGet(Channel ch, String queue) throws Exception {
        GetResponse r = null;
        for (int i = 0; i < 100 && r == null; i++) {
            r = ch.basicGet(queue, true);
            if (r == null) {
                Thread.sleep(20);
            }
        }
        return r;
    }
}
