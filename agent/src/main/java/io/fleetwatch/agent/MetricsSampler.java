package io.fleetwatch.agent;

import io.fleetwatch.messages.MetricsMessage;

/**
 * Produces one sample of the eight metrics. Rates (CPU %, network Mbps) are computed against the previous call, so
 * the first call only primes the counters and returns null.
 */
public interface MetricsSampler {
    MetricsMessage.Metrics sample();
}
