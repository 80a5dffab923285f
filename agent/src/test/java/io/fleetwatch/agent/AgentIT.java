package io.fleetwatch.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.broker.Topology;
import io.fleetwatch.messages.MessageCodec;
import io.fleetwatch.messages.MetricsMessage;
import io.fleetwatch.testing.TestBroker;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real agent against the real RabbitMQ: samples arrive on metrics_queue, in sequence. */
class AgentIT {
    @TempDir
    Path state;

    @Test
    void publishesConfirmedSamplesInSequence() throws Exception {
        try (TestBroker tb = TestBroker.create()) {
            BrokerSettings bs = BrokerSettings.fromEnv(tb.env());
            try (Connection c = bs.connectionFactory().newConnection("agent-it"); Channel ch = c.createChannel()) {
                Topology.standard().declare(c);
                AgentSettings settings = new AgentSettings(Duration.ofMillis(200), state, "/", 64L << 20, Duration.ofDays(7), Duration.ofSeconds(5));
                HostIdentity id = new HostIdentity("0f3c2a9e8d7b4c6a9e8d7b4c6a0f3c2a", "agent-it");
                try (Agent agent = new Agent(settings, bs, io.fleetwatch.agent.ThisHost.sampler("/", System.getenv()), id, new SequenceStore(state),
                        Clock.systemUTC())) {
                    agent.start();
                    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                    while (agent.status().published() < 3 && System.nanoTime() < deadline) {
                        Thread.sleep(50);
                    }
                    assertThat(agent.status().published()).isGreaterThanOrEqualTo(3);
                }
                List<MetricsMessage> got = new ArrayList<>();
                GetResponse r;
                while ((r = ch.basicGet("metrics_queue", true)) != null) {
                    got.add(MessageCodec.decode(r.getBody(), MetricsMessage.class));
                }
                assertThat(got).hasSizeGreaterThanOrEqualTo(3);
                assertThat(got).extracting(MetricsMessage::seq).isSorted().doesNotHaveDuplicates();
                assertThat(got.get(0).seq()).isEqualTo(1L);
                assertThat(got).allSatisfy(m -> {
                    assertThat(m.hostId()).isEqualTo(id.hostId());
                    assertThat(m.metrics().uptimeSeconds()).isPositive();
                });
            }
        }
    }
}
