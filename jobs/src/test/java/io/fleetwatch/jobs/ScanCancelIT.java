package io.fleetwatch.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetwatch.messages.DiscoveryMessage;
import io.fleetwatch.store.ScanStore;
import io.fleetwatch.testing.Await;
import io.fleetwatch.testing.NetnsLab;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Cancelling scan jobs on the real PostgreSQL and RabbitMQ: a pending job ends at once and is never claimed; a running
 * one (a queue runner in its own process, sweeping a network-namespace lab slowly) stops between probe rounds, keeps
 * and publishes what it had found, and ends {@code cancelled}.
 */
class ScanCancelIT {

    @Test
    void aPendingScanIsCancelledAtOnceAndNeverClaimed() throws Exception {
        try (JobsLab l = new JobsLab()) {
            ScanJobs jobs = l.jobs(ScanJobSettings.defaults());
            ScanStore.Scan later = jobs.request(new ScanStore.Submission(null, List.of("127.0.0.1/32"), "cli:test", null,
                    Instant.now().plusSeconds(1), null));
            assertThat(jobs.cancel(later.id())).isEqualTo(ScanStore.Cancel.CANCELLED);
            ScanStore.Scan s = l.scan(later.id());
            assertThat(s.status()).isEqualTo("cancelled");
            assertThat(s.finishedAt()).isNotNull();
            assertThat(s.cancelRequestedAt()).isNotNull();
            Thread.sleep(1_200); // past its time
            assertThat(l.owners.scans().claim(10)).as("a cancelled job is never claimed").isEmpty();
            assertThat(jobs.cancel(later.id())).isEqualTo(ScanStore.Cancel.ALREADY_ENDED);
            assertThat(jobs.cancel(later.id() + 1000)).isEqualTo(ScanStore.Cancel.NOT_FOUND);
            assertThat(jobs.stats()).isEqualTo(new ScanStore.Stats(0, 0, 0, 0, 1));
        }
    }

    @Test
    void aRunningScanStopsBetweenProbeRoundsKeepsWhatItFoundAndEndsCancelled() throws Exception {
        Assumptions.assumeTrue(NetnsLab.available(), "needs root for network namespaces (CI runs as root)");
        try (JobsLab l = new JobsLab().withLab(10, 11, 12, 13, 20, 30, 40, 50, 60, 70, 80, 90, 100, 200, 250)) {
            // department 5, by name: its limits make the sweep slow (8 addresses a round, 20 packets/s)
            try (var c = l.db.connect(); var st = c.createStatement()) {
                st.execute("INSERT INTO departments (id, name) VALUES (5, 'lab')");
            }
            ScanJobs jobs = l.jobs(ScanJobSettings.defaults());
            long id = jobs.request(new ScanStore.Submission(jobs.department("lab"), List.of("198.18.0.0/24"),
                    "cli:test", null, null, null)).id();
            l.startRunner(Map.of("FLEETWATCH_SCAN_DEPARTMENTS", "lab rate=20 burst=1 parallelism=8"));
            Await.until(Duration.ofSeconds(60), "the runner claims the job",
                    () -> l.scan(id).status().equals("running"));
            Thread.sleep(4_000); // a round or more in, on a busy machine (a whole sweep takes about 25 s at this rate)
            long t0 = System.nanoTime();
            assertThat(jobs.cancel(id)).isEqualTo(ScanStore.Cancel.REQUESTED);
            Await.until(Duration.ofSeconds(20), "the runner ends the job", () -> !l.scan(id).status().equals("running"));
            long tookMs = (System.nanoTime() - t0) / 1_000_000;

            ScanStore.Scan s = l.scan(id);
            String log = l.log(id);
            assertThat(s.status()).as(log).isEqualTo("cancelled");
            assertThat(tookMs).as("stopped at the next round, not at the end of the sweep").isLessThan(10_000);
            assertThat(log).contains("20 packets/s, bursts of 1, 8 probes per round");
            Matcher m = Pattern.compile("cancelled after (\\d+) of 253 address\\(es\\)").matcher(log);
            assertThat(m.find()).as(log).isTrue();
            int done = Integer.parseInt(m.group(1));
            assertThat(done).as("a whole number of rounds, not all of them").isNotNegative().isLessThan(253);
            assertThat(done % 8).isZero();

            List<DiscoveryMessage> published = l.drainDiscoveries();
            assertThat(published).as("what it found before the cancel is published").hasSize(s.hostsFound());
            assertThat(published).allSatisfy(d -> {
                assertThat(d.scanId()).isEqualTo(id);
                assertThat(d.deptId()).isEqualTo(5);
                assertThat(l.lab.hosts()).containsEntry(d.ipAddress(), d.macAddress());
            });
            assertThat(s.hostsFound()).as("fewer than the lab's 15: the sweep did not finish").isLessThan(15);
            assertThat(jobs.stats().cancelled()).isEqualTo(1);
        }
    }
}
