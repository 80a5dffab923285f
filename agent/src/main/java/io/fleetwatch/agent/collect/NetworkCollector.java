package io.fleetwatch.agent.collect;

import io.fleetwatch.procfs.NetDev;
import io.fleetwatch.procfs.Percent;
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
        long[] now = NetDev.bytes(Files.readString(procNetDev));
        long t = nanoTime.getAsLong();
        if (previous != null) {
            double seconds = Math.max((t - previousNanos) / 1e9, 1e-3);
            r.networkRecvMbps = Percent.round2(NetDev.mbps(now[0] - previous[0], seconds));
            r.networkSentMbps = Percent.round2(NetDev.mbps(now[1] - previous[1], seconds));
        }
        previous = now;
        previousNanos = t;
    }
}
