package io.fleetwatch.agent.collect;

import io.fleetwatch.procfs.Df;
import io.fleetwatch.sampling.FilesystemUsage;
import io.fleetwatch.sampling.Source;
import io.fleetwatch.sampling.Sources;
import java.io.IOException;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import oshi.SystemInfo;
import oshi.hardware.GlobalMemory;
import oshi.hardware.HWDiskStore;
import oshi.hardware.HardwareAbstractionLayer;
import oshi.hardware.NetworkIF;
import oshi.hardware.VirtualMemory;
import oshi.software.os.OSFileStore;
import oshi.software.os.OperatingSystem;

/**
 * The metrics through OSHI's hardware and OS abstractions, the same calls on Linux, Windows and macOS: CPU ticks from
 * {@code CentralProcessor}, RAM from {@code GlobalMemory}, disk from the {@code OSFileStore} of the mount, network from
 * the {@code NetworkIF} counters, uptime and sessions from {@code OperatingSystem}. OSHI objects are built on first
 * use and reused, so a source costs its read, not OSHI's start-up.
 */
public final class OshiSources {
    /** Linux's ARPHRD_LOOPBACK and Windows' IF_TYPE_SOFTWARE_LOOPBACK, OSHI's {@code getIfType()} of a loopback. */
    private static final int LOOPBACK_LINUX = 772;
    private static final int LOOPBACK_WINDOWS = 24;

    private final SystemInfo si;

    public OshiSources(SystemInfo si) {
        this.si = si;
    }

    /** Every metric through OSHI (the GPU from nvidia-smi, which OSHI does not read). */
    public Sources all(Path mount, String pathEnv) {
        return new Sources(cpuTicks(), ramPercent(), diskPercent(mount), networkBytes(),
                NvidiaSmiSource.fromPath(pathEnv), uptimeSeconds(), loggedInUsers(), loadAverage(), swapPercent(),
                diskBytes(), cpuTemperature(), processCount(), filesystems());
    }

    private HardwareAbstractionLayer hal() {
        return si.getHardware();
    }

    private OperatingSystem os() {
        return si.getOperatingSystem();
    }

    /** {@code CentralProcessor.getSystemCpuLoadTicks()}: the same eight counters as /proc/stat, in milliseconds. */
    public Source<long[]> cpuTicks() {
        return Source.of("OSHI CentralProcessor", () -> hal().getProcessor().getSystemCpuLoadTicks());
    }

    /** {@code GlobalMemory}: (total − available) / total. */
    public Source<Double> ramPercent() {
        return Source.of("OSHI GlobalMemory", () -> {
            GlobalMemory m = hal().getMemory();
            long total = m.getTotal();
            if (total <= 0) {
                throw new IOException("OSHI reports no memory");
            }
            return 100.0 * (total - m.getAvailable()) / total;
        });
    }

    /**
     * The {@code OSFileStore} mounted at {@code mount}, as {@code df} prints it; found once, then refreshed by
     * {@code updateAttributes()}, found again when it is gone. OSHI leaves out pseudo and overlay file systems and
     * (on Linux) mounts under /run, /sys and /dev: such a mount is an error, never another file system's figure.
     */
    public Source<Double> diskPercent(Path mount) {
        Path target = mount.toAbsolutePath().normalize();
        return new Source<>() {
            private OSFileStore store;

            @Override
            public Double read() throws IOException {
                if (store == null || !store.updateAttributes()) {
                    store = find(target);
                }
                return Df.percent(store.getTotalSpace(), store.getFreeSpace(), store.getUsableSpace());
            }

            @Override
            public String describe() {
                return "OSHI OSFileStore";
            }
        };
    }

    private OSFileStore find(Path target) throws IOException {
        for (OSFileStore fs : os().getFileSystem().getFileStores()) {
            try {
                if (Path.of(fs.getMount()).toAbsolutePath().normalize().equals(target)) {
                    return fs;
                }
            } catch (RuntimeException e) {
                // a mount point this OS's paths cannot express: not ours
            }
        }
        throw new IOException("OSHI lists no file system mounted at " + target);
    }

