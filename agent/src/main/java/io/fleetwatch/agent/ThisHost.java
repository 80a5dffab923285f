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

    /** One sample of this host, measured over one second, with its identity; publishes nothing. */
    public static io.fleetwatch.messages.MetricsMessage once(AgentSettings settings, Map<String, String> env)
            throws InterruptedException {
        HostIdentity id = HostIdentity.detect(HostPaths.system());
        NetworkIdentity net = NetworkIdentity.detect();
        ProcSampler sampler = sampler(settings.mount(), env);
        sampler.sample();
        Thread.sleep(1_000);
        return new io.fleetwatch.messages.MetricsMessage(io.fleetwatch.messages.SchemaVersion.CURRENT, null,
                id.hostId(), id.hostname(), null, clockNow(), sampler.sample(), net.ipAddress(), net.macAddress(), null);
    }

    private static java.time.Instant clockNow() {
        return Clock.systemUTC().instant();
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
