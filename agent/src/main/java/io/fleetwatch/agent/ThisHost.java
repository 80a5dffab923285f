package io.fleetwatch.agent;

import io.fleetwatch.agent.collect.HostSources;
import io.fleetwatch.agent.collect.LocalSampler;
import io.fleetwatch.agent.collect.OshiInventory;
import io.fleetwatch.broker.BrokerSettings;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import oshi.SystemInfo;

/** Wires an agent for the host it runs on: sources, identity, network identity, clone check, sequence. */
public final class ThisHost {
    private static final Logger LOG = LoggerFactory.getLogger(ThisHost.class);

    private ThisHost() {}

    /** OSHI's entry point, built once per JVM: its hardware and OS objects are reused by every sample. */
    private static final class Oshi {
        static final SystemInfo SI = new SystemInfo();
    }

    /** This host's sources (see {@link HostSources}); {@code mount} is the disk_percent mount point. */
    public static LocalSampler sampler(String mount, Map<String, String> env) {
        return new LocalSampler(HostSources.forThisHost(Oshi.SI, HostPaths.system(), Path.of(mount),
                env.getOrDefault("PATH", "/usr/bin:/bin")), System::nanoTime);
    }

    /** "cpu: OSHI CentralProcessor, memory: …": which implementation reads each metric, for the start-up log. */
    static String describe(LocalSampler sampler) {
        return sampler.sources().byName().entrySet().stream()
                .map(e -> e.getKey() + ": " + e.getValue().describe()).collect(Collectors.joining(", "));
    }

    /** One sample of this host, measured over one second, with its identity; publishes nothing. */
    public static io.fleetwatch.messages.MetricsMessage once(AgentSettings settings, Map<String, String> env)
            throws InterruptedException {
        LocalSampler sampler = sampler(settings.mount(), env);
        sampler.sample();
        long start = System.nanoTime();
        // the identities are read inside the second, not before it: the command ends that much sooner
        HostIdentity id = HostIdentity.detect(HostPaths.system());
        NetworkIdentity net = NetworkIdentity.detect(Oshi.SI);
        long left = java.util.concurrent.TimeUnit.SECONDS.toNanos(1) - (System.nanoTime() - start);
        if (left > 0) {
            java.util.concurrent.TimeUnit.NANOSECONDS.sleep(left);
        }
        return new io.fleetwatch.messages.MetricsMessage(io.fleetwatch.messages.SchemaVersion.CURRENT, null,
                id.hostId(), id.hostname(), null, clockNow(), sampler.sample(), net.ipAddress(), net.macAddress(), null);
    }

    /** This host's hardware and OS inventory with its identity; publishes nothing. */
    public static io.fleetwatch.messages.InventoryMessage inventory() {
        HostIdentity id = HostIdentity.detect(HostPaths.system());
        NetworkIdentity net = NetworkIdentity.detect(Oshi.SI);
        return new OshiInventory(Oshi.SI).read(id.hostId(), id.hostname(), net.ipAddress(), net.macAddress(),
                clockNow());
    }

    private static java.time.Instant clockNow() {
        return Clock.systemUTC().instant();
    }

    public static Agent agent(AgentSettings settings, BrokerSettings broker, Map<String, String> env, Clock clock) {
        HostIdentity id = HostIdentity.detect(HostPaths.system());
        LocalSampler sampler = sampler(settings.mount(), env);
        LOG.info("sampling {}", describe(sampler));
        Agent agent = new Agent(settings, broker, sampler, id, new SequenceStore(settings.stateDir()), clock);
        NetworkIdentity net = NetworkIdentity.detect(Oshi.SI);
        agent.setNetworkIdentity(net, CloneCheck.suspected(settings.stateDir(), id.hostId(), net.macs()));
        OshiInventory inventory = new OshiInventory(Oshi.SI);
        agent.setInventory(at -> inventory.read(id.hostId(), id.hostname(), net.ipAddress(), net.macAddress(), at));
        return agent;
    }
}
