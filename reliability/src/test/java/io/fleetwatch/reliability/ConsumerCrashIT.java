package io.fleetwatch.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetwatch.testing.Await;
import io.fleetwatch.testing.Fleet;
import io.fleetwatch.testing.TestBroker;
import io.fleetwatch.testing.TestDatabase;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Scenario 3: the consumer process is killed with SIGKILL in the middle of a batch and started again. */
class ConsumerCrashIT {
    static final int SAMPLES = 30_000;

    @Test
    void sigkillMidBatchLosesNothingAndDuplicatesNothing() throws Exception {
        try (TestBroker tb = TestBroker.create(); TestDatabase db = TestDatabase.create()) {
            Map<String, String> env = Traffic.pipeline(tb, db);
            Traffic.publish(env, Traffic.samples("crash", SAMPLES, 200, 20.0));

            try (Fleet fleet = new Fleet(env)) {
                Map<String, String> small = Map.of("FLEETWATCH_CONSUMER_BATCH_SIZE", "500");
                Process first = fleet.start("consumer-crash-1", small, "consume");
                Await.until(Duration.ofSeconds(60), "a third stored", () ->
                        Traffic.count(db, "SELECT count(*) FROM metrics") >= SAMPLES / 3);
                Fleet.kill(first); // batches in hand: some stored and not yet acked, some neither
                long atKill = Traffic.count(db, "SELECT count(*) FROM metrics");
                assertThat(atKill).as("killed mid-way").isLessThan(SAMPLES);

                Process second = fleet.start("consumer-crash-2", small, "consume");
                Await.until(Duration.ofSeconds(120), "all stored", () ->
                        Traffic.count(db, "SELECT count(*) FROM metrics") >= SAMPLES);
                Await.until(Duration.ofSeconds(30), "queue drained", () -> Traffic.depth(env, "metrics_queue") == 0);
                assertThat(Fleet.stop(second, 30)).as("SIGTERM drains and exits 0").isZero();
            }
            long stored = Traffic.count(db, "SELECT count(*) FROM metrics");
            long distinct = Traffic.count(db, "SELECT count(DISTINCT (system_id, collected_at)) FROM metrics");
            long hosts = Traffic.count(db, "SELECT count(*) FROM systems WHERE host_id LIKE 'crash-%'");
            long dlq = Traffic.depth(env, "metrics_queue.dlq");
            assertThat(stored).as("lost").isEqualTo(SAMPLES);
            assertThat(distinct).as("duplicates").isEqualTo(stored);
            assertThat(hosts).as("one system per host, even for hosts first seen in the killed batch").isEqualTo(200);
            assertThat(dlq).isZero();
            Traffic.figures(String.format("consumer SIGKILL mid-batch: sent %d, stored %d, in DLQ %d, lost %d,"
                    + " duplicates %d", SAMPLES, stored, dlq, SAMPLES - stored, stored - distinct));
        }
    }
}
