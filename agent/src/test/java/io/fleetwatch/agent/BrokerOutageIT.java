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
                String hostId = "0ea7a9e0000000000000000000000001";

                Agent first = agent(direct, proxy, hostId, "outage-host");
                first.start();
                Await.until(Duration.ofSeconds(10), "10 published", () -> first.status().published() >= 10);
                proxy.cut();
                Await.until(Duration.ofSeconds(10), "samples spooling", () -> first.status().spoolDepth() >= 10);
                first.close(); // the agent restarts in the middle of the outage
                long spooled = new Spool(state.resolve("spool"), 64L << 20, Duration.ofDays(7), Clock.systemUTC()).depth();
                assertThat(spooled).as("spool survived the restart").isGreaterThanOrEqualTo(10);

                Agent second = agent(direct, proxy, hostId, "outage-host");
                second.start();
                Thread.sleep(1_000); // still down: the new agent spools too
                assertThat(second.status().spoolDepth()).isGreaterThan((int) spooled);
                proxy.restore();
                Await.until(Duration.ofSeconds(20), "spool drained", () -> second.status().spoolDepth() == 0
                        && second.status().published() > spooled);
                second.close();
                long lastSeq = new SequenceStore(state).last();

                List<Long> arrived = arrivals(ch);
                Set<Long> firstArrivals = new LinkedHashSet<>(arrived);
                assertThat(new ArrayList<>(firstArrivals)).as("every sample, in sequence order").isEqualTo(upTo(lastSeq));
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
                try (Agent agent = agent(direct, proxy, "0ea7a9e0000000000000000000000002", "recovery-host")) {
                    agent.start();
                    Await.until(Duration.ofSeconds(10), "10 published", () -> agent.status().published() >= 10);
                    proxy.cut();
                    Await.until(Duration.ofSeconds(10), "samples spooling", () -> agent.status().spoolDepth() >= 10);
                    assertThat(agent.status().connected()).as("connection down while cut").isFalse();
                    proxy.restore();
                    Await.until(Duration.ofSeconds(20), "recovered and drained", () -> agent.status().connected()
                            && agent.status().spoolDepth() == 0);
                }
                assertThat(new ArrayList<>(new LinkedHashSet<>(arrivals(ch)))).as("every sample, in sequence order")
                        .isEqualTo(upTo(new SequenceStore(state).last()));
            }
        }
    }

    /** An agent sampling every 100 ms into {@link #state}, publishing through {@code proxy} to the test's broker. */
    private Agent agent(BrokerSettings direct, TcpProxy proxy, String hostId, String hostname) {
        BrokerSettings viaProxy = new BrokerSettings("127.0.0.1", proxy.port(), direct.user(), direct.password(),
                direct.virtualHost(), direct.managementPort());
        AgentSettings settings = new AgentSettings(Duration.ofMillis(100), state, "/", 64L << 20,
                Duration.ofDays(7), Duration.ofSeconds(2));
        return new Agent(settings, viaProxy, ThisHost.sampler("/", System.getenv()), new HostIdentity(hostId, hostname),
                new SequenceStore(state), Clock.systemUTC());
    }

    /** The sequence numbers on the metrics queue, in arrival order, repeats included. */
    private static List<Long> arrivals(Channel ch) throws Exception {
        List<Long> arrived = new ArrayList<>();
        GetResponse r;
        while ((r = ch.basicGet("metrics_queue", true)) != null) {
            arrived.add(MessageCodec.decode(r.getBody(), MetricsMessage.class).seq());
        }
        return arrived;
    }

    private static List<Long> upTo(long lastSeq) {
        List<Long> expected = new ArrayList<>();
        for (long s = 1; s <= lastSeq; s++) {
            expected.add(s);
        }
        return expected;
    }
}
