package io.fleetwatch.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.broker.Topology;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's embedded broker (Qpid Broker-J, in this JVM, on a free loopback port) gets the whole topology: the
 * queues whose RabbitMQ-only arguments it refuses are declared without them and named in the report, and a message
 * published to the exchange reaches its queue.
 */
class AdaptingTopologyIT {
    @TempDir
    Path work;

    @Test
    void theEmbeddedBrokerGetsTheTopologyLessWhatItRefuses() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String password = "adapting-topology-it";
        try (EmbeddedBroker broker = EmbeddedBroker.start(port, password, work)) {
            BrokerSettings b = new BrokerSettings("127.0.0.1", broker.port(), "guest", password, "/", 15672);
            Topology topology = Topology.standard();
            try (Connection c = b.newConnection("adapting-topology-it")) {
                Topology.Report r = AdaptingTopology.declare(topology, c, () -> b.newConnection("adapting-probe"));
                assertThat(r.created()).hasSize(2 + topology.allQueues().size()).contains("exchange fleetwatch",
                        "queue discovery_queue", "queue metrics_queue", "queue alert_queue", "queue metrics_queue.dlq");
                assertThat(r.adapted()).as(r.summary()).isNotEmpty()
                        .anySatisfy(a -> assertThat(a).startsWith("discovery_queue [").contains("x-dead-letter-exchange"));
                assertThat(r.summary()).contains("declared WITHOUT RabbitMQ-only arguments the broker refused: discovery_queue");

                try (Channel ch = c.createChannel()) {
                    ch.basicPublish("fleetwatch", "metrics.collected", null, "{}".getBytes());
                    long deadline = System.nanoTime() + 5_000_000_000L;
                    while (ch.messageCount("metrics_queue") == 0 && System.nanoTime() < deadline) {
                        Thread.sleep(50);
                    }
                    assertThat(ch.messageCount("metrics_queue")).as("routed by the declared binding").isEqualTo(1);
                }
            }
        }
    }
}
