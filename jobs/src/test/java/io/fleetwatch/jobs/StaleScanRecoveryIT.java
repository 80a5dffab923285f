package io.fleetwatch.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetwatch.store.ScanStore;
import io.fleetwatch.testing.Await;
import io.fleetwatch.testing.NetnsLab;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A queue runner in its own process claims a scan job and is killed with SIGKILL mid-sweep: its database session ends,
 * so its advisory lock on the job is free, and the recovery queues the job again (with the backoff) or, on the last
 * attempt, fails it with the reason. While the runner lives, the recovery leaves the job alone.
 */
class StaleScanRecoveryIT {
    private static final Map<String, String> SLOW = Map.of("FLEETWATCH_SCAN_RATE", "20", "FLEETWATCH_SCAN_BURST", "1",
            "FLEETWATCH_SCAN_PARALLELISM", "8", "FLEETWATCH_SCAN_MAX_ATTEMPTS", "2",
            "FLEETWATCH_SCAN_RETRY_BACKOFF", "1s");

    @Test
    void aScanWhoseRunnerWasKilledIsQueuedAgainThenFailedAfterTheLastAttempt() throws Exception {
        Assumptions.assumeTrue(NetnsLab.available(), "needs root for network namespaces (CI runs as root)");
        try (JobsLab l = new JobsLab().withLab(10, 11, 12)) {
            ScanJobs jobs = l.jobs(ScanJobSettings.fromEnv(SLOW));
            long id = jobs.request(new ScanStore.Submission(null, List.of("198.18.0.0/24"), "api:ops", null, null, null))
                    .id();

            Process first = l.startRunner(SLOW);
            Await.until(Duration.ofSeconds(60), "the runner claims the job", () -> l.scan(id).status().equals("running"));
            assertThat(jobs.recoverStale()).as("a live runner holds its lock: not stale").isEmpty();
            assertThat(l.scan(id).status()).isEqualTo("running");

            JobsLab.killHard(first);
            Instant killed = Instant.now();
            Await.until(Duration.ofSeconds(30), "the recovery finds the job",
                    () -> jobs.recoverStale().contains(id));
            ScanStore.Scan again = l.scan(id);
            assertThat(again.status()).isEqualTo("pending");
            assertThat(again.retries()).isEqualTo(1);
            assertThat(again.runAfter()).as("after the backoff").isAfter(killed);
            assertThat(again.error()).isEqualTo("runner gone (its process or database session ended) on attempt 1");
            assertThat(l.log(id)).contains("warn runner gone (its process or database session ended) on attempt 1;"
                    + " queued again for ");
            assertThat(jobs.recoverStale()).as("handled once").isEmpty();

            Process second = l.startRunner(SLOW);
            Await.until(Duration.ofSeconds(60), "a runner claims it again", () -> l.scan(id).status().equals("running"));
            assertThat(l.scan(id).retries()).isEqualTo(1);
            JobsLab.killHard(second);
            Await.until(Duration.ofSeconds(30), "the recovery finds it again", () -> jobs.recoverStale().contains(id));
            ScanStore.Scan failed = l.scan(id);
            assertThat(failed.status()).isEqualTo("failed");
            assertThat(failed.finishedAt()).isNotNull();
            assertThat(failed.error()).isEqualTo("runner gone (its process or database session ended) on attempt 2 of 2;"
                    + " no attempt left");
            assertThat(jobs.stats()).isEqualTo(new ScanStore.Stats(0, 0, 0, 1, 0));
        }
    }
}
