package io.fleetwatch.jobs;

import com.rabbitmq.client.Connection;
import io.fleetwatch.broker.RabbitTransport;
import io.fleetwatch.broker.Topology;
import io.fleetwatch.transport.Publisher;
import io.fleetwatch.transport.Transport;
import io.fleetwatch.lifecycle.OpsMetrics;
import io.fleetwatch.messages.DiscoveryMessage;
import io.fleetwatch.messages.Routing;
import io.fleetwatch.scanner.Cidr;
import io.fleetwatch.scanner.ScanEvents;
import io.fleetwatch.scanner.ScanPolicy;
import io.fleetwatch.scanner.ScanSchedule;
import io.fleetwatch.scanner.Scanner;
import io.fleetwatch.store.ScanStore;
import io.fleetwatch.store.SystemStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scan jobs, the one way a sweep runs: {@code fleetwatch scan CIDR} submits and runs one now; {@code fleetwatch scan
 * submit} and {@code POST /api/scans} queue one ({@code pending}, possibly for later or repeating), which the scheduler
 * claims (at most {@code FLEETWATCH_SCAN_MAX_PARALLEL_SCANS} running over the fleet), retries with backoff when it
 * fails, and recovers when its runner dies; the scheduler also runs the scan schedules ({@code
 * FLEETWATCH_SCAN_SCHEDULES}). A job row exists before the first packet; the discovered hosts are published with
 * confirms; the job closes with its counts and log lines, as failed with the reason, or as cancelled with what it had
 * found when cancelled. {@link #stats()} counts the jobs for the API, the CLI and the metrics.
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
    private final ScanJobSettings settings;
    private final SystemStore systems;
    /** Where this instance counts the sweeps it started and the jobs it failed (shared across reloads). */
    private Counts counts = new Counts();

    /** A process's scan counts for the scheduler's /metrics; one survives the reloads that rebuild {@code ScanJobs}. */
    public static final class Counts {
        private final AtomicLong started = new AtomicLong();
        private final AtomicLong failed = new AtomicLong();

        public long started() {
            return started.get();
        }

        public long failed() {
            return failed.get();
        }
    }

    public ScanJobs(ScanStore store, Broker broker, Clock clock) {
        this(store, broker, clock, ScanJobSettings.defaults(), null);
    }

    /** {@code systems} (may be null) names departments: for per-department limits and {@code --department NAME}. */
    public ScanJobs(ScanStore store, Broker broker, Clock clock, ScanJobSettings settings, SystemStore systems) {
        this(store, rabbit(Objects.requireNonNull(broker, "broker")), clock, settings, systems);
    }

    private ScanJobs(ScanStore store, Opener transports, Clock clock, ScanJobSettings settings, SystemStore systems) {
        this.store = Objects.requireNonNull(store, "store");
        this.transports = Objects.requireNonNull(transports, "transports");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.systems = systems;
    }

    /**
     * For a process that queues, cancels and counts jobs but runs none (the API): asking it to connect to the broker
     * is a programming error.
     */
    public static ScanJobs withoutRunner(ScanStore store, SystemStore systems, Clock clock) {
        return new ScanJobs(store, (Opener) name -> {
            throw new IllegalStateException("this process runs no scan jobs");
        }, clock, ScanJobSettings.defaults(), systems);
    }

    /** Publishing on the transports {@code transports} opens (the one {@code QUEUE_TYPE} chooses). */
    public static ScanJobs on(ScanStore store, Opener transports, Clock clock) {
        return on(store, transports, clock, ScanJobSettings.defaults(), null);
    }

    /** As above, with the queue's settings and {@code systems} (may be null) naming departments. */
    public static ScanJobs on(ScanStore store, Opener transports, Clock clock, ScanJobSettings settings,
                              SystemStore systems) {
        return new ScanJobs(store, transports, clock, settings, systems);
    }

    private static Opener rabbit(Broker broker) {
        return name -> rabbit(broker.connect(name));
    }

    /** A connection as a transport; closing it closes the connection. */
    private static Transport rabbit(Connection amqp) {
        return new RabbitTransport(amqp, Topology.standard(), "rabbitmq");
    }

    /** Counts into {@code c} from now on (the scheduler keeps one across the reloads that rebuild this service). */
    public ScanJobs countingInto(Counts c) {
        this.counts = Objects.requireNonNull(c, "counts");
        return this;
    }

    /**
     * The scheduler's families in {@code m} (its {@code /metrics}): scans this process started and failed, and the
     * fleet's jobs by state ({@link #stats()}, read at scrape time from {@code jobs}).
     */
    public static void meter(OpsMetrics m, Counts c, java.util.function.Supplier<ScanStore.Stats> jobs) {
        m.counter("fleetwatch_scheduler_scans_started_total", "sweeps this scheduler started", c::started);
        m.counter("fleetwatch_scheduler_scans_failed_total",
                "scans this scheduler closed as failed (requests refused by the scan policy included)", c::failed);
        OpsMetrics.Gauge g = m.gauge("fleetwatch_scheduler_jobs",
                "scan jobs over the fleet: queued and running now; succeeded, failed, cancelled in the last 24 h",
                "state");
        g.labels("queued").set(() -> jobs.get().queued());
        g.labels("running").set(() -> jobs.get().running());
        g.labels("succeeded").set(() -> jobs.get().succeeded());
        g.labels("failed").set(() -> jobs.get().failed());
        g.labels("cancelled").set(() -> jobs.get().cancelled());
    }

    public ScanJobSettings settings() {
        return settings;
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

    /**
     * The policy a sweep of department {@code dept} runs under: {@code base} (the allow and deny lists) with the
     * timing {@code profile} (null: polite), then the fleet's rate, burst and parallelism, then the department's.
     */
    public ScanPolicy limits(ScanPolicy base, String profile, int dept) {
        ScanPolicy p = base.withProfile(profile == null ? "polite" : profile);
        return settings.limitsFor(dept, departmentName(dept)).apply(p);
    }

    private String departmentName(int dept) {
        if (systems == null || settings.departments().isEmpty()) {
            return null;
        }
        return systems.departments().stream().filter(d -> d.id() == dept).map(SystemStore.Department::name)
                .filter(Objects::nonNull).findFirst().orElse(null);
    }

    /** A department given by id or by name (names need the departments' owner); an unknown name is an error. */
    public int department(String idOrName) {
        if (idOrName.matches("[0-9]{1,9}")) {
            int id = Integer.parseInt(idOrName);
            if (id < 1) {
                throw new IllegalArgumentException("department: must be positive, not " + id);
            }
            if (systems != null && systems.departments().stream().noneMatch(d -> d.id() == id)) {
                throw new IllegalArgumentException("department: none has the id " + id);
            }
            return id;
        }
        if (systems == null) {
            throw new IllegalArgumentException("department: give its id, not '" + idOrName + "'");
        }
        return systems.departments().stream().filter(d -> idOrName.equals(d.name())).map(SystemStore.Department::id)
                .findFirst().orElseThrow(() -> new IllegalArgumentException("department: none is named '" + idOrName
                        + "'"));
    }

    /** When a job submitted with {@code --at TIME} may run: an ISO-8601 instant, local date-time, or +DURATION. */
    public Instant at(String text) {
        String t = text.strip();
        try {
            if (t.startsWith("+")) {
                return clock.instant().plus(io.fleetwatch.settings.Durations.parse(t.substring(1)));
            }
            if (t.endsWith("Z") || t.matches(".*[+-][0-9]{2}:?[0-9]{2}$")) {
                return java.time.OffsetDateTime.parse(t).toInstant();
            }
            return java.time.LocalDateTime.parse(t).atZone(clock.getZone()).toInstant();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("at: '" + text + "' is no time: use 2026-12-24T18:00:00Z,"
                    + " 2026-12-24T18:00 (local) or +10m");
        }
    }

    /**
     * Queues a job ({@code fleetwatch scan submit}, {@code POST /api/scans}): {@code pending} until a scheduler claims
     * it, not before its time. The profile must be one the scanner knows; the targets are checked against the
     * policy of the process that claims the job.
     */
    public ScanStore.Scan request(ScanStore.Submission s) {
        if (s.profile() != null) {
            ScanPolicy.defaults().withProfile(s.profile()); // names the profiles on a typo
        }
        s.targets().forEach(Cidr::parse);
        return store.request(s);
    }

    /** Cancels a job: a pending one now, a running one between its probe rounds (it keeps what it found). */
    public ScanStore.Cancel cancel(long id) {
        return store.cancel(id);
    }

    /** Jobs queued and running now, and those that ended in the last 24 hours, by how. */
    public ScanStore.Stats stats() {
        return store.stats(clock.instant().minus(Duration.ofHours(24)));
    }

    /**
     * Running jobs whose runner is gone (its process killed, its host lost: the runner's advisory lock is free): a
     * queued one is queued again after the backoff, or failed with the reason after the last attempt; one run at once
     * by whoever started it (a CLI sweep, a schedule) is failed; one asked to cancel ends cancelled. Returns the ids.
     */
    public List<Long> recoverStale() {
        Instant now = clock.instant();
        List<Long> ids = store.recoverStale(s -> {
            int attempt = s.retries() + 1;
            if (s.cancelRequested()) {
                return new ScanStore.Recovery("cancelled", null, null, new ScanStore.LogLine(now, "warn",
                        "runner gone; it had been asked to cancel"));
            }
            String why = "runner gone (its process or database session ended) on attempt " + attempt;
            if (!s.queued()) {
                return new ScanStore.Recovery("failed", null, why, new ScanStore.LogLine(now, "error", why));
            }
            if (attempt < settings.maxAttempts()) {
                Instant next = now.plus(settings.backoff(attempt));
                return new ScanStore.Recovery("pending", next, why, new ScanStore.LogLine(now, "warn",
                        why + "; queued again for " + next));
            }
            String last = why + " of " + settings.maxAttempts() + "; no attempt left";
            return new ScanStore.Recovery("failed", null, last, new ScanStore.LogLine(now, "error", last));
        });
        if (!ids.isEmpty()) {
            LOG.warn("recovered {} scan job(s) whose runner was gone: {}", ids.size(), ids);
        }
        return ids;
    }

    /** Submits a job and runs it now, publishing over {@code amqp} (left open). */
    public Outcome submit(Connection amqp, Scanner scanner, ScanLog log, Sweep sweep, String requestedBy)
            throws Exception {
        return submit(rabbit(amqp), scanner, log, sweep, requestedBy);
    }

    /**
     * Submits a job and runs it now, publishing on {@code transport} (left open); a failure fails the job (no retry:
     * someone watches).
     */
    public Outcome submit(Transport transport, Scanner scanner, ScanLog log, Sweep sweep, String requestedBy)
            throws Exception {
        try (ScanStore.Lease lease = store.start(sweep.dept(), sweep.targets().stream().map(Cidr::toString).toList(),
                requestedBy)) {
            try {
                return attempt(lease.id(), transport, scanner, log, sweep);
            } catch (Exception e) {
                log.log("error", Errors.describe(e));
                store.finish(lease.id(), null, Errors.describe(e), log.lines());
                counts.failed.incrementAndGet();
                throw e;
            }
        }
    }

    /**
     * Sweeps for job {@code id} (its lease held by the caller), asking between probe rounds whether it was cancelled;
     * publishes the hosts found (all, or those found before a cancel) and closes the job.
     */
    private Outcome attempt(long id, Transport transport, Scanner scanner, ScanLog log, Sweep sweep) throws Exception {
        log.cancelWhen(() -> store.cancelRequested(id));
        counts.started.incrementAndGet();
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
        store.finish(id, r.cancelled() ? ScanStore.End.CANCELLED : ScanStore.End.SUCCEEDED,
                new ScanStore.Counts(s.probesSent(), s.answered(), s.live()), null, log.lines());
        return new Outcome(id, r);
    }

    /**
     * Claims the next queued job that is due, unless {@code FLEETWATCH_SCAN_MAX_PARALLEL_SCANS} jobs run already, and
     * runs it: checked against {@code policy} first (a refusal, or targets that do not parse, fail the job with the
     * reason and nothing is sent), then swept with the default probes under its profile and its department's limits.
     * A failed attempt is queued again after the backoff until the attempts are spent. False when nothing was claimed.
     */
    public boolean runNextRequested(ScanPolicy policy) {
        Optional<ScanStore.Lease> claimed = store.claim(settings.maxParallelScans());
        if (claimed.isEmpty()) {
            return false;
        }
        try (ScanStore.Lease lease = claimed.get()) {
            runClaimed(lease.job(), policy);
        }
        return true;
    }

    private void runClaimed(ScanStore.Claimed job, ScanPolicy policy) {
        long id = job.id();
        ScanLog log = new ScanLog(ScanEvents.NONE, clock);
        List<Cidr> targets;
        ScanPolicy limited;
        try {
            targets = job.targetList().stream().map(Cidr::parse).toList();
            policy.check(targets);
            limited = limits(policy, job.profile(), job.dept());
        } catch (RuntimeException | ScanPolicy.Refused e) {
            String why = e instanceof ScanPolicy.Refused ? e.getMessage() : "bad job: " + e.getMessage();
            log.log("error", why);
            store.finish(id, null, why, log.lines());
            counts.failed.incrementAndGet();
            LOG.warn("requested scan {}: {}", id, why);
            return;
        }
        log.log("info", "attempt " + (job.retries() + 1) + " of " + settings.maxAttempts() + "; "
                + limited.describeLimits());
        try (Transport t = transports.open("fleetwatch-scan-request")) {
            Outcome o = attempt(id, t, scanner(limited, Scanner.PROBES, true, clock), log,
                    new Sweep(targets, List.of(), System.nanoTime(), false, job.dept()));
            LOG.info("requested {}{}", summary(o.scanId(), o.result().summary()),
                    o.result().cancelled() ? " (cancelled)" : "");
        } catch (Exception e) {
            String why = Errors.describe(e);
            log.log("error", why);
            int attempt = job.retries() + 1;
            if (attempt < settings.maxAttempts()) {
                Instant next = clock.instant().plus(settings.backoff(attempt));
                log.log("warn", "attempt " + attempt + " failed; queued again for " + next);
                store.retry(id, next, why, log.lines());
                LOG.warn("requested scan {} failed (attempt {}), retried at {}: {}", id, attempt, next, why);
            } else {
                store.finish(id, null, why + " (attempt " + attempt + " of " + settings.maxAttempts() + ")",
                        log.lines());
                counts.failed.incrementAndGet();
                LOG.warn("requested scan {} failed on its last attempt: {}", id, why);
            }
        }
    }

    /**
     * Every {@code every}: recovers the jobs whose runner is gone, then claims and runs the queued jobs that are due,
     * on up to {@code FLEETWATCH_SCAN_MAX_PARALLEL_SCANS} threads (at most 4: each running job holds a connection of
     * the pool for its lease) of this process; several processes share the queue and the fleet-wide cap. Stops on
     * close (sweeps in progress finish first, up to 30 s).
     */
    public AutoCloseable serveRequests(ScanPolicy policy, Duration every) {
        int threads = Math.min(4, settings.maxParallelScans());
        ScheduledExecutorService timer = timer("scan-requests", threads);
        for (int i = 0; i < threads; i++) {
            boolean recovers = i == 0;
            timer.scheduleWithFixedDelay(() -> {
                try {
                    if (recovers) {
                        recoverStale();
                    }
                    while (!Thread.currentThread().isInterrupted() && runNextRequested(policy)) {
                        // next due job, if any
                    }
                } catch (Exception e) {
                    LOG.warn("requested scans: {}", Errors.describe(e));
                }
            }, every.toMillis() * (i + 1) / threads, every.toMillis(), TimeUnit.MILLISECONDS);
        }
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
                Outcome o = submit(t, scanner(limits(policy, s.profile(), s.dept()), s.probes(), true, clock),
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
