package io.fleetwatch.agent.collect;

import io.fleetwatch.agent.HostPaths;
import io.fleetwatch.sampling.Sources;
import java.nio.file.Files;
import java.nio.file.Path;
import oshi.SystemInfo;

/**
 * Which implementation reads each metric on this host. Everywhere OSHI, except on Linux where Fleetwatch's own reader
 * of a metric is measurably better (figures in the agent README, from {@code SourceCostMeasurement} and the footprint
 * benchmark): CPU, disk, network and users, and all six sources of the metrics beyond the first eight (see
 * {@link #linux}). The GPU is nvidia-smi everywhere.
 */
public final class HostSources {
    private HostSources() {}

    /** For the host this JVM runs on; {@code mount} is the disk_percent mount point. */
    public static Sources forThisHost(SystemInfo si, HostPaths paths, Path mount, String pathEnv) {
        boolean linux = System.getProperty("os.name", "").startsWith("Linux") && Files.isReadable(paths.procStat());
        return linux ? linux(new OshiSources(si), paths, mount, pathEnv) : new OshiSources(si).all(mount, pathEnv);
    }

    /**
     * Linux: OSHI for RAM and uptime (within 1.4× of the own readers' CPU per read, no measurable memory). Own readers
     * where they win: /proc/stat for the CPU (OSHI's CentralProcessor loads some 60 more classes, +0.45 MiB resident,
     * which the footprint goal has no room for, and costs 1.2 to 1.4× per read); statvfs of the mount for the disk
     * (OSHI re-reads every mount at each refresh, 1.7× the CPU, and leaves out overlay, tmpfs and mounts under /run,
     * /sys and /dev); /proc/net/dev for the network (OSHI enumerates the interfaces through the JDK, only those with an
     * address, and reads sysfs files for each: 11 to 12× the CPU, 38× the allocation); utmp for users (OSHI counts
     * systemd-logind's sessions where it can, else also utmp's LOGIN_PROCESS records: not the sessions {@code who}
     * lists; and 3 to 4.5× the CPU). The metrics beyond the first eight: /proc/loadavg (OSHI's load average is
     * cheaper per read, but it comes from CentralProcessor, the +0.45 MiB above); /proc/meminfo for swap (1.6× the
     * CPU through OSHI's VirtualMemory, 4× the allocation); /proc/diskstats (OSHI's HWDiskStore: 14× the CPU, udev
     * through JNA); the CPU package sensor of hwmon/thermal (the choice of sensor is Fleetwatch's, tested on captured
     * trees); the entries of /proc for processes (the same count and CPU, 7× less allocation); /proc/mounts and
     * statvfs for file systems (OSHI: 3.7× the CPU, 3× the allocation).
     */
    static Sources linux(OshiSources oshi, HostPaths paths, Path mount, String pathEnv) {
        return new Sources(ProcSources.cpuTicks(paths), oshi.ramPercent(), ProcSources.diskPercent(mount),
                ProcSources.networkBytes(paths), NvidiaSmiSource.fromPath(pathEnv), oshi.uptimeSeconds(),
                ProcSources.loggedInUsers(paths), ProcSources.loadAverage(paths), ProcSources.swapPercent(paths),
                ProcSources.diskBytes(paths), new ThermalSource(paths), ProcSources.processCount(paths),
                ProcSources.filesystems(paths));
    }
}
