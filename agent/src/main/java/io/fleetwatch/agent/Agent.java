package io.fleetwatch.agent;

import io.fleetwatch.transport.Publisher;
import com.rabbitmq.client.Connection;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.broker.ConfirmingPublisher;
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
 */
public final class Agent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

    /** What the agent has done so far, for status lines and tests. */
    public record Status(long sampled, long published, int spoolDepth, long spoolBytes, long dropped,
                         Instant lastPublish, boolean connected) {}

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
    private Connection connection;
    private Publisher publisher;
    private long sampled;
    private long published;
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

    public void start() {
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
        if (spool.depth() == 0) {
            return true;
        }
        try {
            ensureConnected();
            List<Spool.Entry> batch;
            while (!(batch = spool.oldest(PUBLISH_BATCH)).isEmpty()) {
                List<Publisher.Outgoing> out = new ArrayList<>(batch.size());
                for (Spool.Entry e : batch) {
                    out.add(new Publisher.Outgoing(Routing.METRICS_ROUTING_KEY, e.body(),
                            identity.hostId() + ":" + e.seq(), null));
                }
                publisher.publishAll(out);
                spool.remove(batch);
                published += batch.size();
                lastPublish = clock.instant();
            }
            if (brokerDownLogged) {
                LOG.info("broker {} reachable again; spooled samples delivered", broker.describe());
                brokerDownLogged = false;
            }
            return true;
        } catch (IOException | TimeoutException | Publisher.NotConfirmedException e) {
            if (!brokerDownLogged) {
                LOG.warn("broker {} unreachable or not confirming ({}); spooling samples to disk ({} so far)",
                        broker.describe(), e.getMessage(), spool.depth());
                brokerDownLogged = true;
            }
            dropPublisher();
            return false;
        }
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

    public synchronized Status status() {
        return new Status(sampled, published, spool.depth(), spool.bytes(), spool.dropped(), lastPublish,
                connection != null && connection.isOpen());
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
