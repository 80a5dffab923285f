package io.fleetwatch.transport;

import io.fleetwatch.messages.Routing;

/** The queue a routing key reaches, as the RabbitMQ bindings of {@code Topology} route it, for the other transports. */
final class Routes {
    private Routes() {}

    /** Null when no queue is bound for the key (unroutable). */
    static String queue(Routing.QueueNames queues, String routingKey) {
        if (Routing.DISCOVERY_ROUTING_KEY.equals(routingKey)) {
            return queues.discovery();
        }
        if (Routing.METRICS_ROUTING_KEY.equals(routingKey)) {
            return queues.metrics();
        }
        if (Routing.INVENTORY_ROUTING_KEY.equals(routingKey)) {
            return queues.inventory();
        }
        String prefix = Routing.ALERTS_BINDING.substring(0, Routing.ALERTS_BINDING.length() - 1); // "alerts."
        if (routingKey.startsWith(prefix) && routingKey.length() > prefix.length()
                && routingKey.indexOf('.', prefix.length()) < 0) {
            return queues.alerts();
        }
        return null;
    }
}
