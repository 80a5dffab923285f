package io.fleetwatch.agent.collect;

import java.io.IOException;

/**
 * One source of metrics (a /proc file, utmp, statvfs, nvidia-smi). Collectors of rates keep their previous counters,
 * so one instance serves one host for its lifetime.
 */
public interface Collector {
    /** Short name; also the name of the collector's fixture folder and its row in the agent README. */
    String name();

    void collect(Reading reading) throws IOException;
}
