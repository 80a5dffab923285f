package io.fleetwatch.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.fleetwatch.store.ScanStore;
import io.fleetwatch.testing.Await;
import io.fleetwatch.testing.NetnsLab;
import io.fleetwatch.testing.Ports;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The scan-job queue on the real PostgreSQL and RabbitMQ: jobs for later and repeating ones and retries with backoff
 * after a failure (sweeping 127.0.0.1 only), the fleet-wide cap on running jobs across two claiming processes (inside
 * a network-namespace lab), the statistics, bad limits.
 */
class ScanQueueIT {

    @Test
    void aJobForLaterWaitsItsTimeAndARepeatingOneQueuesItsNext() throws Exception {
        try (JobsLab l = new JobsLab()) {
            try (var c = l.db.connect(); var st = c.createStatement()) {
                st.execute("INSERT INTO departments (id, name) VALUES (4, 'ops')");
            }
            ScanJobs jobs = l.jobs(ScanJobSettings.defaults());
            Instant at = jobs.at("+2s");
            ScanStore.Scan s = jobs.request(new ScanStore.Submission(4, List.of("127.0.0.1/32"), "cli:test", "normal",
                    at, Duration.ofHours(1)));
            assertThat(jobs.stats()).isEqualTo(new ScanStore.Stats(1, 0, 0, 0, 0));
            assertThat(jobs.runNextRequested(ScanJobs.policy(Map.of()))).as("not before its time").isFalse();
            Await.until(Duration.ofSeconds(20), "claimed once due", () -> jobs.runNextRequested(ScanJobs.policy(Map.of())));
            ScanStore.Scan done = l.scan(s.id());
            assertThat(done.status()).as(l.log(s.id())).isEqualTo("succeeded");
            assertThat(done.startedAt()).isAfterOrEqualTo(at.truncatedTo(ChronoUnit.MILLIS));
            assertThat(done.hostsFound()).isEqualTo(1);
            assertThat(l.log(s.id())).contains("2000 packets/s, bursts of 200, 512 probes per round"); // normal
            assertThat(l.drainDiscoveries()).hasSize(1);

            List<ScanStore.Scan> all = l.owners.scans().recent(10, 0);
            assertThat(all).hasSize(2);
            ScanStore.Scan next = all.get(0);
            assertThat(next.status()).isEqualTo("pending");
            assertThat(next.runAfter()).as("one period after the first was due")
                    .isCloseTo(at.plus(Duration.ofHours(1)), within(1, ChronoUnit.SECONDS));
            assertThat(List.of(next.targets(), next.profile(), next.repeatEveryS(), next.deptId()))
                    .containsExactly("127.0.0.1/32", "normal", 3600, 4);
            assertThat(jobs.stats()).isEqualTo(new ScanStore.Stats(1, 0, 1, 0, 0));

            assertThat(jobs.cancel(next.id())).isEqualTo(ScanStore.Cancel.CANCELLED);
            assertThat(l.owners.scans().recent(10, 0)).as("a cancelled occurrence queues no next one").hasSize(2);
            assertThat(jobs.stats()).isEqualTo(new ScanStore.Stats(0, 0, 1, 0, 1));

            assertThatThrownBy(() -> jobs.request(new ScanStore.Submission(null, List.of("127.0.0.1/32"), "cli:test",
                    "reckless", null, null))).hasMessageContaining("polite, normal or aggressive");
            assertThatThrownBy(() -> jobs.at("tomorrow")).hasMessageStartingWith("at: 'tomorrow' is no time");
            assertThatThrownBy(() -> jobs.department("nosuch")).hasMessage("department: none is named 'nosuch'");
            assertThatThrownBy(() -> jobs.department("9")).hasMessage("department: none has the id 9");
            assertThat(jobs.department("ops")).isEqualTo(4);
        }
    }

    @Test
    void aFailedAttemptIsRetriedAfterTheBackoffAndFailsWithTheReasonAfterTheLast() throws Exception {
        try (JobsLab l = new JobsLab()) {
            l.env.put("QUEUE_PORT", Integer.toString(Ports.free())); // the broker is away: nothing listens there
            ScanJobs jobs = l.jobs(new ScanJobSettings(2, 2, Duration.ofSeconds(2), ScanJobSettings.Limits.NONE,
                    Map.of()));
            long id = jobs.request(new ScanStore.Submission(null, List.of("127.0.0.1/32"), "api:ops", null, null, null))
                    .id();
            Instant t0 = Instant.now();
            assertThat(jobs.runNextRequested(ScanJobs.policy(Map.of()))).isTrue();
            ScanStore.Scan retry = l.scan(id);
            assertThat(retry.status()).isEqualTo("pending");
            assertThat(retry.retries()).isEqualTo(1);
            assertThat(retry.error()).isNotBlank();
            assertThat(retry.runAfter()).isBetween(t0.plusSeconds(1), t0.plusSeconds(10));
            assertThat(jobs.runNextRequested(ScanJobs.policy(Map.of()))).as("not before the backoff").isFalse();

            Await.until(Duration.ofSeconds(20), "the retry", () -> jobs.runNextRequested(ScanJobs.policy(Map.of())));
            ScanStore.Scan failed = l.scan(id);
            assertThat(failed.status()).isEqualTo("failed");
            assertThat(failed.error()).endsWith("(attempt 2 of 2)").isEqualTo(retry.error() + " (attempt 2 of 2)");
            assertThat(l.log(id)).contains("info attempt 1 of 2;", "warn attempt 1 failed; queued again for ",
                    "info attempt 2 of 2;");
            assertThat(jobs.stats()).isEqualTo(new ScanStore.Stats(0, 0, 0, 1, 0));
        }
    }

