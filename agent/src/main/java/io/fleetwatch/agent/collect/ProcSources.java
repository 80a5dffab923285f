package io.fleetwatch.agent.collect;

import io.fleetwatch.agent.HostPaths;
import io.fleetwatch.procfs.Df;
import io.fleetwatch.procfs.DiskStats;
import io.fleetwatch.procfs.LoadAvg;
import io.fleetwatch.procfs.MemInfo;
import io.fleetwatch.procfs.Mounts;
import io.fleetwatch.procfs.NetDev;
import io.fleetwatch.procfs.ProcStat;
import io.fleetwatch.procfs.Processes;
import io.fleetwatch.procfs.Uptime;
import io.fleetwatch.procfs.Utmp;
import io.fleetwatch.sampling.FilesystemUsage;
import io.fleetwatch.sampling.Source;
import io.fleetwatch.sampling.Sources;
import java.io.File;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Fleetwatch's own readers of the Linux sources, each a {@link Source}: the files under {@link HostPaths} (so tests
 * point them at captured fixtures) parsed by the same {@code procfs} parsers the SSH collector uses on remote output.
 */
public final class ProcSources {
    private ProcSources() {}

    /** Every metric from Fleetwatch's own readers (Linux only; the GPU from nvidia-smi). */
    public static Sources all(HostPaths paths, Path mount, String pathEnv) {
        return new Sources(cpuTicks(paths), ramPercent(paths), diskPercent(mount), networkBytes(paths),
                NvidiaSmiSource.fromPath(pathEnv), uptimeSeconds(paths), loggedInUsers(paths), loadAverage(paths),
                swapPercent(paths), diskBytes(paths), new ThermalSource(paths), processCount(paths),
                filesystems(paths));
    }

    /** The aggregate {@code cpu} line of /proc/stat. */
    public static Source<long[]> cpuTicks(HostPaths paths) {
        Path file = paths.procStat();
        return Source.of("/proc/stat", () -> ProcStat.ticks(Files.readString(file)));
    }

    /** /proc/meminfo: (MemTotal − MemAvailable) / MemTotal, as {@code free} shows it. */
    public static Source<Double> ramPercent(HostPaths paths) {
        Path file = paths.procMeminfo();
        return Source.of("/proc/meminfo", () -> MemInfo.usedPercent(Files.readString(file)));
    }

    /** statvfs of the mount through the JDK's FileStore, as {@code df} prints it (works on any OS). */
    public static Source<Double> diskPercent(Path mount) {
        return Source.of("statvfs (JDK FileStore)", () -> {
            FileStore fs = Files.getFileStore(mount);
            return Df.percent(fs.getTotalSpace(), fs.getUnallocatedSpace(), fs.getUsableSpace());
        });
    }

    /** /proc/net/dev: every interface but loopback, whether or not it has an address. */
    public static Source<long[]> networkBytes(HostPaths paths) {
        Path file = paths.procNetDev();
        return Source.of("/proc/net/dev", () -> NetDev.bytes(Files.readString(file)));
    }

    /** The first field of /proc/uptime, whole seconds. */
    public static Source<Long> uptimeSeconds(HostPaths paths) {
        Path file = paths.procUptime();
        return Source.of("/proc/uptime", () -> Uptime.seconds(Files.readString(file)));
    }

    /**
     * The USER_PROCESS records of utmp, the sessions {@code who} lists (glibc x86-64 / aarch64 layout). No utmp file
     * (a container) means nobody is logged in.
     */
    public static Source<Integer> loggedInUsers(HostPaths paths) {
        Path file = paths.utmp();
        return Source.of("utmp", () -> {
            try {
                return Utmp.sessions(Files.readAllBytes(file));
            } catch (NoSuchFileException e) {
                return 0;
            }
        });
    }

    /** The three load averages of /proc/loadavg. */
    public static Source<double[]> loadAverage(HostPaths paths) {
        Path file = paths.procLoadavg();
        return Source.of("/proc/loadavg", () -> LoadAvg.averages(Files.readString(file)));
    }

    /** /proc/meminfo: (SwapTotal − SwapFree) / SwapTotal; null without swap. */
    public static Source<Double> swapPercent(HostPaths paths) {
        Path file = paths.procMeminfo();
        return Source.of("/proc/meminfo swap", () -> MemInfo.swapUsedPercent(Files.readString(file)));
    }

    /** /proc/diskstats: {read, written} bytes of the whole disks (what is left out: procfs' DiskStats). */
    public static Source<long[]> diskBytes(HostPaths paths) {
        Path file = paths.procDiskstats();
        return Source.of("/proc/diskstats", () -> DiskStats.bytes(Files.readString(file)));
    }

    /** The numeric entries of /proc, through java.io (no NIO directory stream to load). */
    public static Source<Integer> processCount(HostPaths paths) {
        File proc = paths.proc().toFile();
        return Source.of("/proc entries", () -> {
            String[] names = proc.list();
            if (names == null) {
                throw new IOException("cannot list " + proc);
            }
            return Processes.count(names);
        });
    }

    /**
     * The real file systems of /proc/mounts (procfs' Mounts), each through statvfs ({@code java.io.File}'s space
     * figures: no mount-table scan per file system, unlike NIO's FileStore), as {@code df} prints it. A file system
     * of size 0 (or one statvfs cannot read) is left out, as {@code df} leaves it out.
     */
    public static Source<List<FilesystemUsage>> filesystems(HostPaths paths) {
        Path file = paths.procMounts();
        return Source.of("/proc/mounts + statvfs", () -> {
            List<FilesystemUsage> out = new ArrayList<>();
            for (Mounts.Mount m : Mounts.real(Files.readString(file))) {
                File f = paths.host(m.mountPoint()).toFile();
                long total = f.getTotalSpace();
                if (total > 0) {
                    out.add(new FilesystemUsage(m.mountPoint(), Df.percent(total, f.getFreeSpace(),
                            f.getUsableSpace()), total));
                }
            }
            return out;
        });
    }
}
