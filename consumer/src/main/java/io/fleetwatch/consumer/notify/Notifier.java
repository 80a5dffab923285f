package io.fleetwatch.consumer.notify;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import io.fleetwatch.store.AlertStore;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers queued notifications: each due row is claimed with {@code SKIP LOCKED} (several
 * notifiers share the work), sent through its channel, and marked {@code sent}; a failure schedules the next try
 * after {@code delay × multiplier^attempts} (capped), and after {@code maxRetries} retries the row is {@code dead}
 * with the last error kept.
 */
public final class Notifier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);

    /** Defaults: 3 retries, 60 s, ×2, capped at an hour. */
    public record Settings(int maxRetries, Duration retryDelay, double multiplier, Duration maxDelay, Duration poll,
                           int batchSize) {
        public static Settings defaults() {
            return new Settings(3, Duration.ofSeconds(60), 2.0, Duration.ofHours(1), Duration.ofSeconds(1), 50);
        }
    }

    private final Jdbi jdbi;
    private final AlertStore alerts;
    private final Map<String, Channel> channels;
    private final Settings settings;
    private final Clock clock;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fleetwatch-notifier");
        t.setDaemon(true);
        return t;
    });

    public Notifier(Jdbi jdbi, List<Channel> channels, Settings settings, Clock clock) {
        this.jdbi = jdbi;
        this.alerts = new AlertStore(jdbi);
        this.channels = channels.stream().collect(Collectors.toMap(Channel::name, Function.identity()));
        this.settings = settings;
        this.clock = clock;
    }

    public void start() {
        long ms = settings.poll().toMillis();
        timer.scheduleWithFixedDelay(() -> {
            try {
                while (runOnce() == settings.batchSize()) {
                    // keep going while full batches come back
                }
            } catch (RuntimeException e) {
                LOG.warn("notifier: {}", e.getMessage());
            }
        }, 0, ms, TimeUnit.MILLISECONDS);
    }

    /** Handles one batch of due notifications; returns how many it looked at. */
    public int runOnce() {
        return jdbi.inTransaction(h -> {
            List<AlertStore.Due> due = alerts.claimDue(clock.instant(), settings.batchSize());
            for (AlertStore.Due row : due) {
                deliver(row);
            }
            return due.size();
        });
    }

    private void deliver(AlertStore.Due row) {
        int attempts = row.attempts() + 1;
        Channel ch = channels.get(row.channel());
        try {
            if (ch == null) {
                throw new IllegalStateException("channel '" + row.channel() + "' is not configured");
            }
            ch.send(notice(row));
            alerts.markSent(row.id(), attempts, clock.instant());
        } catch (Exception e) {
            String error = String.valueOf(e.getMessage());
            boolean dead = attempts > settings.maxRetries();
            Duration wait = backoff(attempts);
            alerts.markFailed(row.id(), attempts, error, dead, clock.instant().plus(wait));
            if (dead) {
                LOG.error("notification {} via {} is dead after {} attempts: {}", row.id(), row.channel(), attempts,
                        error);
            } else {
                LOG.warn("notification {} via {} failed (attempt {}), next try in {}: {}", row.id(), row.channel(),
                        attempts, wait, error);
            }
        }
    }

    /** Delay before the next try after {@code attempts} failures. */
    Duration backoff(int attempts) {
        double ms = settings.retryDelay().toMillis() * Math.pow(settings.multiplier(), Math.max(0, attempts - 1));
        return Duration.ofMillis((long) Math.min(ms, settings.maxDelay().toMillis()));
    }

    private static Notice notice(AlertStore.Due r) {
        return new Notice(r.alertRow(), r.eventState(), r.systemId(), r.hostname(), r.ip(), r.alertType(),
                r.severity(), r.value(), r.threshold(), r.occurredAt(), r.resolvedAt());
    }

    @Override
    public void close() {
        timer.shutdown();
        try {
            timer.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