    @Test
    void claimersInTwoProcessesNeverRunMoreJobsThanMaxParallelScans() throws Exception {
        Assumptions.assumeTrue(NetnsLab.available(), "needs root for network namespaces (CI runs as root)");
        try (JobsLab l = new JobsLab().withLab(10, 11)) {
            // two runner processes of 2 claiming threads each; a sweep of the /27 at 10 packets/s takes a few seconds
            Map<String, String> two = Map.of("FLEETWATCH_SCAN_MAX_PARALLEL_SCANS", "2", "FLEETWATCH_SCAN_RATE", "10",
                    "FLEETWATCH_SCAN_BURST", "1", "FLEETWATCH_SCAN_PARALLELISM", "8");
            ScanJobs jobs = l.jobs(ScanJobSettings.fromEnv(two));
            for (int i = 0; i < 4; i++) {
                jobs.request(new ScanStore.Submission(null, List.of("198.18.0.0/27"), "api:ops", null, null, null));
            }
            l.startRunner(two);
            l.startRunner(two);
            AtomicLong most = new AtomicLong();
            Await.until(Duration.ofSeconds(120), "every job done", () -> {
                ScanStore.Stats s = jobs.stats();
                most.accumulateAndGet(s.running(), Math::max);
                assertThat(s.failed()).isZero();
                return s.succeeded() == 4;
            });
            assertThat(most.get()).as("never more than 2 running at once, and 2 did run together").isEqualTo(2);
            try (var c = l.db.connect(); var st = c.createStatement(); var rs = st.executeQuery(
                    "SELECT max((SELECT count(*) FROM scans o WHERE o.started_at <= s.started_at"
                            + " AND o.finished_at > s.started_at)) FROM scans s")) {
                rs.next();
                assertThat(rs.getInt(1)).as("overlap by the jobs' own times").isLessThanOrEqualTo(2);
            }
            assertThat(l.drainDiscoveries()).as("the lab's 2 hosts, once per job").hasSize(8);
        }
    }

    @Test
    void badLimitsFailAtStartNamingTheKey() {
        assertThatThrownBy(() -> ScanJobSettings.fromEnv(Map.of("FLEETWATCH_SCAN_DEPARTMENTS", "lab rate=fast")))
                .hasMessage("FLEETWATCH_SCAN_DEPARTMENTS: entry 1 ('lab rate=fast'): 'fast' is not a number");
        assertThatThrownBy(() -> ScanJobSettings.fromEnv(Map.of("FLEETWATCH_SCAN_DEPARTMENTS", "2 speed=3")))
                .hasMessage("FLEETWATCH_SCAN_DEPARTMENTS: entry 1 ('2 speed=3'): unknown 'speed' (known: rate, burst,"
                        + " parallelism)");
        assertThatThrownBy(() -> ScanJobSettings.fromEnv(Map.of("FLEETWATCH_SCAN_DEPARTMENTS", "lab burst=900",
                "FLEETWATCH_SCAN_RATE", "100"))).hasMessageStartingWith("FLEETWATCH_SCAN_DEPARTMENTS (lab): burst:");
        assertThatThrownBy(() -> ScanJobSettings.fromEnv(Map.of("FLEETWATCH_SCAN_MAX_PARALLEL_SCANS", "0")))
                .hasMessage("FLEETWATCH_SCAN_MAX_PARALLEL_SCANS: must be 1..1000, not 0");
        ScanJobSettings s = ScanJobSettings.fromEnv(Map.of("FLEETWATCH_SCAN_RATE", "100",
                "FLEETWATCH_SCAN_DEPARTMENTS", "lab burst=5 parallelism=16; 7 rate=50"));
        assertThat(s.limitsFor(3, "lab")).isEqualTo(new ScanJobSettings.Limits(100, 5, 16));
        assertThat(s.limitsFor(7, null)).isEqualTo(new ScanJobSettings.Limits(50, null, null));
        assertThat(s.limitsFor(8, "other")).isEqualTo(new ScanJobSettings.Limits(100, null, null));
        assertThat(s.backoff(1)).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.backoff(3)).isEqualTo(Duration.ofMinutes(2));
    }
}
