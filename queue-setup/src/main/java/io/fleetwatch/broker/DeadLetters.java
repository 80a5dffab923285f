package io.fleetwatch.broker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.LongString;
import io.fleetwatch.messages.Routing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What an operator does with dead letters: list and show them, replay them onto the routing key they were first
 * published with (after a fix), or purge them. Each operation walks a dead-letter queue with {@code basic.get} and
 * manual acknowledgements on a channel of its own: a message leaves the dead-letter queue only after its replay was
 * confirmed by the broker (or, for a purge, when it is acknowledged); whatever the operation did not take returns
 * to the queue when the channel closes, in its place. An interrupted replay therefore loses nothing, and running it
 * again resumes it; a message whose replay was confirmed just before the interruption may come twice, which the
 * consumers' inserts absorb (at-least-once, as everywhere in Fleetwatch).
 *
 * <p>Browsing counts as a delivery: on a quorum queue with a delivery limit (RabbitMQ 4 sets one by default) a
 * message listed very many times could be dropped; Fleetwatch declares its dead-letter queues without one.
 */
public final class DeadLetters {
    /** One dead letter: where it sits, why it is there, and where a replay sends it. */
    public record Letter(int position, String deadLetterQueue, String sourceQueue, String reason, String exchange,
                         String routingKey, Instant deadLetteredAt, int replayed, byte[] body) {
        public Letter {
            if (position < 1) {
                throw new IllegalArgumentException("position counts from 1");
            }
            body = body.clone();
        }

        @Override
        public byte[] body() {
            return body.clone();
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** Which letters an operation takes: a reason containing {@code reasonContains} (case-insensitive), at most {@code limit}. */
    public record Filter(String reasonContains, int limit) {
        public Filter {
            if (limit < 1) {
                throw new IllegalArgumentException("--limit must be at least 1, not " + limit);
            }
            reasonContains = reasonContains == null || reasonContains.isBlank() ? null : reasonContains.strip();
        }

        public static Filter all() {
            return new Filter(null, Integer.MAX_VALUE);
        }

        boolean matches(Letter l) {
            return reasonContains == null || l.reason() != null
                    && l.reason().toLowerCase(Locale.ROOT).contains(reasonContains.toLowerCase(Locale.ROOT));
        }
    }

    /** What a replay or purge did; {@code failed} names the first letter it could not replay, if any. */
    public record Outcome(String deadLetterQueue, int taken, int left, String failed) {}

    private final Connection connection;
    private final Duration confirmTimeout;

    /**
     * The dead-letter queues an operation covers: {@code queue} (a work queue or its dead-letter queue), or when null
     * those of all four work queues.
     */
    public static List<String> queues(String queue, Routing.QueueNames names) {
        if (queue != null && !queue.isBlank()) {
            String q = queue.strip();
            return List.of(q.endsWith(Routing.DEAD_LETTER_SUFFIX) ? q
                    : Routing.deadLetterQueue(q));
        }
        return names.all().stream().map(Routing::deadLetterQueue).toList();
    }

    public DeadLetters(Connection connection, Duration confirmTimeout) {
        this.connection = connection;
        this.confirmTimeout = confirmTimeout;
    }

    /** The letters of a dead-letter queue that match, in queue order; the queue is left as it was. */
    public List<Letter> list(String deadLetterQueue, Filter filter) throws IOException {
        List<Letter> out = new ArrayList<>();
        try (Walk w = open()) {
            Channel ch = w.channel();
            int position = 0;
            GetResponse r;
            while (out.size() < filter.limit() && (r = ch.basicGet(deadLetterQueue, false)) != null) {
                Letter l = letter(++position, deadLetterQueue, r);
                if (filter.matches(l)) {
                    out.add(l);
                }
            }
        } // closing the channel returns every message to the queue
        return out;
    }

    /**
     * Publishes each matching letter again on the exchange and routing key it first had (mandatory, with publisher
     * confirms) and only then removes it from the dead-letter queue. Stops at the first letter the broker does not
     * route or confirm, leaving it and the rest in place.
     */
    public Outcome replay(String deadLetterQueue, Filter filter) throws IOException, InterruptedException {
        int taken = 0;
        String failed = null;
        try (Walk w = open()) {
            Channel ch = w.channel();
            ch.confirmSelect();
            AtomicBoolean returned = new AtomicBoolean();
            ch.addReturnListener(ret -> returned.set(true));
            int position = 0;
            GetResponse r;
            while (taken < filter.limit() && (r = ch.basicGet(deadLetterQueue, false)) != null) {
                Letter l = letter(++position, deadLetterQueue, r);
                if (!filter.matches(l)) {
                    continue;
                }
                if (l.routingKey() == null) {
                    failed = "letter " + position + ": no routing key or source queue is known, left in place";
                    break;
                }
                returned.set(false);
                ch.basicPublish(l.exchange(), l.routingKey(), true, replayProperties(r.getProps(), l.replayed()), r.getBody());
                try {
                    ch.waitForConfirmsOrDie(confirmTimeout.toMillis());
                } catch (TimeoutException | IOException e) {
                    failed = "letter " + position + ": the broker did not confirm its replay (" + e.getMessage() + ")";
                    break;
                }
                if (returned.get()) {
                    failed = "letter " + position + ": nothing is bound to " + describe(l) + ", left in place";
                    break;
                }
                ch.basicAck(r.getEnvelope().getDeliveryTag(), false);
                taken++;
            }
        } catch (com.rabbitmq.client.ShutdownSignalException e) {
            throw new IOException("the broker closed the channel during the replay: " + e.getMessage(), e);
        }
        return new Outcome(deadLetterQueue, taken, depth(deadLetterQueue), failed);
    }

    /** Removes the matching letters for good. */
    public Outcome purge(String deadLetterQueue, Filter filter) throws IOException {
        int taken = 0;
        try (Walk w = open()) {
            Channel ch = w.channel();
            int position = 0;
            GetResponse r;
            while (taken < filter.limit() && (r = ch.basicGet(deadLetterQueue, false)) != null) {
                if (filter.matches(letter(++position, deadLetterQueue, r))) {
                    ch.basicAck(r.getEnvelope().getDeliveryTag(), false);
                    taken++;
                }
            }
        }
        return new Outcome(deadLetterQueue, taken, depth(deadLetterQueue), null);
    }

    /** Messages in a queue now. */
    public int depth(String queue) throws IOException {
        try (Walk w = open()) {
            Channel ch = w.channel();
            return (int) ch.messageCount(queue);
        }
    }

    /** A channel of its own per operation; closing it returns every letter the operation did not acknowledge. */
    private record Walk(Channel channel) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            try {
                channel.close();
            } catch (com.rabbitmq.client.AlreadyClosedException e) {
                // the connection went away: the broker has already returned the unacknowledged letters
            } catch (TimeoutException e) {
                throw new IOException("closing the channel timed out", e);
            }
        }
    }

