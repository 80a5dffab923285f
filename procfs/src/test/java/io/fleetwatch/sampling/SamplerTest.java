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

    @Test
    void diskMegabytesPerSecondFromTwoCapturedReadings() {
        // /proc/diskstats before and after writing 64 MiB with fsync, and the two moments (date +%s.%N)
        String[] t = io.fleetwatch.procfs.Fixtures.read("diskio/times").trim().split("\\s+");
        long t1 = new java.math.BigDecimal(t[0]).movePointRight(9).longValueExact();
        long t2 = new java.math.BigDecimal(t[1]).movePointRight(9).longValueExact();
        long[] a = io.fleetwatch.procfs.DiskStats.bytes(io.fleetwatch.procfs.Fixtures.read("diskio/diskstats.1"));
        long[] b = io.fleetwatch.procfs.DiskStats.bytes(io.fleetwatch.procfs.Fixtures.read("diskio/diskstats.2"));
        Sampler s = new Sampler();
        s.sample(withExtra(t1, new ExtraReading(null, null, null, null, a[0], a[1], null, null, null, null, null)));
        ExtraMetrics e = s.sample(withExtra(t2, new ExtraReading(null, null, null, null, b[0], b[1], null, null, null,
                null, null))).extra();
        double seconds = (t2 - t1) / 1e9;
        assertThat(e.diskWriteMbps()).isEqualTo(Sampler.round2(131112 * 512 / 1e6 / seconds)).isGreaterThan(1000.0);
        assertThat(e.diskReadMbps()).isEqualTo(Sampler.round2(176 * 512 / 1e6 / seconds));
        assertThat(e.loadAvg1()).as("not read").isNull();
        assertThat(e.filesystems()).isNull();
    }

    @Test
    void theOtherMetricsAreRoundedAndClampedAndNoneStaysNone() {
        Sampler s = new Sampler();
        ExtraReading first = new ExtraReading(1.0, 1.0, 1.0, 0.0, 5_000L, 5_000L, 40.0, 10.0, 40.0, 10,
                java.util.List.of());
        s.sample(withExtra(0, first));
        java.util.List<FilesystemUsage> many = new java.util.ArrayList<>();
        many.add(new FilesystemUsage("/m0", 10, 1L << 30));
        many.add(new FilesystemUsage("/with\nnewline", 10, 1L << 30));
        many.add(new FilesystemUsage("relative", 10, 1L << 30));
        for (int i = 0; i < Bounds.FILESYSTEMS_MAX + 5; i++) {
            many.add(new FilesystemUsage("/m" + i, 33.333, 1L << 30));
        }
        Sample sample = s.sample(withExtra(1_000_000_000L, new ExtraReading(2.6666, Double.NaN, -1.0, 104.0,
                1_000L, 5_000L + 2_500_000, 300.0, 49.5935, null, -3, many)));
        ExtraMetrics e = sample.extra();
        assertThat(e.loadAvg1()).isEqualTo(2.67);
        assertThat(e.loadAvg5()).as("not a number: no reading").isNull();
        assertThat(e.loadAvg15()).isZero();
        assertThat(e.swapUsage()).isEqualTo(100.0);
        assertThat(e.diskReadMbps()).as("a counter that went backwards").isZero();
        assertThat(e.diskWriteMbps()).isEqualTo(2.5);
        assertThat(e.cpuTemperature()).isEqualTo(io.fleetwatch.messages.MetricCatalog.CELSIUS_MAX);
        assertThat(e.gpuMemoryUsage()).isEqualTo(49.59);
        assertThat(e.gpuTemperature()).as("no GPU: none, not 0").isNull();
        assertThat(e.processCount()).isZero();
        assertThat(e.filesystems()).as("a mount named twice, a control character, not absolute: left out")
                .hasSize(Bounds.FILESYSTEMS_MAX).first().isEqualTo(new FilesystemUsage("/m0", 10.0, 1L << 30));
        // the message carries them under the catalog's names
        MetricsMessage.Metrics m = sample.metrics();
        assertThat(m.get("load_avg_1")).isEqualTo(2.67);
        assertThat(m.get("load_avg_5")).isNull();
        assertThat(m.get("disk_write_mbps")).isEqualTo(2.5);
        assertThat(m.get("process_count").intValue()).isZero();
        assertThat(m.get("gpu_temperature")).isNull();
        assertThat(m.filesystems()).hasSize(Bounds.FILESYSTEMS_MAX).first()
                .isEqualTo(new MetricsMessage.Filesystem("/m0", 10.0, 1.07));
        assertThat(m.get("filesystem_usage_max")).isEqualTo(33.33);
        assertThat(new Reading(0, TICKS_1, 0, 0, 0, 0, null, 0, 0).extra()).isEqualTo(ExtraReading.NONE);
    }

    static Reading withExtra(long nanos, ExtraReading extra) {
        return new Reading(nanos, TICKS_1, 1, 1, 0, 0, null, 1, 0, extra);
    }
}
