package io.fleetwatch.procfs;

/** /proc/stat: the aggregate {@code cpu} line's tick counters (CPU % between two readings is the sampling core's). */
public final class ProcStat {
    private ProcStat() {}

    /** user nice system idle iowait irq softirq steal (guest time is already inside user and nice). */
    public static long[] ticks(String procStat) {
        for (String line : procStat.split("\n")) {
            if (line.startsWith("cpu ")) {
                String[] f = line.trim().split("\\s+");
                long[] t = new long[8];
                for (int i = 0; i < 8 && i + 1 < f.length; i++) {
                    t[i] = Long.parseLong(f[i + 1]);
                }
                return t;
            }
        }
        throw new IllegalArgumentException("/proc/stat has no aggregate cpu line");
    }
}
