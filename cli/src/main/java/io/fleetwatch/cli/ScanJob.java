package io.fleetwatch.cli;

import com.rabbitmq.client.Connection;
import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.broker.ConfirmingPublisher;
import io.fleetwatch.messages.DiscoveryMessage;
import io.fleetwatch.messages.Routing;
import io.fleetwatch.scanner.Cidr;
import io.fleetwatch.scanner.Scanner;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A sweep as a job: the job row is written before the first packet, the discovery messages
 * are published with confirms, and the job is closed with its counts and log lines, or as failed with the reason.
 * Shared by {@code fleetwatch scan} and the scheduled scans of {@code fleetwatch serve}.
 */
final class ScanJob {
    private ScanJob() {}

    record Outcome(long scanId, Scanner.Result result) {}

    static Outcome run(HikariDataSource ds, Connection amqp, Scanner scanner, ScanLog log, List<Cidr> targets,
                       List<Cidr> exclude, long order, boolean force, int dept, String who) throws Exception {
        return runJob(ds, amqp, scanner, log, startJob(ds, targets, dept, who), targets, exclude, order, force, dept);
    }

    /** Sweeps for a job row that exists already (a scan requested through the API and claimed by this process). */
    static Outcome runJob(HikariDataSource ds, Connection amqp, Scanner scanner, ScanLog log, long scanId,
                          List<Cidr> targets, List<Cidr> exclude, long order, boolean force, int dept) throws Exception {
        try {
            Scanner.Result r;
            try (log) {
                r = scanner.events(log).sweep(targets, exclude, order, force, scanId, dept);
            }
            try (ConfirmingPublisher pub = new ConfirmingPublisher(amqp, "fleetwatch-scan", Duration.ofSeconds(10),
                    Clock.systemUTC())) {
                List<ConfirmingPublisher.Outgoing> batch = new ArrayList<>();
                for (DiscoveryMessage m : r.hosts()) {
                    batch.add(ConfirmingPublisher.Outgoing.of(Routing.DISCOVERY_ROUTING_KEY, m));
                }
                pub.publishAll(batch);
            }
            finishJob(ds, scanId, r.summary(), null, log);
            return new Outcome(scanId, r);
        } catch (Exception e) {
            log.log("error", Errors.describe(e));
            finishJob(ds, scanId, null, Errors.describe(e), log);
            throw e;
        }
    }

    static long startJob(HikariDataSource ds, List<Cidr> targets, int dept, String who) throws Exception {
        try (var c = ds.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT fw_adopt_ids('departments', ?)")) {
                ps.setArray(1, c.createArrayOf("int8", new Long[] {(long) dept}));
                ps.execute();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO scans (dept_id, targets, status, requested_by,"
                    + " started_at) VALUES (?, ?, 'running', ?, now()) RETURNING id")) {
                ps.setInt(1, dept);
                ps.setString(2, String.join(" ", targets.stream().map(Cidr::toString).toList()));
                ps.setString(3, who);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        }
    }

    /** Closes the job: counts, status, and the lines the sweep logged (in one transaction). */
    static void finishJob(HikariDataSource ds, long id, Scanner.Summary s, String error, ScanLog log)
            throws Exception {
        try (var c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("UPDATE scans SET status = ?, probes_sent = ?,"
                    + " answered = ?, hosts_found = ?, retries = 0, error = ?, finished_at = now() WHERE id = ?")) {
                ps.setString(1, error == null ? "succeeded" : "failed");
                ps.setObject(2, s == null ? null : (int) Math.min(Integer.MAX_VALUE, s.probesSent()));
                ps.setObject(3, s == null ? null : s.answered());
                ps.setObject(4, s == null ? null : s.live());
                ps.setString(5, error);
                ps.setLong(6, id);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO scan_logs (scan_id, seq, at, level, message)"
                    + " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
                int seq = 0;
                for (ScanLog.Line l : log.lines()) {
                    ps.setLong(1, id);
                    ps.setInt(2, seq++);
                    ps.setObject(3, java.time.OffsetDateTime.ofInstant(l.at(), java.time.ZoneOffset.UTC));
                    ps.setString(4, l.level());
                    ps.setString(5, l.message());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            c.commit();
        }
    }

}
