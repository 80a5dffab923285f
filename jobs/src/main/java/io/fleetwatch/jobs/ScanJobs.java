package io.fleetwatch.jobs;

import io.fleetwatch.transport.Publisher;
import com.rabbitmq.client.Connection;
import io.fleetwatch.broker.RabbitTransport;
import io.fleetwatch.broker.Topology;
import io.fleetwatch.transport.Transport;
import io.fleetwatch.messages.DiscoveryMessage;
import io.fleetwatch.messages.Routing;
import io.fleetwatch.scanner.Cidr;
import io.fleetwatch.scanner.ScanEvents;
import io.fleetwatch.scanner.ScanPolicy;
import io.fleetwatch.scanner.ScanSchedule;
import io.fleetwatch.scanner.Scanner;
import io.fleetwatch.store.ScanStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scan jobs, the one way a sweep runs: {@code fleetwatch scan} submits and runs one now, the scheduler claims the
 * scans requested through the API ({@code POST /api/scans} leaves a {@code pending} job) and runs the scan schedules
 * ({@code FLEETWATCH_SCAN_SCHEDULES}). A job row exists before the first packet; the discovered hosts are published
 * with confirms; the job closes with its counts and log lines, or as failed with the reason.
 */
public final class ScanJobs {
    public static final String SCHEDULES_KEY = "FLEETWATCH_SCAN_SCHEDULES";
    /** The keys the schedules and the scan policy read: a reload (SIGHUP) restarts the schedules when one changes. */
    public static final Predicate<String> SCHEDULE_KEYS = k -> k.startsWith("FLEETWATCH_SCAN_");

    private static final Logger LOG = LoggerFactory.getLogger(ScanJobs.class);
    private static final Path ARP_CACHE = Path.of("/proc/net/arp");

    /** Opens a broker connection under the given client name (the CLI's, with its operator-friendly error). */
    @FunctionalInterface
    public interface Broker {
        Connection connect(String name) throws Exception;
    }

    /** Opens a transport of its own under the given client name ({@code Transports.open}); closed after each job. */
    @FunctionalInterface
    public interface Opener {
        Transport open(String name) throws Exception;
    }

    /** What to sweep: {@code order} seeds the order of the addresses; {@code force} allows more than a /16. */
    public record Sweep(List<Cidr> targets, List<Cidr> exclude, long order, boolean force, int dept) {
        public Sweep {
            targets = List.copyOf(targets);
            exclude = List.copyOf(exclude);
            if (targets.isEmpty()) {
                throw new IllegalArgumentException("a sweep needs at least one target");
            }
        }
    }

    public record Outcome(long scanId, Scanner.Result result) {
        public Outcome {
            Objects.requireNonNull(result, "result");
        }
    }

    private final ScanStore store;
    private final Opener transports;
    private final Clock clock;

    /** Publishing on RabbitMQ connections {@code broker} opens. */
    public ScanJobs(ScanStore store, Broker broker, Clock clock) {
        this(store, rabbit(Objects.requireNonNull(broker, "broker")), clock);
    }

