package io.fleetwatch.agent.collect;

import io.fleetwatch.agent.MetricsSampler;
import io.fleetwatch.messages.MetricsMessage;
import io.fleetwatch.sampling.Sample;
import io.fleetwatch.sampling.Sampler;
import io.fleetwatch.sampling.Sources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.LongSupplier;

/**
 * The agent's sampler: reads this host's {@link Sources} (OSHI or Fleetwatch's own readers, per metric) and hands the
 * reading to the sampling core the SSH collector uses too. The first sample only primes the rates and returns null.
 */
public final class LocalSampler implements MetricsSampler {
    private final Sources sources;
    private final LongSupplier nanoTime;
    private final Sampler core = new Sampler();

    public LocalSampler(Sources sources, LongSupplier nanoTime) {
        this.sources = sources;
        this.nanoTime = nanoTime;
    }

    public Sources sources() {
        return sources;
    }

    @Override
    public MetricsMessage.Metrics sample() {
        Sample s = sampleAll();
        return s == null ? null : s.metrics();
    }

    /** The eight metrics and the others (load, swap, disk I/O, temperatures, processes, file systems). */
    public Sample sampleAll() {
        try {
            return core.sample(sources.read(nanoTime.getAsLong()));
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }
}
