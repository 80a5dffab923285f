package io.fleetwatch.procfs;

/**
 * /proc/loadavg: "0.20 0.18 0.12 1/80 11206". The first three fields are the 1, 5 and 15-minute load averages. The
 * fourth is runnable/total scheduling entities, which counts threads, not processes, so process_count does not use it
 * (see {@link Processes}).
 */
public final class LoadAvg {
    private LoadAvg() {}

    /** {1-minute, 5-minute, 15-minute} load average. */
    public static double[] averages(String loadavg) {
        String[] f = loadavg.trim().split("\\s+");
        if (f.length < 3) {
            throw new IllegalArgumentException("/proc/loadavg has fewer than three fields: '" + loadavg.trim() + "'");
        }
        return new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2])};
    }
}