    private ScanJobs(ScanStore store, Opener transports, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.transports = Objects.requireNonNull(transports, "transports");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Publishing on the transports {@code transports} opens (the one {@code QUEUE_TYPE} chooses). */
    public static ScanJobs on(ScanStore store, Opener transports, Clock clock) {
        return new ScanJobs(store, transports, clock);
    }

    private static Opener rabbit(Broker broker) {
        return name -> rabbit(broker.connect(name));
    }

    /** A connection as a transport; closing it closes the connection. */
    private static Transport rabbit(Connection amqp) {
        return new RabbitTransport(amqp, Topology.standard(), "rabbitmq");
    }

    /** The scan policy of this host: FLEETWATCH_SCAN_ALLOW (default 127.0.0.0/8) and FLEETWATCH_SCAN_DENY. */
    public static ScanPolicy policy(Map<String, String> env) {
        List<Cidr> allow = cidrList(env, "FLEETWATCH_SCAN_ALLOW", "127.0.0.0/8");
        List<Cidr> deny = cidrList(env, "FLEETWATCH_SCAN_DENY", "");
        return ScanPolicy.defaults().withNetworks(allow, deny);
    }

    private static List<Cidr> cidrList(Map<String, String> env, String key, String fallback) {
        List<Cidr> out = new ArrayList<>();
        for (String c : env.getOrDefault(key, fallback).split(",")) {
            if (!c.isBlank()) {
                try {
                    out.add(Cidr.parse(c));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(key + ": " + e.getMessage());
                }
            }
        }
        return out;
    }

    /** The scan schedules, each checked against the scan policy; empty when none is configured. */
    public static List<ScanSchedule> schedules(Map<String, String> env) {
        List<ScanSchedule> schedules = ScanSchedule.parseAll(SCHEDULES_KEY, env.get(SCHEDULES_KEY));
        ScanPolicy policy = policy(env);
        for (ScanSchedule s : schedules) {
            try {
                policy.check(s.targets());
            } catch (ScanPolicy.Refused e) {
                throw new IllegalArgumentException(SCHEDULES_KEY + ": " + s + ": " + e.getMessage());
            }
        }
        return schedules;
    }

    /** A scanner on this host's ARP cache, with reverse DNS (2 s per lookup) when {@code reverseDns}. */
    public static Scanner scanner(ScanPolicy policy, List<String> probes, boolean reverseDns, Clock clock) {
        return new Scanner(policy, probes, ARP_CACHE, clock).reverseDns(reverseDns, Duration.ofSeconds(2));
    }

    /** The one-line summary of a sweep ({@code id} null for a sweep that was no job). */
    public static String summary(Long id, Scanner.Summary s) {
        return "scan" + (id == null ? "" : " " + id) + ": " + s.addresses() + " address(es), " + s.live() + " live, "
                + s.probesSent() + " probe(s) sent, " + s.took().toMillis() + " ms";
    }

    /** Submits a job and runs it now, publishing over {@code amqp} (left open). */
    public Outcome submit(Connection amqp, Scanner scanner, ScanLog log, Sweep sweep, String requestedBy)
            throws Exception {
        return submit(rabbit(amqp), scanner, log, sweep, requestedBy);
    }

    /** Submits a job and runs it now, publishing on {@code transport} (left open). */
    public Outcome submit(Transport transport, Scanner scanner, ScanLog log, Sweep sweep, String requestedBy)
            throws Exception {
        long id = store.start(sweep.dept(), sweep.targets().stream().map(Cidr::toString).toList(), requestedBy);
        return run(id, transport, scanner, log, sweep);
    }

    /** Runs the sweep of job {@code id} (started or claimed already) and closes the job. */
    public Outcome run(long id, Transport transport, Scanner scanner, ScanLog log, Sweep sweep) throws Exception {
        try {
            Scanner.Result r;
            try (log) {
                r = scanner.events(log).sweep(sweep.targets(), sweep.exclude(), sweep.order(), sweep.force(), id,
                        sweep.dept());
            }
            try (Publisher pub = transport.publisher("fleetwatch-scan", Duration.ofSeconds(10), clock)) {
                List<Publisher.Outgoing> batch = new ArrayList<>();
                for (DiscoveryMessage m : r.hosts()) {
                    batch.add(Publisher.Outgoing.of(Routing.DISCOVERY_ROUTING_KEY, m));
                }
                pub.publishAll(batch);
            }
            Scanner.Summary s = r.summary();
            store.finish(id, new ScanStore.Counts(s.probesSent(), s.answered(), s.live()), null, log.lines());
            return new Outcome(id, r);
        } catch (Exception e) {
            log.log("error", Errors.describe(e));
            store.finish(id, null, Errors.describe(e), log.lines());
            throw e;
        }
    }

    /**
     * Claims the next scan requested through the API and runs it: checked against {@code policy} first (a refusal,
     * or targets that do not parse, fail the job with the reason and nothing is sent), then swept with the default
     * probes and profile. False when no request was pending.
     */
    public boolean runNextRequested(ScanPolicy policy) {
        Optional<ScanStore.Claimed> claimed = store.claimRequested();
        if (claimed.isEmpty()) {
            return false;
        }
        long id = claimed.get().id();
        ScanLog log = new ScanLog(ScanEvents.NONE, clock);
        List<Cidr> targets;
        try {
            targets = claimed.get().targetList().stream().map(Cidr::parse).toList();
            policy.check(targets);
        } catch (RuntimeException | ScanPolicy.Refused e) {
            String why = e instanceof ScanPolicy.Refused ? e.getMessage() : "bad targets: " + e.getMessage();
            log.log("error", why);
            store.finish(id, null, why, log.lines());
            LOG.warn("requested scan {}: {}", id, why);
            return true;
        }
        try (Transport t = transports.open("fleetwatch-scan-request")) {
            Outcome o = run(id, t, scanner(policy, Scanner.PROBES, true, clock), log,
                    new Sweep(targets, List.of(), System.nanoTime(), false, claimed.get().dept()));
            LOG.info("requested {}", summary(o.scanId(), o.result().summary()));
        } catch (Exception e) {
            LOG.warn("requested scan {} failed: {}", id, Errors.describe(e)); // the job row says so too
        }
        return true;
    }

    /**
     * Polls every {@code every} for scans requested through the API and runs them one at a time, with
     * {@code policy} (several instances share the requests). Stops on close.
     */
    public AutoCloseable serveRequests(ScanPolicy policy, Duration every) {
        ScheduledExecutorService timer = timer("scan-requests", 1);
        timer.scheduleWithFixedDelay(() -> {
            try {
                while (runNextRequested(policy)) {
                    // next pending request, if any
                }
            } catch (Exception e) {
                LOG.warn("requested scans: {}", Errors.describe(e));
            }
        }, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        return () -> stop(timer);
    }

    /**
     * Sweeps each schedule every {@code every}, as a job requested by {@code schedule}. A session-level advisory lock
     * per schedule makes one instance run it when several serve the same database; a sweep still running delays the
     * next one. Stops on close (a sweep in progress finishes first, up to 30 s).
     */
    public AutoCloseable schedule(List<ScanSchedule> schedules, ScanPolicy policy) {
        ScheduledExecutorService timer = timer("scan-schedule", Math.max(1, Math.min(4, schedules.size())));
        for (int i = 0; i < schedules.size(); i++) {
            ScanSchedule s = schedules.get(i);
            int lockKey = i;
            timer.scheduleWithFixedDelay(() -> runScheduled(policy, s, lockKey), 0, s.every().toMillis(),
                    TimeUnit.MILLISECONDS);
            LOG.info("scan schedule {}: {}", i + 1, s);
        }
        return () -> stop(timer);
    }

    private void runScheduled(ScanPolicy policy, ScanSchedule s, int lockKey) {
        try {
            Optional<ScanStore.ScheduleLock> lock = store.tryScheduleLock(lockKey);
            if (lock.isEmpty()) {
                LOG.debug("scan schedule {} runs elsewhere", s);
                return;
            }
            try (ScanStore.ScheduleLock held = lock.get();
                 Transport t = transports.open("fleetwatch-scan-schedule")) {
                Outcome o = submit(t, scanner(policy.withProfile(s.profile()), s.probes(), true, clock),
                        new ScanLog(ScanEvents.NONE, clock),
                        new Sweep(s.targets(), List.of(), System.nanoTime(), false, s.dept()), "schedule");
                LOG.info("scheduled {}", summary(o.scanId(), o.result().summary()));
            }
        } catch (Exception e) {
            // the job row already says failed and why; the schedule goes on
            LOG.warn("scheduled scan {} failed: {}", s, Errors.describe(e));
        }
    }

    private static ScheduledExecutorService timer(String name, int threads) {
        return Executors.newScheduledThreadPool(threads, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    private static void stop(ScheduledExecutorService timer) throws InterruptedException {
        timer.shutdown();
        if (!timer.awaitTermination(30, TimeUnit.SECONDS)) {
            timer.shutdownNow();
        }
    }
}
