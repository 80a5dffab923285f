package io.fleetwatch.agent;

import io.fleetwatch.messages.MetricsMessage;
import java.util.List;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.GlobalMemory;
import oshi.hardware.NetworkIF;
import oshi.software.os.OSFileStore;
import oshi.software.os.OperatingSystem;

/**
 * The eight metrics of the local host through OSHI. CPU % and network Mbps are deltas between two calls; disk % is
 * what {@code df} shows for the mount point (used / (used + available), rounded up); GPU % is null until the GPU
 * collector lands.
 */
public final class OshiSampler implements MetricsSampler {
    private final CentralProcessor cpu;
    private final GlobalMemory memory;
    private final OperatingSystem os;
    private final SystemInfo si;
    private final String mount;

    private long[] prevTicks;
    private long prevSent = -1;
    private long prevRecv = -1;
    private long prevNanos;

    public OshiSampler(String mount) {
        this.si = new SystemInfo();
        this.cpu = si.getHardware().getProcessor();
        this.memory = si.getHardware().getMemory();
        this.os = si.getOperatingSystem();
        this.mount = mount;
    }

    @Override
    public MetricsMessage.Metrics sample() {
        long[] ticks = cpu.getSystemCpuLoadTicks();
        long[] net = networkBytes();
        long now = System.nanoTime();
        long[] prev = prevTicks;
        long prevS = prevSent;
        long prevR = prevRecv;
        long prevN = prevNanos;
        prevTicks = ticks;
        prevSent = net[0];
        prevRecv = net[1];
        prevNanos = now;
        if (prev == null) {
            return null;
        }
        double seconds = Math.max((now - prevN) / 1e9, 1e-3);
        double cpuPct = clampPercent(cpu.getSystemCpuLoadBetweenTicks(prev) * 100.0);
        double ramPct = clampPercent(100.0 * (memory.getTotal() - memory.getAvailable()) / Math.max(1, memory.getTotal()));
        return new MetricsMessage.Metrics(
                round2(cpuPct),
                round2(ramPct),
                diskPercent(),
                round2(mbps(net[0] - prevS, seconds)),
                round2(mbps(net[1] - prevR, seconds)),
                null,
                os.getSystemUptime(),
                os.getSessions().size());
    }

    private long[] networkBytes() {
        long sent = 0;
        long recv = 0;
        List<NetworkIF> ifs = si.getHardware().getNetworkIFs(false);
        for (NetworkIF nif : ifs) {
            // 772 = ARPHRD_LOOPBACK: traffic to ourselves is not network traffic
            if (nif.getIfType() == 772 || "lo".equals(nif.getName())) {
                continue;
            }
            sent += nif.getBytesSent();
            recv += nif.getBytesRecv();
        }
        return new long[] {sent, recv};
    }

    private double diskPercent() {
        for (OSFileStore fs : os.getFileSystem().getFileStores(true)) {
            if (mount.equals(fs.getMount())) {
                long used = fs.getTotalSpace() - fs.getFreeSpace();
                long denom = used + fs.getUsableSpace();
                return denom <= 0 ? 0.0 : clampPercent(Math.ceil(100.0 * used / denom));
            }
        }
        throw new IllegalStateException("mount point " + mount + " not found among local file systems");
    }

    /** A counter that went backwards (interface reset, wrap) gives 0 for that interval, not a negative rate. */
    static double mbps(long deltaBytes, double seconds) {
        return deltaBytes <= 0 ? 0.0 : deltaBytes * 8.0 / 1_000_000.0 / seconds;
    }

    static double clampPercent(double v) {
        return Double.isFinite(v) ? Math.max(0.0, Math.min(100.0, v)) : 0.0;
    }

    static double round2(double v) {
        return Math.round(v * 100.0) / 100.0;
    }
}
