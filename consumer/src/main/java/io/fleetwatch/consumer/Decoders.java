package io.fleetwatch.consumer;

import io.fleetwatch.messages.AlertMessage;
import io.fleetwatch.messages.Bounds;
import io.fleetwatch.messages.DiscoveryMessage;
import io.fleetwatch.messages.InvalidMessageException;
import io.fleetwatch.messages.InventoryMessage;
import io.fleetwatch.messages.MessageCodec;
import io.fleetwatch.messages.MetricsMessage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Decoders for the four queues: the codec's contract checks plus what needs a clock. A timestamp far in the future
 * is a producer with a broken clock; storing it would poison "latest value" queries, so it is dead-lettered; one
 * older than {@link Bounds#MAX_AGE} would be stored only to be purged, so it is dead-lettered too.
 */
public final class Decoders {
    private Decoders() {}

    public static final Duration MAX_CLOCK_SKEW = Bounds.MAX_CLOCK_SKEW;

    public static Decoder<MetricsMessage> metrics(Clock clock) {
        return body -> {
            MetricsMessage m = MessageCodec.decode(body, MetricsMessage.class);
            recent("collected_at", m.collectedAt(), clock);
            return m;
        };
    }

    public static Decoder<DiscoveryMessage> discovery(Clock clock) {
        return body -> {
            DiscoveryMessage m = MessageCodec.decode(body, DiscoveryMessage.class);
            recent("discovered_at", m.discoveredAt(), clock);
            return m;
        };
    }

    public static Decoder<AlertMessage> alerts(Clock clock) {
        return body -> {
            AlertMessage m = MessageCodec.decode(body, AlertMessage.class);
            recent("timestamp", m.timestamp(), clock);
            return m;
        };
    }

    public static Decoder<InventoryMessage> inventory(Clock clock) {
        return body -> {
            InventoryMessage m = MessageCodec.decode(body, InventoryMessage.class);
            recent("collected_at", m.collectedAt(), clock);
            return m;
        };
    }

    static void recent(String field, Instant t, Clock clock) throws InvalidMessageException {
        Bounds.requireRecent(field, t, clock.instant());
    }
}
