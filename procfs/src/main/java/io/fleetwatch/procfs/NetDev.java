package io.fleetwatch.procfs;

/** /proc/net/dev: byte counters (Mbit/s between two readings is the sampling core's). */
public final class NetDev {
    private NetDev() {}

    /** {received, transmitted} bytes, summed over every interface but loopback. */
    public static long[] bytes(String netDev) {
        long rx = 0;
        long tx = 0;
        for (String line : netDev.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0 || line.contains("|")) {
                continue; // the two header lines
            }
            if (line.substring(0, colon).trim().equals("lo")) {
                continue;
            }
            // "eth0:216387086 8299 …": large counters may touch the colon, so split after it
            String[] f = line.substring(colon + 1).trim().split("\\s+");
            rx += Long.parseLong(f[0]);
            tx += Long.parseLong(f[8]);
        }
        return new long[] {rx, tx};
    }
}
