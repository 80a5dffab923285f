package io.fleetwatch.broker;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.fleetwatch.transport.DeadLetter;
import io.fleetwatch.transport.Publisher;
import io.fleetwatch.transport.QueueConsumer;
import io.fleetwatch.transport.Transport;
import io.fleetwatch.transport.TransportKind;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * RabbitMQ behind the {@link Transport} seam: one connection (recovering on its own), the {@link Topology},
 * {@link ConfirmingPublisher}, {@link RabbitConsumer}, and a queue's depth from a passive declare.
 */
public final class RabbitTransport implements Transport {
    private final Connection connection;
    private final Topology topology;
    private final String description;

    public RabbitTransport(Connection connection, Topology topology, String description) {
        this.connection = connection;
        this.topology = topology;
        this.description = description;
    }

    /** Connects with the broker settings; {@code connectionName} is shown in the management UI. */
    public static RabbitTransport connect(BrokerSettings broker, Topology topology, String connectionName)
            throws IOException, TimeoutException {
        return new RabbitTransport(broker.newConnection(connectionName), topology, "rabbitmq " + broker.describe());
    }

    @Override
    public TransportKind kind() {
        return TransportKind.RABBITMQ;
    }

    @Override
    public void declare() throws IOException {
        try {
            topology.declare(connection);
        } catch (TopologyConflictException e) { // `fleetwatch queue-setup` reports it with its way out (exit 3)
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public Publisher publisher(String appId, Duration confirmTimeout, Clock clock) throws IOException {
        return new ConfirmingPublisher(connection, appId, confirmTimeout, clock);
    }

    @Override
    public QueueConsumer consumer(String queue, String name, int prefetch) {
        return new RabbitConsumer(connection, queue, name, prefetch);
    }

    @Override
    public long depth(String queue) throws IOException {
        Channel ch = connection.createChannel();
        try {
            return ch.queueDeclarePassive(queue).getMessageCount();
        } finally {
            try {
                if (ch.isOpen()) {
                    ch.close();
                }
            } catch (TimeoutException | RuntimeException ignored) {
                // a failed passive declare closes the channel itself
            }
        }
    }

    @Override
    public java.util.List<DeadLetter> deadLetters(String queue, int limit) throws IOException {
        return new DeadLetters(connection, Duration.ofSeconds(10))
                .list(io.fleetwatch.messages.Routing.deadLetterQueue(queue), new DeadLetters.Filter(null, limit))
                .stream()
                .map(l -> new DeadLetter(l.sourceQueue(), l.routingKey(), l.reason(), l.body()))
                .toList();
    }

    /** The connection underneath, for the RabbitMQ-only tools (dead-letter replay, backups). */
    public Connection connection() {
        return connection;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        try {
            connection.close(5_000);
        } catch (IOException | RuntimeException ignored) {
            // already closed
        }
    }
}
