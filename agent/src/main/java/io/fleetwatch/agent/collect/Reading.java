package io.fleetwatch.agent.collect;

import io.fleetwatch.messages.MetricsMessage;

/**
 * The eight values of one sample, filled in by the collectors. A value still null when all collectors ran means its
 * collector had nothing yet (a rate before its second reading) or, for the GPU, that there is none.
 */
public final class Reading {
    Double cpuPercent;
    Double ramPercent;
    Double diskPercent;
    Double networkSentMbps;
    Double networkRecvMbps;
    Double gpuPercent;
    Long uptimeSeconds;
    Integer loggedInUsers;

    /** The sample, or null while a required value is missing (the first, priming reading). */
    public MetricsMessage.Metrics toMetrics() {
        if (cpuPercent == null || ramPercent == null || diskPercent == null || networkSentMbps == null
                || networkRecvMbps == null || uptimeSeconds == null || loggedInUsers == null) {
            return null;
        }
        return new MetricsMessage.Metrics(cpuPercent, ramPercent, diskPercent, networkSentMbps, networkRecvMbps,
                gpuPercent, uptimeSeconds, loggedInUsers);
    }
}
