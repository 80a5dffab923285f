package io.fleetwatch.cli;

import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.collector.CollectorService;
import io.fleetwatch.collector.HostTarget;
import io.fleetwatch.collector.SshSettings;
import io.fleetwatch.jobs.Errors;
import io.fleetwatch.lifecycle.Signals;
import io.fleetwatch.settings.Settings;
import io.fleetwatch.store.Owners;
import io.fleetwatch.transport.TransportKind;
import io.fleetwatch.transport.Transports;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "collect", mixinStandardHelpOptions = true, description = {
    "Collect the eight metrics from hosts over SSH (no agent needed) and publish them.",
    "Host keys are verified against FLEETWATCH_SSH_KNOWN_HOSTS; see the collector README for the FLEETWATCH_SSH_* keys."},
    footer = {"", "Examples:", "  fleetwatch collect ops@lab-pc-01 lab-pc-02:2222",
              "  fleetwatch collect --all --interval 30s",
              "  fleetwatch collect --all --queue-enabled --queue-host mq.example.org   (the contract's form)"})
final class CollectCommand extends EnvAware implements Callable<Integer>, ConfigCheck.Parts {
    @Override
    public List<String> parts(Map<String, String> env) {
        return List.of("ssh");
    }

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "HOST", arity = "0..*", description = "[user@]host[:port]")
    List<String> hosts = new ArrayList<>();

    @Option(names = "--all", description = "Every system in the database with an SSH user (systems.ssh_user).")
    boolean all;

    @Option(names = "--inventory", paramLabel = "FILE", description = "One [user@]host[:port] per line (# comments).")
    Path inventory;

    @Option(names = "--interval", paramLabel = "DURATION",
            description = "Run as a service, one round per interval (e.g. 30s). Without it: two rounds a second"
                    + " apart (CPU and network are rates), then exit.")
    String interval;

    @Option(names = "--queue-enabled", description = "Accepted for scripts written for the contract's collector:"
            + " samples always go through RabbitMQ (QUEUE_ENABLED).")
    boolean queueEnabled;

    @Option(names = "--queue-host", paramLabel = "HOST", description = "The RabbitMQ host, as QUEUE_HOST (an alias).")
    String queueHost;

    @Override
    public Integer call() throws Exception {
        if (queueHost != null) {
            Map<String, String> withHost = new java.util.HashMap<>(env);
            withHost.put(io.fleetwatch.settings.Keys.BROKER_HOST.env(), queueHost);
            env = withHost;
        }
        // a bad broker or transport setting (QUEUE_ENABLED=false, a bad REDIS_URL) fails first
        io.fleetwatch.broker.BrokerSettings.fromEnv(env);
        Transports.checkEnv(env);
        SshSettings ssh = SshSettings.fromEnv(env);
        List<HostTarget> targets = new ArrayList<>();
        for (String h : hosts) {
            targets.add(HostTarget.parse(h, ssh.defaultUser()));
        }
        if (inventory != null) {
            for (String line : Files.readAllLines(inventory)) {
                String l = line.replaceAll("#.*", "").strip();
                if (!l.isEmpty()) {
                    targets.add(HostTarget.parse(l, ssh.defaultUser()));
                }
            }
        }
        if (all) {
            targets.addAll(fromDatabase());
        }
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("no hosts: name some, or use --all / --inventory");
        }
        Duration every = interval == null ? null : io.fleetwatch.agent.AgentSettings.duration("--interval", interval);
        PrintWriter out = spec.commandLine().getOut();
        Settings settings = Settings.fromEnv(env);
        // the postgres transport publishes into the database: a pool of its own for this run
        HikariDataSource queueDb = TransportKind.from(settings) == TransportKind.POSTGRES
                ? Services.database(env, "fleetwatch-collect-queue") : null;
        List<AutoCloseable> exposed = new ArrayList<>(); // the /metrics server, as a service (--interval) only
        io.fleetwatch.lifecycle.OpsMetrics metrics = every == null ? new io.fleetwatch.lifecycle.OpsMetrics()
                : Components.Exposed.COLLECTOR.serve(env, exposed);
        try (queueDb; CollectorService svc = new CollectorService(targets, ssh,
                () -> Transports.open(settings, () -> queueDb, "fleetwatch-collector"),
                CollectorService.Settings.defaults(), Clock.systemUTC()).meteredBy(metrics);
             AutoCloseable server = () -> Services.closeAll(exposed)) {
            if (every == null) {
                svc.round(); // primes the rates
                Thread.sleep(1_000);
                CollectorService.Round r = svc.round();
                out.printf("collect: %d of %d host(s) published in %d ms%n", r.samples().size(), r.hosts(),
                        r.took().toMillis());
                r.failures().values().forEach(f -> out.println("collect: " + f.getMessage()));
                return r.failures().isEmpty() ? 0 : 1;
            }
            AtomicBoolean running = new AtomicBoolean(true);
            Thread main = Thread.currentThread();
            Thread waiter = new Thread(() -> {
                try {
                    Signals.awaitStop();
                } catch (InterruptedException e) {
                    return;
                }
                running.set(false);
                main.interrupt(); // ends the sleep; a round in progress finishes first
            }, "collect-signals");
            waiter.setDaemon(true);
            waiter.start();
            while (running.get()) {
                long t0 = System.nanoTime();
                try {
                    svc.round();
                } catch (Exception e) {
                    spec.commandLine().getErr().println("fleetwatch: collect round failed: " + Errors.describe(e));
                }
                long sleep = every.toMillis() - (System.nanoTime() - t0) / 1_000_000;
                try {
                    Thread.sleep(Math.max(0, sleep));
                } catch (InterruptedException e) {
                    break;
                }
            }
            return 0;
        }
    }

    private List<HostTarget> fromDatabase() {
        try (HikariDataSource ds = Services.database(env, "fleetwatch-collect")) {
            return Owners.of(ds).systems().sshTargets().stream()
                    .map(t -> new HostTarget(t.host(), t.port(), t.user(), t.systemId())).toList();
        }
    }
}
