package io.fleetwatch.agent.collect;

import io.fleetwatch.procfs.MemInfo;
import io.fleetwatch.procfs.Percent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code ram_percent} from /proc/meminfo: (MemTotal − MemAvailable) / MemTotal, as {@code free} shows it. */
public final class MemoryCollector implements Collector {
    private final Path procMeminfo;

    public MemoryCollector(Path procMeminfo) {
        this.procMeminfo = procMeminfo;
    }

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public void collect(Reading r) throws IOException {
        r.ramPercent = Percent.round2(MemInfo.usedPercent(Files.readString(procMeminfo)));
    }
}
