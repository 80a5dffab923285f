package io.fleetwatch.consumer;

import java.util.List;

/**
 * Writes one batch of decoded messages in one transaction (like Kafka Connect's {@code SinkTask.put}). All or
 * nothing: when it throws, nothing of the batch was committed.
 */
public interface Sink<T> {
    void write(List<T> batch) throws Exception;
}
