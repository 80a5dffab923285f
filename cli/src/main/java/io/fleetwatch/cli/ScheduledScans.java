package io.fleetwatch.cli;

import com.rabbitmq.client.Connection;
import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.scanner.ScanPolicy;
import io.fleetwatch.scanner.ScanSchedule;
import io.fleetwatch.scanner.Scanner;
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
    static final String KEY = "FLEETWATCH_SCAN_SCHEDULES";
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
