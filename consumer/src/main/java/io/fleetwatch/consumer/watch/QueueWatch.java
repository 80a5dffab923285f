package io.fleetwatch.consumer.watch;

import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.broker.RabbitTransport;
import io.fleetwatch.broker.Topology;
import io.fleetwatch.transport.Transport;
import io.fleetwatch.settings.Keys;
import io.fleetwatch.settings.Settings;
import io.fleetwatch.store.AlertStore;
import io.fleetwatch.store.Stores;
import io.fleetwatch.store.SystemStore;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Queue-depth alerts, on whichever transport ({@link Transport#depth}): a backlog of more than {@code warning} ready
 * messages (1 000) is a warning, more than
 * {@code critical} (10 000) is critical; each clears when the backlog falls under half its threshold. Alerts are raised
 * for the pipeline itself (system {@code fleetwatch-pipeline}), with alert type {@code queue_backlog_<queue>}, and go
 * out through the same outbox and relay as threshold alerts. The firing state lives in the database, so restarts and
 * several instances agree; an advisory lock lets one instance check at a time.
 */
public final class QueueWatch {
    private static final Logger LOG = LoggerFactory.getLogger(QueueWatch.class);
    public static final long LOCK_ID = 713002L;
    public static final String PIPELINE_HOST_ID = "fleetwatch:pipeline";

    /** Backlog thresholds; 1 000 and 10 000 by default. */
    public record Thresholds(long warning, long critical) {
        public Thresholds {
            if (warning < 1 || critical <= warning) {
                throw new IllegalArgumentException("queue backlog thresholds need 1 <= warning < critical, got "
                        + warning + "/" + critical);
            }
        }

        public static Thresholds from(Settings s) {
            return new Thresholds(s.get(Keys.QUEUE_WARNING), s.get(Keys.QUEUE_CRITICAL));
        }

        public static Thresholds fromEnv(Map<String, String> env) {
            return from(Settings.fromEnv(env));
        }
    }

    /** One state change this run made. */
    public record Change(String queue, String severity, String state, long depth) {}

    private final AlertStore alerts;
    private final SystemStore systems;
    private final Transport.Opener transports;
    private final List<String> queues;
    private final Thresholds thresholds;
    private final Clock clock;

    public QueueWatch(DataSource dataSource, BrokerSettings broker, List<String> queues, Thresholds thresholds,
                      Clock clock) {
        this(dataSource, () -> RabbitTransport.connect(broker, Topology.standard(), "fleetwatch-queue-watch"), queues,
                thresholds, clock);
    }

    /** Reads the depths on the transport {@code transports} opens for each run ({@code Transports.open}). */
    public QueueWatch(DataSource dataSource, Transport.Opener transports, List<String> queues, Thresholds thresholds,
                      Clock clock) {
        Jdbi jdbi = Stores.jdbi(dataSource);
        this.alerts = new AlertStore(jdbi);
        this.systems = new SystemStore(jdbi);
        this.transports = transports;
        this.queues = List.copyOf(queues);
        this.thresholds = thresholds;
        this.clock = clock;
    }

    /** Checks every queue once; returns the alerts it fired or resolved (none when another instance holds the lock). */
    public List<Change> runOnce() throws Exception {
        List<Change> changes = alerts.exclusively(LOCK_ID, () -> {
            List<Change> made = new ArrayList<>();
            try (Transport t = transports.open()) {
                for (String q : queues) {
                    long depth = t.depth(q);
                    check(q, "warning", thresholds.warning(), depth, made);
                    check(q, "critical", thresholds.critical(), depth, made);
                }
            }
            if (!made.isEmpty()) {
                alerts.wakeRelays(Integer.toString(made.size()));
            }
            return made;
        }).orElse(List.of());
        for (Change ch : changes) {
            LOG.warn("queue {} backlog {} ({}): {}", ch.queue(), ch.depth(), ch.severity(), ch.state());
        }
        return changes;
    }

    private void check(String queue, String severity, long threshold, long depth, List<Change> changes) {
        String key = "queue_backlog:" + queue + ":" + severity;
        boolean firing = alerts.watchState(key).map("firing"::equals).orElse(false);
        String next = null;
        if (!firing && depth > threshold) {
            next = "firing";
        } else if (firing && depth < threshold / 2) {
            next = "resolved";
        }
        if (next == null) {
            return;
        }
        long system = systems.service(PIPELINE_HOST_ID, "fleetwatch-pipeline");
        alerts.raise(new AlertStore.Event(system, alertType(queue), severity, next, depth,
                "firing".equals(next) ? threshold : threshold / 2.0, clock.instant()));
        alerts.setWatchState(key, "firing".equals(next) ? "firing" : "ok");
        changes.add(new Change(queue, severity, next, depth));
    }

    /** {@code queue_backlog_<queue>}, folded into the alert-type alphabet ([a-z0-9_], at most 64). */
    public static String alertType(String queue) {
        String t = "queue_backlog_" + queue.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        return t.length() <= 64 ? t : t.substring(0, 64);
    }
}
