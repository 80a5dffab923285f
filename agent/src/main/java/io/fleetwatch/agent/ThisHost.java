package io.fleetwatch.agent;

import io.fleetwatch.agent.collect.CollectorRegistry;
import io.fleetwatch.agent.collect.ProcSampler;
import io.fleetwatch.broker.BrokerSettings;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/** Wires an agent for the host it runs on: collectors, identity, network identity, clone check, sequence. */
public final class ThisHost {
    private ThisHost() {}

    /** The registered collectors for this host; {@code mount} is the disk_percent mount point. */
    public static ProcSampler sampler(String mount, Map<String, String> env) {
        return new ProcSampler(CollectorRegistry.forHost(HostPaths.system(), Path.of(mount),
                env.getOrDefault("PATH", "/usr/bin:/bin")));
    }

    public static Agent agent(AgentSettings settings, BrokerSettings broker, Map<String, String> env, Clock clock) {
        HostIdentity id = HostIdentity.detect(HostPaths.system());
        Agent agent = new Agent(settings, broker, sampler(settings.mount(), env), id, new SequenceStore(settings.stateDir()),
                clock);
        NetworkIdentity net = NetworkIdentity.detect();
        agent.setNetworkIdentity(net, CloneCheck.suspected(settings.stateDir(), id.hostId(), net.macs()));
        return agent;
    }
}
