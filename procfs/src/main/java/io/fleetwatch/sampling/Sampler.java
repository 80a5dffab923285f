package io.fleetwatch.sampling;

import io.fleetwatch.messages.Bounds;
import io.fleetwatch.messages.MetricsMessage;

/**
 * The one sampling core of the agent and the SSH collector: turns two consecutive {@link Reading}s of one host into a
 * sample. Rates (CPU %, network Mbit/s) come from the two readings, never from one; every value is rounded to two
 * decimals and clamped to the contract's bounds here and nowhere else. One instance per host, for its lifetime.
 */
public final class Sampler {
    /** The shortest interval a rate is computed over, so two readings in the same instant cannot divide by zero. */
    private static final double MIN_SECONDS = 1e-3;

    private Reading previous;

    /** The sample from the previous reading to {@code now}; null for the first reading (it only primes the rates). */
    public MetricsMessage.Metrics next(Reading now) {
        Reading before = previous;
        previous = now;
        if (before == null) {
            return null;
        }
        double seconds = Math.max((now.nanos() - before.nanos()) / 1e9, MIN_SECONDS);
        return new MetricsMessage.Metrics(
                cpuPercent(before.cpuTicks(), now.cpuTicks()),
                percent(now.ramPercent()),
                percent(now.diskPercent()),
                mbps(now.networkSentBytes() - before.networkSentBytes(), seconds),
                mbps(now.networkRecvBytes() - before.networkRecvBytes(), seconds),
                now.gpuPercent() == null ? null : percent(now.gpuPercent()),
                Math.max(0, Math.min(Bounds.UPTIME_SECONDS_MAX, now.uptimeSeconds())),
                Math.max(0, Math.min(Bounds.USERS_MAX, now.loggedInUsers())));
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

    /** A share, clamped to [0, 100] (anything not finite is 0) and rounded to two decimals. */
    public static double percent(double v) {
        return round2(Double.isFinite(v) ? Math.max(0.0, Math.min(Bounds.PERCENT_MAX, v)) : 0.0);
    }

    static double round2(double v) {
        return Math.round(v * 100.0) / 100.0;
    }
}
