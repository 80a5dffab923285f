package io.fleetwatch.scanner;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ConnectTimeoutException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

class TcpProbeTest {
    @Test
    void onlyARefusalCountsAsAnAnswer() {
        assertThat(TcpProbe.refused(new ConnectException("Connection refused"))).isTrue();
        assertThat(TcpProbe.refused(new ConnectTimeoutException("connection timed out: /198.18.0.9:22"))).isFalse();
        assertThat(TcpProbe.refused(new ConnectException("No route to host"))).isFalse();
        assertThat(TcpProbe.refused(new java.io.IOException("Connection refused"))).isFalse();
    }
}
