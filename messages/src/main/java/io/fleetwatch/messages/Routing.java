package io.fleetwatch.messages;

import java.util.Map;

/**
 * Exchange, queue and routing-key names of the message contract (docs/contract.md), shared by every producer and consumer.
 * Queue names can be overridden with environment variables; see {@link QueueNames}.
 */
public final class Routing {
    private Routing() {}

    /** Topic exchange all four message kinds are published to. */
    public static final String EXCHANGE = "fleetwatch";
    /** Direct exchange that receives dead letters; each dead-letter queue is bound by its source queue's name. */
    public static final String DEAD_LETTER_EXCHANGE = "fleetwatch.dlx";

    public static final String DISCOVERY_QUEUE = "discovery_queue";
    public static final String METRICS_QUEUE = "metrics_queue";
    public static final String ALERT_QUEUE = "alert_queue";
    public static final String INVENTORY_QUEUE = "inventory_queue";

    public static final String DISCOVERY_ROUTING_KEY = "discovery.new";
    public static final String METRICS_ROUTING_KEY = "metrics.collected";
    public static final String INVENTORY_ROUTING_KEY = "inventory.collected";
    /** Binding pattern of the alert queue; messages use {@link #alertRoutingKey(Severity)}. */
    public static final String ALERTS_BINDING = "alerts.*";

    public static final String DEAD_LETTER_SUFFIX = ".dlq";

    /** Header set on a dead-lettered message by a Fleetwatch consumer: why it was refused. */
    public static final String ERROR_HEADER = "x-fleetwatch-error";
    /** Header naming the queue a dead-lettered message was refused from. */
    public static final String SOURCE_QUEUE_HEADER = "x-fleetwatch-source-queue";
    /** Header keeping the routing key a dead-lettered message was published with, so a replay can use it again. */
    public static final String ROUTING_KEY_HEADER = "x-fleetwatch-routing-key";
    /** Header with the time a Fleetwatch consumer dead-lettered a message (an AMQP timestamp). */
    public static final String DEAD_LETTERED_AT_HEADER = "x-fleetwatch-dead-lettered-at";
    /** Header counting how often an operator has replayed a message from a dead-letter queue. */
    public static final String REPLAYED_HEADER = "x-fleetwatch-replayed";

    /** Environment variables that rename the queues. */
    public static final String ENV_DISCOVERY_QUEUE = "DISCOVERY_QUEUE";
    public static final String ENV_METRICS_QUEUE = "METRICS_QUEUE";
    public static final String ENV_ALERT_QUEUE = "ALERT_QUEUE";
    public static final String ENV_INVENTORY_QUEUE = "INVENTORY_QUEUE";

    public static String alertRoutingKey(Severity severity) {
        return "alerts." + severity.wireName();
    }

    public static String deadLetterQueue(String queue) {
        return queue + DEAD_LETTER_SUFFIX;
    }

    /** The four queue names, defaults from the contract, overridable by the env vars above. */
    public record QueueNames(String discovery, String metrics, String alerts, String inventory) {
        public QueueNames {
            requireName("discovery queue", discovery);
            requireName("metrics queue", metrics);
            requireName("alert queue", alerts);
            requireName("inventory queue", inventory);
        }

        /** The first three named, the inventory queue by its default name. */
        public QueueNames(String discovery, String metrics, String alerts) {
            this(discovery, metrics, alerts, INVENTORY_QUEUE);
        }

        public static QueueNames defaults() {
            return new QueueNames(DISCOVERY_QUEUE, METRICS_QUEUE, ALERT_QUEUE, INVENTORY_QUEUE);
        }

        public static QueueNames fromEnv(Map<String, String> env) {
            return new QueueNames(
                    env.getOrDefault(ENV_DISCOVERY_QUEUE, DISCOVERY_QUEUE),
                    env.getOrDefault(ENV_METRICS_QUEUE, METRICS_QUEUE),
                    env.getOrDefault(ENV_ALERT_QUEUE, ALERT_QUEUE),
                    env.getOrDefault(ENV_INVENTORY_QUEUE, INVENTORY_QUEUE));
        }

        /** The work queues in declaration order: discovery, metrics, alerts, inventory. */
        public java.util.List<String> all() {
            return java.util.List.of(discovery, metrics, alerts, inventory);
        }

        private static void requireName(String what, String name) {
            // AMQP short strings: at most 255 bytes; "amq." is reserved by the broker.
            if (name == null || name.isBlank() || name.length() > 200 || name.startsWith("amq.")) {
                throw new IllegalArgumentException(what + " name '" + name + "' is not a usable queue name");
            }
        }
    }
}
