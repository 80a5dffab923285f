package io.fleetwatch.transport;

import io.fleetwatch.messages.Reasons;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import javax.sql.DataSource;

/**
 * The one owner of {@code queue_messages} and {@code queue_dead_letters} (migration V20): every statement of the
 * postgres transport. Plain SQL, the same on TimescaleDB and plain PostgreSQL. A message is claimed by making it
 * invisible for the visibility timeout ({@code FOR UPDATE SKIP LOCKED}, so concurrent consumers take different
 * rows), deleted when acknowledged, and comes back by itself when its consumer dies.
 */
public final class PostgresQueue {
    /** The channel publishers NOTIFY with the queue's name as payload, so idle consumers wake at once. */
    public static final String CHANNEL = "fleetwatch_queue";

    /** One message to insert, already routed to its queue. */
    public record Row(String queue, String routingKey, String messageId, int priority, byte[] payload) {}

    /** A claimed message; {@code attempts} counts this claim. */
    public record Claimed(long id, String routingKey, int priority, byte[] payload, int attempts) {}

    private final DataSource dataSource;

    public PostgresQueue(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Whether migration V20 has run. */
    public boolean exists() throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT to_regclass('queue_messages') IS NOT NULL AND to_regclass('queue_dead_letters') IS NOT NULL");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    /** Inserts all rows and notifies their queues in one transaction: committed is confirmed. */
    public void enqueue(List<Row> rows) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try (PreparedStatement ins = c.prepareStatement(
                    "INSERT INTO queue_messages (queue, routing_key, message_id, priority, payload) VALUES (?, ?, ?, ?, ?)");
                 PreparedStatement notify = c.prepareStatement("SELECT pg_notify('" + CHANNEL + "', ?)")) {
                for (Row r : rows) {
                    ins.setString(1, r.queue());
                    ins.setString(2, r.routingKey());
                    ins.setString(3, r.messageId());
                    ins.setInt(4, r.priority());
                    ins.setBytes(5, r.payload());
                    ins.addBatch();
                }
                ins.executeBatch();
                for (String q : rows.stream().map(Row::queue).distinct().toList()) {
                    notify.setString(1, q);
                    notify.executeQuery().close();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        }
    }

    /**
     * Claims up to {@code max} visible messages of the queue, highest priority first, then oldest; they stay
     * invisible to other consumers for {@code visibilitySeconds}.
     */
    public List<Claimed> claim(String queue, int max, double visibilitySeconds) throws SQLException {
        List<Claimed> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     UPDATE queue_messages m
                        SET visible_at = now() + make_interval(secs => ?), attempts = m.attempts + 1
                       FROM (SELECT id FROM queue_messages
                              WHERE queue = ? AND visible_at <= now()
                              ORDER BY priority DESC, id
                              LIMIT ? FOR UPDATE SKIP LOCKED) c
                      WHERE m.id = c.id
                     RETURNING m.id, m.routing_key, m.priority, m.payload, m.attempts""")) {
            ps.setDouble(1, visibilitySeconds);
            ps.setString(2, queue);
            ps.setInt(3, max);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Claimed(rs.getLong(1), rs.getString(2), rs.getInt(3), rs.getBytes(4), rs.getInt(5)));
                }
            }
        }
        out.sort(Comparator.comparingInt(Claimed::priority).reversed().thenComparingLong(Claimed::id));
        return out;
    }

    /** Acknowledged: the messages are gone (also when their claim had expired and another consumer holds them). */
    public void delete(Collection<Long> ids) throws SQLException {
        update("DELETE FROM queue_messages WHERE id = ANY(?)", ids);
    }

    /** Given back: visible again at once. */
    public void release(Collection<Long> ids) throws SQLException {
        update("UPDATE queue_messages SET visible_at = now() WHERE id = ANY(?)", ids);
    }

    private void update(String sql, Collection<Long> ids) throws SQLException {
        if (ids.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            Array a = c.createArrayOf("bigint", ids.toArray());
            ps.setArray(1, a);
            ps.executeUpdate();
        }
    }

    /** Moves the message to the dead letters with the reason, in one statement. */
    public void deadLetter(long id, String reason) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     WITH gone AS (DELETE FROM queue_messages WHERE id = ? RETURNING *)
                     INSERT INTO queue_dead_letters (id, queue, routing_key, message_id, payload, enqueued_at, attempts, reason)
                     SELECT id, queue, routing_key, message_id, payload, enqueued_at, attempts, ? FROM gone
                     ON CONFLICT (id) DO NOTHING""")) {
            ps.setLong(1, id);
            ps.setString(2, Reasons.of(reason));
            ps.executeUpdate();
        }
    }

    /** Visible messages waiting in the queue (taken ones not counted, as RabbitMQ counts ready messages). */
    public long depth(String queue) throws SQLException {
        return count("SELECT count(*) FROM queue_messages WHERE queue = ? AND visible_at <= now()", queue);
    }

    public long deadLetterCount(String queue) throws SQLException {
        return count("SELECT count(*) FROM queue_dead_letters WHERE queue = ?", queue);
    }

    private long count(String sql, String queue) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, queue);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The queue's dead letters, oldest first, left in place. */
    public List<DeadLetter> deadLetters(String queue, int limit) throws SQLException {
        List<DeadLetter> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     SELECT queue, routing_key, reason, payload FROM queue_dead_letters
                      WHERE queue = ? ORDER BY dead_lettered_at, id LIMIT ?""")) {
            ps.setString(1, queue);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new DeadLetter(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBytes(4)));
                }
            }
        }
        return out;
    }
}
