package io.fleetwatch.scanner;

import io.fleetwatch.messages.DiscoveryMessage;
import io.fleetwatch.scanner.internal.RawSocket;
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
import java.util.TreeMap;

/**
 * One sweep. The policy is checked first (nothing is sent on a refusal). Then, batch by batch: on-link addresses are
 * asked by ARP (raw ARP as root, else the kernel's neighbour table), and an on-link address that does not answer ARP
 * is not probed further, since it cannot answer anything else; routed addresses go to ICMP echo, the silent ones then
 * to TCP. After the last batch, addresses that share one MAC with others (proxy ARP, or a router answering for a
 * range) must be confirmed by ICMP or TCP, else they are left out with a warning. Finally the live hosts get their
 * vendor (OUI) and, unless turned off, their names by reverse DNS.
 */
public final class Scanner {
    /** What a sweep did, for the scan job record. */
    public record Summary(int addresses, long probesSent, int answered, int live, Duration took) {}

    /** The hosts found and the summary; {@code cancelled} when the sweep stopped early, asked to (the hosts so far). */
    public record Result(List<DiscoveryMessage> hosts, Summary summary, boolean cancelled) {
        public Result(List<DiscoveryMessage> hosts, Summary summary) {
            this(hosts, summary, false);
        }
    }

    public static final List<String> PROBES = List.of("arp", "icmp", "tcp");

    private final ScanPolicy policy;
    private final List<String> probes;
    private final Path procNetArp;
    private final Clock clock;
    private ScanEvents events = ScanEvents.NONE;
    private boolean reverseDns = true;
    private Duration dnsTimeout = Duration.ofSeconds(2);

    public Scanner(ScanPolicy policy, List<String> probes, Path procNetArp, Clock clock) {
        for (String p : probes) {
            if (!PROBES.contains(p)) {
                throw new IllegalArgumentException("--probes: unknown probe '" + p + "' (known: arp, icmp, tcp)");
            }
        }
        if (probes.isEmpty()) {
            throw new IllegalArgumentException("--probes: name at least one of arp, icmp, tcp");
        }
        this.policy = policy;
        this.probes = List.copyOf(probes);
        this.procNetArp = procNetArp;
        this.clock = clock;
    }

    public Scanner events(ScanEvents e) {
        this.events = e;
        return this;
    }

    /** Turns reverse DNS on or off ({@code -n}), and bounds it. */
    public Scanner reverseDns(boolean on, Duration timeout) {
        this.reverseDns = on;
        this.dnsTimeout = timeout;
        return this;
    }

