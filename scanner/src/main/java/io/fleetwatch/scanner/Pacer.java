package io.fleetwatch.scanner;

/**
 * Paces packets to the policy's rate: up to {@code burst} packets back to back, then a pause that brings the average
 * down to {@code packets_per_second}. One pacer per sending loop.
 */
final class Pacer {
    private final long nanosPerPacket;
    private final int burst;
    private long next = System.nanoTime();
    private final java.util.concurrent.atomic.LongAdder counter;
    private long sent;

    Pacer(ScanPolicy policy) {
        this(policy, new java.util.concurrent.atomic.LongAdder());
    }

    /** A pacer that also counts every packet it lets go into {@code counter} (the sweep's "probes sent"). */
    Pacer(ScanPolicy policy, java.util.concurrent.atomic.LongAdder counter) {
        this.nanosPerPacket = 1_000_000_000L / policy.packetsPerSecond();
        this.burst = policy.burst();
        this.counter = counter;
    }

    /** Returns when the next packet may go. */
    void await() throws InterruptedException {
        if (sent++ % burst == 0) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
        }
        next += nanosPerPacket;
        counter.increment();
    }
}
