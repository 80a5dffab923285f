package io.fleetwatch.transport;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;

/**
 * The seam between Fleetwatch's producers and consumers and the message transport underneath (RabbitMQ, a table in
 * PostgreSQL, or Redis Streams): declare the queues, publish with confirmation, consume in batches, read a queue's depth. Queue
 * names are the work queues of {@code Routing.QueueNames}; a queue's dead letters are read as
 * {@code Routing.deadLetterQueue(queue)}. Closing the transport without closing its consumers is what a crash
 * does: what they took and did not acknowledge comes back after the transport's timeout.
 */
public interface Transport extends AutoCloseable {

    /** Opens a transport of a component's own (a RabbitMQ connection, the queue table): {@code Transports.open}. */
    @FunctionalInterface
    interface Opener {
        Transport open() throws IOException, java.util.concurrent.TimeoutException;
    }

    TransportKind kind();

    /** Makes sure the queues exist (idempotent). */
    void declare() throws IOException;

    Publisher publisher(String appId, Duration confirmTimeout, Clock clock) throws IOException;

    /** A consumer of {@code queue} for one worker; {@code prefetch}: how many it may hold unacknowledged. */
    QueueConsumer consumer(String queue, String name, int prefetch) throws IOException;

    /** Messages waiting in the queue (a work queue or its dead letters), not counting those taken and unacked. */
    long depth(String queue) throws IOException;

    /** The dead letters of a work queue, oldest first, each with its reason; the queue is left as it was. */
    java.util.List<DeadLetter> deadLetters(String queue, int limit) throws IOException;

    /** Where the transport is, for logs; never a password. */
    String describe();

    @Override
    void close();
}
