package io.fleetwatch.bench;

import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.broker.Topology;
import io.fleetwatch.collector.CollectorService;
import io.fleetwatch.collector.HostTarget;
import io.fleetwatch.collector.SshSettings;
import io.fleetwatch.testing.TestBroker;
import io.fleetwatch.testing.TestSshd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The SSH collector's benchmark (issue 4): N real OpenSSH servers on loopback high ports. Baseline in the same run:
 * each host collected alone (a one-host round, session established), the slowest of those being the reference.
 * Then full rounds over all N at once. Goal: a full round within 2x the slowest single host's round trip.
 */
public final class CollectBench {
    /**
     * Baseline: OpenSSH's own client running the same command on every host at once, each over an established
     * multiplexed session (what the collector does with jsch). Median of five rounds, in ms.
     */
    static double opensshRound(Path dir, Path key, List<TestSshd> servers, String user) throws Exception {
        List<List<String>> cmds = new ArrayList<>();
        for (int i = 0; i < servers.size(); i++) {
            cmds.add(List.of("ssh", "-i", key.toString(), "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
                    "-o", "UserKnownHostsFile=" + dir.resolve("known_hosts"), "-o", "ControlMaster=auto", "-o",
                    "ControlPath=" + dir.resolve("cm" + i), "-o", "ControlPersist=120", "-p",
                    Integer.toString(servers.get(i).port()), user + "@127.0.0.1",
                    io.fleetwatch.collector.RemoteScript.COMMAND));
        }
        runAll(cmds); // establishes the master connections
        List<Double> times = new ArrayList<>();
        for (int r = 0; r < 5; r++) {
            long t0 = System.nanoTime();
            runAll(cmds);
            times.add((System.nanoTime() - t0) / 1e6);
        }
        times.sort(Double::compare);
        return times.get(times.size() / 2);
    }

    private static void runAll(List<List<String>> cmds) throws Exception {
        List<Process> ps = new ArrayList<>();
        for (List<String> c : cmds) {
            ps.add(new ProcessBuilder(c).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start());
        }
        for (Process p : ps) {
            if (p.waitFor() != 0) {
                throw new IllegalStateException("ssh baseline failed: exit " + p.exitValue());
            }
        }
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 1 && args[0].equals("--hosts") ? Integer.parseInt(args[1]) : 50;
        Path dir = Files.createTempDirectory("collect-bench");
        String user = System.getProperty("user.name");
        Path key = TestSshd.keygen(dir.resolve("client"), "id_ed25519", "ed25519");
        List<TestSshd> servers = new ArrayList<>();
        try (TestBroker tb = TestBroker.create()) {
            StringBuilder known = new StringBuilder();
            for (int i = 0; i < n; i++) {
                TestSshd d = TestSshd.start(dir.resolve("sshd-" + i), List.of(Path.of(key + ".pub")));
                servers.add(d);
                known.append(d.knownHostsLine()).append('\n');
            }
            Files.writeString(dir.resolve("known_hosts"), known);
            BrokerSettings bs = BrokerSettings.fromEnv(tb.env());
            try (var c = bs.newConnection("collect-bench")) {
                Topology.standard().declare(c);
            }
            SshSettings ssh = new SshSettings(user, List.of(key), null, dir.resolve("known_hosts"), false,
                    Duration.ofSeconds(5), Duration.ofSeconds(10));
            List<HostTarget> targets = new ArrayList<>();
            for (TestSshd d : servers) {
                targets.add(new HostTarget("127.0.0.1", d.port(), user, null));
            }

            double slowestSingle = 0;
            double sumSingle = 0;
            for (HostTarget t : targets) {
                try (CollectorService one = new CollectorService(List.of(t), ssh, bs, CollectorService.Settings.defaults(),
                        Clock.systemUTC())) {
                    one.round(); // connects, primes
                    double best = Double.MAX_VALUE;
                    for (int i = 0; i < 3; i++) {
                        best = Math.min(best, one.round().took().toNanos() / 1e6);
                    }
                    slowestSingle = Math.max(slowestSingle, best);
                    sumSingle += best;
                }
            }
            double openssh = opensshRound(dir, key, servers, user);
            try (CollectorService all = new CollectorService(targets, ssh, bs, CollectorService.Settings.defaults(),
                    Clock.systemUTC())) {
                CollectorService.Round cold = all.round(); // n connections
                List<Double> warm = new ArrayList<>();
                int published = 0;
                for (int i = 0; i < 5; i++) {
                    CollectorService.Round r = all.round();
                    warm.add(r.took().toNanos() / 1e6);
                    published += r.samples().size();
                    if (!r.failures().isEmpty()) {
                        throw new IllegalStateException("failures in the bench round: " + r.failures().values());
                    }
                }
                warm.sort(Double::compare);
                double median = warm.get(warm.size() / 2);
                double worst = warm.get(warm.size() - 1);
                System.out.printf("Collector: %d sshd on 127.0.0.1, one session per host, pool of %d%n", n,
                        Math.min(64, n));
                System.out.printf("| figure | value | ratio | goal |%n|---|---|---|---|%n");
                System.out.printf("| single host alone, mean / slowest (baseline) | %.1f ms / %.1f ms | | |%n",
                        sumSingle / n, slowestSingle);
                System.out.printf("| first round over %d hosts (%d SSH logins) | %.0f ms | | |%n", n, n,
                        cold.took().toNanos() / 1e6);
                System.out.printf("| round over %d hosts, median / worst of 5 | %.1f ms / %.1f ms | worst / slowest single = %.2f | <= 2.0 |%n",
                        n, median, worst, worst / slowestSingle);
                System.out.printf("| OpenSSH client, same command on the same %d hosts at once (multiplexed sessions), median of 5 | %.1f ms | collector median / OpenSSH = %.2f | |%n",
                        n, openssh, median / openssh);
                System.out.printf("| throughput | %.0f hosts/s | | |%n", n / (median / 1000));
                System.out.printf("(%d samples published with confirms)%n", published);
            }
        } finally {
            for (TestSshd d : servers) {
                d.close();
            }
        }
    }
}
