package io.fleetwatch.scanner;

import io.fleetwatch.messages.DiscoveryMessage;
import io.fleetwatch.messages.MessageCodec;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The scanner without broker or database, for running inside a network namespace (the tests' labs) or by hand:
 * {@code --allow CIDR… [--deny CIDR…] [--exclude CIDR…] [--dept N] [--seed N] [--probes arp,icmp,tcp]
 * [--profile polite|normal|aggressive] [-n] CIDR…}. Prints one
 * discovery message (JSON, see docs/contract.md) per live host. A sweep the policy refuses exits 2 with one line, before anything
 * is sent. {@code fleetwatch scan} is the same sweep with the scan job and publishing.
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
        List<String> probes = Scanner.PROBES;
        String profile = "polite";
        boolean names = true;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--allow" -> allow.add(Cidr.parse(args[++i]));
                    case "--deny" -> deny.add(Cidr.parse(args[++i]));
                    case "--exclude" -> exclude.add(Cidr.parse(args[++i]));
                    case "--dept" -> dept = Integer.parseInt(args[++i]);
                    case "--seed" -> seed = Long.parseLong(args[++i]);
                    case "--probes" -> probes = List.of(args[++i].split(","));
                    case "--profile" -> profile = args[++i];
                    case "-n" -> names = false;
                    default -> targets.add(Cidr.parse(args[i]));
                }
            }
            ScanPolicy policy = (allow.isEmpty() ? ScanPolicy.defaults() : ScanPolicy.defaults().withNetworks(allow, deny))
                    .withProfile(profile);
            Scanner.Result r = new Scanner(policy, probes, Path.of("/proc/net/arp"), clock)
                    .events(new ScanEvents() {
                        @Override
                        public void log(String level, String message) {
                            System.err.println("scan: " + level + ": " + message);
                        }
                    })
                    .reverseDns(names, java.time.Duration.ofSeconds(2))
                    .sweep(targets, exclude, seed, false, null, dept);
            for (DiscoveryMessage m : r.hosts()) {
                System.out.println(MessageCodec.encodeToString(m));
            }
            System.err.println("scan: " + r.summary().addresses() + " address(es) probed, " + r.summary().live() + " live");
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
