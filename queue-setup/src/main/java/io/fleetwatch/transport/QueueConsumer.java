package io.fleetwatch.transport;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * Takes one queue's messages in batches for one worker. A batch is acknowledged as a whole ({@link #ack}) once it is
 * handled; a message that can never be handled is dead-lettered with the reason ({@link #deadLetter}). What is taken
 * and not acknowledged comes back: at once when the consumer is closed, and after the transport's own timeout when
 * the process dies. Used by one thread, except {@link #pause}, {@link #resume} and {@link #stopTaking}.
 * Failures of the transport are {@link IOException}s.
 */
public interface QueueConsumer extends AutoCloseable {

    /** One message taken: its body, the routing key it was published with, and the transport's handle of it. */
    record Delivery(byte[] body, String routingKey, Object handle) {
        public Delivery {
            if (body == null) {
                throw new IllegalArgumentException("a delivery has a body");
            }
        }
    }

    /** Starts taking messages (a subscription, a listener). */
    void start() throws IOException;

    /** Up to {@code max} messages, waiting at most {@code maxWait} for the first ones; empty when none came. */
    List<Delivery> take(int max, Duration maxWait) throws IOException, InterruptedException;

    /** The whole batch is handled: none of it comes back. */
    void ack(List<Delivery> batch) throws IOException;

    /** Moves the message to the queue's dead letters with the reason; it is not delivered again. */
    void deadLetter(Delivery delivery, String reason) throws IOException;

    /** Maintenance mode: takes nothing new until {@link #resume}; messages wait in the queue. */
    void pause() throws IOException;

    void resume() throws IOException;

    /** Stopping: takes nothing new; what was taken may still be acknowledged. */
    void stopTaking() throws IOException;

    /** Releases what was taken and not acknowledged, so another consumer gets it at once. */
    @Override
    void close();
}
