package io.fleetwatch.collector;

import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.broker.RabbitTransport;
import io.fleetwatch.broker.Topology;
import io.fleetwatch.lifecycle.OpsMetrics;
import io.fleetwatch.messages.AlertMessage;
import io.fleetwatch.messages.InventoryMessage;
import io.fleetwatch.messages.MetricsMessage;
import io.fleetwatch.messages.Routing;
import io.fleetwatch.messages.SchemaVersion;
import io.fleetwatch.messages.Severity;
import io.fleetwatch.sampling.ExtraMetrics;
import io.fleetwatch.transport.Publisher;
import io.fleetwatch.transport.Publishing;
import io.fleetwatch.transport.Transport;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects from many hosts at once: each round runs {@link RemoteScript#COMMAND} on every host in a bounded pool,
 * reusing each host's SSH session, and publishes the samples with publisher confirms. A host that fails three rounds
 * in a row is skipped for a minute by its circuit breaker, and a slow host can never hold a round past
 * connect + command timeout. New connections are rate-limited. A host from the database that becomes unreachable
 * gets a {@code host_unreachable} alert (and a resolved one when it answers again).
 */
public final class CollectorService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CollectorService.class);

    /**
     * Pool size, connection rate, and how often each host's inventory is read ({@link InventoryScript}: at its first
     * round, then at the first round after each {@code inventoryEvery}; sent when its content changed).
     */
    public record Settings(int parallel, int newConnectionsPerSecond, Duration inventoryEvery) {
        /** The agent's default ({@code FLEETWATCH_AGENT_INVENTORY_EVERY}). */
        public static final Duration INVENTORY_EVERY = Duration.ofMinutes(15);

        public Settings {
            if (parallel < 1 || newConnectionsPerSecond < 1) {
                throw new IllegalArgumentException("collector parallelism and connection rate must be positive");
            }
            if (inventoryEvery.isNegative() || inventoryEvery.isZero()) {
                throw new IllegalArgumentException("inventory check interval must be positive");
            }
        }

        public Settings(int parallel, int newConnectionsPerSecond) {
            this(parallel, newConnectionsPerSecond, INVENTORY_EVERY);
        }

        public static Settings defaults() {
            return new Settings(64, 50);
        }
    }

    /**
     * One round's outcome. {@code extra}: each sampled host's metrics beyond the first eight (load, swap, disk I/O,
     * temperatures, processes, file systems), which the message does not carry yet. {@code inventories}: the
     * inventories that changed (or were read first) and were published this round.
     */
    public record Round(int hosts, List<MetricsMessage> samples, Map<HostTarget, HostFailure> failures, Duration took,
                        Map<HostTarget, ExtraMetrics> extra, List<InventoryMessage> inventories) {}

    /** A host's inventory as last queued: its content hash, and when it was read. */
    private record InventorySeen(String hash, Instant at) {}

    private final List<HostTarget> targets;
    private final SshSettings ssh;
    private final Clock clock;
    private final JSch jsch = new JSch();
    private final ExecutorService pool;
    private final RateLimiter connects;
    private final Map<HostTarget, SshConnection> connections = new LinkedHashMap<>();
    private final Map<HostTarget, HostSampler> samplers = new LinkedHashMap<>();
    private final Map<HostTarget, CircuitBreaker> breakers = new LinkedHashMap<>();
    private final Map<HostTarget, Boolean> down = new LinkedHashMap<>();
    private final Publishing publishing;
    private final Map<HostTarget, InventorySeen> inventorySeen = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<HostTarget, InventoryMessage> inventoryDue = new java.util.concurrent.ConcurrentHashMap<>();
    private final Duration inventoryEvery;
    private Meters meters;

    public CollectorService(List<HostTarget> targets, SshSettings ssh, BrokerSettings broker, Settings settings,
                            Clock clock) throws JSchException {
        this(targets, ssh, () -> RabbitTransport.connect(broker, Topology.standard(), "fleetwatch-collector"),
                settings, clock);
    }

    /** Publishes on the transport {@code transports} opens ({@code Transports.open}), again after a loss. */
    public CollectorService(List<HostTarget> targets, SshSettings ssh, Transport.Opener transports, Settings settings,
                            Clock clock) throws JSchException {
        this.targets = List.copyOf(targets);
        this.ssh = ssh;
        this.publishing = new Publishing(transports, "fleetwatch-collector", Duration.ofSeconds(10), clock);
        this.clock = clock;
        this.inventoryEvery = settings.inventoryEvery();
        for (var key : ssh.identities()) {
            jsch.addIdentity(key.toString());
        }
        jsch.setKnownHosts(ssh.knownHosts().toString());
        if (ssh.tofu()) {
            jsch.setHostKeyRepository(new TofuHostKeys(jsch.getHostKeyRepository()));
        }
        this.pool = Executors.newFixedThreadPool(Math.min(settings.parallel(), Math.max(1, targets.size())), r -> {
            Thread t = new Thread(r, "fleetwatch-collect");
            t.setDaemon(true);
            return t;
        });
        this.connects = RateLimiter.of("ssh-connect", RateLimiterConfig.custom()
                .limitForPeriod(settings.newConnectionsPerSecond())
                .limitRefreshPeriod(Duration.ofSeconds(1))
                .timeoutDuration(ssh.connectTimeout())
                .build());
        CircuitBreakerConfig cb = CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(3)
                .minimumNumberOfCalls(3)
                .failureRateThreshold(100)
                .waitDurationInOpenState(Duration.ofMinutes(1))
                .permittedNumberOfCallsInHalfOpenState(1)
                .build();
        for (HostTarget t : this.targets) {
            connections.put(t, new SshConnection(jsch, t, ssh));
            samplers.put(t, new HostSampler(t));
            breakers.put(t, CircuitBreaker.of("ssh-" + t, cb));
        }
    }

    /**
     * Counts into {@code m} (the collector's {@code /metrics}): rounds, samples published, failures per host and kind,
     * round duration. Before the first round.
     */
    public CollectorService meteredBy(OpsMetrics m) {
        meters = new Meters(m);
        for (HostTarget t : targets) { // every host's series from the start, at 0
            meters.hostFailures.labels(t.toString(), HostFailure.Kind.UNREACHABLE.name().toLowerCase(java.util.Locale.ROOT));
        }
        return this;
    }

    /** Registers the collector's families in {@code m}, as the dashboard check reads them. */
    public static void declare(OpsMetrics m) {
        new Meters(m);
    }

    private static final class Meters {
        final OpsMetrics.Counter rounds;
        final OpsMetrics.Counter published;
        final OpsMetrics.Counter hostFailures;
        final OpsMetrics.Histogram roundSeconds;

        Meters(OpsMetrics m) {
            rounds = m.counter("fleetwatch_collector_rounds_total", "collection rounds over every host");
            published = m.counter("fleetwatch_collector_samples_published_total", "samples published (confirmed)");
            hostFailures = m.counter("fleetwatch_collector_host_failures_total",
                    "hosts that gave no sample in a round, by host (user@host[:port]) and kind", "host", "kind");
            roundSeconds = m.histogram("fleetwatch_collector_round_seconds", "one round over every host, publish included",
                    OpsMetrics.LATENCY_BUCKETS);
        }
    }

    /** One round over every host; publishes the samples (with confirms) before it returns. */
    public Round round() throws Publisher.NotConfirmedException, IOException, TimeoutException {
        long t0 = System.nanoTime();
        Map<HostTarget, Future<HostSampler.Collected>> running = new LinkedHashMap<>();
        for (HostTarget t : targets) {
            running.put(t, pool.submit(() -> collect(t)));
        }
        List<MetricsMessage> samples = new ArrayList<>();
        Map<HostTarget, ExtraMetrics> extra = new LinkedHashMap<>();
        Map<HostTarget, HostFailure> failures = new LinkedHashMap<>();
        // No host can hold the round longer than its own connect + command timeout (plus queueing in the pool).
        long budget = ssh.connectTimeout().plus(ssh.commandTimeout()).plusSeconds(2).toNanos()
                * (long) Math.ceil((double) targets.size() / Math.max(1, poolSize()));
        long deadline = t0 + budget;
        for (Map.Entry<HostTarget, Future<HostSampler.Collected>> e : running.entrySet()) {
            try {
                HostSampler.Collected c = e.getValue().get(Math.max(0, deadline - System.nanoTime()),
                        TimeUnit.NANOSECONDS);
                if (c != null) {
                    samples.add(c.message());
                    extra.put(e.getKey(), c.extra());
                }
                reachable(e.getKey(), true, null);
            } catch (java.util.concurrent.ExecutionException ex) {
                HostFailure f = ex.getCause() instanceof HostFailure hf ? hf
                        : new HostFailure(HostFailure.Kind.COMMAND, e.getKey() + ": " + ex.getCause(), ex.getCause());
                failures.put(e.getKey(), f);
                reachable(e.getKey(), false, f);
            } catch (TimeoutException ex) {
                e.getValue().cancel(true);
                HostFailure f = new HostFailure(HostFailure.Kind.TIMEOUT, e.getKey() + ": no answer within the round",
                        null);
                failures.put(e.getKey(), f);
                reachable(e.getKey(), false, f);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        Map<HostTarget, InventoryMessage> changed = new LinkedHashMap<>(inventoryDue);
        inventoryDue.clear();
        List<InventoryMessage> inventories = List.copyOf(changed.values());
        try {
            publish(samples, inventories);
        } catch (Publisher.NotConfirmedException | IOException | TimeoutException | RuntimeException e) {
            changed.keySet().forEach(inventorySeen::remove); // not sent: read those hosts again next round
            throw e;
        }
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        failures.forEach((t, f) -> LOG.warn("collect {}: {}", t, f.getMessage()));
        LOG.info("collected {} of {} host(s) in {} ms ({} failed)", samples.size(), targets.size(), took.toMillis(),
                failures.size());
        if (meters != null) {
            meters.rounds.inc();
            meters.published.add(samples.size());
            meters.roundSeconds.observe(took.toNanos() / 1e9);
            failures.forEach((t, f) -> meters.hostFailures.labels(t.toString(),
                    f.kind().name().toLowerCase(java.util.Locale.ROOT)).increment());
        }
        return new Round(targets.size(), samples, failures, took, extra, inventories);
    }

    private int poolSize() {
        return ((java.util.concurrent.ThreadPoolExecutor) pool).getMaximumPoolSize();
    }

    private HostSampler.Collected collect(HostTarget t) throws HostFailure {
        CircuitBreaker cb = breakers.get(t);
        if (!cb.tryAcquirePermission()) {
            throw new HostFailure(HostFailure.Kind.SKIPPED, t + ": skipped after repeated failures (circuit open,"
                    + " retried within a minute)", null);
        }
        long start = System.nanoTime();
        try {
            SshConnection c = connections.get(t);
            if (!c.connected() && !connects.acquirePermission()) {
                throw new HostFailure(HostFailure.Kind.TIMEOUT, t + ": connection rate limit", null);
            }
            String out = c.run(RemoteScript.COMMAND);
            HostSampler.Collected sample = samplers.get(t).collect(out, System.nanoTime(), clock.instant());
            cb.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            inventory(t, c);
            return sample;
        } catch (HostFailure | RuntimeException e) {
            cb.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
            if (e instanceof HostFailure hf) {
                throw hf;
            }
            throw new HostFailure(HostFailure.Kind.COMMAND, t + ": unexpected output: " + e.getMessage(), e);
        }
    }

    /**
     * Reads the host's inventory when due and queues it for this round's publish when its content changed. A failure
     * here does not fail the host's sample: it is logged and the inventory read again next round.
     */
    private void inventory(HostTarget t, SshConnection c) {
        Instant now = clock.instant();
        InventorySeen seen = inventorySeen.get(t);
        if (seen != null && now.isBefore(seen.at().plus(inventoryEvery))) {
            return;
        }
        try {
            InventoryMessage inv = InventoryScript.parse(c.run(InventoryScript.COMMAND), t.systemId(),
                    HostSampler.addressId(t), now);
            String hash = inv.contentHash();
            inventorySeen.put(t, new InventorySeen(hash, now));
            if (seen == null || !seen.hash().equals(hash)) {
                inventoryDue.put(t, inv);
            }
        } catch (HostFailure | RuntimeException e) {
            LOG.warn("inventory of {} not read ({}); trying again next round", t, e.getMessage());
        }
    }

    /** Tracks up/down per host; a database host that goes down (or comes back) gets an alert. */
    private void reachable(HostTarget t, boolean up, HostFailure why) {
        Boolean wasDown = down.put(t, !up);
        boolean changed = wasDown == null ? !up : wasDown == up;
        if (!changed || t.systemId() == null || (why != null && why.kind() == HostFailure.Kind.SKIPPED)) {
            return;
        }
        pendingAlerts.add(new AlertMessage(SchemaVersion.CURRENT, null, t.systemId(), "host_unreachable",
                Severity.WARNING, up ? "resolved" : "firing", null, null, clock.instant()));
    }

    private final List<AlertMessage> pendingAlerts = new ArrayList<>();

    private void publish(List<MetricsMessage> samples, List<InventoryMessage> inventories)
            throws Publisher.NotConfirmedException, IOException, TimeoutException {
        if (samples.isEmpty() && pendingAlerts.isEmpty() && inventories.isEmpty()) {
            return;
        }
        List<Publisher.Outgoing> out = new ArrayList<>();
        for (MetricsMessage m : samples) {
            out.add(Publisher.Outgoing.of(Routing.METRICS_ROUTING_KEY, m));
        }
        for (InventoryMessage m : inventories) {
            out.add(Publisher.Outgoing.of(Routing.INVENTORY_ROUTING_KEY, m));
        }
        for (AlertMessage a : pendingAlerts) {
            out.add(new Publisher.Outgoing(a.routingKey(), a, null, a.severity().priority()));
        }
        publishing.publishAll(out);
        pendingAlerts.clear();
    }

    @Override
    public void close() {
        pool.shutdownNow();
        connections.values().forEach(SshConnection::close);
        publishing.close();
    }
}
