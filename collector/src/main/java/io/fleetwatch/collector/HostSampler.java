package io.fleetwatch.collector;

import io.fleetwatch.messages.MetricsMessage;
import io.fleetwatch.messages.SchemaVersion;
import io.fleetwatch.procfs.Df;
import io.fleetwatch.procfs.MemInfo;
import io.fleetwatch.procfs.NetDev;
import io.fleetwatch.procfs.NvidiaSmi;
import io.fleetwatch.procfs.ProcStat;
import io.fleetwatch.procfs.Uptime;
import io.fleetwatch.sampling.Reading;
import io.fleetwatch.sampling.Sampler;
import java.time.Instant;
import java.util.Map;

/**
 * Turns one host's remote output into a sample: the output's sections, parsed by the same parsers the agent uses on
 * its local files, make a {@link Reading} for the sampling core the agent uses too. CPU % and network Mbps are rates
 * between this reading and the previous one of the same host; the first reading only primes them and gives no sample.
 */
final class HostSampler {
    private final HostTarget target;
    private final Sampler core = new Sampler();

    HostSampler(HostTarget target) {
        this.target = target;
    }

    /** A host without machine-id named by its address (its samples and its inventory alike). */
    static String addressId(HostTarget target) {
        return "ssh:" + target.host() + ":" + target.port();
    }

    /** The sample, or null after the first, priming reading. {@code nanos} is when the output arrived. */
    MetricsMessage sample(String output, long nanos, Instant at) {
        Map<String, String> s = RemoteScript.sections(output);
        long[] bytes = NetDev.bytes(s.get("netdev"));
        MetricsMessage.Metrics m = core.next(new Reading(nanos, ProcStat.ticks(s.get("stat")),
                MemInfo.usedPercent(s.get("meminfo")), Df.percentOf(s.get("df"), "/"), bytes[0], bytes[1],
                NvidiaSmi.meanUtilisation(s.get("gpu")), Uptime.seconds(s.get("uptime")),
                Integer.parseInt(s.get("who").trim())));
        if (m == null) {
            return null;
        }
        String machineId = s.get("machineid").trim();
        String hostname = s.get("hostname").trim();
        String hostId = machineId.length() >= 8 ? machineId : null;
        if (target.systemId() == null && hostId == null) {
            hostId = addressId(target);
        }
        return new MetricsMessage(SchemaVersion.CURRENT, target.systemId(), hostId,
                hostname.isEmpty() ? null : hostname, null, at, m);
    }
}
