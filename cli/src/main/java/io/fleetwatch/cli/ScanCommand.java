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
import io.fleetwatch.settings.Durations;
import java.time.Clock;
import java.time.Duration;
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

@Command(name = "scan", mixinStandardHelpOptions = true, subcommands = {ScanCommand.Submit.class,
    ScanCommand.ListJobs.class, ScanCommand.Status.class, ScanCommand.Logs.class, ScanCommand.Cancel.class,
    ScanCommand.Stats.class},
        header = "Sweep CIDR ranges inside the allow-list and publish one discovery message per live host.",
        description = {
        "Sweep CIDR ranges (ARP, ICMP, TCP) and publish one discovery message per live host; the sweep is recorded as a",
        "scan job. Only ranges inside FLEETWATCH_SCAN_ALLOW (comma-separated CIDRs; default 127.0.0.0/8) and outside",
        "FLEETWATCH_SCAN_DENY are ever probed: anything else is refused before a packet is sent.",
        "The contract's form 'scan CIDR N --queue-enabled' is an alias: N is the department (as --dept N)."},
        footer = {"", "Examples:", "  FLEETWATCH_SCAN_ALLOW=198.18.0.0/24 fleetwatch scan 198.18.0.0/24 --dept 1",
                  "  fleetwatch scan 198.18.0.0/24 1 --queue-enabled   (the same, in the contract's form)",
                  "  fleetwatch scan 198.18.0.0/24 --exclude 198.18.0.0/28 --probes icmp,tcp -n --json",
                  "  fleetwatch scan submit 198.18.0.0/24 --department lab --at +10m --every 1h",
                  "  fleetwatch scan list", "  fleetwatch scan status 12", "  fleetwatch scan logs 12",
                  "  fleetwatch scan cancel 12", "  fleetwatch scan stats"})
