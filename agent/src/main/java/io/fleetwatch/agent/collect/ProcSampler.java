package io.fleetwatch.agent.collect;

import io.fleetwatch.agent.MetricsSampler;
import io.fleetwatch.messages.MetricsMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** Runs every collector once per sample; the first sample only primes the rate counters and returns null. */
public final class ProcSampler implements MetricsSampler {
    private final List<Collector> collectors;

    public ProcSampler(List<Collector> collectors) {
        this.collectors = List.copyOf(collectors);
    }

    @Override
    public MetricsMessage.Metrics sample() {
        Reading r = new Reading();
        for (Collector c : collectors) {
            try {
                c.collect(r);
            } catch (IOException | RuntimeException e) {
                throw new UncheckedIOException("collector " + c.name() + " failed: " + e.getMessage(),
                        e instanceof IOException io ? io : new IOException(e));
            }
        }
        return r.toMetrics();
    }
}