    public Result sweep(List<Cidr> targets, List<Cidr> exclude, long seed, boolean force, Long scanId, int dept)
            throws ScanPolicy.Refused, IOException, InterruptedException {
        policy.check(targets);
        List<Cidr> skip = new ArrayList<>(exclude);
        skip.addAll(ownAddresses());
        TargetList list = TargetList.of(targets, skip, seed, TargetList.DEFAULT_MAX_ADDRESSES, force);
        long t0 = System.nanoTime();
        // the vendor table loads while the probes run
        java.util.concurrent.CompletableFuture<OuiTable> ouiTable =
                java.util.concurrent.CompletableFuture.supplyAsync(OuiTable::bundled);
        Probes p = Probes.choose(policy, probes, procNetArp, events);
        events.log("debug", "probes ready after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        List<Link> links = probes.contains("arp") ? Link.local() : List.of();
        Map<String, String> how = new LinkedHashMap<>();   // address -> probe that found it
        Map<String, String> macs = new HashMap<>();        // address -> MAC (on-link only)
        long done = 0;
        int onLinkSilent = 0;
        boolean cancelled = false;
        // a round holds at most max_parallel_probes addresses (and never more than the neighbour table takes)
        int round = Math.min(TargetList.MAX_BATCH, policy.maxParallelProbes());
        try (p) {
            for (int[] batch : list.batches(round)) {
                if (events.cancelled()) {
                    cancelled = true;
                    events.log("warn", "cancelled after " + done + " of " + list.size() + " address(es)");
                    break;
                }
                Map<Link, List<Integer>> onLink = new LinkedHashMap<>();
                List<Integer> rest = new ArrayList<>();
                for (int a : batch) {
                    Link l = Link.of(links, a).orElse(null);
                    if (l != null) {
                        onLink.computeIfAbsent(l, k -> new ArrayList<>()).add(a);
                    } else {
                        rest.add(a);
                    }
                }
                for (Map.Entry<Link, List<Integer>> e : onLink.entrySet()) {
                    Map<String, String> answered = p.arp(e.getKey(), toArray(e.getValue()));
                    answered.forEach((ip, mac) -> {
                        how.put(ip, p.arpKind);
                        macs.put(ip, mac);
                    });
                    onLinkSilent += e.getValue().size() - answered.size();
                }
                for (Map.Entry<String, String> e : p.confirm(toArray(rest)).entrySet()) {
                    how.putIfAbsent(e.getKey(), e.getValue());
                }
                done += batch.length;
                events.progress(done, list.size());
            }
            events.log("debug", "batches done after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            if (onLinkSilent > 0) {
                events.log("info", onLinkSilent + " on-link address(es) did not answer ARP and were not probed further");
            }
            dropUnconfirmedProxyAnswers(p, how, macs);
            events.log("debug", "confirmations done after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        }
        Map<String, String> neighbours = completeNeighbours();
        List<String> live = new ArrayList<>(how.keySet());
        Map<String, String> names = reverseDns ? new ReverseDns(32, dnsTimeout).names(live) : Map.of();
        OuiTable oui = ouiTable.join();
        List<DiscoveryMessage> found = new ArrayList<>();
        ThisHost self = null;
        for (String ip : live) {
            String mac = macs.getOrDefault(ip, neighbours.get(ip));
            String name = validName(ip, names.get(ip));
            if (mac == null && (Ipv4.parse(ip) >>> 24) == 127) {
                // The machine at a loopback address is this one: its own MAC and name, as an agent here reports them,
                // so the two become one system (reverse DNS would only say "localhost", which names no machine).
                self = self != null ? self : thisHost();
                mac = self.mac();
                name = self.hostname() != null ? validName(ip, self.hostname()) : name;
            }
            DiscoveryMessage m = DiscoveryMessage.of(scanId, dept, ip, null, mac, clock.instant(), how.get(ip));
            found.add(m.withIdentity(name, oui.vendor(mac).orElse(null)));
        }
        events.log("debug", "identity done after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        Summary s = new Summary(list.size(), p.sent(), how.size() + p.unconfirmed, found.size(),
                Duration.ofNanos(System.nanoTime() - t0));
        events.log("info", s.addresses() + " address(es), " + s.probesSent() + " probe(s) sent, " + s.live() + " live");
        return new Result(found, s, cancelled);
    }

    /**
     * One MAC answering ARP for several addresses is a router or host doing proxy ARP (or one host with several
     * addresses): those addresses count only when ICMP or TCP confirms them.
     */
    private void dropUnconfirmedProxyAnswers(Probes p, Map<String, String> how, Map<String, String> macs)
            throws IOException, InterruptedException {
        Map<String, List<String>> byMac = new TreeMap<>();
        macs.forEach((ip, mac) -> byMac.computeIfAbsent(mac, k -> new ArrayList<>()).add(ip));
        for (Map.Entry<String, List<String>> e : byMac.entrySet()) {
            if (e.getValue().size() < 2) {
                continue;
            }
            int[] suspects = e.getValue().stream().mapToInt(Ipv4::parse).sorted().toArray();
            Map<String, String> confirmed = p.confirm(suspects);
            List<String> dropped = new ArrayList<>();
            for (String ip : e.getValue()) {
                if (confirmed.containsKey(ip)) {
                    how.put(ip, confirmed.get(ip));
                } else {
                    how.remove(ip);
                    macs.remove(ip);
                    dropped.add(ip);
                }
            }
            p.unconfirmed += dropped.size();
            events.log("warn", "proxy ARP suspected: " + e.getKey() + " answered ARP for " + e.getValue().size()
                    + " addresses; " + (e.getValue().size() - dropped.size()) + " confirmed by ICMP/TCP, "
                    + dropped.size() + " left out" + (dropped.isEmpty() ? "" : " (" + abbreviate(dropped) + ")"));
        }
    }

    private static String abbreviate(List<String> ips) {
        List<String> sorted = ips.stream().sorted((a, b) -> Integer.compareUnsigned(Ipv4.parse(a), Ipv4.parse(b))).toList();
        return sorted.size() <= 8 ? String.join(", ", sorted)
                : String.join(", ", sorted.subList(0, 8)) + ", … " + (sorted.size() - 8) + " more";
    }

    private String validName(String ip, String name) {
        if (name == null) {
            return null;
        }
        try {
            DiscoveryMessage.of(null, 1, ip, name, null, clock.instant(), "dns");
            return name;
        } catch (IllegalArgumentException e) {
            events.log("warn", "reverse DNS for " + ip + " gave a name that is not a host name; left out");
            return null;
        }
    }

    /** This host as an agent on it names itself: the MAC of its primary link, its host name (each may be null). */
    private record ThisHost(String mac, String hostname) {}

    private ThisHost thisHost() {
        String mac = null;
        String name = null;
        try {
            mac = Link.primary(Link.local(), procNetArp.resolveSibling("route")).map(Link::macText).orElse(null);
            Path etc = Path.of("/etc/hostname");
            name = Files.isReadable(etc) ? Files.readString(etc).trim() : "";
            name = name.isEmpty() ? java.net.InetAddress.getLocalHost().getHostName() : name;
        } catch (IOException e) {
            // the loopback host keeps what the probes found: no worse than before, and the scan goes on
            events.log("debug", "this host's MAC or name is unknown: " + e.getMessage());
        }
        return new ThisHost(mac, name);
    }

    private static int[] toArray(List<Integer> l) {
        return l.stream().mapToInt(Integer::intValue).toArray();
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

    /** The probes this process may run, chosen once per sweep, each falling back to a less privileged one. */
    private static final class Probes implements AutoCloseable {
        private RawArpProbe rawArp;
        private ArpCacheProbe arpCache;
        private IcmpProbe icmp;
        private ExternalPing ping;
        private TcpProbe tcp;
        private java.util.concurrent.CompletableFuture<TcpProbe> tcpReady;
        private String arpKind = "arp";
        private int unconfirmed;

        private final ScanPolicy policy;
        private final Rtt rtt;

        private Probes(ScanPolicy policy) {
            this.policy = policy;
            this.rtt = new Rtt(policy.probeTimeout());
        }

        static Probes choose(ScanPolicy policy, List<String> wanted, Path procNetArp, ScanEvents events) {
            Probes p = new Probes(policy);
            if (wanted.contains("arp")) {
                try {
                    p.rawArp = RawArpProbe.open(policy).rtt(p.rtt);
                    events.log("info", "arp: raw ARP requests (AF_PACKET)");
                } catch (RawSocket.Unavailable e) {
                    p.arpCache = new ArpCacheProbe(policy, procNetArp);
                    p.arpKind = "arp_cache";
                    events.log("info", "arp: no raw socket (" + e.getMessage() + "); the kernel's neighbour table instead");
                }
            }
            if (wanted.contains("icmp")) {
                try {
                    p.icmp = IcmpProbe.open(policy).rtt(p.rtt);
                    events.log("info", "icmp: echo over a " + p.icmp.socketKind() + " socket");
                } catch (RawSocket.Unavailable e) {
                    p.ping = ExternalPing.find(policy).orElse(null);
                    events.log(p.ping == null ? "warn" : "info", "icmp: no ICMP socket allowed (" + e.getMessage() + "); "
                            + (p.ping == null ? "no fping either: ICMP skipped, ARP and TCP only" : "using fping"));
                }
            }
            if (wanted.contains("tcp")) {
                // Netty's native transport loads in the background while ARP and ICMP run
                p.tcpReady = java.util.concurrent.CompletableFuture.supplyAsync(
                        () -> new TcpProbe(policy, TcpProbe.DEFAULT_PORTS).rtt(p.rtt));
            }
            return p;
        }

        Map<String, String> arp(Link link, int[] addresses) throws IOException, InterruptedException {
            return rawArp != null ? rawArp.probe(link, addresses) : arpCache.probe(addresses);
        }

        /** ICMP, then TCP for what stayed silent: address -> the probe that got an answer. */
        Map<String, String> confirm(int[] addresses) throws IOException, InterruptedException {
            Map<String, String> found = new LinkedHashMap<>();
            if (addresses.length == 0) {
                return found;
            }
            if (icmp != null) {
                icmp.probe(addresses).forEach(ip -> found.put(ip, "icmp"));
            } else if (ping != null) {
                ping.probe(addresses).forEach(ip -> found.put(ip, "ping"));
            }
            if (tcpReady != null) {
                tcp = tcpReady.join();
                int[] silent = java.util.Arrays.stream(addresses).filter(a -> !found.containsKey(Ipv4.format(a))).toArray();
                if (silent.length > 0) {
                    tcp.probe(silent).forEach(ip -> found.putIfAbsent(ip, "tcp"));
                }
            }
            return found;
        }

        long sent() {
            long n = 0;
            n += rawArp == null ? 0 : rawArp.sent();
            n += arpCache == null ? 0 : arpCache.sent();
            n += icmp == null ? 0 : icmp.sent();
            n += ping == null ? 0 : ping.sent();
            n += tcp == null ? 0 : tcp.sent();
            return n;
        }

        @Override
        public void close() {
            if (tcpReady != null) {
                tcpReady.join().close();
            }
        }
    }
}
