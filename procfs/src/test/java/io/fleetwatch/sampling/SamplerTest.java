package io.fleetwatch.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetwatch.messages.Bounds;
import io.fleetwatch.messages.MetricsMessage;
import org.junit.jupiter.api.Test;

/** The one sampling core: rates from two readings, rounding, clamping to the contract's bounds. */
class SamplerTest {
    static final long[] TICKS_1 = {100, 0, 20, 300, 5, 0, 1, 0};
    // deltas: user 99, system 12, idle 153, softirq 1 -> 112 busy of 265
    static final long[] TICKS_2 = {199, 0, 32, 453, 5, 0, 2, 0};

    static Reading reading(long nanos, long[] ticks, long rx, long tx, double ram, Double gpu) {
        return new Reading(nanos, ticks, ram, 23.0, rx, tx, gpu, 7582, 3);
    }

    @Test
    void theFirstReadingOnlyPrimesAndTheSecondGivesRatesOverTheElapsedTime() {
        Sampler s = new Sampler();
        assertThat(s.next(reading(0, TICKS_1, 1_000, 5_000, 2.7612, null))).isNull();
        MetricsMessage.Metrics m = s.next(reading(2_000_000_000L, TICKS_2, 1_000 + 2_500_000, 5_000 + 125_000, 2.7612, 45.666));
        assertThat(m.cpuPercent()).isEqualTo(42.26);
        assertThat(m.networkRecvMbps()).isEqualTo(10.0); // 2.5 MB in 2 s
        assertThat(m.networkSentMbps()).isEqualTo(0.5);
        assertThat(m.ramPercent()).isEqualTo(2.76);
        assertThat(m.diskPercent()).isEqualTo(23.0);
        assertThat(m.gpuPercent()).isEqualTo(45.67);
        assertThat(m.uptimeSeconds()).isEqualTo(7582L);
        assertThat(m.loggedInUsers()).isEqualTo(3);
    }

    @Test
    void valuesAreClampedToTheContractsBounds() {
        Sampler s = new Sampler();
        s.next(new Reading(0, TICKS_1, 0, 0, 0, 10_000, null, 0, 0));
        MetricsMessage.Metrics m = s.next(new Reading(1_000, TICKS_1, 104.2, Double.NaN, Long.MAX_VALUE / 2, 0,
                -3.0, Bounds.UPTIME_SECONDS_MAX + 1, Bounds.USERS_MAX + 1));
        assertThat(m.cpuPercent()).as("no ticks passed").isZero();
        assertThat(m.networkRecvMbps()).as("over 1 Tbit/s").isEqualTo(Bounds.MBPS_MAX);
        assertThat(m.networkSentMbps()).as("a counter that went backwards").isZero();
        assertThat(m.ramPercent()).isEqualTo(100.0);
        assertThat(m.diskPercent()).as("not a number").isZero();
        assertThat(m.gpuPercent()).isZero();
        assertThat(m.uptimeSeconds()).isEqualTo(Bounds.UPTIME_SECONDS_MAX);
        assertThat(m.loggedInUsers()).isEqualTo(Bounds.USERS_MAX);
    }

    @Test
    void twoReadingsInTheSameInstantDoNotDivideByZero() {
        Sampler s = new Sampler();
        s.next(reading(5, TICKS_1, 0, 0, 1, null));
        assertThat(s.next(reading(5, TICKS_2, 1_000, 0, 1, null)).networkRecvMbps()).isEqualTo(8.0); // over 1 ms
    }

    @Test
    void aReadingKeepsItsOwnCopyOfTheTicks() {
        long[] ticks = TICKS_1.clone();
        Reading r = reading(0, ticks, 0, 0, 0, null);
        ticks[0] = 9;
        r.cpuTicks()[1] = 9;
        assertThat(r.cpuTicks()).containsExactly(TICKS_1);
        assertThatThrownBy(() -> reading(0, new long[3], 0, 0, 0, null)).hasMessageContaining("8 counters");
    }
}
