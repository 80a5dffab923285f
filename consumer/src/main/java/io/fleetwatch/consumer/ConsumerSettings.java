package io.fleetwatch.consumer;

import io.fleetwatch.consumer.internal.EnvNumbers;
import java.time.Duration;
import java.util.Map;

/**
 * Consumer tuning from the environment: {@code FLEETWATCH_CONSUMER_BATCH_SIZE} (1000),
 * {@code FLEETWATCH_CONSUMER_FLUSH_MS} (100), {@code FLEETWATCH_CONSUMER_PREFETCH} (3 × batch),
 * {@code FLEETWATCH_CONSUMER_WORKERS} (worker threads per queue, 1).
 */
public record ConsumerSettings(BatchWorker.Settings batch, int workersPerQueue) {
    public ConsumerSettings {
        if (workersPerQueue < 1 || workersPerQueue > 64) {
            throw new IllegalArgumentException("FLEETWATCH_CONSUMER_WORKERS: must be 1..64, not " + workersPerQueue);
        }
    }

    public static ConsumerSettings fromEnv(Map<String, String> env) {
        int batch = EnvNumbers.getInt(env, "FLEETWATCH_CONSUMER_BATCH_SIZE", 1000);
        int flushMs = EnvNumbers.getInt(env, "FLEETWATCH_CONSUMER_FLUSH_MS", 100);
        int prefetch = EnvNumbers.getInt(env, "FLEETWATCH_CONSUMER_PREFETCH", 3 * batch);
        if (batch < 1 || prefetch < batch) {
            throw new IllegalArgumentException("FLEETWATCH_CONSUMER_PREFETCH: must be >= the batch size (" + batch + ")");
        }
        if (flushMs < 1) {
            throw new IllegalArgumentException("FLEETWATCH_CONSUMER_FLUSH_MS: must be >= 1");
        }
        return new ConsumerSettings(new BatchWorker.Settings(batch, Duration.ofMillis(flushMs), prefetch,
                Duration.ofMillis(200), Duration.ofSeconds(10)), EnvNumbers.getInt(env, "FLEETWATCH_CONSUMER_WORKERS", 1));
    }
}
