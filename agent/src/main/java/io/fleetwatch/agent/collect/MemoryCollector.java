package io.fleetwatch.agent.collect;

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
        r.ramPercent = Reading.round2(usedPercent(Files.readString(procMeminfo)));
    }

    static double usedPercent(String meminfo) {
        long total = -1;
        long available = -1;
        long free = 0;
        long buffers = 0;
        long cached = 0;
        for (String line : meminfo.split("\n")) {
            String[] f = line.split("[:\\s]+");
            if (f.length < 2) {
                continue;
            }
            long kb = Long.parseLong(f[1]);
            switch (f[0]) {
                case "MemTotal" -> total = kb;
                case "MemAvailable" -> available = kb;
                case "MemFree" -> free = kb;
                case "Buffers" -> buffers = kb;
                case "Cached" -> cached = kb;
                default -> { }
            }
        }
        if (total <= 0) {
            throw new IllegalArgumentException("/proc/meminfo has no MemTotal");
        }
        if (available < 0) {
            available = free + buffers + cached; // kernels before 3.14 have no MemAvailable
        }
        return Reading.clampPercent(100.0 * (total - available) / total);
    }
}
