package io.fleetwatch.consumer;

import io.fleetwatch.settings.Keys;
import io.fleetwatch.settings.Settings;
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
            throw Keys.CONSUMER_WORKERS.invalid("must be 1..64, not " + workersPerQueue);
        }
    }

    public static ConsumerSettings from(Settings s) {
        int batch = s.get(Keys.CONSUMER_BATCH_SIZE);
        int flushMs = s.get(Keys.CONSUMER_FLUSH_MS);
        int prefetch = s.find(Keys.CONSUMER_PREFETCH).orElse(3 * batch);
        if (batch < 1 || prefetch < batch) {
            throw Keys.CONSUMER_PREFETCH.invalid("must be >= the batch size (" + batch + ")");
        }
        if (flushMs < 1) {
            throw Keys.CONSUMER_FLUSH_MS.invalid("must be >= 1");
        }
        return new ConsumerSettings(new BatchWorker.Settings(batch, Duration.ofMillis(flushMs), prefetch,
                Duration.ofMillis(200), Duration.ofSeconds(10)), s.get(Keys.CONSUMER_WORKERS));
    }

    public static ConsumerSettings fromEnv(Map<String, String> env) {
        return from(Settings.fromEnv(env));
    }
}
