package io.fleetwatch.consumer;

import java.util.List;

/**
 * Writes one batch of decoded messages in one transaction (like Kafka Connect's {@code SinkTask.put}). All or
 * nothing: when it throws, nothing of the batch was committed.
 */
public interface Sink<T> {
    void write(List<T> batch) throws Exception;

    /**
     * A batch refused for what a message says, not for the database's state (an id that names another host's
     * system): not retried; the worker splits the batch and dead-letters the message at fault with this reason.
     */
    final class Rejected extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Rejected(String reason) {
            super(reason);
        }
    }
}
