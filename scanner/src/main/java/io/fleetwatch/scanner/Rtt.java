package io.fleetwatch.scanner;

import java.time.Duration;

/**
 * How long to wait for answers, learned from the answers so far (TCP's retransmission timer, RFC 6298, as nmap uses
 * it): smoothed round-trip time plus four times its variation, at least 100 ms, at most the policy's probe timeout;
 * before the first answer, the full timeout. One instance per sweep, shared by the probes.
 */
final class Rtt {
    static final long FLOOR_NANOS = Duration.ofMillis(100).toNanos();
    private final long ceilingNanos;
    private long srtt = -1;
    private long rttvar;

    Rtt(Duration probeTimeout) {
        this.ceilingNanos = probeTimeout.toNanos();
    }

    synchronized void sample(long r) {
        if (srtt < 0) {
            srtt = r;
            rttvar = r / 2;
        } else {
            rttvar = (3 * rttvar + Math.abs(srtt - r)) / 4;
            srtt = (7 * srtt + r) / 8;
        }
    }

    /** The wait after the last request of a round. */
    synchronized long timeoutNanos() {
        if (srtt < 0) {
            return ceilingNanos;
        }
        return Math.min(ceilingNanos, Math.max(FLOOR_NANOS, srtt + 4 * rttvar));
    }

    Duration timeout() {
        return Duration.ofNanos(timeoutNanos());
    }
}
