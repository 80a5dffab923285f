package io.fleetwatch.transport;

import java.util.List;

/**
 * Publishes with confirmation (at-least-once): {@link #publishAll} returns only once the transport has taken every
 * message of the batch durably; otherwise it throws and the caller still owns them and sends them again (the
 * consumers store a message sent twice once). Not thread-safe: one publisher per thread.
 */
public interface Publisher extends AutoCloseable {

    /** One message to send: a record to encode as JSON, or a body already encoded ({@code byte[]}). */
    record Outgoing(String routingKey, Object message, String messageId, Integer priority) {
        public Outgoing {
            if (routingKey == null || routingKey.isBlank()) {
                throw new IllegalArgumentException("a routing key is required");
            }
            if (message == null) {
                throw new IllegalArgumentException("a message is required");
            }
        }

        public static Outgoing of(String routingKey, Object message) {
            return new Outgoing(routingKey, message, null, null);
        }
    }

    /** The transport did not confirm (nack, timeout, unroutable, connection lost): the caller still owns the messages. */
    final class NotConfirmedException extends Exception {
        private static final long serialVersionUID = 1L;

        public NotConfirmedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Publishes the batch and waits for the confirmation of all of it. */
    void publishAll(List<Outgoing> batch) throws NotConfirmedException;

    default void publish(String routingKey, Object message) throws NotConfirmedException {
        publishAll(List.of(Outgoing.of(routingKey, message)));
    }

    boolean isOpen();

    @Override
    void close();
}
