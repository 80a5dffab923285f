package io.fleetwatch.consumer.relay;

import io.fleetwatch.transport.Publisher;
import io.fleetwatch.transport.Publishing;
import io.fleetwatch.transport.Transport;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.broker.RabbitTransport;
import io.fleetwatch.broker.Topology;
import io.fleetwatch.messages.AlertMessage;
import io.fleetwatch.store.AlertStore;
import io.fleetwatch.store.Stores;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves alert events from the database's outbox to the alert queue. It {@code LISTEN}s on {@code fleetwatch_alerts}
 * and, on every wake-up, on start and after every reconnect, drains the outbox: rows are claimed with
 * {@code FOR UPDATE SKIP LOCKED} (so several relays share the work), published to {@code alerts.{severity}} with
 * confirms and {@code message-id}, and marked sent in the same transaction that claimed them. If the broker or the
 * relay is down, rows simply wait in the outbox; a crash between publish and commit republishes, and the alert
 * consumer stores each {@code alert_id} once.
 */
public final class AlertRelay implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AlertRelay.class);
    public static final String CHANNEL = AlertStore.CHANNEL;

    /** How many rows per transaction, how often to poll without a notification, backoff after a failure. */
    public record Settings(int batchSize, Duration pollInterval, Duration retryDelay) {
        public static Settings defaults() {
            return new Settings(500, Duration.ofSeconds(5), Duration.ofSeconds(2));
        }
    }

    private final AlertStore alerts;
    private final Publishing publishing;
    private final Settings settings;
    private final Clock clock;
    private final AtomicLong published = new AtomicLong();
    private volatile boolean running;
    private Thread thread;
    private final int index;

    public AlertRelay(DataSource dataSource, BrokerSettings broker, Settings settings, Clock clock) {
        this(dataSource, broker, settings, clock, 0);
    }

    /**
     * The {@code index}-th of several relays in one process (from 0). Only the first says at INFO that it listens:
     * they start together, and the same line once per thread read as a relay started twice. Any of them says so
     * after a reconnect.
     */
    public AlertRelay(DataSource dataSource, BrokerSettings broker, Settings settings, Clock clock, int index) {
        this(dataSource, () -> RabbitTransport.connect(broker, Topology.standard(), "fleetwatch-relay"), settings,
                clock, index);
    }

    /** On the transport {@code transports} opens (its own, one per relay: {@code Transports.open}). */
    public AlertRelay(DataSource dataSource, Transport.Opener transports, Settings settings, Clock clock, int index) {
        this.index = index;
        this.alerts = new AlertStore(Stores.jdbi(dataSource));
        this.publishing = new Publishing(transports, "fleetwatch-relay", Duration.ofSeconds(10), clock);
        this.settings = settings;
        this.clock = clock;
    }

    public synchronized void start() {
        running = true;
        thread = new Thread(this::run, index == 0 ? "fleetwatch-relay" : "fleetwatch-relay-" + (index + 1));
        thread.start();
    }

    public long published() {
        return published.get();
    }

    private void run() {
        boolean reconnect = false;
        while (running) {
            try (AlertStore.Listener listen = alerts.listen()) {
                if (index == 0 || reconnect) {
                    LOG.info("relay listening on {}", CHANNEL);
                } else {
                    LOG.debug("relay listening on {}", CHANNEL);
                }
                while (running) {
                    drain();
                    // Wakes on NOTIFY, or after the poll interval as a safety net (a lost notification costs latency,
                    // never an alert).
                    listen.await(settings.pollInterval());
                }
            } catch (SQLException | RuntimeException e) {
                if (running) {
                    reconnect = true;
                    LOG.warn("relay: {}; retrying in {}", e.getMessage(), settings.retryDelay());
                    sleep(settings.retryDelay());
                }
            }
        }
        closePublisher();
    }

    /** Publishes and marks sent until the outbox is empty; returns how many were sent. */
    int drain() {
        int total = 0;
        while (running) {
            int n = drainOnce();
            total += n;
            if (n < settings.batchSize()) {
                return total;
            }
        }
        return total;
    }

    private int drainOnce() {
        AlertStore.Drained d = alerts.drainOutbox(settings.batchSize(), clock.instant(), batch -> {
            try {
                publish(batch);
                return null;
            } catch (Publisher.NotConfirmedException | java.io.IOException
                     | java.util.concurrent.TimeoutException e) {
                return String.valueOf(e.getMessage());
            }
        });
        if (d.error() != null) {
            closePublisher();
            LOG.warn("relay: broker did not take {} alert(s) ({}); they stay in the outbox", d.claimed(), d.error());
            sleep(settings.retryDelay());
            return 0;
        }
        published.addAndGet(d.claimed());
        return d.claimed();
    }

    private void publish(List<AlertMessage> batch) throws Publisher.NotConfirmedException,
            java.io.IOException, java.util.concurrent.TimeoutException {
        List<Publisher.Outgoing> out = new ArrayList<>(batch.size());
        for (AlertMessage a : batch) {
            out.add(new Publisher.Outgoing(a.routingKey(), a, "alert-" + a.alertId(), a.severity().priority()));
        }
        publishing.publishAll(out);
    }

    private void closePublisher() {
        publishing.drop();
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Finishes the publish in hand (its transaction commits), then stops. */
    @Override
    public void close() {
        running = false;
        // Wake the thread out of its wait now rather than at the end of its poll interval.
        try {
            alerts.wakeRelays("wake");
        } catch (RuntimeException ignored) {
            // database unreachable: the thread wakes up by itself at the end of the poll interval
        }
        if (thread != null) {
            try {
                thread.join(settings.pollInterval().toMillis() + 15_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        LOG.info("relay stopped after publishing {} alert(s)", published.get());
    }

    /** For status endpoints: when the oldest unsent alert was created, or null if none waits. */
    public Instant oldestUnsent() {
        return alerts.oldestUnsent().orElse(null);
    }
}
