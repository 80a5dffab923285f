package io.fleetwatch.consumer;

import io.fleetwatch.messages.InvalidMessageException;

/** Turns a message body into a record, or says why it cannot ({@link InvalidMessageException} → dead-letter queue). */
@FunctionalInterface
public interface Decoder<T> {
    T decode(byte[] body) throws InvalidMessageException;
}
