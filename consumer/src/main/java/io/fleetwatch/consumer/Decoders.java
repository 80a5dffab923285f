package io.fleetwatch.consumer;

import io.fleetwatch.messages.AlertMessage;
import io.fleetwatch.messages.DiscoveryMessage;
import io.fleetwatch.messages.InvalidMessageException;
import io.fleetwatch.messages.MessageCodec;
import io.fleetwatch.messages.MetricsMessage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Decoders for the three queues: the codec's contract checks plus what needs a clock. A timestamp far in the future
 * is a producer with a broken clock; storing it would poison "latest value" queries, so it is dead-lettered.
 */
public final class Decoders {
    private Decoders() {}

    public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);

    public static Decoder<MetricsMessage> metrics(Clock clock) {
        return body -> {
            MetricsMessage m = MessageCodec.decode(body, MetricsMessage.class);
            notInFuture("collected_at", m.collectedAt(), clock);
            return m;
        };
    }

    public static Decoder<DiscoveryMessage> discovery(Clock clock) {
        return body -> {
            DiscoveryMessage m = MessageCodec.decode(body, DiscoveryMessage.class);
            notInFuture("discovered_at", m.discoveredAt(), clock);
            return m;
        };
    }

    public static Decoder<AlertMessage> alerts(Clock clock) {
        return body -> {
            AlertMessage m = MessageCodec.decode(body, AlertMessage.class);
            notInFuture("timestamp", m.timestamp(), clock);
            return m;
        };
    }

    static void notInFuture(String field, Instant t, Clock clock) throws InvalidMessageException {
        Instant limit = clock.instant().plus(MAX_CLOCK_SKEW);
        if (t.isAfter(limit)) {
            throw new InvalidMessageException("contract violation: " + field + " " + t + " is more than "
                    + MAX_CLOCK_SKEW.toMinutes() + " min in the future (producer clock wrong?)");
        }
    }
}
