package io.fleetwatch.collector;

import io.fleetwatch.messages.MetricsMessage;
import io.fleetwatch.messages.SchemaVersion;
import io.fleetwatch.procfs.Df;
import io.fleetwatch.procfs.MemInfo;
import io.fleetwatch.procfs.NetDev;
import io.fleetwatch.procfs.NvidiaSmi;
import io.fleetwatch.procfs.Percent;
import io.fleetwatch.procfs.ProcStat;
import io.fleetwatch.procfs.Uptime;
import java.time.Instant;
import java.util.Map;

/**
 * Turns one host's remote output into a sample. CPU % and network Mbps are rates: computed from this reading and the
 * previous one of the same host, never from one; the first reading only primes them and gives no sample.
 */
final class HostSampler {
    private final HostTarget target;
    private long[] previousTicks;
    private long[] previousBytes;
    private long previousNanos;

    HostSampler(HostTarget target) {
        this.target = target;
    }

    /** The sample, or null after the first, priming reading. {@code nanos} is when the output arrived. */
    MetricsMessage sample(String output, long nanos, Instant at) {
        Map<String, String> s = RemoteScript.sections(output);
        long[] ticks = ProcStat.ticks(s.get("stat"));
        long[] bytes = NetDev.bytes(s.get("netdev"));
        long[] prevTicks = previousTicks;
        long[] prevBytes = previousBytes;
        long prevNanos = previousNanos;
        previousTicks = ticks;
        previousBytes = bytes;
        previousNanos = nanos;
        if (prevTicks == null) {
            return null;
        }
        double seconds = Math.max((nanos - prevNanos) / 1e9, 1e-3);
        MetricsMessage.Metrics m = new MetricsMessage.Metrics(
                Percent.round2(ProcStat.busyPercent(prevTicks, ticks)),
                Percent.round2(MemInfo.usedPercent(s.get("meminfo"))),
                Df.percentOf(s.get("df"), "/"),
                Percent.round2(NetDev.mbps(bytes[1] - prevBytes[1], seconds)),
                Percent.round2(NetDev.mbps(bytes[0] - prevBytes[0], seconds)),
                NvidiaSmi.meanUtilisation(s.get("gpu")),
                Uptime.seconds(s.get("uptime")),
                Integer.parseInt(s.get("who").trim()));
        String machineId = s.get("machineid").trim();
        String hostname = s.get("hostname").trim();
        String hostId = machineId.length() >= 8 ? machineId : null;
        if (target.systemId() == null && hostId == null) {
            hostId = "ssh:" + target.host() + ":" + target.port(); // no machine-id: name it by its address
        }
        return new MetricsMessage(SchemaVersion.CURRENT, target.systemId(), hostId,
                hostname.isEmpty() ? null : hostname, null, at, m);
    }
}
