package io.fleetwatch.agent.collect;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code cpu_percent} from the aggregate {@code cpu} line of /proc/stat: busy ticks over all ticks since last time. */
public final class CpuCollector implements Collector {
    private final Path procStat;
    private long[] previous;

    public CpuCollector(Path procStat) {
        this.procStat = procStat;
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public void collect(Reading r) throws IOException {
        long[] now = ticks(Files.readString(procStat));
        long[] before = previous;
        previous = now;
        if (before != null) {
            r.cpuPercent = Reading.round2(busyPercent(before, now));
        }
    }

    /** user nice system idle iowait irq softirq steal (guest time is already inside user and nice). */
    static long[] ticks(String procStat) {
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

    static double busyPercent(long[] before, long[] now) {
        long total = 0;
        for (int i = 0; i < 8; i++) {
            total += now[i] - before[i];
        }
        long idle = (now[3] - before[3]) + (now[4] - before[4]); // idle + iowait
        return total <= 0 ? 0.0 : Reading.clampPercent(100.0 * (total - idle) / total);
    }
}
