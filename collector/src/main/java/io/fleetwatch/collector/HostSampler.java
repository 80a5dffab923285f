package io.fleetwatch.collector;

import io.fleetwatch.messages.MetricsMessage;
import io.fleetwatch.messages.SchemaVersion;
import io.fleetwatch.procfs.Df;
import io.fleetwatch.procfs.DiskStats;
import io.fleetwatch.procfs.Filesystems;
import io.fleetwatch.procfs.LoadAvg;
import io.fleetwatch.procfs.MemInfo;
import io.fleetwatch.procfs.NetDev;
import io.fleetwatch.procfs.NvidiaSmi;
import io.fleetwatch.procfs.ProcStat;
import io.fleetwatch.procfs.Processes;
import io.fleetwatch.procfs.Thermal;
import io.fleetwatch.procfs.Uptime;
import io.fleetwatch.sampling.ExtraMetrics;
import io.fleetwatch.sampling.ExtraReading;
import io.fleetwatch.sampling.Reading;
import io.fleetwatch.sampling.Sample;
import io.fleetwatch.sampling.Sampler;
import java.time.Instant;
import java.util.Map;

/**
 * Turns one host's remote output into a sample: the output's sections, parsed by the same parsers the agent uses on
 * its local files, make a {@link Reading} for the sampling core the agent uses too. CPU % and network Mbps are rates
 * between this reading and the previous one of the same host (disk MB/s too); the first reading only primes them and
 * gives no sample.
 */
final class HostSampler {
    /** One host's sample: the message, and the metrics beyond the first eight that the message does not carry yet. */
    record Collected(MetricsMessage message, ExtraMetrics extra) {}

    private final HostTarget target;
    private final Sampler core = new Sampler();

    HostSampler(HostTarget target) {
        this.target = target;
    }

    /** A host without machine-id named by its address (its samples and its inventory alike). */
    static String addressId(HostTarget target) {
        return "ssh:" + target.host() + ":" + target.port();
    }

    /** The sample's message, or null after the first, priming reading. */
    MetricsMessage sample(String output, long nanos, Instant at) {
        Collected c = collect(output, nanos, at);
        return c == null ? null : c.message();
    }

    /** The sample, or null after the first, priming reading. {@code nanos} is when the output arrived. */
    Collected collect(String output, long nanos, Instant at) {
        Map<String, String> s = RemoteScript.sections(output);
        long[] bytes = NetDev.bytes(s.get("netdev"));
        NvidiaSmi.Gpus gpus = NvidiaSmi.read(s.get("gpu"));
        double[] load = LoadAvg.averages(s.get("loadavg"));
        long[] io = DiskStats.bytes(s.get("diskstats"));
        String meminfo = s.get("meminfo");
        ExtraReading extra = new ExtraReading(load[0], load[1], load[2], MemInfo.swapUsedPercent(meminfo), io[0],
                io[1], Thermal.cpuCelsius(Thermal.fromGrep(s.get("sensors"))), gpus.memoryPercent(),
                gpus.temperature(), Processes.count(s.get("proc")),
                Filesystems.fromDf(s.get("mounts"), s.get("filesystems")));
        Sample sample = core.sample(new Reading(nanos, ProcStat.ticks(s.get("stat")), MemInfo.usedPercent(meminfo),
                Df.percentOf(s.get("df"), "/"), bytes[0], bytes[1], gpus.utilisation(),
                Uptime.seconds(s.get("uptime")), Integer.parseInt(s.get("who").trim()), extra));
        if (sample == null) {
            return null;
        }
        MetricsMessage.Metrics m = sample.metrics();
        String machineId = s.get("machineid").trim();
        String hostname = s.get("hostname").trim();
        String hostId = machineId.length() >= 8 ? machineId : null;
        if (target.systemId() == null && hostId == null) {
            hostId = addressId(target);
        }
        return new Collected(new MetricsMessage(SchemaVersion.CURRENT, target.systemId(), hostId,
                hostname.isEmpty() ? null : hostname, null, at, m), sample.extra());
    }
}
