package io.fleetwatch.transport;

import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker's consumer of a queue table: claims what is visible at once; when nothing is, waits for a NOTIFY of
 * its queue (or the idle poll) and looks again. Remembers what it holds, so {@link #close} gives it back at once.
 */
final class PostgresConsumer extends PollingConsumer {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresConsumer.class);

    private final PostgresTransport transport;
    private final PostgresQueue table;
    private final String queue;
    private final PostgresTransport.Timing timing;
    private final Set<Long> held = new LinkedHashSet<>();

    PostgresConsumer(PostgresTransport transport, PostgresQueue table, String queue, PostgresTransport.Timing timing) {
        this.transport = transport;
        this.table = table;
        this.queue = queue;
        this.timing = timing;
    }

    @Override
    public void start() {
        // nothing to subscribe to: the transport's listener wakes this consumer
    }

    @Override
    public List<Delivery> take(int max, Duration maxWait) throws IOException, InterruptedException {
        if (stopped || paused || !transport.isOpen()) {
            Thread.sleep(maxWait.toMillis());
            return List.of();
        }
        List<Delivery> out = claim(max);
        if (out.isEmpty()) {
            Object w = transport.wakeup(queue);
            synchronized (w) {
                w.wait(Math.max(timing.idlePoll().toMillis(), maxWait.toMillis()));
            }
            if (!stopped && !paused && transport.isOpen()) {
                out = claim(max);
            }
        }
        return out;
    }

    private List<Delivery> claim(int max) throws IOException {
        try {
            List<Delivery> out = new ArrayList<>();
            for (PostgresQueue.Claimed c : table.claim(queue, max, timing.visibilityTimeout().toMillis() / 1000.0)) {
                Delivery d = new Delivery(c.payload(), c.routingKey(), c.id());
                if (c.attempts() > PostgresTransport.DELIVERY_LIMIT) {
                    deadLetter(d, "delivered " + PostgresTransport.DELIVERY_LIMIT + " times without an ack");
                    continue;
                }
                held.add(c.id());
                out.add(d);
            }
            return out;
        } catch (SQLException e) {
            throw PostgresTransport.io(e);
        }
    }

    @Override
    public void ack(List<Delivery> batch) throws IOException {
        List<Long> ids = batch.stream().map(d -> (Long) d.handle()).toList();
        try {
            table.delete(ids);
        } catch (SQLException e) {
            throw PostgresTransport.io(e);
        }
        ids.forEach(held::remove);
    }

    @Override
    public void deadLetter(Delivery delivery, String reason) throws IOException {
        long id = (Long) delivery.handle();
        try {
            table.deadLetter(id, reason);
        } catch (SQLException e) {
            throw PostgresTransport.io(e);
        }
        held.remove(id);
    }

    @Override
    public void stopTaking() {
        super.stopTaking();
        Object w = transport.wakeup(queue);
        synchronized (w) {
            w.notifyAll();
        }
    }

    @Override
    public void close() {
        stopped = true;
        try {
            table.release(List.copyOf(held));
            held.clear();
        } catch (SQLException e) {
            LOG.warn("{}: could not give back {} message(s) ({}); they come back after the visibility timeout",
                    queue, held.size(), e.getMessage());
        }
    }
}
