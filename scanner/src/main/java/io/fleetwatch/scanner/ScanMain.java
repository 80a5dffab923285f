package io.fleetwatch.scanner;

import io.fleetwatch.messages.DiscoveryMessage;
import io.fleetwatch.messages.MessageCodec;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The scanner's minimal entry point while issue 3 is in progress (the {@code fleetwatch scan} command comes with
 * publishing): {@code --allow CIDR… [--deny CIDR…] [--exclude CIDR…] [--dept N] [--seed N] [--probes arp,tcp] CIDR…}.
 * Prints one discovery message (seed 002 JSON) per live host, with the probe that found it first and the MAC the
 * neighbour table holds for it. A sweep the policy refuses exits 2 with one line, before anything is sent.
 */
public final class ScanMain {
    private ScanMain() {}

    public static void main(String[] args) {
        System.exit(run(args, Clock.systemUTC()));
    }

    /** This host's own IPv4 addresses, as /32s. */
    static List<Cidr> ownAddresses() throws java.net.SocketException {
        List<Cidr> own = new ArrayList<>();
        for (java.net.NetworkInterface nif : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            for (java.net.InetAddress a : java.util.Collections.list(nif.getInetAddresses())) {
                if (a instanceof java.net.Inet4Address) {
                    own.add(Cidr.parse(a.getHostAddress()));
                }
            }
        }
        return own;
    }

    static int run(String[] args, Clock clock) {
        List<Cidr> targets = new ArrayList<>();
        List<Cidr> allow = new ArrayList<>();
        List<Cidr> deny = new ArrayList<>();
        List<Cidr> exclude = new ArrayList<>();
        int dept = 1;
        long seed = System.nanoTime();
        List<String> probes = List.of("arp", "tcp");
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--allow" -> allow.add(Cidr.parse(args[++i]));
                    case "--deny" -> deny.add(Cidr.parse(args[++i]));
                    case "--exclude" -> exclude.add(Cidr.parse(args[++i]));
                    case "--dept" -> dept = Integer.parseInt(args[++i]);
                    case "--seed" -> seed = Long.parseLong(args[++i]);
                    case "--probes" -> probes = List.of(args[++i].split(","));
                    default -> targets.add(Cidr.parse(args[i]));
                }
            }
            ScanPolicy policy = (allow.isEmpty() ? ScanPolicy.defaults()
                    : ScanPolicy.defaults().withNetworks(allow, deny));
            policy.check(targets);
            exclude.addAll(ownAddresses()); // the scanner does not discover itself
            TargetList list = TargetList.of(targets, exclude, seed, TargetList.DEFAULT_MAX_ADDRESSES, false);
            Path arpTable = Path.of("/proc/net/arp");
            ArpCacheProbe arp = new ArpCacheProbe(policy, arpTable);
            int found = 0;
            try (TcpProbe tcp = new TcpProbe(policy, TcpProbe.DEFAULT_PORTS)) {
                for (int[] batch : list.batches(TargetList.MAX_BATCH)) {
                    Map<String, String> how = new java.util.LinkedHashMap<>();
                    Map<String, String> macs = probes.contains("arp") ? arp.probe(batch) : Map.of();
                    macs.keySet().forEach(ip -> how.put(ip, "arp_cache"));
                    if (probes.contains("tcp")) {
                        for (String ip : tcp.probe(batch)) {
                            how.putIfAbsent(ip, "tcp");
                        }
                    }
                    Map<String, String> table = new java.util.HashMap<>();
                    for (NeighbourTable.Entry e : NeighbourTable.parse(java.nio.file.Files.readString(arpTable))) {
                        if (e.complete()) {
                            table.put(e.ip(), e.mac());
                        }
                    }
                    for (Map.Entry<String, String> e : how.entrySet()) {
                        System.out.println(MessageCodec.encodeToString(DiscoveryMessage.of(null, dept, e.getKey(), null,
                                table.get(e.getKey()), clock.instant(), e.getValue())));
                        found++;
                    }
                }
            }
            System.err.println("scan: " + list.size() + " address(es) probed, " + found + " live");
            return 0;
        } catch (ScanPolicy.Refused | IllegalArgumentException e) {
            System.err.println("fleetwatch scan: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            System.err.println("fleetwatch scan: " + e);
            return 1;
        }
    }
}
