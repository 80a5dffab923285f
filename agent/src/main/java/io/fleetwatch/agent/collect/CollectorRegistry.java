package io.fleetwatch.agent.collect;

import io.fleetwatch.agent.HostPaths;
import java.nio.file.Path;
import java.util.List;

/** Every collector of the agent, in one place. Adding one means a class, a fixture folder, a README row. */
public final class CollectorRegistry {
    private CollectorRegistry() {}

    public static List<Collector> forHost(HostPaths paths, Path mount, String pathEnv) {
        return List.of(
                new CpuCollector(paths.procStat()),
                new MemoryCollector(paths.procMeminfo()),
                new DiskCollector(mount),
                new NetworkCollector(paths.procNetDev(), System::nanoTime),
                GpuCollector.fromPath(pathEnv),
                new UptimeCollector(paths.procUptime()),
                new UsersCollector(paths.utmp()));
    }
}
