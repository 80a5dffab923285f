package io.fleetwatch.agent.collect;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * {@code network_sent_mbps} / {@code network_recv_mbps} from /proc/net/dev: byte counters of every interface but
 * loopback, delta × 8 / 10⁶ / seconds since the previous reading. A counter that went backwards (interface reset)
 * gives 0 for that interval, never a negative rate.
 */
public final class NetworkCollector implements Collector {
    private final Path procNetDev;
    private final LongSupplier nanoTime;
    private long[] previous;
    private long previousNanos;

    public NetworkCollector(Path procNetDev, LongSupplier nanoTime) {
        this.procNetDev = procNetDev;
        this.nanoTime = nanoTime;
    }

    @Override
    public String name() {
        return "network";
    }

    @Override
    public void collect(Reading r) throws IOException {
        long[] now = bytes(Files.readString(procNetDev));
        long t = nanoTime.getAsLong();
        if (previous != null) {
            double seconds = Math.max((t - previousNanos) / 1e9, 1e-3);
            r.networkRecvMbps = Reading.round2(mbps(now[0] - previous[0], seconds));
            r.networkSentMbps = Reading.round2(mbps(now[1] - previous[1], seconds));
        }
        previous = now;
        previousNanos = t;
    }

    /** {received, transmitted} bytes, summed over the non-loopback interfaces. */
    static long[] bytes(String netDev) {
        long rx = 0;
        long tx = 0;
        for (String line : netDev.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0 || line.contains("|")) {
                continue; // the two header lines
            }
            String iface = line.substring(0, colon).trim();
            if (iface.equals("lo")) {
                continue;
            }
            // "eth0:216387086 8299 …": large counters may touch the colon, so split after it
            String[] f = line.substring(colon + 1).trim().split("\\s+");
            rx += Long.parseLong(f[0]);
            tx += Long.parseLong(f[8]);
        }
        return new long[] {rx, tx};
    }

    static double mbps(long deltaBytes, double seconds) {
        return deltaBytes <= 0 ? 0.0 : deltaBytes * 8.0 / 1_000_000.0 / seconds;
    }
}
