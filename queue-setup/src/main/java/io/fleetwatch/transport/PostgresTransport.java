package io.fleetwatch.transport;

import io.fleetwatch.messages.MessageCodec;
import io.fleetwatch.messages.Routing;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work queues as a table in Fleetwatch's own database ({@link PostgresQueue}): no broker to run. Publishing is
 * an INSERT committed with a NOTIFY (the commit is the confirmation); consumers claim batches with
 * {@code FOR UPDATE SKIP LOCKED}, delete them when acknowledged, and sleep until a NOTIFY on
 * {@value PostgresQueue#CHANNEL} (one listening connection per transport) or the idle poll. A batch whose consumer
 * died comes back after the visibility timeout. Routing keys map to queues as the RabbitMQ bindings do.
 */
public final class PostgresTransport implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresTransport.class);

    /** A message claimed this many times without an ack is dead-lettered (as RabbitMQ's quorum queues do). */
    public static final int DELIVERY_LIMIT = 20;

    /** How long a claimed batch stays invisible; how long an idle consumer waits without a NOTIFY before it looks. */
    public record Timing(Duration visibilityTimeout, Duration idlePoll) {
        public Timing {
            if (visibilityTimeout.toMillis() < 100 || idlePoll.toMillis() < 10) {
                throw new IllegalArgumentException("visibility timeout >= 100 ms and idle poll >= 10 ms, got "
                        + visibilityTimeout + "/" + idlePoll);
            }
        }

        public static Timing defaults() {
            return new Timing(Duration.ofMinutes(5), Duration.ofSeconds(5));
        }
    }

    private final DataSource dataSource;
    private final PostgresQueue table;
    private final Routing.QueueNames queues;
    private final Timing timing;
    /** One monitor per queue: the listener wakes the consumers waiting on it. */
    private final Map<String, Object> wakeups = new ConcurrentHashMap<>();
    /** Started by the first consumer: a transport that only publishes listens to nothing. */
    private Thread listener;
    private volatile boolean open = true;

    public PostgresTransport(DataSource dataSource, Routing.QueueNames queues, Timing timing) {
        this.dataSource = dataSource;
        this.table = new PostgresQueue(dataSource);
        this.queues = queues;
        this.timing = timing;
    }

    @Override
    public TransportKind kind() {
        return TransportKind.POSTGRES;
    }

    @Override
    public void declare() throws IOException {
        try {
            if (!table.exists()) {
                throw new IOException("the queue tables are missing: run `fleetwatch migrate` (migration V20)");
            }
        } catch (SQLException e) {
            throw io(e);
        }
    }

    @Override
    public Publisher publisher(String appId, Duration confirmTimeout, Clock clock) {
        return new Publisher() {
            @Override
            public void publishAll(List<Outgoing> batch) throws NotConfirmedException {
                if (batch.isEmpty()) {
                    return;
                }
                List<PostgresQueue.Row> rows = new ArrayList<>(batch.size());
                for (Outgoing o : batch) {
                    String q = Routes.queue(queues, o.routingKey());
                    if (q == null) {
                        throw new NotConfirmedException("routing key '" + o.routingKey() + "' reaches no queue", null);
                    }
                    byte[] body = o.message() instanceof byte[] raw ? raw : MessageCodec.encode(o.message());
                    rows.add(new PostgresQueue.Row(q, o.routingKey(), o.messageId(),
                            o.priority() == null ? 0 : o.priority(), body));
                }
                try {
                    table.enqueue(rows);
                } catch (SQLException | RuntimeException e) {
                    throw new NotConfirmedException("database did not take " + batch.size() + " message(s): "
                            + e.getMessage(), e);
                }
            }

            @Override
            public boolean isOpen() {
                return open;
            }

            @Override
            public void close() {
                // nothing held: each batch takes a pooled connection
            }
        };
    }

    @Override
    public synchronized QueueConsumer consumer(String queue, String name, int prefetch) {
        if (listener == null && open) {
            listener = new Thread(this::listen, "fleetwatch-queue-listener");
            listener.setDaemon(true);
            listener.start();
        }
        return new PostgresConsumer(this, table, queue, timing);
    }

    Object wakeup(String queue) {
        return wakeups.computeIfAbsent(queue, q -> new Object());
    }

    @Override
    public long depth(String queue) throws IOException {
        try {
            return queue.endsWith(Routing.DEAD_LETTER_SUFFIX)
                    ? table.deadLetterCount(queue.substring(0, queue.length() - Routing.DEAD_LETTER_SUFFIX.length()))
                    : table.depth(queue);
        } catch (SQLException e) {
            throw io(e);
        }
    }

    @Override
    public List<DeadLetter> deadLetters(String queue, int limit) throws IOException {
        try {
            return table.deadLetters(queue, limit);
        } catch (SQLException e) {
            throw io(e);
        }
    }

    static IOException io(SQLException e) {
        return new IOException("queue table: " + e.getMessage(), e);
    }

    /** LISTENs on one connection and wakes the waiting consumers of the queue a NOTIFY names; reconnects on loss. */
    private void listen() {
        while (open) {
            try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
                st.execute("LISTEN " + PostgresQueue.CHANNEL);
                PGConnection pg = c.unwrap(PGConnection.class);
                while (open) {
                    PGNotification[] ns = pg.getNotifications(500);
                    if (ns == null) {
                        continue;
                    }
                    for (PGNotification n : ns) {
                        Object w = wakeups.get(n.getParameter());
                        if (w != null) {
                            synchronized (w) {
                                w.notifyAll();
                            }
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (open) {
                    LOG.warn("queue listener: {}; consumers poll every {} until it is back", e.getMessage(),
                            timing.idlePoll());
                    try {
                        Thread.sleep(Math.min(timing.idlePoll().toMillis(), 5_000));
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        }
    }

    @Override
    public String describe() {
        return "postgres (queue tables in the database)";
    }

    /** Stops listening; consumers not closed keep their claims until the visibility timeout, as after a crash. */
    @Override
    public void close() {
        open = false;
        Thread l;
        synchronized (this) {
            l = listener;
        }
        if (l != null) {
            l.interrupt();
            try {
                l.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        wakeups.values().forEach(w -> {
            synchronized (w) {
                w.notifyAll();
            }
        });
    }

    boolean isOpen() {
        return open;
    }
}
