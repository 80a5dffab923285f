package io.fleetwatch.agent.collect;

import io.fleetwatch.agent.HostPaths;
import io.fleetwatch.sampling.Sources;
import java.nio.file.Files;
import java.nio.file.Path;
import oshi.SystemInfo;

/**
 * Which implementation reads each metric on this host. Everywhere OSHI, except on Linux where Fleetwatch's own reader
 * of a metric is measurably better (the agent README gives the figures): network and users (see {@link #linux}).
 * The GPU is nvidia-smi everywhere.
 */
public final class HostSources {
    private HostSources() {}

    /** For the host this JVM runs on; {@code mount} is the disk_percent mount point. */
    public static Sources forThisHost(SystemInfo si, HostPaths paths, Path mount, String pathEnv) {
        boolean linux = System.getProperty("os.name", "").startsWith("Linux") && Files.isReadable(paths.procStat());
        return linux ? linux(new OshiSources(si), paths, mount, pathEnv) : new OshiSources(si).all(mount, pathEnv);
    }

    /**
     * Linux: OSHI for CPU, RAM, disk and uptime; /proc/net/dev for the network (OSHI lists only the interfaces the JDK
     * sees with an address and reads several sysfs files for each, at many times the cost) and utmp for users (OSHI
     * also counts LOGIN_PROCESS records, the login prompts, which {@code who} does not list).
     */
    static Sources linux(OshiSources oshi, HostPaths paths, Path mount, String pathEnv) {
        return new Sources(oshi.cpuTicks(), oshi.ramPercent(), oshi.diskPercent(mount), ProcSources.networkBytes(paths),
                NvidiaSmiSource.fromPath(pathEnv), oshi.uptimeSeconds(), ProcSources.loggedInUsers(paths));
    }
}
