package io.fleetwatch.sampling;

import io.fleetwatch.messages.MetricsMessage;
import java.util.Objects;

/** What the {@link Sampler} makes of two readings: the contract's eight metrics and the others. */
public record Sample(MetricsMessage.Metrics metrics, ExtraMetrics extra) {
    public Sample {
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(extra, "extra");
    }
}
