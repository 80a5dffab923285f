package io.fleetwatch.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.broker.Topology;
import io.fleetwatch.messages.MessageCodec;
import io.fleetwatch.messages.MetricsMessage;
import io.fleetwatch.testing.Await;
import io.fleetwatch.testing.TcpProxy;
import io.fleetwatch.testing.TestBroker;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker becomes unreachable (connections reset, port refused) while the agent keeps sampling; the agent is
 * restarted in the middle of the outage, or keeps running; the broker comes back. Every sample must arrive, in
 * sequence order.
 */
class BrokerOutageIT {
    @TempDir
    Path state;

    @Test
    void noSampleIsLostAcrossAnOutageAndAnAgentRestart() throws Exception {
        try (TestBroker tb = TestBroker.create()) {
            BrokerSettings direct = BrokerSettings.fromEnv(tb.env());
            try (TcpProxy proxy = new TcpProxy(direct.port());
                 Connection conn = direct.connectionFactory().newConnection("outage-it");
                 Channel ch = conn.createChannel()) {
                Topology.standard().declare(conn);
                BrokerSettings viaProxy = new BrokerSettings("127.0.0.1", proxy.port(), direct.user(), direct.password(),
                        direct.virtualHost(), direct.managementPort());
                AgentSettings settings = new AgentSettings(Duration.ofMillis(100), state, "/", 64L << 20,
                        Duration.ofDays(7), Duration.ofSeconds(2));
                HostIdentity id = new HostIdentity("0ea7a9e0000000000000000000000001", "outage-host");

                Agent first = new Agent(settings, viaProxy, ThisHost.sampler("/", System.getenv()), id,
                        new SequenceStore(state), Clock.systemUTC());
                first.start();
                Await.until(Duration.ofSeconds(10), "10 published", () -> first.status().published() >= 10);
                proxy.cut();
                Await.until(Duration.ofSeconds(10), "samples spooling", () -> first.status().spoolDepth() >= 10);
                first.close(); // the agent restarts in the middle of the outage
                long spooled = new Spool(state.resolve("spool"), 64L << 20, Duration.ofDays(7), Clock.systemUTC()).depth();
                assertThat(spooled).as("spool survived the restart").isGreaterThanOrEqualTo(10);

                Agent second = new Agent(settings, viaProxy, ThisHost.sampler("/", System.getenv()), id,
                        new SequenceStore(state), Clock.systemUTC());
                second.start();
                Thread.sleep(1_000); // still down: the new agent spools too
                assertThat(second.status().spoolDepth()).isGreaterThan((int) spooled);
                proxy.restore();
                Await.until(Duration.ofSeconds(20), "spool drained", () -> second.status().spoolDepth() == 0
                        && second.status().published() > spooled);
                second.close();
                long lastSeq = new SequenceStore(state).last();

                List<Long> arrived = new ArrayList<>();
                GetResponse r;
                while ((r = ch.basicGet("metrics_queue", true)) != null) {
                    arrived.add(MessageCodec.decode(r.getBody(), MetricsMessage.class).seq());
                }
                Set<Long> firstArrivals = new LinkedHashSet<>(arrived);
                List<Long> expected = new ArrayList<>();
                for (long s = 1; s <= lastSeq; s++) {
                    expected.add(s);
                }
                assertThat(new ArrayList<>(firstArrivals)).as("every sample, in sequence order").isEqualTo(expected);
                int duplicates = arrived.size() - firstArrivals.size();
                // only a batch whose confirm was lost in the cut can be sent twice (the consumer stores it once)
                assertThat(duplicates).isLessThanOrEqualTo(Agent.PUBLISH_BATCH);
                System.out.printf("broker outage: %d samples, %d spooled across the restart, %d duplicate deliveries,"
                        + " 0 lost%n", lastSeq, spooled, duplicates);
            }
        }
    }

    /**
     * The same agent across the outage: its connection is recovered by amqp-client (the agent does not open one of
     * its own), and what was spooled meanwhile goes out, in order, once it has been.
     */
    @Test
    void aRecoveredConnectionDeliversTheSpool() throws Exception {
        try (TestBroker tb = TestBroker.create()) {
            BrokerSettings direct = BrokerSettings.fromEnv(tb.env());
            try (TcpProxy proxy = new TcpProxy(direct.port());
                 Connection conn = direct.connectionFactory().newConnection("recovery-it");
                 Channel ch = conn.createChannel()) {
                Topology.standard().declare(conn);
                BrokerSettings viaProxy = new BrokerSettings("127.0.0.1", proxy.port(), direct.user(), direct.password(),
                        direct.virtualHost(), direct.managementPort());
                AgentSettings settings = new AgentSettings(Duration.ofMillis(100), state, "/", 64L << 20,
                        Duration.ofDays(7), Duration.ofSeconds(2));
                HostIdentity id = new HostIdentity("0ea7a9e0000000000000000000000002", "recovery-host");
                try (Agent agent = new Agent(settings, viaProxy, ThisHost.sampler("/", System.getenv()), id,
                        new SequenceStore(state), Clock.systemUTC())) {
                    agent.start();
                    Await.until(Duration.ofSeconds(10), "10 published", () -> agent.status().published() >= 10);
                    proxy.cut();
                    Await.until(Duration.ofSeconds(10), "samples spooling", () -> agent.status().spoolDepth() >= 10);
                    assertThat(agent.status().connected()).as("connection down while cut").isFalse();
                    proxy.restore();
                    Await.until(Duration.ofSeconds(20), "recovered and drained", () -> agent.status().connected()
                            && agent.status().spoolDepth() == 0);
                }
                long lastSeq = new SequenceStore(state).last();
                Set<Long> arrived = new LinkedHashSet<>();
                GetResponse r;
                while ((r = ch.basicGet("metrics_queue", true)) != null) {
                    arrived.add(MessageCodec.decode(r.getBody(), MetricsMessage.class).seq());
                }
                List<Long> expected = new ArrayList<>();
                for (long s = 1; s <= lastSeq; s++) {
                    expected.add(s);
                }
                assertThat(new ArrayList<>(arrived)).as("every sample, in sequence order").isEqualTo(expected);
            }
        }
    }
}
