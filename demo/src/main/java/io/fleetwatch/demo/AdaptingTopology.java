package io.fleetwatch.demo;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.fleetwatch.broker.Topology;
import io.fleetwatch.broker.TopologyConflictException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The Fleetwatch topology declared on an AMQP 0-9-1 broker that is not RabbitMQ (the demo's {@link EmbeddedBroker}):
 * a new queue whose arguments the broker refuses ({@code x-dead-letter-exchange}, {@code x-max-length},
 * {@code x-overflow}, {@code x-max-priority} are RabbitMQ extensions) is declared without them, and the report says
 * which, so the operator knows there is no dead-lettering or length limit there.
 */
public final class AdaptingTopology {
    private AdaptingTopology() {}

    /** As {@link Topology#declare(Connection)}; {@code probes} opens a throw-away connection per new queue. */
    public static Topology.Report declare(Topology topology, Connection connection, Callable<Connection> probes)
            throws IOException, TopologyConflictException {
        return topology.declare(connection, (q, adapted) -> {
            // Qpid closes the whole connection on an argument it does not know (542): try on a throw-away one.
            try (Connection probe = probes.call()) {
                Channel ch = probe.createChannel();
                ch.queueDeclare(q.name(), true, false, false, q.arguments());
                return q.arguments();
            } catch (Exception refused) {
                adapted.add(q.name() + " " + q.arguments().keySet() + " (" + reason(refused) + ")");
                return Map.of();
            }
        });
    }

    private static String reason(Exception e) {
        Throwable t = e;
        while (t.getCause() != null && !String.valueOf(t.getMessage()).contains("reply-text=")) {
            t = t.getCause();
        }
        String m = String.valueOf(t.getMessage());
        int text = m.indexOf("reply-text=");
        return text >= 0 ? m.substring(text + 11).replaceAll(",\\s*class-id.*", "") : m;
    }
}
