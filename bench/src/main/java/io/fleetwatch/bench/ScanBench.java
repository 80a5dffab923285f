package io.fleetwatch.bench;

import io.fleetwatch.scanner.ScanMain;
import io.fleetwatch.testing.NetnsLab;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The scanner's benchmark (issue 3): a lab /24 of network namespaces (198.18.0.0/24, no route out) with about 30
 * live hosts, among them one that drops ICMP, one that answers only ARP, and one doing proxy ARP for a /29 of dead
 * addresses. Inside the lab's scanner namespace, in one run: {@code fleetwatch scan} (the scanner's own entry point,
 * JVM start included), {@code nmap -sn} and {@code fping -g}; wall time (median of N runs, neighbour table flushed
 * before each), recall and false positives of each against the lab's truth.
 */
public final class ScanBench {
    record Run(String tool, double medianMs, double minMs, int found, int truePositives, int falsePositives) {}

    public static void main(String[] args) throws Exception {
        int runs = 5;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--runs")) {
                runs = Integer.parseInt(args[++i]);
            }
        }
        int[] octets = new int[30];
        for (int i = 0; i < octets.length; i++) {
            octets[i] = 10 + i * 7; // 10, 17, … 213: gaps of dead addresses between them
        }
        try (NetnsLab lab = NetnsLab.create(octets)) {
            lab.dropIcmp(17);
            lab.dropAllInput(24);
            lab.proxyArp(31, "198.18.0.240/29");
            Set<String> truth = lab.hosts().keySet();
            String java = ProcessHandle.current().info().command().orElse("java");
            String cp = System.getProperty("java.class.path");
            List<List<String>> tools = List.of(
                    List.of(java, "-cp", cp, ScanMain.class.getName(), "--allow", "198.18.0.0/24", "-n", "198.18.0.0/24"),
                    List.of(java, "-cp", cp, ScanMain.class.getName(), "--allow", "198.18.0.0/24", "-n", "--profile",
                            "normal", "198.18.0.0/24"),
                    List.of("nmap", "-sn", "-n", "-oG", "-", "198.18.0.0/24"),
                    List.of("fping", "-a", "-q", "-r", "1", "-g", "198.18.0.0/24"));
            String[] names = {"fleetwatch scan (polite, 500 pps)", "fleetwatch scan --profile normal (2000 pps)",
                "nmap -sn -n", "fping -a -g -r 1"};
            List<Run> results = new ArrayList<>();
            for (int t = 0; t < tools.size(); t++) {
                List<Double> times = new ArrayList<>();
                Set<String> found = Set.of();
                for (int r = 0; r < runs; r++) {
                    lab.inNs(lab.scannerNamespace(), "ip", "neigh", "flush", "all");
                    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", lab.scannerNamespace()));
                    cmd.addAll(tools.get(t));
                    long t0 = System.nanoTime();
                    NetnsLab.Exec e = NetnsLab.run(cmd, false);
                    times.add((System.nanoTime() - t0) / 1e6);
                    found = parse(e.output());
                    found.remove(NetnsLab.SCANNER_IP); // nmap lists the scanning host itself
                }
                times.sort(Double::compare);
                Set<String> tp = new HashSet<>(found);
                tp.retainAll(truth);
                results.add(new Run(names[t], times.get(times.size() / 2), times.get(0), found.size(), tp.size(),
                        found.size() - tp.size()));
            }
            double nmap = results.get(2).medianMs();
            System.out.printf(Locale.ROOT, "Lab: 198.18.0.0/24, %d live hosts (one drops ICMP, one answers only ARP, one"
                    + " proxy-ARPs for 8 dead addresses), scanner inside the lab; median of %d runs%n%n", truth.size(), runs);
            System.out.println("| tool | wall time median (min) | vs nmap | recall | false positives |");
            System.out.println("|---|---|---|---|---|");
            for (Run r : results) {
                System.out.printf(Locale.ROOT, "| %s | %.0f ms (%.0f) | %.2fx | %d/%d (%.0f%%) | %d |%n", r.tool(),
                        r.medianMs(), r.minMs(), r.medianMs() / nmap, r.truePositives(), truth.size(),
                        100.0 * r.truePositives() / truth.size(), r.falsePositives());
            }
        }
    }

    private static final Pattern IP = Pattern.compile("(198\\.18\\.0\\.\\d{1,3})");

    /** Addresses reported up: JSON lines (fleetwatch), "Status: Up" lines (nmap -oG), bare lines (fping -a). */
    static Set<String> parse(String output) {
        Set<String> up = new HashSet<>();
        for (String line : output.split("\n")) {
            if (line.startsWith("{") || line.contains("Status: Up") || line.matches("198\\.18\\.0\\.\\d+\\s*")) {
                Matcher m = IP.matcher(line);
                if (m.find()) {
                    up.add(m.group(1));
                }
            }
        }
        return up;
    }
}