    private Walk open() throws IOException {
        Channel ch = connection.createChannel();
        if (ch == null) {
            throw new IOException("the broker has no channel left on this connection");
        }
        return new Walk(ch);
    }

    private static String describe(Letter l) {
        return l.exchange().isEmpty() ? "queue " + l.routingKey() : "exchange " + l.exchange() + " with key " + l.routingKey();
    }

    /**
     * Where a replay goes: the routing key the consumer recorded when it refused the message, else the one the broker
     * recorded when it dead-lettered it (x-death: expired, rejected, over its delivery limit), else straight back to the
     * source queue through the default exchange.
     */
    static Letter letter(int position, String deadLetterQueue, GetResponse r) {
        Map<String, Object> h = r.getProps().getHeaders() == null ? Map.of() : r.getProps().getHeaders();
        String reason = text(h.get(Routing.ERROR_HEADER));
        String source = text(h.get(Routing.SOURCE_QUEUE_HEADER));
        String exchange = Routing.EXCHANGE;
        String key = text(h.get(Routing.ROUTING_KEY_HEADER));
        Instant at = h.get(Routing.DEAD_LETTERED_AT_HEADER) instanceof Date d ? d.toInstant() : null;
        if (h.get("x-death") instanceof List<?> deaths && !deaths.isEmpty() && deaths.get(0) instanceof Map<?, ?> death) {
            if (reason == null) {
                reason = "broker: " + text(death.get("reason"));
            }
            if (source == null) {
                source = text(death.get("queue"));
            }
            if (key == null && death.get("routing-keys") instanceof List<?> keys && !keys.isEmpty()) {
                key = text(keys.get(0));
                exchange = text(death.get("exchange"));
            }
            if (at == null && death.get("time") instanceof Date d) {
                at = d.toInstant();
            }
        }
        if (key == null && source != null) {
            exchange = "";
            key = source;
        }
        int replayed = h.get(Routing.REPLAYED_HEADER) instanceof Number n ? n.intValue() : 0;
        return new Letter(position, deadLetterQueue, source, reason, exchange == null ? Routing.EXCHANGE : exchange, key,
                at, replayed, r.getBody());
    }

    /** The original properties without the dead-letter bookkeeping, counting the replay. */
    private static AMQP.BasicProperties replayProperties(AMQP.BasicProperties p, int replayed) {
        Map<String, Object> headers = new HashMap<>(p.getHeaders() == null ? Map.of() : p.getHeaders());
        headers.remove(Routing.ERROR_HEADER);
        headers.remove(Routing.SOURCE_QUEUE_HEADER);
        headers.remove(Routing.ROUTING_KEY_HEADER);
        headers.remove(Routing.DEAD_LETTERED_AT_HEADER);
        headers.remove("x-death");
        headers.remove("x-first-death-exchange");
        headers.remove("x-first-death-queue");
        headers.remove("x-first-death-reason");
        headers.remove("x-last-death-exchange");
        headers.remove("x-last-death-queue");
        headers.remove("x-last-death-reason");
        headers.put(Routing.REPLAYED_HEADER, replayed + 1);
        return p.builder().headers(headers).deliveryMode(2).build();
    }

    private static String text(Object o) {
        if (o == null) {
            return null;
        }
        return o instanceof LongString ls ? ls.toString() : o.toString();
    }
}
