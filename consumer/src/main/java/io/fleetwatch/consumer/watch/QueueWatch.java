package io.fleetwatch.consumer.watch;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.settings.Keys;
import io.fleetwatch.settings.Settings;
import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Queue-depth alerts: a backlog of more than {@code warning} ready messages (1 000) is a warning, more than
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

    private final DataSource dataSource;
    private final BrokerSettings broker;
    private final List<String> queues;
    private final Thresholds thresholds;
    private final Clock clock;

    public QueueWatch(DataSource dataSource, BrokerSettings broker, List<String> queues, Thresholds thresholds,
                      Clock clock) {
        this.dataSource = dataSource;
        this.broker = broker;
        this.queues = List.copyOf(queues);
        this.thresholds = thresholds;
        this.clock = clock;
    }

    /** Checks every queue once; returns the alerts it fired or resolved (none when another instance holds the lock). */
    public List<Change> runOnce() throws SQLException, IOException, TimeoutException {
        List<Change> changes = new ArrayList<>();
        try (java.sql.Connection c = dataSource.getConnection()) {
            if (!lock(c, "pg_try_advisory_lock")) {
                return changes;
            }
            try (Connection amqp = broker.newConnection("fleetwatch-queue-watch");
                 Channel ch = amqp.createChannel()) {
                c.setAutoCommit(false);
                for (String q : queues) {
                    long depth = ch.queueDeclarePassive(q).getMessageCount();
                    check(c, q, "warning", thresholds.warning(), depth, changes);
                    check(c, q, "critical", thresholds.critical(), depth, changes);
                }
                if (!changes.isEmpty()) {
                    try (Statement st = c.createStatement()) {
                        st.execute("SELECT pg_notify('fleetwatch_alerts', '" + changes.size() + "')");
                    }
                }
                c.commit();
            } finally {
                c.setAutoCommit(true);
                lock(c, "pg_advisory_unlock");
            }
        }
        for (Change ch : changes) {
            LOG.warn("queue {} backlog {} ({}): {}", ch.queue(), ch.depth(), ch.severity(), ch.state());
        }
        return changes;
    }

    private void check(java.sql.Connection c, String queue, String severity, long threshold, long depth,
                       List<Change> changes) throws SQLException {
        String key = "queue_backlog:" + queue + ":" + severity;
        boolean firing = "firing".equals(meta(c, key));
        String next = null;
        if (!firing && depth > threshold) {
            next = "firing";
        } else if (firing && depth < threshold / 2) {
            next = "resolved";
        }
        if (next == null) {
            return;
        }
        long system = pipelineSystem(c);
        try (PreparedStatement ps = c.prepareStatement("WITH e AS (INSERT INTO alert_events (system_id, alert_type,"
                + " severity, state, value, threshold, occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id)"
                + " INSERT INTO alert_outbox (event_id) SELECT id FROM e")) {
            ps.setLong(1, system);
            ps.setString(2, alertType(queue));
            ps.setString(3, severity);
            ps.setString(4, next);
            ps.setDouble(5, depth);
            ps.setDouble(6, "firing".equals(next) ? threshold : threshold / 2.0);
            ps.setObject(7, OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO fleetwatch_meta (key, value) VALUES (?, ?)"
                + " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()")) {
            ps.setString(1, key);
            ps.setString(2, "firing".equals(next) ? "firing" : "ok");
            ps.executeUpdate();
        }
        changes.add(new Change(queue, severity, next, depth));
    }

    /** {@code queue_backlog_<queue>}, folded into the alert-type alphabet ([a-z0-9_], at most 64). */
    public static String alertType(String queue) {
        String t = "queue_backlog_" + queue.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        return t.length() <= 64 ? t : t.substring(0, 64);
    }

    private static String meta(java.sql.Connection c, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT value FROM fleetwatch_meta WHERE key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static long pipelineSystem(java.sql.Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO systems (host_id, hostname, status)"
                + " VALUES (?, 'fleetwatch-pipeline', 'up') ON CONFLICT (host_id) DO UPDATE SET updated_at = now()"
                + " RETURNING id")) {
            ps.setString(1, PIPELINE_HOST_ID);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static boolean lock(java.sql.Connection c, String fn) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT " + fn + "(" + LOCK_ID + ")")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }
}
