package io.fleetwatch.scanner;

import io.fleetwatch.messages.DiscoveryMessage;
import io.fleetwatch.messages.MessageCodec;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The scanner's minimal entry point while issue 3 is in progress (the {@code fleetwatch scan} command comes with the
 * probes and publishing): {@code --allow CIDR… [--deny CIDR…] [--exclude CIDR…] [--dept N] [--seed N] CIDR…}.
 * Prints one discovery message (seed 002 JSON) per live host found by the arp_cache probe. A sweep the policy refuses
 * exits 2 with one line, before anything is sent.
 */
public final class ScanMain {
    private ScanMain() {}

    public static void main(String[] args) {
        System.exit(run(args, Clock.systemUTC()));
    }

    static int run(String[] args, Clock clock) {
        List<Cidr> targets = new ArrayList<>();
        List<Cidr> allow = new ArrayList<>();
        List<Cidr> deny = new ArrayList<>();
        List<Cidr> exclude = new ArrayList<>();
        int dept = 1;
        long seed = System.nanoTime();
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--allow" -> allow.add(Cidr.parse(args[++i]));
                    case "--deny" -> deny.add(Cidr.parse(args[++i]));
                    case "--exclude" -> exclude.add(Cidr.parse(args[++i]));
                    case "--dept" -> dept = Integer.parseInt(args[++i]);
                    case "--seed" -> seed = Long.parseLong(args[++i]);
                    default -> targets.add(Cidr.parse(args[i]));
                }
            }
            ScanPolicy policy = (allow.isEmpty() ? ScanPolicy.defaults()
                    : ScanPolicy.defaults().withNetworks(allow, deny));
            policy.check(targets);
            TargetList list = TargetList.of(targets, exclude, seed, TargetList.DEFAULT_MAX_ADDRESSES, false);
            ArpCacheProbe arp = new ArpCacheProbe(policy, Path.of("/proc/net/arp"));
            int found = 0;
            for (int[] batch : list.batches(TargetList.MAX_BATCH)) {
                for (Map.Entry<String, String> e : arp.probe(batch).entrySet()) {
                    System.out.println(MessageCodec.encodeToString(DiscoveryMessage.of(null, dept, e.getKey(), null,
                            e.getValue(), clock.instant(), "arp_cache")));
                    found++;
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
