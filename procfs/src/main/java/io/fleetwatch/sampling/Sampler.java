package io.fleetwatch.sampling;

import io.fleetwatch.messages.Bounds;
import io.fleetwatch.messages.Metric;
import io.fleetwatch.messages.MetricCatalog;
import io.fleetwatch.messages.MetricsMessage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one sampling core of the agent and the SSH collector: turns two consecutive {@link Reading}s of one host into a
 * sample. Rates (CPU %, network Mbit/s, disk MB/s) come from the two readings, never from one; every value is rounded
 * to two decimals and clamped to the contract's bounds (the metric catalog's, for the metrics beyond the first eight)
 * here and nowhere else. One instance per host, for its lifetime.
 */
public final class Sampler {
    /** The shortest interval a rate is computed over, so two readings in the same instant cannot divide by zero. */
    private static final double MIN_SECONDS = 1e-3;


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
        ExtraMetrics e = extra(before.extra(), now.extra(), seconds);
        return new Sample(withExtra(m, e), e);
    }

    private static ExtraMetrics extra(ExtraReading before, ExtraReading now, double seconds) {
        Double processes = bounded("process_count", now.processCount() == null ? null : now.processCount() * 1.0);
        return new ExtraMetrics(bounded("load_avg_1", now.loadAvg1()), bounded("load_avg_5", now.loadAvg5()),
                bounded("load_avg_15", now.loadAvg15()), bounded("swap_usage", now.swapPercent()),
                megabytesPerSecond(before.diskReadBytes(), now.diskReadBytes(), seconds),
                megabytesPerSecond(before.diskWriteBytes(), now.diskWriteBytes(), seconds),
                bounded("cpu_temperature", now.cpuTemperature()),
                bounded("gpu_memory_usage", now.gpuMemoryPercent()),
                bounded("gpu_temperature", now.gpuTemperature()),
                processes == null ? null : processes.intValue(), filesystems(now.filesystems()));
    }

    /** The message's metrics: the eight, and the others under the catalog's names. */
    private static MetricsMessage.Metrics withExtra(MetricsMessage.Metrics eight, ExtraMetrics e) {
        Map<String, Number> v = new HashMap<>(eight.values());
        put(v, "load_avg_1", e.loadAvg1());
        put(v, "load_avg_5", e.loadAvg5());
        put(v, "load_avg_15", e.loadAvg15());
        put(v, "swap_usage", e.swapUsage());
        put(v, "disk_read_mbps", e.diskReadMbps());
        put(v, "disk_write_mbps", e.diskWriteMbps());
        put(v, "cpu_temperature", e.cpuTemperature());
        put(v, "gpu_memory_usage", e.gpuMemoryUsage());
        put(v, "gpu_temperature", e.gpuTemperature());
        put(v, "process_count", e.processCount());
        List<MetricsMessage.Filesystem> fs = new ArrayList<>();
        if (e.filesystems() != null) {
            for (FilesystemUsage f : e.filesystems()) {
                fs.add(new MetricsMessage.Filesystem(f.mount(), f.usagePercent(), round2(f.sizeBytes() / 1e9)));
            }
        }
        return new MetricsMessage.Metrics(v, fs);
    }

    private static void put(Map<String, Number> values, String name, Number value) {
        if (value != null) {
            values.put(name, value);
        }
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

    /**
     * A metric beyond the first eight, clamped to the catalog's [min, max] and rounded to two decimals; a value that
     * is not finite is no reading (null).
     */
    static Double bounded(String name, Double v) {
        if (v == null || !Double.isFinite(v)) {
            return null;
        }
        Metric m = MetricCatalog.DEFAULT.get(name);
        return round2(Math.max(m.min(), Math.min(m.max(), v)));
    }

    /**
     * Usage clamped and rounded like any percentage; a mount the contract cannot carry (not absolute, longer than
     * {@link Bounds#MOUNT_MAX}, a control character such as an escaped newline) or named twice (a file system mounted
     * over another) is left out, and at most {@link Bounds#FILESYSTEMS_MAX} are kept, in mount order.
     */
    private static List<FilesystemUsage> filesystems(List<FilesystemUsage> read) {
        if (read == null) {
            return null;
        }
        List<FilesystemUsage> out = new ArrayList<>();
        Set<String> mounts = new HashSet<>();
        for (FilesystemUsage f : read) {
            if (out.size() == Bounds.FILESYSTEMS_MAX) {
                break;
            }
            if (carriable(f.mount()) && mounts.add(f.mount())) {
                out.add(new FilesystemUsage(f.mount(), percent(f.usagePercent()), f.sizeBytes()));
            }
        }
        return out;
    }

    private static boolean carriable(String mount) {
        if (!mount.startsWith("/") || mount.length() > Bounds.MOUNT_MAX) {
            return false;
        }
        for (int i = 0; i < mount.length(); i++) {
            char c = mount.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    static double round2(double v) {
        return Math.round(v * 100.0) / 100.0;
    }
}
