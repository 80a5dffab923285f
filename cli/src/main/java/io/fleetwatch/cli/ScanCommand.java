package io.fleetwatch.cli;

import com.rabbitmq.client.Connection;
import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.messages.MessageCodec;
import io.fleetwatch.scanner.Cidr;
import io.fleetwatch.scanner.ScanPolicy;
import io.fleetwatch.scanner.Scanner;
import io.fleetwatch.settings.Key;
import io.fleetwatch.settings.Keys;
import io.fleetwatch.settings.Settings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
final class ScanCommand extends EnvAware implements Callable<Integer> {
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

    static ScanPolicy policy(Map<String, String> env) {
        Settings s = Settings.fromEnv(env);
        List<Cidr> allow = cidrList(Keys.SCAN_ALLOW, s.get(Keys.SCAN_ALLOW));
        List<Cidr> deny = cidrList(Keys.SCAN_DENY, s.find(Keys.SCAN_DENY).orElse(List.of()));
        return ScanPolicy.defaults().withNetworks(allow, deny);
    }

    private static List<Cidr> cidrList(Key<?> key, List<String> cidrs) {
        List<Cidr> out = new ArrayList<>();
        for (String c : cidrs) {
            try {
                out.add(Cidr.parse(c));
            } catch (IllegalArgumentException e) {
                throw key.invalid(e.getMessage());
            }
        }
        return out;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (cidrs.isEmpty()) {
            throw new IllegalArgumentException("scan: name the range(s) to sweep, e.g. fleetwatch scan 198.18.0.0/24");
        }
        List<Cidr> targets = cidrs.stream().map(Cidr::parse).toList();
        List<Cidr> skip = exclude.stream().map(Cidr::parse).toList();
        ScanPolicy policy = policy(env).withProfile(profile);
        try {
            policy.check(targets); // before any job, connection or packet
        } catch (ScanPolicy.Refused e) {
            spec.commandLine().getErr().println("fleetwatch: " + e.getMessage());
            return 2;
        }
        ScanLog log = new ScanLog(spec.commandLine().getErr(), Clock.systemUTC());
        Scanner scanner = new Scanner(policy, probes, Path.of("/proc/net/arp"), Clock.systemUTC())
                .events(log).reverseDns(!noDns, Duration.ofSeconds(2));
        long order = seed != null ? seed : System.nanoTime();
        if (json) {
            Scanner.Result r;
            try (log) {
                r = scanner.sweep(targets, skip, order, force, null, dept);
            }
            r.hosts().forEach(m -> out.println(MessageCodec.encodeToString(m)));
            spec.commandLine().getErr().println(summary(null, r.summary()));
            return 0;
        }
        try (HikariDataSource ds = Services.database(env, "fleetwatch-scan");
             Connection amqp = Services.connect(env, "fleetwatch-scan")) {
            ScanJob.Outcome o = ScanJob.run(ds, amqp, scanner, log, targets, skip, order, force, dept,
                    System.getProperty("user.name"));
            out.println(summary(o.scanId(), o.result().summary()));
            return 0;
        }
    }

    static String summary(Long id, Scanner.Summary s) {
        return "scan" + (id == null ? "" : " " + id) + ": " + s.addresses() + " address(es), " + s.live() + " live, "
                + s.probesSent() + " probe(s) sent, " + s.took().toMillis() + " ms";
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
            try (HikariDataSource ds = Services.database(env, "fleetwatch-scan"); var c = ds.getConnection();
                 PreparedStatement ps = c.prepareStatement("SELECT id, status, coalesce(targets, '?'), dept_id,"
                         + " coalesce(hosts_found::text, '-'), started_at, finished_at - started_at FROM scans"
                         + " ORDER BY id DESC LIMIT ?")) {
                ps.setInt(1, limit);
                out.printf("%-6s %-10s %-5s %-6s %-28s %s%n", "ID", "STATUS", "DEPT", "HOSTS", "STARTED", "TARGETS");
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.printf("%-6d %-10s %-5s %-6s %-28s %s%n", rs.getLong(1), rs.getString(2),
                                rs.getObject(4), rs.getString(5),
                                rs.getTimestamp(6) == null ? "-" : rs.getTimestamp(6).toInstant(), rs.getString(3));
                    }
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
            try (HikariDataSource ds = Services.database(env, "fleetwatch-scan"); var c = ds.getConnection();
                 PreparedStatement ps = c.prepareStatement("SELECT status, targets, dept_id, requested_by, probes_sent,"
                         + " hosts_found, started_at, finished_at, error FROM scans WHERE id = ?")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        spec.commandLine().getErr().println("fleetwatch: scan " + id + " not found");
                        return 1;
                    }
                    PrintWriter out = spec.commandLine().getOut();
                    String[] names = {"status", "targets", "dept", "requested_by", "probes_sent", "hosts_found",
                        "started_at", "finished_at", "error"};
                    for (int i = 0; i < names.length; i++) {
                        Object v = rs.getObject(i + 1);
                        out.printf("%-13s %s%n", names[i] + ":", v == null ? "-" : v);
                    }
                }
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
            try (HikariDataSource ds = Services.database(env, "fleetwatch-scan"); var c = ds.getConnection();
                 PreparedStatement exists = c.prepareStatement("SELECT 1 FROM scans WHERE id = ?");
                 PreparedStatement ps = c.prepareStatement("SELECT at, level, message FROM scan_logs WHERE scan_id = ?"
                         + " ORDER BY seq")) {
                exists.setLong(1, id);
                try (ResultSet rs = exists.executeQuery()) {
                    if (!rs.next()) {
                        spec.commandLine().getErr().println("fleetwatch: scan " + id + " not found");
                        return 1;
                    }
                }
                ps.setLong(1, id);
                PrintWriter out = spec.commandLine().getOut();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.printf("%s %-5s %s%n", rs.getTimestamp(1).toInstant(), rs.getString(2), rs.getString(3));
                    }
                }
            }
            return 0;
        }
    }
}
