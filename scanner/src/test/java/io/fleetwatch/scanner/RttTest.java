package io.fleetwatch.scanner;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RttTest {
    @Test
    void waitsTheFullTimeoutUntilTheFirstAnswerThenAdaptsWithinBounds() {
        Rtt rtt = new Rtt(Duration.ofSeconds(1));
        assertThat(rtt.timeout()).isEqualTo(Duration.ofSeconds(1));
        for (int i = 0; i < 20; i++) {
            rtt.sample(Duration.ofMillis(2).toNanos()); // a LAN
        }
        assertThat(rtt.timeout()).as("never below the floor").isEqualTo(Duration.ofMillis(100));
        for (int i = 0; i < 20; i++) {
            rtt.sample(Duration.ofMillis(150).toNanos()); // a slow WAN link
        }
        assertThat(rtt.timeout()).isBetween(Duration.ofMillis(150), Duration.ofMillis(400));
        rtt.sample(Duration.ofSeconds(5).toNanos());
        assertThat(rtt.timeout()).as("never above the policy's timeout").isEqualTo(Duration.ofSeconds(1));
    }
}
