package io.fleetwatch.agent.collect;

import io.fleetwatch.agent.HostPaths;
import io.fleetwatch.procfs.Df;
import io.fleetwatch.procfs.MemInfo;
import io.fleetwatch.procfs.NetDev;
import io.fleetwatch.procfs.ProcStat;
import io.fleetwatch.procfs.Uptime;
import io.fleetwatch.procfs.Utmp;
import io.fleetwatch.sampling.Source;
import io.fleetwatch.sampling.Sources;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Fleetwatch's own readers of the Linux sources, each a {@link Source}: the files under {@link HostPaths} (so tests
 * point them at captured fixtures) parsed by the same {@code procfs} parsers the SSH collector uses on remote output.
 */
public final class ProcSources {
    private ProcSources() {}

    /** Every metric from Fleetwatch's own readers (Linux only; the GPU from nvidia-smi). */
    public static Sources all(HostPaths paths, Path mount, String pathEnv) {
        return new Sources(cpuTicks(paths), ramPercent(paths), diskPercent(mount), networkBytes(paths),
                NvidiaSmiSource.fromPath(pathEnv), uptimeSeconds(paths), loggedInUsers(paths));
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
}