final class ScanCommand extends EnvAware implements Callable<Integer>, ConfigCheck.Parts {
    @Override
    public List<String> parts(Map<String, String> env) {
        return List.of("database", "scan");
    }

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "CIDR", arity = "0..*", description = "Networks or addresses to sweep (a last bare"
            + " number is the department, as in the contract's 'scan CIDR N').")
    List<String> cidrs = new ArrayList<>();

    @Option(names = "--dept", description = "Department the range belongs to (default 1).")
    Integer dept;

    @Option(names = "--queue-enabled", description = "Accepted for the contract's scripts: discoveries always go"
            + " through RabbitMQ (QUEUE_ENABLED).")
    boolean queueEnabled;

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

    /** The sweep the arguments ask for: the contract's {@code scan CIDR N} maps N onto the department. */
    record Request(List<Cidr> targets, int dept) {}

    Request request() {
        List<String> ranges = new ArrayList<>(cidrs);
        Integer department = dept;
        if (ranges.size() >= 2 && ranges.get(ranges.size() - 1).matches("[0-9]{1,9}")) {
            int n = Integer.parseInt(ranges.remove(ranges.size() - 1));
            if (department != null && department != n) {
                throw new IllegalArgumentException("scan: department " + n + " (after the ranges) and --dept "
                        + department + " disagree");
            }
            department = n;
        }
        if (ranges.isEmpty()) {
            throw new IllegalArgumentException("scan: name the range(s) to sweep, e.g. fleetwatch scan 198.18.0.0/24");
        }
        if (queueEnabled && json) {
            throw new IllegalArgumentException("scan: --queue-enabled publishes, --json prints instead: choose one");
        }
        return new Request(ranges.stream().map(Cidr::parse).toList(), department == null ? 1 : department);
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Request req = request();
        List<Cidr> targets = req.targets();
        int dept = req.dept();
        if (!json) {
            io.fleetwatch.broker.BrokerSettings.fromEnv(env); // QUEUE_ENABLED=false and its kin fail before a job
        }
        List<Cidr> skip = exclude.stream().map(Cidr::parse).toList();
        // the fleet's and the department's (by id) rate, burst and parallelism over the profile's
        ScanPolicy policy = io.fleetwatch.jobs.ScanJobSettings.fromEnv(env).limitsFor(dept, null)
                .apply(ScanJobs.policy(env).withProfile(profile));
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

    /** A subcommand about one scan job, named by its id. */
    abstract static class OneJob extends EnvAware implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ID")
        long id;
    }

    @Command(name = "submit", mixinStandardHelpOptions = true, description = {
        "Queue a scan job: the scheduler of 'fleetwatch serve' claims it when it is due, checks it against its scan",
        "policy and sweeps it; a failed attempt is retried with backoff (FLEETWATCH_SCAN_MAX_ATTEMPTS,",
        "FLEETWATCH_SCAN_RETRY_BACKOFF). Follow it with 'scan status ID'."})
    static final class Submit extends EnvAware implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "CIDR", arity = "1..16", description = "Networks or addresses to sweep.")
        List<String> cidrs = new ArrayList<>();

        @Option(names = "--profile", description = "polite (default), normal, aggressive.")
        String profile;

        @Option(names = {"--department", "--dept"}, paramLabel = "D", description = "Department id or name.")
        String department;

        @Option(names = "--at", paramLabel = "TIME", description = "Not before: 2026-12-24T18:00:00Z, 2026-12-24T18:00"
                + " (local time) or +10m.")
        String at;

        @Option(names = "--every", paramLabel = "DURATION", description = "Repeat: when one occurrence ends, the next"
                + " is queued one period after it was due (e.g. 1h).")
        String every;

        @Override
        public Integer call() throws Exception {
            cidrs.forEach(Cidr::parse);
            Duration period = every == null ? null : Durations.parse(every);
            try (HikariDataSource ds = Services.database(env, "fleetwatch-scan")) {
                ScanJobs jobs = Services.scanJobs(env, ds);
                ScanStore.Scan s = jobs.request(new ScanStore.Submission(
                        department == null ? null : jobs.department(department), cidrs,
                        "cli:" + System.getProperty("user.name"), profile, at == null ? null : jobs.at(at), period));
                spec.commandLine().getOut().println("scan " + s.id() + ": pending"
                        + (s.runAfter() == null ? "" : ", not before " + s.runAfter())
                        + (period == null ? "" : ", every " + period.toSeconds() + " s"));
            }
            return 0;
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, description = {
        "Cancel a scan job: a pending one at once; a running one stops between probe rounds, keeps and publishes",
        "what it found, and ends cancelled."})
    static final class Cancel extends OneJob {
        @Override
        public Integer call() throws Exception {
            ScanStore.Cancel r;
            try (HikariDataSource ds = Services.database(env, "fleetwatch-scan")) {
                r = Services.scanJobs(env, ds).cancel(id);
            }
            switch (r) {
                case CANCELLED -> spec.commandLine().getOut().println("scan " + id + ": cancelled");
                case REQUESTED -> spec.commandLine().getOut().println("scan " + id
                        + ": cancel requested; it stops after its current probe round");
                case ALREADY_ENDED -> {
                    spec.commandLine().getErr().println("fleetwatch: scan " + id + " has already ended");
                    return 1;
                }
                case NOT_FOUND -> {
                    spec.commandLine().getErr().println("fleetwatch: scan " + id + " not found");
                    return 1;
                }
            }
            return 0;
        }
    }

    @Command(name = "stats", mixinStandardHelpOptions = true,
            description = "Scan jobs queued and running now, and those that ended in the last 24 hours.")
    static final class Stats extends EnvAware implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            ScanStore.Stats s;
            try (HikariDataSource ds = Services.database(env, "fleetwatch-scan")) {
                s = Services.scanJobs(env, ds).stats();
            }
            PrintWriter out = spec.commandLine().getOut();
            out.printf("%-10s %d%n%-10s %d%n%-10s %d%n%-10s %d%n%-10s %d%n", "queued:", s.queued(), "running:",
                    s.running(), "succeeded:", s.succeeded(), "failed:", s.failed(), "cancelled:", s.cancelled());
            out.println("(succeeded, failed, cancelled: ended in the last 24 h)");
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
    static final class Status extends OneJob {
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
            String[] names = {"status", "targets", "dept", "requested_by", "profile", "run_after", "every", "retries",
                "probes_sent", "hosts_found", "started_at", "finished_at", "cancel_asked", "error"};
            Object[] values = {s.status(), s.targets(), s.deptId(), s.requestedBy(), s.profile(),
                Printing.timestamp(s.runAfter()), s.repeatEveryS() == null ? null : s.repeatEveryS() + "s", s.retries(),
                s.probesSent(), s.hostsFound(), Printing.timestamp(s.startedAt()), Printing.timestamp(s.finishedAt()),
                Printing.timestamp(s.cancelRequestedAt()), s.error()};
            for (int i = 0; i < names.length; i++) {
                out.printf("%-13s %s%n", names[i] + ":", values[i] == null ? "-" : values[i]);
            }
            return 0;
        }
    }

    @Command(name = "logs", mixinStandardHelpOptions = true, description = "What a scan job logged while it ran.")
    static final class Logs extends OneJob {
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
