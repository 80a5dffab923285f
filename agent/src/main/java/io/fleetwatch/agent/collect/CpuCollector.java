package io.fleetwatch.agent.collect;

import io.fleetwatch.procfs.Percent;
import io.fleetwatch.procfs.ProcStat;
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
        long[] now = ProcStat.ticks(Files.readString(procStat));
        long[] before = previous;
        previous = now;
        if (before != null) {
            r.cpuPercent = Percent.round2(ProcStat.busyPercent(before, now));
        }
    }
}
