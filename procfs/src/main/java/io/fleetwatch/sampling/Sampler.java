package io.fleetwatch.sampling;

import io.fleetwatch.messages.Bounds;
import io.fleetwatch.messages.MetricsMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * The one sampling core of the agent and the SSH collector: turns two consecutive {@link Reading}s of one host into a
 * sample. Rates (CPU %, network Mbit/s, disk MB/s) come from the two readings, never from one; every value is rounded
 * to two decimals and clamped to the contract's bounds here and nowhere else. One instance per host, for its lifetime.
 */
public final class Sampler {
    /** The shortest interval a rate is computed over, so two readings in the same instant cannot divide by zero. */
    private static final double MIN_SECONDS = 1e-3;

    /** Load averages: far above any host's run queue, so only garbage is clamped. */
    public static final double LOAD_MAX = 1_000_000.0;
    /** Temperatures, °C: below and above what a working sensor on a running machine reports. */
    public static final double CELSIUS_MIN = -50.0;
    public static final double CELSIUS_MAX = 200.0;
    /** process_count: Linux's largest pid_max (2^22). */
    public static final int PROCESSES_MAX = 4_194_304;
    /** Mounts reported per sample; beyond this the first ones in mount order are kept. */
    public static final int FILESYSTEMS_MAX = 256;

    private Reading previous;

    /** The sample from the previous reading to {@code now}; null for the first reading (it only primes the rates). */
    public MetricsMessage.Metrics next(Reading now) {
        Sample s = sample(now);
        return s == null ? null : s.metrics();
    }

    /** {@link #next}, with the metrics beyond the first eight. */
    public Sample sample(Reading now) {
        Reading before = previous;
        previous = now;
        if (before == null) {
            return null;
        }
        double seconds = Math.max((now.nanos() - before.nanos()) / 1e9, MIN_SECONDS);
        MetricsMessage.Metrics m = new MetricsMessage.Metrics(
                cpuPercent(before.cpuTicks(), now.cpuTicks()),
                percent(now.ramPercent()),
                percent(now.diskPercent()),
                mbps(now.networkSentBytes() - before.networkSentBytes(), seconds),
                mbps(now.networkRecvBytes() - before.networkRecvBytes(), seconds),
                now.gpuPercent() == null ? null : percent(now.gpuPercent()),
                Math.max(0, Math.min(Bounds.UPTIME_SECONDS_MAX, now.uptimeSeconds())),
                Math.max(0, Math.min(Bounds.USERS_MAX, now.loggedInUsers())));
        return new Sample(m, extra(before.extra(), now.extra(), seconds));
    }

    private static ExtraMetrics extra(ExtraReading before, ExtraReading now, double seconds) {
        return new ExtraMetrics(load(now.loadAvg1()), load(now.loadAvg5()), load(now.loadAvg15()),
                percentOrNull(now.swapPercent()),
                megabytesPerSecond(before.diskReadBytes(), now.diskReadBytes(), seconds),
                megabytesPerSecond(before.diskWriteBytes(), now.diskWriteBytes(), seconds),
                celsius(now.cpuTemperature()), percentOrNull(now.gpuMemoryPercent()), celsius(now.gpuTemperature()),
                now.processCount() == null ? null : Math.max(0, Math.min(PROCESSES_MAX, now.processCount())),
                filesystems(now.filesystems()));
    }

    /** Busy ticks over all ticks between two readings (idle and iowait are not busy), as a percentage. */
    public static double cpuPercent(long[] before, long[] now) {
        long total = 0;
        for (int i = 0; i < Reading.CPU_TICKS; i++) {
            total += now[i] - before[i];
        }
        long idle = (now[3] - before[3]) + (now[4] - before[4]);
        return total <= 0 ? 0.0 : percent(100.0 * (total - idle) / total);
    }

    /**
     * Mbit/s from a byte-counter delta. A counter that went backwards (interface reset, wrap, an interface gone)
     * gives 0 for the interval, never a negative rate.
     */
    public static double mbps(long deltaBytes, double seconds) {
        return deltaBytes <= 0 ? 0.0 : round2(Math.min(Bounds.MBPS_MAX, deltaBytes * 8.0 / 1_000_000.0 / seconds));
    }

    /**
     * MB/s (10⁶ bytes per second) from two readings of a byte counter; null when either reading lacks it. A counter
     * that went backwards (a disk removed, a reboot between readings) gives 0 for the interval.
     */
    public static Double megabytesPerSecond(Long before, Long now, double seconds) {
        if (before == null || now == null) {
            return null;
        }
        long delta = now - before;
        return delta <= 0 ? 0.0 : round2(Math.min(Bounds.MBPS_MAX, delta / 1_000_000.0 / seconds));
    }

    /** A share, clamped to [0, 100] (anything not finite is 0) and rounded to two decimals. */
    public static double percent(double v) {
        return round2(Double.isFinite(v) ? Math.max(0.0, Math.min(Bounds.PERCENT_MAX, v)) : 0.0);
    }

    private static Double percentOrNull(Double v) {
        return v == null ? null : percent(v);
    }

    private static Double load(Double v) {
        return v == null ? null : round2(Double.isFinite(v) ? Math.max(0.0, Math.min(LOAD_MAX, v)) : 0.0);
    }

    /** A temperature clamped to [{@link #CELSIUS_MIN}, {@link #CELSIUS_MAX}]; not finite reads as no reading. */
    private static Double celsius(Double v) {
        return v == null || !Double.isFinite(v) ? null : round2(Math.max(CELSIUS_MIN, Math.min(CELSIUS_MAX, v)));
    }

    private static List<FilesystemUsage> filesystems(List<FilesystemUsage> read) {
        if (read == null) {
            return null;
        }
        List<FilesystemUsage> out = new ArrayList<>(Math.min(read.size(), FILESYSTEMS_MAX));
        for (FilesystemUsage f : read) {
            if (out.size() == FILESYSTEMS_MAX) {
                break;
            }
            out.add(new FilesystemUsage(f.mount(), percent(f.usagePercent()), f.sizeBytes()));
        }
        return out;
    }

    static double round2(double v) {
        return Math.round(v * 100.0) / 100.0;
    }
}
