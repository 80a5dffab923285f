package io.fleetwatch.cli;

import com.rabbitmq.client.Connection;
import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.scanner.Cidr;
import io.fleetwatch.scanner.ScanPolicy;
import io.fleetwatch.scanner.ScanSchedule;
import io.fleetwatch.scanner.Scanner;
import io.fleetwatch.settings.Keys;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scan schedules of the long-running service ({@code FLEETWATCH_SCAN_SCHEDULES}): each schedule is swept every
 * {@code every}, as a scan job like {@code fleetwatch scan}. A session-level PostgreSQL advisory lock per schedule
 * makes one instance run it when several serve the same database; a sweep still running delays the next one.
 */
final class ScheduledScans implements AutoCloseable {
    static final String KEY = Keys.SCAN_SCHEDULES.env();
    private static final Logger LOG = LoggerFactory.getLogger(ScheduledScans.class);
    private static final int LOCK_CLASS = 713004;

    private final ScheduledExecutorService timer;

    private ScheduledScans(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    /** Validates the schedules and the scan policy; null when none is configured. */
    static List<ScanSchedule> fromEnv(Map<String, String> env) {
        List<ScanSchedule> schedules = ScanSchedule.parseAll(KEY, env.get(KEY));
        ScanPolicy policy = ScanCommand.policy(env);
        for (ScanSchedule s : schedules) {
            try {
                policy.check(s.targets());
            } catch (ScanPolicy.Refused e) {
                throw new IllegalArgumentException(KEY + ": " + s + ": " + e.getMessage());
            }
        }
        return schedules;
    }

    static ScheduledScans start(Map<String, String> env, HikariDataSource ds, List<ScanSchedule> schedules) {
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(Math.max(1, Math.min(4, schedules.size())),
                r -> {
                    Thread t = new Thread(r, "scan-schedule");
                    t.setDaemon(true);
                    return t;
                });
        ScanPolicy policy = ScanCommand.policy(env);
        for (int i = 0; i < schedules.size(); i++) {
            ScanSchedule s = schedules.get(i);
            int lockKey = i;
            timer.scheduleWithFixedDelay(() -> runOnce(env, ds, policy, s, lockKey), 0, s.every().toMillis(),
                    TimeUnit.MILLISECONDS);
            LOG.info("scan schedule {}: {}", i + 1, s);
        }
        return new ScheduledScans(timer);
    }

    private static void runOnce(Map<String, String> env, HikariDataSource ds, ScanPolicy policy, ScanSchedule s,
                                int lockKey) {
        try (var lockConn = ds.getConnection()) {
            if (!tryLock(lockConn, lockKey)) {
                LOG.debug("scan schedule {} runs elsewhere", s);
                return;
            }
            try (Connection amqp = Services.connect(env, "fleetwatch-scan-schedule")) {
                ScanLog log = new ScanLog(new PrintWriter(Writer.nullWriter()), Clock.systemUTC());
                Scanner scanner = new Scanner(policy.withProfile(s.profile()), s.probes(), Path.of("/proc/net/arp"),
                        Clock.systemUTC()).reverseDns(true, Duration.ofSeconds(2));
                ScanJob.Outcome o = ScanJob.run(ds, amqp, scanner, log, s.targets(), List.of(), System.nanoTime(), false,
                        s.dept(), "schedule");
                LOG.info("scheduled {}", ScanCommand.summary(o.scanId(), o.result().summary()));
            } finally {
                try (PreparedStatement ps = lockConn.prepareStatement("SELECT pg_advisory_unlock(?, ?)")) {
                    ps.setInt(1, LOCK_CLASS);
                    ps.setInt(2, lockKey);
                    ps.execute();
                }
            }
        } catch (Exception e) {
            // the job row already says failed and why; the schedule goes on
            LOG.warn("scheduled scan {} failed: {}", s, Errors.describe(e));
        }
    }

    /**
     * Scans requested through the API ({@code POST /api/scans}: a {@code pending} job row): claimed one at a time
     * with {@code FOR UPDATE SKIP LOCKED} (several serve instances share the work), checked against this host's scan
     * policy (a refusal fails the job with the reason, nothing is sent), and swept with the default probes and
     * profile. Polls every {@code every}.
     */
    static ScheduledScans startRequested(Map<String, String> env, HikariDataSource ds, Duration every) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "scan-requests");
            t.setDaemon(true);
            return t;
        });
        ScanPolicy policy = ScanCommand.policy(env);
        timer.scheduleWithFixedDelay(() -> {
            try {
                while (runRequested(env, ds, policy)) {
                    // next pending request, if any
                }
            } catch (Exception e) {
                LOG.warn("requested scans: {}", Errors.describe(e));
            }
        }, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        return new ScheduledScans(timer);
    }

    private static boolean runRequested(Map<String, String> env, HikariDataSource ds, ScanPolicy policy)
            throws Exception {
        long id;
        String targetsText;
        int dept;
        try (var c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("UPDATE scans SET status = 'running',"
                + " started_at = now() WHERE id = (SELECT id FROM scans WHERE status = 'pending' AND requested_by LIKE"
                + " 'api:%' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id, targets, coalesce(dept_id, 1)")) {
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return false;
                }
                id = rs.getLong(1);
                targetsText = rs.getString(2);
                dept = rs.getInt(3);
            }
        }
        ScanLog log = new ScanLog(new PrintWriter(Writer.nullWriter()), Clock.systemUTC());
        List<Cidr> targets;
        try {
            targets = java.util.Arrays.stream(targetsText.trim().split("\\s+")).map(Cidr::parse).toList();
            policy.check(targets);
        } catch (RuntimeException | ScanPolicy.Refused e) {
            String why = e instanceof ScanPolicy.Refused ? e.getMessage() : "bad targets: " + e.getMessage();
            log.log("error", why);
            ScanJob.finishJob(ds, id, null, why, log);
            LOG.warn("requested scan {}: {}", id, why);
            return true;
        }
        try (Connection amqp = Services.connect(env, "fleetwatch-scan-request")) {
            Scanner scanner = new Scanner(policy, Scanner.PROBES, Path.of("/proc/net/arp"), Clock.systemUTC())
                    .reverseDns(true, Duration.ofSeconds(2));
            ScanJob.Outcome o = ScanJob.runJob(ds, amqp, scanner, log, id, targets, List.of(), System.nanoTime(), false,
                    dept);
            LOG.info("requested {}", ScanCommand.summary(o.scanId(), o.result().summary()));
        } catch (Exception e) {
            LOG.warn("requested scan {} failed: {}", id, Errors.describe(e)); // the job row says so too
        }
        return true;
    }

    private static boolean tryLock(java.sql.Connection c, int key) throws java.sql.SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?, ?)")) {
            ps.setInt(1, LOCK_CLASS);
            ps.setInt(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        timer.shutdown();
        if (!timer.awaitTermination(30, TimeUnit.SECONDS)) {
            timer.shutdownNow();
        }
    }
}