    /**
     * {received, sent} bytes from the {@code NetworkIF} counters of every interface OSHI lists but loopback. Listed
     * again at every read, so an interface that comes or goes is counted from then on.
     */
    public Source<long[]> networkBytes() {
        return Source.of("OSHI NetworkIF", () -> {
            long rx = 0;
            long tx = 0;
            for (NetworkIF nif : hal().getNetworkIFs(true)) {
                if (!isLoopback(nif)) {
                    rx += nif.getBytesRecv();
                    tx += nif.getBytesSent();
                }
            }
            return new long[] {rx, tx};
        });
    }

    private static boolean isLoopback(NetworkIF nif) {
        if (nif.getIfType() == LOOPBACK_LINUX || nif.getIfType() == LOOPBACK_WINDOWS) {
            return true;
        }
        try {
            NetworkInterface ni = nif.queryNetworkInterface();
            return ni != null && ni.isLoopback();
        } catch (SocketException e) {
            return false;
        }
    }

    /** {@code OperatingSystem.getSystemUptime()}: whole seconds since boot. */
    public Source<Long> uptimeSeconds() {
        return Source.of("OSHI OperatingSystem uptime", () -> os().getSystemUptime());
    }

    /** {@code OperatingSystem.getSessions()}: the login sessions OSHI lists. */
    public Source<Integer> loggedInUsers() {
        return Source.of("OSHI OperatingSystem sessions", () -> os().getSessions().size());
    }

    /** {@code CentralProcessor.getSystemLoadAverage(3)}; null where the OS has none (Windows reports negatives). */
    public Source<double[]> loadAverage() {
        return Source.of("OSHI CentralProcessor load average", () -> {
            double[] l = hal().getProcessor().getSystemLoadAverage(3);
            return l.length < 3 || l[0] < 0 ? null : l;
        });
    }

    /** {@code VirtualMemory}: swap used / swap total; null without swap. */
    public Source<Double> swapPercent() {
        return Source.of("OSHI VirtualMemory", () -> {
            VirtualMemory v = hal().getMemory().getVirtualMemory();
            long total = v.getSwapTotal();
            return total <= 0 ? null : 100.0 * v.getSwapUsed() / total;
        });
    }

    /**
     * {read, written} bytes summed over OSHI's {@code HWDiskStore}s (whole disks), listed once and refreshed with
     * {@code updateAttributes()}; listed again when a disk is gone.
     */
    public Source<long[]> diskBytes() {
        return new Source<>() {
            private List<HWDiskStore> disks;

            @Override
            public long[] read() {
                if (disks == null) {
                    disks = hal().getDiskStores();
                }
                long read = 0;
                long written = 0;
                for (HWDiskStore d : disks) {
                    if (!d.updateAttributes()) {
                        disks = null; // gone: list again at the next read
                    }
                    read += d.getReadBytes();
                    written += d.getWriteBytes();
                }
                return new long[] {read, written};
            }

            @Override
            public String describe() {
                return "OSHI HWDiskStore";
            }
        };
    }

    /** {@code Sensors.getCpuTemperature()}; OSHI reports 0 (or NaN) when it finds no sensor: null. */
    public Source<Double> cpuTemperature() {
        return Source.of("OSHI Sensors", () -> {
            double c = hal().getSensors().getCpuTemperature();
            return Double.isNaN(c) || c <= 0 ? null : c;
        });
    }

    /** {@code OperatingSystem.getProcessCount()}. */
    public Source<Integer> processCount() {
        return Source.of("OSHI OperatingSystem process count", () -> os().getProcessCount());
    }

    /**
     * {@code FileSystem.getFileStores(true)}: local file systems OSHI lists (it leaves out pseudo, overlay and
     * network file systems, and on Linux mounts under /run, /sys and /dev), as {@code df} prints them.
     */
    public Source<List<FilesystemUsage>> filesystems() {
        return Source.of("OSHI FileSystem", () -> {
            List<FilesystemUsage> out = new ArrayList<>();
            for (OSFileStore fs : os().getFileSystem().getFileStores(true)) {
                long total = fs.getTotalSpace();
                if (total > 0) {
                    out.add(new FilesystemUsage(fs.getMount(), Df.percent(total, fs.getFreeSpace(),
                            fs.getUsableSpace()), total));
                }
            }
            return out;
        });
    }
}
