package io.fleetwatch.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetwatch.messages.MetricsMessage;
import org.junit.jupiter.api.Test;

/** On this real host: the first call primes, the second gives eight plausible values. */
class OshiSamplerTest {
    @Test
    void samplesThisHost() throws Exception {
        OshiSampler s = new OshiSampler("/");
        assertThat(s.sample()).isNull();
        Thread.sleep(200);
        MetricsMessage.Metrics m = s.sample();
        assertThat(m).isNotNull();
        assertThat(m.cpuPercent()).isBetween(0.0, 100.0);
        assertThat(m.ramPercent()).isBetween(0.1, 100.0);
        assertThat(m.diskPercent()).isBetween(0.0, 100.0);
        assertThat(m.uptimeSeconds()).isPositive();
        assertThat(m.loggedInUsers()).isNotNegative();
        assertThat(m.networkSentMbps()).isNotNegative();
    }

    @Test
    void counterResetGivesZeroNotNegative() {
        assertThat(OshiSampler.mbps(-5000, 1.0)).isZero();
        assertThat(OshiSampler.mbps(1_250_000, 1.0)).isEqualTo(10.0);
    }
}
