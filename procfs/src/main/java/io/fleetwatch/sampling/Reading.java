package io.fleetwatch.sampling;

/**
 * What one host's sources gave at one moment, before any rate, rounding or clamping: counters for the two rates (CPU
 * ticks, network bytes) and the gauges as read. The agent fills it from local sources (OSHI or /proc), the SSH
 * collector from the remote command's output.
 *
 * @param nanos            when it was read, on a monotonic clock (System.nanoTime, or when the remote output arrived)
 * @param cpuTicks         user, nice, system, idle, iowait, irq, softirq, steal: /proc/stat's order and OSHI's
 *                         {@code TickType} order, in any one unit (the rate is a ratio)
 * @param networkRecvBytes bytes received, summed over the interfaces counted (loopback never is)
 * @param gpuPercent       null where there is no GPU
 * @param extra            the metrics beyond the first eight ({@link ExtraReading#NONE} when none was read)
 */
public record Reading(long nanos, long[] cpuTicks, double ramPercent, double diskPercent, long networkRecvBytes,
                      long networkSentBytes, Double gpuPercent, long uptimeSeconds, int loggedInUsers,
                      ExtraReading extra) {

    /** How many tick counters {@link #cpuTicks} holds. */
    public static final int CPU_TICKS = 8;

    public Reading {
        if (cpuTicks == null || cpuTicks.length < CPU_TICKS) {
            throw new IllegalArgumentException("cpuTicks must hold " + CPU_TICKS + " counters");
        }
        cpuTicks = java.util.Arrays.copyOf(cpuTicks, CPU_TICKS);
        extra = extra == null ? ExtraReading.NONE : extra;
    }

    /** The first eight metrics only. */
    public Reading(long nanos, long[] cpuTicks, double ramPercent, double diskPercent, long networkRecvBytes,
                   long networkSentBytes, Double gpuPercent, long uptimeSeconds, int loggedInUsers) {
        this(nanos, cpuTicks, ramPercent, diskPercent, networkRecvBytes, networkSentBytes, gpuPercent, uptimeSeconds,
                loggedInUsers, ExtraReading.NONE);
    }

    @Override
    public long[] cpuTicks() {
        return cpuTicks.clone();
    }
}
