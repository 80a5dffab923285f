package io.fleetwatch.scanner;

import io.fleetwatch.messages.DiscoveryMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One sweep: policy check first (nothing is sent on a refusal), then each batch through the chosen probes (ARP first:
 * it also learns MACs), one discovery message per live host with the probe that found it first.
 */
public final class Scanner {
    /** What a sweep did, for the scan job record. */
    public record Summary(int addresses, int probesSent, int live, Duration took) {}

    /** The hosts found and the summary. */
    public record Result(List<DiscoveryMessage> hosts, Summary summary) {}

    private final ScanPolicy policy;
    private final List<String> probes;
    private final Path procNetArp;
    private final Clock clock;

    public Scanner(ScanPolicy policy, List<String> probes, Path procNetArp, Clock clock) {
        for (String p : probes) {
            if (!p.equals("arp") && !p.equals("tcp")) {
                throw new IllegalArgumentException("--probes: unknown probe '" + p + "' (known: arp, tcp)");
            }
        }
        this.policy = policy;
        this.probes = List.copyOf(probes);
        this.procNetArp = procNetArp;
        this.clock = clock;
    }

    public Result sweep(List<Cidr> targets, List<Cidr> exclude, long seed, boolean force, Long scanId, int dept)
            throws ScanPolicy.Refused, IOException, InterruptedException {
        policy.check(targets);
        List<Cidr> skip = new ArrayList<>(exclude);
        skip.addAll(ownAddresses());
        TargetList list = TargetList.of(targets, skip, seed, TargetList.DEFAULT_MAX_ADDRESSES, force);
        long t0 = System.nanoTime();
        List<DiscoveryMessage> found = new ArrayList<>();
        int sent = 0;
        ArpCacheProbe arp = new ArpCacheProbe(policy, procNetArp);
        try (TcpProbe tcp = new TcpProbe(policy, TcpProbe.DEFAULT_PORTS)) {
            for (int[] batch : list.batches(TargetList.MAX_BATCH)) {
                Map<String, String> how = new LinkedHashMap<>();
                if (probes.contains("arp")) {
                    arp.probe(batch).keySet().forEach(ip -> how.put(ip, "arp_cache"));
                    sent += batch.length;
                }
                if (probes.contains("tcp")) {
                    for (String ip : tcp.probe(batch)) {
                        how.putIfAbsent(ip, "tcp");
                    }
                    sent += batch.length * TcpProbe.DEFAULT_PORTS.size();
                }
                Map<String, String> macs = completeNeighbours();
                for (Map.Entry<String, String> e : how.entrySet()) {
                    found.add(DiscoveryMessage.of(scanId, dept, e.getKey(), null, macs.get(e.getKey()),
                            clock.instant(), e.getValue()));
                }
            }
        }
        return new Result(found, new Summary(list.size(), sent, found.size(), Duration.ofNanos(System.nanoTime() - t0)));
    }

    private Map<String, String> completeNeighbours() throws IOException {
        Map<String, String> table = new HashMap<>();
        if (Files.isReadable(procNetArp)) {
            for (NeighbourTable.Entry e : NeighbourTable.parse(Files.readString(procNetArp))) {
                if (e.complete()) {
                    table.put(e.ip(), e.mac());
                }
            }
        }
        return table;
    }

    /** This host's own non-loopback IPv4 addresses, as /32s: a sweep does not discover the scanner itself. */
    static List<Cidr> ownAddresses() throws java.net.SocketException {
        List<Cidr> own = new ArrayList<>();
        for (java.net.NetworkInterface nif : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            for (java.net.InetAddress a : java.util.Collections.list(nif.getInetAddresses())) {
                if (a instanceof java.net.Inet4Address && !a.isLoopbackAddress()) {
                    own.add(Cidr.parse(a.getHostAddress()));
                }
            }
        }
        return own;
    }
}
