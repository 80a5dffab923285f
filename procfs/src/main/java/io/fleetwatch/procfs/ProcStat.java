package io.fleetwatch.procfs;

/** /proc/stat: the aggregate {@code cpu} line, and CPU busy % between two readings. */
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

    /** Busy ticks over all ticks between two readings; idle and iowait are not busy. */
    public static double busyPercent(long[] before, long[] now) {
        long total = 0;
        for (int i = 0; i < 8; i++) {
            total += now[i] - before[i];
        }
        long idle = (now[3] - before[3]) + (now[4] - before[4]);
        return total <= 0 ? 0.0 : Percent.clamp(100.0 * (total - idle) / total);
    }
}
