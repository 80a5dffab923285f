package io.fleetwatch.scanner;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The rules of engagement (the scan policy engine). A sweep is refused, before a single packet is sent, unless
 * every target network lies inside a network the operator has consented to scan ({@code allow_networks}, required)
 * and outside every denied network; deny wins over allow. Rate (packets per second with a burst), parallelism,
 * retries and timeouts bound how the probes are sent. The default allows loopback only.
 */
public record ScanPolicy(List<Cidr> allowNetworks, List<Cidr> denyNetworks, int packetsPerSecond, int burst,
                         int maxParallelProbes, int retries, Duration probeTimeout) {

    public ScanPolicy {
        allowNetworks = List.copyOf(allowNetworks);
        denyNetworks = List.copyOf(denyNetworks);
        if (allowNetworks.isEmpty()) {
            throw new IllegalArgumentException("scanner.allow_networks: empty; list the networks you have consent to scan");
        }
        if (packetsPerSecond < 1 || packetsPerSecond > 100_000) {
            throw new IllegalArgumentException("scanner.packets_per_second: must be 1..100000, not " + packetsPerSecond);
        }
        if (burst < 1 || burst > packetsPerSecond) {
            throw new IllegalArgumentException("scanner.burst: must be 1..packets_per_second, not " + burst);
        }
        if (maxParallelProbes < 1 || maxParallelProbes > 4096) {
            throw new IllegalArgumentException("scanner.max_parallel_probes: must be 1..4096, not " + maxParallelProbes);
        }
        if (retries < 0 || retries > 5) {
            throw new IllegalArgumentException("scanner.retries: must be 0..5, not " + retries);
        }
    }

    /** Polite defaults: 500 packets/s, bursts of 50, 256 probes in flight, one retry, 1 s timeout; loopback only. */
    public static ScanPolicy defaults() {
        return new ScanPolicy(List.of(Cidr.parse("127.0.0.0/8")), List.of(), 500, 50, 256, 1, Duration.ofSeconds(1));
    }

    public ScanPolicy withNetworks(List<Cidr> allow, List<Cidr> deny) {
        return new ScanPolicy(allow, deny, packetsPerSecond, burst, maxParallelProbes, retries, probeTimeout);
    }

    /** Timing profiles: polite (the default), normal, aggressive (for a lab's own isolated network). */
    public ScanPolicy withProfile(String profile) {
        return switch (profile) {
            case "polite" -> this;
            case "normal" -> new ScanPolicy(allowNetworks, denyNetworks, 2_000, 200, 512, 1, Duration.ofMillis(800));
            case "aggressive" -> new ScanPolicy(allowNetworks, denyNetworks, 10_000, 1_000, 1_024, 0,
                    Duration.ofMillis(400));
            default -> throw new IllegalArgumentException("timing profile must be polite, normal or aggressive, not '"
                    + profile + "'");
        };
    }

    /**
     * The same policy with some of rate, burst and parallelism replaced (null keeps the current value); a burst above
     * a lowered rate comes down to it unless it is given too.
     */
    public ScanPolicy withLimits(Integer packetsPerSecond, Integer burst, Integer maxParallelProbes) {
        int rate = packetsPerSecond != null ? packetsPerSecond : this.packetsPerSecond;
        return new ScanPolicy(allowNetworks, denyNetworks, rate, burst != null ? burst : Math.min(this.burst, rate),
                maxParallelProbes != null ? maxParallelProbes : this.maxParallelProbes, retries, probeTimeout);
    }

    /** Rate, burst and parallelism in words, for a job's log. */
    public String describeLimits() {
        return packetsPerSecond + " packets/s, bursts of " + burst + ", " + maxParallelProbes + " probes per round";
    }

    /** Thrown when a sweep breaks the policy; nothing has been sent. */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        public Refused(String message) {
            super(message);
        }
    }

    /** Refuses the sweep unless every target network is allowed and none touches a denied one. */
    public void check(List<Cidr> targets) throws Refused {
        List<String> problems = new ArrayList<>();
        for (Cidr t : targets) {
            for (Cidr d : denyNetworks) {
                if (d.overlaps(t)) {
                    problems.add(t + " overlaps the denied network " + d + " (scanner.deny_networks)");
                }
            }
            if (allowNetworks.stream().noneMatch(a -> a.contains(t))) {
                problems.add(t + " is not inside any network you have consent to scan (scanner.allow_networks: "
                        + allowNetworks + ")");
            }
        }
        if (!problems.isEmpty()) {
            throw new Refused("scan refused, nothing was sent: " + String.join("; ", problems));
        }
    }
}
