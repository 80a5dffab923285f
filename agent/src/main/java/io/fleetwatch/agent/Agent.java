package io.fleetwatch.agent;

import io.fleetwatch.transport.Publisher;
import com.rabbitmq.client.Connection;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.broker.ConfirmingPublisher;
import io.fleetwatch.messages.InventoryMessage;
import io.fleetwatch.messages.MessageCodec;
import io.fleetwatch.messages.MetricsJson;
import io.fleetwatch.messages.MetricsMessage;
import io.fleetwatch.messages.Routing;
import io.github.resilience4j.core.IntervalFunction;
import io.fleetwatch.messages.SchemaVersion;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples this host every interval and publishes one metrics message per sample with publisher confirms.
 * Lifecycle: {@link #start()} → ticks → {@link #close()} (one last flush attempt, then the connection closes).
 *
 * <p>Every sample goes to the on-disk {@link Spool} first and leaves it only when the broker has confirmed it; while
 * the broker is away samples accumulate there (bounded by size and age, oldest dropped and counted) and go out in
 * order when it returns, also after an agent restart. A sample whose confirm was lost can be published twice; the
 * consumer stores {@code (system, collected_at)} once.
 *
 * <p>With an {@link InventorySource} ({@link #setInventory}), the agent also reads the host's hardware and OS
 * inventory at start and every {@link AgentSettings#inventoryEvery()}, and sends it (routing key
 * {@code inventory.collected}) at start and whenever its {@link InventoryMessage#contentHash()} differs from the last
 * one sent, through a spool of its own ({@code <state>/inventory-spool}) and the same confirming publisher.
 */
public final class Agent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

    /** What the agent has done so far, for status lines and tests. */
    public record Status(long sampled, long published, int spoolDepth, long spoolBytes, long dropped,
                         Instant lastPublish, boolean connected, long inventoriesPublished) {}

    /** Reads this host's inventory, collected {@code at} (OSHI in production, fixed ones in tests). */
    @FunctionalInterface
    public interface InventorySource {
        InventoryMessage read(Instant at);
    }

    /** Inventories in the spool at most: a few changes while the broker is away; older ones are superseded. */
    static final long INVENTORY_SPOOL_BYTES = 1L << 20;

    static final int PUBLISH_BATCH = 500;
    private static final Duration STATUS_EVERY = Duration.ofMinutes(5);

    private final AgentSettings settings;
    private final BrokerSettings broker;
    private final MetricsSampler sampler;
    private final HostIdentity identity;
    private final SequenceStore sequence;
    private final Clock clock;
    private Instant lastDropWarning;
    private long droppedSinceWarning;
    private volatile NetworkIdentity network = new NetworkIdentity(null, null, new java.util.TreeSet<>());
    private volatile boolean cloneSuspected;
    private final ScheduledExecutorService timer;

    private final Spool spool;
    private final Spool inventorySpool;
    private InventorySource inventorySource;
    private String lastInventoryHash;
    private long lastInventorySeq;
    private long inventoriesPublished;
    private Connection connection;
    private Publisher publisher;
    // volatile: /metrics reads them without the agent's lock, which a publish can hold for the confirm timeout
    private volatile long sampled;
    private volatile long published;
    private final java.util.concurrent.atomic.AtomicLong publishFailures = new java.util.concurrent.atomic.AtomicLong();
    private Instant lastPublish;
    private Instant lastStatusLine;
    private boolean brokerDownLogged;
    // Reconnect backoff: 1 s, 2 s, 4 s … at most a minute between connection attempts while the broker is away, for
    // the first connection (connect) and for amqp-client's automatic recovery of an established one.
    private final IntervalFunction reconnectBackoff = IntervalFunction.ofExponentialBackoff(1_000, 2.0, 60_000);
    private int failedConnects;
    private Instant nextConnectAttempt = Instant.MIN;

    public Agent(AgentSettings settings, BrokerSettings broker, MetricsSampler sampler, HostIdentity identity,
                 SequenceStore sequence, Clock clock) {
        this.settings = settings;
        this.broker = broker;
        this.sampler = sampler;
        this.identity = identity;
        this.sequence = sequence;
        this.clock = clock;
        this.spool = new Spool(settings.stateDir().resolve("spool"), settings.spoolMaxBytes(), settings.spoolMaxAge(),
                clock);
        if (spool.depth() > 0) {
            LOG.info("spool holds {} sample(s) from before; they go out first", spool.depth());
        }
        this.inventorySpool = new Spool(settings.stateDir().resolve("inventory-spool"),
                Math.min(settings.spoolMaxBytes(), INVENTORY_SPOOL_BYTES), settings.spoolMaxAge(), clock);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fleetwatch-agent");
            t.setDaemon(true);
            return t;
        });
    }

    /** The network identity sent with every sample, and whether this looks like a cloned image. */
    public void setNetworkIdentity(NetworkIdentity network, boolean cloneSuspected) {
        this.network = network;
        this.cloneSuspected = cloneSuspected;
    }

    /** Sends the inventory {@code source} reads, at start and whenever it changed; call before {@link #start}. */
    public void setInventory(InventorySource source) {
        this.inventorySource = source;
    }

    public void start() {
        if (inventorySource != null) {
            long every = settings.inventoryEvery().toMillis();
            timer.scheduleWithFixedDelay(this::inventorySafely, 0, every, TimeUnit.MILLISECONDS);
        }
        sampler.sample(); // primes the rate counters; the first real sample comes one interval later
        long ms = settings.interval().toMillis();
        long first = ms + (settings.jitter() ? java.util.concurrent.ThreadLocalRandom.current().nextLong(ms) : 0);
        timer.scheduleAtFixedRate(this::tickSafely, first, ms, TimeUnit.MILLISECONDS);
        LOG.info("agent started: host_id={} hostname={} interval={} broker={}", identity.hostId(), identity.hostname(),
                settings.interval(), broker.describe());
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException e) {
            // A broken sample must not stop the schedule (a thrown exception would cancel it silently).
            LOG.error("collection failed, will try again next interval", e);
        }
    }

    private void inventorySafely() {
        try {
            checkInventory();
        } catch (RuntimeException e) {
            LOG.error("inventory check failed, will try again in {}", settings.inventoryEvery(), e);
        }
    }

    /**
     * Reads the inventory and, when its content differs from the last one queued (or none was yet, at start), spools
     * and sends it; the message queued, or null when nothing changed.
     */
    public synchronized InventoryMessage checkInventory() {
        InventoryMessage m = inventorySource.read(clock.instant());
        String hash = m.contentHash();
        if (hash.equals(lastInventoryHash)) {
            return null;
        }
        // numbered by time, strictly rising, so the spool sends them in the order they were read
        lastInventorySeq = Math.max(lastInventorySeq + 1, clock.millis());
        inventorySpool.add(lastInventorySeq, MessageCodec.encode(m));
        if (lastInventoryHash != null) {
            LOG.info("inventory changed (content {} -> {}); sending it", lastInventoryHash.substring(0, 12),
                    hash.substring(0, 12));
        }
        lastInventoryHash = hash;
        flush();
        return m;
    }

    /** One collection cycle: sample, queue, flush. Public so {@code --once} and tests can drive it. */
    public synchronized MetricsMessage tick() {
        MetricsMessage.Metrics m = sampler.sample();
        if (m == null) {
            return null;
        }
        MetricsMessage msg = new MetricsMessage(SchemaVersion.CURRENT, null, identity.hostId(), identity.hostname(),
                sequence.next(), clock.instant(), m, network.ipAddress(), network.macAddress(),
                cloneSuspected ? Boolean.TRUE : null);
        sampled++;
        int dropped = spool.add(msg.seq(), MetricsJson.encode(msg));
        if (dropped > 0) {
            droppedSinceWarning += dropped;
            Instant now = clock.instant();
            // once a minute at most: a long outage drops a sample every interval, the log must stay readable
            if (lastDropWarning == null || !now.isBefore(lastDropWarning.plusSeconds(60))) {
                LOG.warn("spool full ({} bytes, max {} bytes, max age {}): dropped the {} oldest sample(s) since the last"
                                + " warning, {} dropped in all", spool.bytes(), settings.spoolMaxBytes(),
                        settings.spoolMaxAge(), droppedSinceWarning, spool.dropped());
                lastDropWarning = now;
                droppedSinceWarning = 0;
            }
        }
        flush();
        statusLine();
        return msg;
    }

    private void statusLine() {
        Instant now = clock.instant();
        if (lastStatusLine == null || !now.isBefore(lastStatusLine.plus(STATUS_EVERY))) {
            lastStatusLine = now;
            LOG.info("status: {}", status());
        }
    }

    /** Publishes the spool, oldest first, in batches; on failure keeps everything for the next attempt. */
    public synchronized boolean flush() {
        if (spool.depth() == 0 && inventorySpool.depth() == 0) {
            return true;
        }
        try {
            ensureConnected();
            published += drain(spool, Routing.METRICS_ROUTING_KEY, identity.hostId() + ":");
            inventoriesPublished += drain(inventorySpool, Routing.INVENTORY_ROUTING_KEY,
                    identity.hostId() + ":inventory:");
            if (brokerDownLogged) {
                LOG.info("broker {} reachable again; spooled samples delivered", broker.describe());
                brokerDownLogged = false;
            }
            return true;
        } catch (IOException | TimeoutException | Publisher.NotConfirmedException e) {
            publishFailures.incrementAndGet();
            if (!brokerDownLogged) {
                LOG.warn("broker {} unreachable or not confirming ({}); spooling samples to disk ({} so far)",
                        broker.describe(), e.getMessage(), spool.depth());
                brokerDownLogged = true;
            }
            dropPublisher();
            return false;
        }
    }

    /** Publishes a spool, oldest first, in batches, each removed once confirmed; how many went out. */
    private long drain(Spool from, String routingKey, String idPrefix)
            throws IOException, TimeoutException, Publisher.NotConfirmedException {
        long n = 0;
        List<Spool.Entry> batch;
        while (!(batch = from.oldest(PUBLISH_BATCH)).isEmpty()) {
            List<Publisher.Outgoing> out = new ArrayList<>(batch.size());
            for (Spool.Entry e : batch) {
                out.add(new Publisher.Outgoing(routingKey, e.body(), idPrefix + e.seq(), null));
            }
            publisher.publishAll(out);
            from.remove(batch);
            n += batch.size();
            lastPublish = clock.instant();
        }
        return n;
    }

    private void ensureConnected() throws IOException, TimeoutException {
        if (publisher != null && publisher.isOpen()) {
            return;
        }
        dropPublisher();
        if (connection == null) {
            connect();
        }
        if (!connection.isOpen()) {
            // amqp-client's automatic recovery reconnects it (reconnectBackoff); the samples spool until it has
            throw new IOException("broker unreachable; the connection is recovering");
        }
        publisher = new ConfirmingPublisher(connection, "fleetwatch-agent", settings.confirmTimeout(), clock);
    }

    /**
     * The first connection. amqp-client recovers a connection once it has been made, not before: until then each
     * flush tries again once the backoff allows (it never waits, so sampling goes on).
     */
    private void connect() throws IOException, TimeoutException {
        Instant now = clock.instant();
        if (now.isBefore(nextConnectAttempt)) {
            throw new IOException("broker unreachable; next connection attempt at " + nextConnectAttempt);
        }
        try {
            connection = broker.newConnection("fleetwatch-agent@" + identity.hostname(),
                    recoveries -> reconnectBackoff.apply(Math.min(recoveries + 1, 10)));
            failedConnects = 0;
        } catch (IOException | TimeoutException e) {
            failedConnects++;
            nextConnectAttempt = now.plusMillis(reconnectBackoff.apply(Math.min(failedConnects, 10)));
            throw e;
        }
    }

    private void dropPublisher() {
        if (publisher != null) {
            publisher.close();
            publisher = null;
        }
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close(2_000);
            } catch (IOException | RuntimeException ignored) {
                // already gone
            }
            connection = null;
        }
    }

    /**
     * The agent's figures in {@code m} (its {@code /metrics}, off unless {@code agent.metrics.port} is set): samples
     * taken and published, flushes that failed (broker away or not confirming), what waits in the spool.
     */
    public void meter(io.fleetwatch.lifecycle.OpsMetrics m) {
        meter(m, () -> sampled, () -> published, publishFailures::get, spool::depth, spool::bytes, spool::dropped);
    }

    /** The agent's families in {@code m}, reading the given tallies (the dashboard check passes zeros). */
    public static void meter(io.fleetwatch.lifecycle.OpsMetrics m, LongSupplier sampled, LongSupplier published,
                             LongSupplier failures, LongSupplier spoolDepth, LongSupplier spoolBytes,
                             LongSupplier dropped) {
        m.counter("fleetwatch_agent_samples_total", "samples taken", sampled);
        m.counter("fleetwatch_agent_published_total", "samples the broker confirmed", published);
        m.counter("fleetwatch_agent_publish_failures_total",
                "flushes of the spool that failed (broker unreachable or not confirming)", failures);
        m.gauge("fleetwatch_agent_spool_depth", "samples waiting in the on-disk spool", spoolDepth::getAsLong);
        m.gauge("fleetwatch_agent_spool_bytes", "bytes of the on-disk spool", spoolBytes::getAsLong);
        m.counter("fleetwatch_agent_spool_dropped_total", "samples dropped from a full spool", dropped);
    }

    public synchronized Status status() {
        return new Status(sampled, published, spool.depth(), spool.bytes(), spool.dropped(), lastPublish,
                connection != null && connection.isOpen(), inventoriesPublished);
    }

    @Override
    public void close() {
        timer.shutdown();
        try {
            if (!timer.awaitTermination(settings.confirmTimeout().toMillis() * 2, TimeUnit.MILLISECONDS)) {
                timer.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            flush();
            if (spool.depth() > 0) {
                LOG.warn("stopping with {} unpublished sample(s) in the spool; they go out at the next start",
                        spool.depth());
            }
            dropPublisher();
            closeConnection();
        }
        LOG.info("agent stopped: {}", status());
    }
}
