package io.fleetwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.messages.Routing;
import io.fleetwatch.testing.TestBroker;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code fleetwatch dlq} on the real local RabbitMQ, in a throw-away vhost. */
class DlqCommandIT {

    private static void refuse(Connection c, String queue, String routingKey, String body, String reason) throws Exception {
        try (Channel ch = c.createChannel()) {
            ch.confirmSelect();
            AMQP.BasicProperties p = new AMQP.BasicProperties.Builder().deliveryMode(2).headers(Map.of(
                    Routing.ERROR_HEADER, reason, Routing.SOURCE_QUEUE_HEADER, queue,
                    Routing.ROUTING_KEY_HEADER, routingKey, Routing.DEAD_LETTERED_AT_HEADER, new java.util.Date())).build();
            ch.basicPublish(Routing.DEAD_LETTER_EXCHANGE, queue, p, body.getBytes(StandardCharsets.UTF_8));
            ch.waitForConfirmsOrDie(5_000);
        }
    }

    @Test
    void listShowReplayAndPurge() throws Exception {
        try (TestBroker tb = TestBroker.create()) {
            assertThat(CliIT.run(tb.env(), "queue-setup").code()).isZero();
            try (Connection c = BrokerSettings.fromEnv(tb.env()).connectionFactory().newConnection("dlq-it")) {
                refuse(c, Routing.METRICS_QUEUE, Routing.METRICS_ROUTING_KEY, "{\"m\":1}",
                        "schema_version 2 is newer than this consumer understands (1): upgrade it, then replay the dead-letter queue");
                refuse(c, Routing.METRICS_QUEUE, Routing.METRICS_ROUTING_KEY, "{\"m\":2}", "not JSON");
                refuse(c, Routing.DISCOVERY_QUEUE, Routing.DISCOVERY_ROUTING_KEY, "{\"d\":1}", "ip_address: missing");

                CliIT.Result list = CliIT.run(tb.env(), "dlq", "list");
                assertThat(list.code()).as(list.err()).isZero();
                assertThat(list.out().lines()).hasSize(5).first().asString().startsWith("QUEUE");
                assertThat(list.out()).contains("metrics_queue.dlq", "discovery_queue.dlq", "metrics.collected", "not JSON")
                        .endsWith("3 dead letter(s)" + System.lineSeparator());

                CliIT.Result show = CliIT.run(tb.env(), "dlq", "show", "--queue", "metrics_queue", "2");
                assertThat(show.code()).as(show.err()).isZero();
                assertThat(show.out()).contains("reason:         not JSON", "replay goes to: fleetwatch / metrics.collected", "{\"m\":2}");
                CliIT.Result noQueue = CliIT.run(tb.env(), "dlq", "show", "1");
                assertThat(noQueue.code()).isEqualTo(2);
                assertThat(noQueue.err().strip()).contains("--queue").doesNotContain("\n");

                CliIT.Result replay = CliIT.run(tb.env(), "dlq", "replay", "--reason", "newer");
                assertThat(replay.code()).as(replay.err()).isZero();
                assertThat(replay.out()).contains("dlq replay: metrics_queue.dlq: 1 replayed, 1 left",
                        "dlq replay: discovery_queue.dlq: 0 replayed, 1 left");
                try (Channel ch = c.createChannel()) {
                    assertThat(ch.messageCount(Routing.METRICS_QUEUE)).as("back on metrics.collected").isEqualTo(1);
                }

                CliIT.Result refused = CliIT.run(tb.env(), "dlq", "purge");
                assertThat(refused.code()).isEqualTo(2);
                assertThat(refused.err()).contains("--yes");
                CliIT.Result purge = CliIT.run(tb.env(), "dlq", "purge", "--queue", "discovery_queue.dlq", "--yes");
                assertThat(purge.code()).as(purge.err()).isZero();
                assertThat(purge.out().strip()).isEqualTo("dlq purge: discovery_queue.dlq: 1 purged, 0 left");
                assertThat(CliIT.run(tb.env(), "dlq", "list").out()).endsWith("1 dead letter(s)" + System.lineSeparator());
            }
        }
    }
}
