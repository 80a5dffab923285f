package io.fleetwatch.broker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.MessageProperties;
import io.fleetwatch.messages.MessageCodec;
import io.fleetwatch.messages.Routing;
import io.fleetwatch.transport.Publisher;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Publishes persistent JSON messages to the Fleetwatch exchange and returns only once the broker has confirmed them
 * (publisher confirms). {@code mandatory} is set, so a message no queue is bound for counts as a failure instead of
 * vanishing. The RabbitMQ {@link Publisher}. Not thread-safe: one publisher per thread, as with the channel underneath.
 */
public final class ConfirmingPublisher implements Publisher {

    private final Channel channel;
    private final String exchange;
    private final Duration confirmTimeout;
    private final Clock clock;
    private final String appId;
    private final AtomicInteger returned = new AtomicInteger();

    public ConfirmingPublisher(Connection connection, String appId, Duration confirmTimeout, Clock clock)
            throws IOException {
        this(connection, Routing.EXCHANGE, appId, confirmTimeout, clock);
    }

    public ConfirmingPublisher(Connection connection, String exchange, String appId, Duration confirmTimeout,
                               Clock clock) throws IOException {
        this.channel = connection.createChannel();
        this.exchange = exchange;
        this.appId = appId;
        this.confirmTimeout = confirmTimeout;
        this.clock = clock;
        channel.confirmSelect();
        channel.addReturnListener(r -> returned.incrementAndGet());
    }

    /** Publishes the batch and waits for all confirms at once (one round trip for the batch, not one per message). */
    @Override
    public void publishAll(List<Outgoing> batch) throws NotConfirmedException {
        if (batch.isEmpty()) {
            return;
        }
        returned.set(0);
        try {
            long first = channel.getNextPublishSeqNo();
            for (Outgoing o : batch) {
                byte[] body = o.message() instanceof byte[] raw ? raw : MessageCodec.encode(o.message());
                channel.basicPublish(exchange, o.routingKey(), true, properties(o), body);
            }
            channel.waitForConfirmsOrDie(confirmTimeout.toMillis());
            if (channel.getNextPublishSeqNo() != first + batch.size()) {
                // The connection recovered (to another node) during the batch: the new channel has no pending confirms
                // for what went out on the old one, so its wait proves nothing. The caller sends the batch again.
                throw new IOException("connection recovered while publishing; confirms of the batch are unknown");
            }
        } catch (IOException | TimeoutException | InterruptedException | RuntimeException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new NotConfirmedException("broker did not confirm " + batch.size() + " message(s): " + e, e);
        }
        // basic.return arrives before the ack of the same message, so the count is final here.
        int lost = returned.get();
        if (lost > 0) {
            throw new NotConfirmedException(lost + " of " + batch.size() + " message(s) were unroutable on exchange '"
                    + exchange + "': run queue-setup", null);
        }
    }

    private AMQP.BasicProperties properties(Outgoing o) {
        return MessageProperties.PERSISTENT_BASIC.builder()
                .contentType("application/json")
                .contentEncoding("utf-8")
                .appId(appId)
                .messageId(o.messageId())
                .priority(o.priority())
                .timestamp(Date.from(clock.instant()))
                .headers(Map.of("schema_version", io.fleetwatch.messages.SchemaVersion.CURRENT))
                .build();
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public void close() {
        try {
            if (channel.isOpen()) {
                channel.close();
            }
        } catch (IOException | TimeoutException | RuntimeException ignored) {
            // closing a dead channel: the connection's recovery or shutdown handles the rest
        }
    }
}
