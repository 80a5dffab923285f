package io.fleetwatch.broker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import io.fleetwatch.messages.Reasons;
import io.fleetwatch.messages.Routing;
import io.fleetwatch.transport.QueueConsumer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A RabbitMQ subscription with manual acks: deliveries wait in a buffer until {@link #take}n; {@link #ack} acks the
 * batch's last delivery tag with {@code multiple=true}; a dead letter is republished, with publisher confirms, to the
 * dead-letter exchange with the reason in the {@value Routing#ERROR_HEADER} header and its source queue, routing key
 * and time. Closing the channel returns what was not acked to the queue. A channel that recovered ignores acks of
 * tags from before the recovery: their messages are redelivered.
 */
public final class RabbitConsumer implements QueueConsumer {
    private static final Logger LOG = LoggerFactory.getLogger(RabbitConsumer.class);

    private final Connection connection;
    private final String queue;
    private final String name;
    private final int prefetch;
    private final BlockingQueue<com.rabbitmq.client.Delivery> inbox = new LinkedBlockingQueue<>();
    private Channel channel;
    private Channel dlxChannel;
    private String consumerTag;
    private volatile boolean stopped;

    public RabbitConsumer(Connection connection, String queue, String name, int prefetch) {
        this.connection = connection;
        this.queue = queue;
        this.name = name;
        this.prefetch = prefetch;
    }

    @Override
    public synchronized void start() throws IOException {
        channel = connection.createChannel();
        channel.basicQos(prefetch);
        dlxChannel = connection.createChannel();
        dlxChannel.confirmSelect();
        consume();
    }

    private void consume() throws IOException {
        consumerTag = channel.basicConsume(queue, false, "fleetwatch-" + name + "-" + ProcessHandle.current().pid(),
                (tag, delivery) -> inbox.add(delivery), tag -> LOG.warn("{}: consumer cancelled by broker", name));
    }

    @Override
    public List<QueueConsumer.Delivery> take(int max, Duration maxWait) throws InterruptedException {
        List<QueueConsumer.Delivery> batch = new ArrayList<>(Math.min(max, 1024));
        long deadline = System.nanoTime() + maxWait.toNanos();
        while (batch.size() < max) {
            long left = deadline - System.nanoTime();
            com.rabbitmq.client.Delivery d = left > 0 ? inbox.poll(left, TimeUnit.NANOSECONDS) : inbox.poll();
            if (d == null) {
                break;
            }
            batch.add(new QueueConsumer.Delivery(d.getBody(), d.getEnvelope().getRoutingKey(), d));
        }
        return batch;
    }

    @Override
    public void ack(List<QueueConsumer.Delivery> batch) throws IOException {
        if (batch.isEmpty()) {
            return;
        }
        com.rabbitmq.client.Delivery last = (com.rabbitmq.client.Delivery) batch.get(batch.size() - 1).handle();
        try {
            channel.basicAck(last.getEnvelope().getDeliveryTag(), true);
        } catch (ShutdownSignalException e) { // an ack on a closed channel: the batch is redelivered
            throw new IOException("channel closed before the ack: " + e.getMessage(), e);
        }
    }

    @Override
    public void deadLetter(QueueConsumer.Delivery delivery, String reason) throws IOException {
        com.rabbitmq.client.Delivery d = (com.rabbitmq.client.Delivery) delivery.handle();
        Map<String, Object> headers = new HashMap<>();
        if (d.getProperties().getHeaders() != null) {
            headers.putAll(d.getProperties().getHeaders());
        }
        headers.put(Routing.ERROR_HEADER, Reasons.of(reason));
        headers.put(Routing.SOURCE_QUEUE_HEADER, queue);
        headers.put(Routing.ROUTING_KEY_HEADER, d.getEnvelope().getRoutingKey()); // for `fleetwatch dlq replay`
        headers.put(Routing.DEAD_LETTERED_AT_HEADER, new java.util.Date());
        AMQP.BasicProperties props = d.getProperties().builder().headers(headers).deliveryMode(2).build();
        try {
            dlxChannel.basicPublish(Routing.DEAD_LETTER_EXCHANGE, queue, props, d.getBody());
            dlxChannel.waitForConfirmsOrDie(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while dead-lettering", e);
        } catch (TimeoutException e) {
            throw new IOException("dead-letter publish not confirmed", e);
        } catch (ShutdownSignalException e) {
            throw new IOException("channel closed while dead-lettering: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void pause() throws IOException {
        if (!stopped && consumerTag != null && channel.isOpen()) {
            channel.basicCancel(consumerTag);
            consumerTag = null;
        }
    }

    @Override
    public synchronized void resume() throws IOException {
        if (!stopped && consumerTag == null && channel.isOpen()) {
            consume();
        }
    }

    @Override
    public synchronized void stopTaking() throws IOException {
        stopped = true;
        if (channel != null && channel.isOpen() && consumerTag != null) {
            channel.basicCancel(consumerTag); // no new deliveries; those prefetched but not taken get requeued
            consumerTag = null;
        }
    }

    @Override
    public synchronized void close() {
        stopped = true;
        closeQuietly(channel); // returns every unacked delivery to the queue
        closeQuietly(dlxChannel);
    }

    private static void closeQuietly(Channel ch) {
        try {
            if (ch != null && ch.isOpen()) {
                ch.close();
            }
        } catch (IOException | TimeoutException | RuntimeException ignored) {
            // the broker or connection already closed it
        }
    }
}
