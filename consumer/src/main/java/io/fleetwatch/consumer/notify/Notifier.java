package io.fleetwatch.consumer.notify;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
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
            List<Map<String, Object>> due = h.createQuery("""
                    SELECT n.id, n.channel, n.attempts, n.event_state, a.id AS alert_row, a.system_id, s.hostname,
                           host(s.ip_address) AS ip, a.alert_type, a.severity,
                           CASE WHEN n.event_state = 'resolved' THEN a.resolved_value ELSE a.value END AS value,
                           a.threshold, a.occurred_at, a.resolved_at
                    FROM notifications n JOIN alerts a ON a.id = n.alert_row JOIN systems s ON s.id = a.system_id
                    WHERE n.status = 'pending' AND n.next_attempt_at <= :now
                      AND (a.silenced_until IS NULL OR a.silenced_until <= :now)
                    ORDER BY n.next_attempt_at, n.id LIMIT :limit
                    FOR UPDATE OF n SKIP LOCKED""")
                    .bind("now", now())
                    .bind("limit", settings.batchSize())
                    .mapToMap()
                    .list();
            for (Map<String, Object> row : due) {
                deliver(h, row);
            }
            return due.size();
        });
    }

    private void deliver(Handle h, Map<String, Object> row) {
        long id = ((Number) row.get("id")).longValue();
        int attempts = ((Number) row.get("attempts")).intValue() + 1;
        Channel ch = channels.get((String) row.get("channel"));
        try {
            if (ch == null) {
                throw new IllegalStateException("channel '" + row.get("channel") + "' is not configured");
            }
            ch.send(notice(row));
            h.createUpdate("UPDATE notifications SET status = 'sent', attempts = :a, sent_at = :now, last_error = NULL"
                    + " WHERE id = :id").bind("a", attempts).bind("now", now()).bind("id", id).execute();
        } catch (Exception e) {
            String error = String.valueOf(e.getMessage());
            boolean dead = attempts > settings.maxRetries();
            Duration wait = backoff(attempts);
            h.createUpdate("UPDATE notifications SET attempts = :a, last_error = :err, status = :status,"
                            + " next_attempt_at = :next WHERE id = :id")
                    .bind("a", attempts)
                    .bind("err", error.length() > 500 ? error.substring(0, 500) : error)
                    .bind("status", dead ? "dead" : "pending")
                    .bind("next", OffsetDateTime.ofInstant(clock.instant().plus(wait), ZoneOffset.UTC))
                    .bind("id", id)
                    .execute();
            if (dead) {
                LOG.error("notification {} via {} is dead after {} attempts: {}", id, row.get("channel"), attempts, error);
            } else {
                LOG.warn("notification {} via {} failed (attempt {}), next try in {}: {}", id, row.get("channel"),
                        attempts, wait, error);
            }
        }
    }

    /** Delay before the next try after {@code attempts} failures. */
    Duration backoff(int attempts) {
        double ms = settings.retryDelay().toMillis() * Math.pow(settings.multiplier(), Math.max(0, attempts - 1));
        return Duration.ofMillis((long) Math.min(ms, settings.maxDelay().toMillis()));
    }

    private OffsetDateTime now() {
        return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    private static Notice notice(Map<String, Object> r) {
        return new Notice(((Number) r.get("alert_row")).longValue(), (String) r.get("event_state"),
                ((Number) r.get("system_id")).longValue(), (String) r.get("hostname"), (String) r.get("ip"),
                (String) r.get("alert_type"), (String) r.get("severity"), (Double) r.get("value"),
                (Double) r.get("threshold"), instant(r.get("occurred_at")), instant(r.get("resolved_at")));
    }

    private static Instant instant(Object ts) {
        return ts == null ? null : ((Timestamp) ts).toInstant();
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
