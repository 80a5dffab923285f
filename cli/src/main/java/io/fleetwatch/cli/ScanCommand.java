package io.fleetwatch.cli;

import io.fleetwatch.transport.Transport;
import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.jobs.ScanJobs;
import io.fleetwatch.jobs.ScanLog;
import io.fleetwatch.messages.MessageCodec;
import io.fleetwatch.scanner.Cidr;
import io.fleetwatch.scanner.ScanPolicy;
import io.fleetwatch.scanner.Scanner;
import io.fleetwatch.store.Owners;
import io.fleetwatch.store.ScanStore;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "scan", mixinStandardHelpOptions = true, subcommands = {ScanCommand.ListJobs.class,
    ScanCommand.Status.class, ScanCommand.Logs.class},
        header = "Sweep CIDR ranges inside the allow-list and publish one discovery message per live host.",
        description = {
        "Sweep CIDR ranges (ARP, ICMP, TCP) and publish one discovery message per live host; the sweep is recorded as a",
        "scan job. Only ranges inside FLEETWATCH_SCAN_ALLOW (comma-separated CIDRs; default 127.0.0.0/8) and outside",
        "FLEETWATCH_SCAN_DENY are ever probed: anything else is refused before a packet is sent."},
        footer = {"", "Examples:", "  FLEETWATCH_SCAN_ALLOW=198.18.0.0/24 fleetwatch scan 198.18.0.0/24 --dept 1",
                  "  fleetwatch scan 198.18.0.0/24 --exclude 198.18.0.0/28 --probes icmp,tcp -n --json",
                  "  fleetwatch scan list", "  fleetwatch scan status 12", "  fleetwatch scan logs 12"})
final class ScanCommand extends EnvAware implements Callable<Integer>, ConfigCheck.Parts {
    @Override
    public List<String> parts(Map<String, String> env) {
        return List.of("database", "scan");
    }

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "CIDR", arity = "0..*", description = "Networks or addresses to sweep.")
    List<String> cidrs = new ArrayList<>();

    @Option(names = "--dept", defaultValue = "1", description = "Department the range belongs to (default 1).")
    int dept;

    @Option(names = "--exclude", paramLabel = "CIDR", description = "Leave these out (repeatable).")
    List<String> exclude = new ArrayList<>();

    @Option(names = "--probes", defaultValue = "arp,icmp,tcp", split = ",",
            description = "Any of arp, icmp, tcp (default all three).")
    List<String> probes;

    @Option(names = "-n", description = "No reverse DNS lookups.")
    boolean noDns;

    @Option(names = "--profile", defaultValue = "polite", description = "polite (default), normal, aggressive.")
    String profile;

    @Option(names = "--seed", description = "Order of the addresses (default: random).")
    Long seed;

    @Option(names = "--force", description = "Allow more than a /16.")
    boolean force;

    @Option(names = {"--json", "--no-queue"}, description = "Print the discovery messages instead of publishing them.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (cidrs.isEmpty()) {
            throw new IllegalArgumentException("scan: name the range(s) to sweep, e.g. fleetwatch scan 198.18.0.0/24");
        }
        List<Cidr> targets = cidrs.stream().map(Cidr::parse).toList();
        List<Cidr> skip = exclude.stream().map(Cidr::parse).toList();
        ScanPolicy policy = ScanJobs.policy(env).withProfile(profile);
        try {
            policy.check(targets); // before any job, connection or packet
        } catch (ScanPolicy.Refused e) {
            spec.commandLine().getErr().println("fleetwatch: " + e.getMessage());
            return 2;
        }
        ScanProgress progress = new ScanProgress(spec.commandLine().getErr());
        Scanner scanner = ScanJobs.scanner(policy, probes, !noDns, Clock.systemUTC()).events(progress);
        long order = seed != null ? seed : System.nanoTime();
        if (json) {
            Scanner.Result r;
            try (progress) {
                r = scanner.sweep(targets, skip, order, force, null, dept);
            }
            r.hosts().forEach(m -> out.println(MessageCodec.encodeToString(m)));
            spec.commandLine().getErr().println(ScanJobs.summary(null, r.summary()));
            return 0;
        }
        try (HikariDataSource ds = Services.database(env, "fleetwatch-scan");
             Transport transport = Services.transport(env, ds, "fleetwatch-scan")) {
            ScanJobs.Outcome o = Services.scanJobs(env, ds).submit(transport, scanner,
                    new ScanLog(progress, Clock.systemUTC()), new ScanJobs.Sweep(targets, skip, order, force, dept),
                    System.getProperty("user.name"));
            out.println(ScanJobs.summary(o.scanId(), o.result().summary()));
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "The most recent scan jobs.")
    static final class ListJobs extends EnvAware implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--limit", defaultValue = "20")
        int limit;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            try (HikariDataSource ds = Services.database(env, "fleetwatch-scan")) {
                out.printf("%-6s %-10s %-5s %-6s %-28s %s%n", "ID", "STATUS", "DEPT", "HOSTS", "STARTED", "TARGETS");
                for (ScanStore.Scan s : Owners.of(ds).scans().recent(limit, 0)) {
                    out.printf("%-6d %-10s %-5s %-6s %-28s %s%n", s.id(), s.status(), s.deptId(),
                            s.hostsFound() == null ? "-" : s.hostsFound(), s.startedAt() == null ? "-" : s.startedAt(),
                            s.targets() == null ? "?" : s.targets());
                }
            }
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "One scan job.")
    static final class Status extends EnvAware implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ID")
        long id;

        @Override
        public Integer call() throws Exception {
            Optional<ScanStore.Scan> found;
            try (HikariDataSource ds = Services.database(env, "fleetwatch-scan")) {
                found = Owners.of(ds).scans().find(id);
            }
            if (found.isEmpty()) {
                spec.commandLine().getErr().println("fleetwatch: scan " + id + " not found");
                return 1;
            }
            ScanStore.Scan s = found.get();
            PrintWriter out = spec.commandLine().getOut();
            String[] names = {"status", "targets", "dept", "requested_by", "probes_sent", "hosts_found", "started_at",
                "finished_at", "error"};
            Object[] values = {s.status(), s.targets(), s.deptId(), s.requestedBy(), s.probesSent(), s.hostsFound(),
                Printing.timestamp(s.startedAt()), Printing.timestamp(s.finishedAt()), s.error()};
            for (int i = 0; i < names.length; i++) {
                out.printf("%-13s %s%n", names[i] + ":", values[i] == null ? "-" : values[i]);
            }
            return 0;
        }
    }

    @Command(name = "logs", mixinStandardHelpOptions = true, description = "What a scan job logged while it ran.")
    static final class Logs extends EnvAware implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ID")
        long id;

        @Override
        public Integer call() throws Exception {
            try (HikariDataSource ds = Services.database(env, "fleetwatch-scan")) {
                ScanStore store = Owners.of(ds).scans();
                if (store.find(id).isEmpty()) {
                    spec.commandLine().getErr().println("fleetwatch: scan " + id + " not found");
                    return 1;
                }
                PrintWriter out = spec.commandLine().getOut();
                for (ScanStore.LogLine l : store.log(id, Integer.MAX_VALUE)) {
                    out.printf("%s %-5s %s%n", l.at(), l.level(), l.message());
                }
            }
            return 0;
        }
    }
}
