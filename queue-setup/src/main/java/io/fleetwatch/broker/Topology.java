package io.fleetwatch.broker;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import io.fleetwatch.messages.Routing;
import io.fleetwatch.settings.Keys;
import io.fleetwatch.settings.Settings;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * The whole RabbitMQ topology of Fleetwatch, declared in this one place, idempotently.
 *
 * <pre>
 *  exchange "fleetwatch" (topic, durable)
 *    discovery.new      -> discovery_queue   (max-length, reject-publish)
 *    metrics.collected  -> metrics_queue     (message TTL, max-length, reject-publish)
 *    alerts.*           -> alert_queue       (priorities 0-9, max-length, reject-publish)
 *    inventory.collected -> inventory_queue  (max-length, reject-publish)
 *  exchange "fleetwatch.dlx" (direct, durable)
 *    discovery_queue    -> discovery_queue.dlq    (and likewise for the other three)
 * </pre>
 *
 * <p>Overflow is {@code reject-publish}: a full queue nacks the publisher, whose confirm fails, so the agent spools
 * and the scanner/collector report the failure; nothing is dropped silently. Expired metrics and consumer-refused
 * messages are dead-lettered to the queue's {@code .dlq}, which has no limit (its depth is shown as {@code dead_letters} by {@code GET /api/queues}; the backlog alert watches the work queues only).
 *
 * <p>{@link QueueType#QUORUM} (a cluster) declares every queue replicated, without the alert priorities quorum
 * queues refuse on RabbitMQ 3.10, with at-least-once dead-lettering and a delivery limit (queue-setup/README.md).
 */
public final class Topology {

    /** Limits of the main queues; defaults suit a few thousand hosts at 10 s intervals. */
    public record Limits(long metricsTtlMillis, int metricsMaxLength, int discoveryMaxLength, int alertMaxLength) {
        public Limits {
            if (metricsTtlMillis < 1_000) {
                throw new IllegalArgumentException("metrics TTL must be at least 1000 ms, not " + metricsTtlMillis);
            }
            if (metricsMaxLength < 1 || discoveryMaxLength < 1 || alertMaxLength < 1) {
                throw new IllegalArgumentException("queue max lengths must be positive");
            }
        }

        public static Limits defaults() {
            return new Limits(24L * 3600 * 1000, 1_000_000, 100_000, 100_000);
        }
    }

    public enum Kind { EXCHANGE, QUEUE }

    /**
     * {@code classic}: one node, alert priorities. {@code quorum}: replicated on a cluster's nodes (Raft), survives
     * the loss of a minority of them; no priorities on RabbitMQ 3.10.
     */
    public enum QueueType {
        CLASSIC, QUORUM;

        public static final String ENV = Keys.BROKER_QUEUE_TYPE.env();

        public static QueueType from(Settings s) {
            String v = s.get(Keys.BROKER_QUEUE_TYPE).strip();
            return switch (v) {
                case "classic" -> CLASSIC;
                case "quorum" -> QUORUM;
                default -> throw new IllegalArgumentException(ENV + ": '" + v + "' is not a queue type (classic, quorum)");
            };
        }

        public String argument() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One queue, the exchange and key that feed it, and its arguments. */
    public record QueueSpec(String name, String exchange, String bindingKey, Map<String, Object> arguments) {
        public QueueSpec {
            arguments = Map.copyOf(arguments);
        }
    }

    /**
     * What {@link #declare} found: names it created and names that were already there, unchanged; {@code adapted}:
     * queues declared without arguments the broker refused (not RabbitMQ; see {@link NewQueueArguments}).
     */
    public record Report(List<String> created, List<String> unchanged, List<String> adapted) {
        public Report(List<String> created, List<String> unchanged) {
            this(created, unchanged, List.of());
        }

        public String summary() {
            return created.size() + " created, " + unchanged.size() + " unchanged"
                    + (created.isEmpty() ? "" : " (created: " + String.join(", ", created) + ")")
                    + (adapted.isEmpty() ? "" : "; declared WITHOUT RabbitMQ-only arguments the broker refused: "
                       + String.join("; ", adapted));
        }
    }

    public static final int ALERT_MAX_PRIORITY = 10;
    public static final String OVERFLOW = "reject-publish";
    /**
     * Quorum queues count deliveries: a message handed out this often without an ack (it crashed consumers, or
     * failovers returned it) goes to the dead-letter queue instead of looping. Generous, since each node loss
     * returns a consumer's unacked messages once.
     */
    public static final int DELIVERY_LIMIT = 20;

    private final Routing.QueueNames names;
    private final Limits limits;
    private final QueueType type;

    public Topology(Routing.QueueNames names, Limits limits) {
        this(names, limits, QueueType.CLASSIC);
    }

    public Topology(Routing.QueueNames names, Limits limits, QueueType type) {
        this.names = names;
        this.limits = limits;
        this.type = java.util.Objects.requireNonNull(type, "type");
    }

    public static Topology standard() {
        return new Topology(Routing.QueueNames.defaults(), Limits.defaults());
    }

    /** Queue names ({@code *_QUEUE}) and type ({@value QueueType#ENV}) from the environment, default limits. */
    public static Topology from(Settings s) {
        return new Topology(queueNames(s), Limits.defaults(), QueueType.from(s));
    }

    public static Topology fromEnv(Map<String, String> env) {
        return from(Settings.fromEnv(env));
    }

    /** The four queue names ({@code broker.queues.*}); the defaults are the contract's (docs/contract.md). */
    public static Routing.QueueNames queueNames(Settings s) {
        return new Routing.QueueNames(s.get(Keys.BROKER_DISCOVERY_QUEUE), s.get(Keys.BROKER_METRICS_QUEUE),
                s.get(Keys.BROKER_ALERT_QUEUE), s.get(Keys.BROKER_INVENTORY_QUEUE));
    }

    public Routing.QueueNames names() {
        return names;
    }

    public QueueType type() {
        return type;
    }

    /**
     * The four work queues, in declaration order. The inventory queue holds one message per host and change, so it
     * takes the discovery queue's length bound.
     */
    public List<QueueSpec> workQueues() {
        return List.of(
                new QueueSpec(names.discovery(), Routing.EXCHANGE, Routing.DISCOVERY_ROUTING_KEY,
                        mainArgs(names.discovery(), limits.discoveryMaxLength(), Map.of())),
                new QueueSpec(names.metrics(), Routing.EXCHANGE, Routing.METRICS_ROUTING_KEY,
                        mainArgs(names.metrics(), limits.metricsMaxLength(),
                                Map.of("x-message-ttl", limits.metricsTtlMillis()))),
                new QueueSpec(names.alerts(), Routing.EXCHANGE, Routing.ALERTS_BINDING,
                        mainArgs(names.alerts(), limits.alertMaxLength(), type == QueueType.QUORUM ? Map.of()
                                : Map.of("x-max-priority", ALERT_MAX_PRIORITY))),
                new QueueSpec(names.inventory(), Routing.EXCHANGE, Routing.INVENTORY_ROUTING_KEY,
                        mainArgs(names.inventory(), limits.discoveryMaxLength(), Map.of())));
    }

    /** One dead-letter queue per work queue, bound on the DLX by the work queue's name. */
    public List<QueueSpec> deadLetterQueues() {
        List<QueueSpec> out = new ArrayList<>();
        for (QueueSpec q : workQueues()) {
            out.add(new QueueSpec(Routing.deadLetterQueue(q.name()), Routing.DEAD_LETTER_EXCHANGE, q.name(), typeArgs()));
        }
        return out;
    }

    /** The two exchanges and their types. */
    public Map<String, BuiltinExchangeType> exchanges() {
        Map<String, BuiltinExchangeType> exchanges = new LinkedHashMap<>();
        exchanges.put(Routing.EXCHANGE, BuiltinExchangeType.TOPIC);
        exchanges.put(Routing.DEAD_LETTER_EXCHANGE, BuiltinExchangeType.DIRECT);
        return exchanges;
    }

    /**
     * The same topology as a RabbitMQ definitions document for one virtual host (management UI "Import definitions",
     * or {@code POST /api/definitions/{vhost}}), so an operator can load it without running queue-setup.
     */
    public Map<String, Object> definitions() {
        List<Map<String, Object>> ex = new ArrayList<>();
        exchanges().forEach((name, type) -> ex.add(Map.of("name", name, "type", type.getType(), "durable", true,
                "auto_delete", false, "internal", false, "arguments", Map.of())));
        List<Map<String, Object>> queues = new ArrayList<>();
        List<Map<String, Object>> bindings = new ArrayList<>();
        for (QueueSpec q : allQueues()) {
            queues.add(Map.of("name", q.name(), "durable", true, "auto_delete", false, "arguments", q.arguments()));
            bindings.add(Map.of("source", q.exchange(), "destination", q.name(), "destination_type", "queue",
                    "routing_key", q.bindingKey(), "arguments", Map.of()));
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("exchanges", ex);
        d.put("queues", queues);
        d.put("bindings", bindings);
        return d;
    }

    public List<QueueSpec> allQueues() {
        List<QueueSpec> all = new ArrayList<>(workQueues());
        all.addAll(deadLetterQueues());
        return all;
    }

    private Map<String, Object> mainArgs(String queue, int maxLength, Map<String, Object> extra) {
        Map<String, Object> args = new LinkedHashMap<>(typeArgs());
        args.put("x-dead-letter-exchange", Routing.DEAD_LETTER_EXCHANGE);
        args.put("x-dead-letter-routing-key", queue);
        args.put("x-max-length", maxLength);
        args.put("x-overflow", OVERFLOW);
        if (type == QueueType.QUORUM) {
            // at-least-once: a dead-lettered message leaves only once the DLQ has confirmed it (needs reject-publish)
            args.put("x-dead-letter-strategy", "at-least-once");
            args.put("x-delivery-limit", DELIVERY_LIMIT);
        }
        args.putAll(extra);
        return args;
    }

    /** Classic stays undeclared (as before this setting), so existing classic queues still match. */
    private Map<String, Object> typeArgs() {
        return type == QueueType.CLASSIC ? Map.of() : Map.of("x-queue-type", type.argument());
    }

    /**
     * Declares exchanges, queues and bindings. Running it again changes nothing. A queue or exchange that exists with
     * other arguments is not touched: a {@link TopologyConflictException} names it and the difference.
     */
    public Report declare(Connection connection) throws IOException, TopologyConflictException {
        return declare(connection, (q, adapted) -> q.arguments());
    }

    /**
     * Chooses the arguments a new queue is declared with. RabbitMQ takes the specification's as they are; another
     * AMQP 0-9-1 broker (the demo's embedded one, in the demo module) may need some left out, each noted in
     * {@code adapted} for the {@link Report}.
     */
    @FunctionalInterface
    public interface NewQueueArguments {
        Map<String, Object> choose(QueueSpec queue, List<String> adapted) throws IOException;
    }

    /** As {@link #declare(Connection)}, with the arguments of each new queue that has some chosen by {@code policy}. */
    public Report declare(Connection connection, NewQueueArguments policy) throws IOException, TopologyConflictException {
        List<String> adapted = new ArrayList<>();
        List<String> created = new ArrayList<>();
        List<String> unchanged = new ArrayList<>();
        for (Map.Entry<String, BuiltinExchangeType> e : exchanges().entrySet()) {
            boolean existed = exists(connection, Kind.EXCHANGE, e.getKey());
            withChannel(connection, ch -> ch.exchangeDeclare(e.getKey(), e.getValue(), true, false, null));
            (existed ? unchanged : created).add("exchange " + e.getKey());
        }
        // DLQs first: a work queue must never dead-letter into a void.
        List<QueueSpec> order = new ArrayList<>(deadLetterQueues());
        order.addAll(workQueues());
        for (QueueSpec q : order) {
            boolean existed = exists(connection, Kind.QUEUE, q.name());
            Map<String, Object> use = existed || q.arguments().isEmpty() ? q.arguments() : policy.choose(q, adapted);
            withChannel(connection, ch -> ch.queueDeclare(q.name(), true, false, false, use));
            withChannel(connection, ch -> ch.queueBind(q.name(), q.exchange(), q.bindingKey()));
            (existed ? unchanged : created).add("queue " + q.name());
        }
        return new Report(List.copyOf(created), List.copyOf(unchanged), List.copyOf(adapted));
    }

    /** Passive check on a throw-away channel: a missing entity closes the channel it was asked on. */
    static boolean exists(Connection connection, Kind kind, String name) throws IOException {
        Channel ch = connection.createChannel();
        try {
            if (kind == Kind.EXCHANGE) {
                ch.exchangeDeclarePassive(name);
            } else {
                ch.queueDeclarePassive(name);
            }
            return true;
        } catch (IOException e) {
            if (e.getCause() instanceof ShutdownSignalException sse && TopologyConflictException.replyCode(sse) == 404) {
                return false;
            }
            throw e;
        } finally {
            closeQuietly(ch);
        }
    }

    @FunctionalInterface
    private interface ChannelWork {
        void run(Channel ch) throws IOException;
    }

    private static void withChannel(Connection connection, ChannelWork work) throws IOException, TopologyConflictException {
        Channel ch = connection.createChannel();
        try {
            work.run(ch);
        } catch (IOException e) {
            if (e.getCause() instanceof ShutdownSignalException sse && TopologyConflictException.replyCode(sse) == 406) {
                throw TopologyConflictException.from(sse);
            }
            throw e;
        } finally {
            closeQuietly(ch);
        }
    }

    private static void closeQuietly(Channel ch) {
        try {
            if (ch.isOpen()) {
                ch.close();
            }
        } catch (IOException | TimeoutException | ShutdownSignalException ignored) {
            // already closed by the broker after an error: nothing to release
        }
    }
}
