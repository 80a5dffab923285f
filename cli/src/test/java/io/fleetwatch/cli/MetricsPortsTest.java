package io.fleetwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each component's /metrics port: the table's defaults, 0 = off, bad values and a taken port named by key. */
class MetricsPortsTest {
    @Test
    void defaultsAreOnePortPerComponentAndTheAgentsIsOff() {
        assertThat(Components.Exposed.CONSUMER.port(Map.of())).isEqualTo(9471);
        assertThat(Components.Exposed.RELAY.port(Map.of())).isEqualTo(9472);
        assertThat(Components.Exposed.SCHEDULER.port(Map.of())).isEqualTo(9473);
        assertThat(Components.Exposed.COLLECTOR.port(Map.of())).isEqualTo(9474);
        assertThat(Components.Exposed.AGENT.port(Map.of())).isZero();
        assertThat(Components.Exposed.CONSUMER.port(Map.of("FLEETWATCH_CONSUMER_METRICS_PORT", "0"))).isZero();
    }

    @Test
    void badValuesAndATakenPortNameTheKey() throws Exception {
        assertThatThrownBy(() -> Components.Exposed.RELAY.port(Map.of("FLEETWATCH_RELAY_METRICS_PORT", "70000")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("FLEETWATCH_RELAY_METRICS_PORT: ");
        assertThatThrownBy(() -> Components.Exposed.RELAY.port(Map.of("FLEETWATCH_RELAY_METRICS_PORT", "x")))
                .hasMessageContaining("FLEETWATCH_RELAY_METRICS_PORT");
        List<AutoCloseable> started = new ArrayList<>();
        assertThat(Components.Exposed.AGENT.serve(Map.of(), started)).isNotNull();
        assertThat(started).as("off: no server").isEmpty();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> Components.Exposed.SCHEDULER.serve(Map.of("FLEETWATCH_SCHEDULER_METRICS_PORT",
                    Integer.toString(taken.getLocalPort())), started))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("FLEETWATCH_SCHEDULER_METRICS_PORT: 127.0.0.1:" + taken.getLocalPort() + " is in use");
        }
        assertThat(started).isEmpty();
    }
}
