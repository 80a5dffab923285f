package io.fleetwatch.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fleetwatch.messages.MetricsMessage;
import io.fleetwatch.testing.Await;
import io.fleetwatch.testing.Fleet;
import io.fleetwatch.testing.TestBroker;
import io.fleetwatch.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Scenarios 1 and 2: this machine's real RabbitMQ and PostgreSQL are stopped and started again under running agent and
 * consumer processes. Needs root (CI is); the services are started again whatever happens.
 */
class OutageIT {
    static final int AGENTS = 3;

    @Test
    void rabbitMqStoppedAndRestartedUnderAgentsAndConsumers() throws Exception {
        assumeTrue(LocalServices.canControl(), "stopping RabbitMQ needs root");
        try (TestBroker tb = TestBroker.create(); TestDatabase db = TestDatabase.create()) {
            Map<String, String> env = Traffic.pipeline(tb, db);
            Path dir = Files.createTempDirectory(Path.of("target"), "outage-agents");
            List<Fleet.Host> hosts = new ArrayList<>();
            for (int i = 0; i < AGENTS; i++) {
                hosts.add(Fleet.Host.create(dir.resolve("h" + i), "outage-host-" + i));
            }
            try (Fleet fleet = new Fleet(env)) {
                List<Process> agents = new ArrayList<>();
                for (int i = 0; i < AGENTS; i++) {
                    agents.add(fleet.agent("agent-outage-" + i, hosts.get(i), "250ms", Map.of()));
                }
                List<Process> consumers = List.of(fleet.start("consumer-outage-1", Map.of(), "consume"),
                        fleet.start("consumer-outage-2", Map.of(), "consume"));
                Await.until(Duration.ofSeconds(60), "samples flowing from every agent", () ->
                        Traffic.count(db, "SELECT count(DISTINCT system_id) FROM metrics") == AGENTS);
                long before = Traffic.count(db, "SELECT count(*) FROM metrics");
                try {
                    LocalServices.stopRabbit();
                    Thread.sleep(8_000); // ~32 samples per agent taken while the broker is away
                } finally {
                    LocalServices.startRabbit();
                }
                // each agent comes back on its own reconnect backoff (1 s doubling, at most a minute): wait for all
                // of them to say so before stopping them, or what they spooled stays spooled until their next start
                for (int i = 0; i < AGENTS; i++) {
                    Path log = Path.of("target/reliability-logs/agent-outage-" + i + ".log");
                    Await.until(Duration.ofSeconds(90), "agent " + i + " reconnected", () ->
                            Files.readString(log).contains("reachable again"));
                }
                Thread.sleep(2_000);
                for (Process a : agents) {
                    assertThat(Fleet.stop(a, 30)).as("agent SIGTERM exit code").isZero();
                }
                long taken = 0;
                Map<String, Long> want = new TreeMap<>();
                for (Fleet.Host h : hosts) {
                    want.put(h.hostId(), h.lastSeq());
                    taken += h.lastSeq();
                }
                long total = taken;
                Await.equal(Duration.ofSeconds(90), "every sample stored", total,
                        () -> Traffic.count(db, "SELECT count(*) FROM metrics"));
                Map<String, Long> stored = Traffic.perHost(db);
                assertThat(stored).as("rows per host = the agent's last sequence number").isEqualTo(want);
                Await.equal(Duration.ofSeconds(30), "queue drained", 0L, () -> Traffic.depth(env, "metrics_queue"));
                for (Process c : consumers) {
                    assertThat(Fleet.stop(c, 30)).as("consumer SIGTERM exit code").isZero();
                }
                long distinct = Traffic.count(db, "SELECT count(DISTINCT (system_id, collected_at)) FROM metrics");
                long dlq = Traffic.depth(env, "metrics_queue.dlq");
                assertThat(distinct).as("duplicates").isEqualTo(total);
                assertThat(dlq).isZero();
                Traffic.figures(String.format("RabbitMQ stopped 8 s under %d agents (250 ms interval) and 2 consumers:"
                        + " samples taken %d (%d before the stop), stored %d, in DLQ %d, lost %d, duplicates %d",
                        AGENTS, total, before, distinct, dlq, total - distinct, total - distinct));
            }
        }
    }

    @Test
    void postgresqlStoppedAndRestartedUnderConsumers() throws Exception {
        assumeTrue(LocalServices.canControl(), "stopping PostgreSQL needs root");
        int samples = 24_000;
        try (TestBroker tb = TestBroker.create(); TestDatabase db = TestDatabase.create()) {
            Map<String, String> env = Traffic.pipeline(tb, db);
            List<MetricsMessage> all = Traffic.samples("pgdown", samples, 120, 30.0);
            try (Fleet fleet = new Fleet(env)) {
                List<Process> consumers = List.of(fleet.start("consumer-pgdown-1", Map.of(), "consume"),
                        fleet.start("consumer-pgdown-2", Map.of(), "consume"));
                // the producers go on publishing throughout: 1,000 samples every 500 ms
                AtomicReference<Exception> publishFailed = new AtomicReference<>();
                Thread producer = new Thread(() -> {
                    try {
                        for (int i = 0; i < samples; i += 1000) {
                            Traffic.publish(env, all.subList(i, Math.min(samples, i + 1000)));
                            Thread.sleep(500);
                        }
                    } catch (Exception e) {
                        publishFailed.set(e);
                    }
                }, "producer");
                producer.start();
                Await.until(Duration.ofSeconds(60), "a first part stored", () ->
                        Traffic.count(db, "SELECT count(*) FROM metrics") >= 2000);
                long peak;
                try {
                    LocalServices.stopPostgres();
                    Thread.sleep(10_000);
                    peak = Traffic.depth(env, "metrics_queue");
                } finally {
                    LocalServices.startPostgres();
                }
                producer.join(120_000);
                assertThat(publishFailed.get()).isNull();
                Await.equal(Duration.ofSeconds(120), "every sample stored", (long) samples,
                        () -> Traffic.count(db, "SELECT count(*) FROM metrics"));
                Await.equal(Duration.ofSeconds(30), "queue drained", 0L, () -> Traffic.depth(env, "metrics_queue"));
                for (Process c : consumers) {
                    assertThat(c.isAlive()).as("consumer survived the outage").isTrue();
                    assertThat(Fleet.stop(c, 30)).as("consumer SIGTERM exit code").isZero();
                }
                long distinct = Traffic.count(db, "SELECT count(DISTINCT (system_id, collected_at)) FROM metrics");
                long dlq = Traffic.depth(env, "metrics_queue.dlq");
                assertThat(distinct).as("duplicates").isEqualTo(samples);
                assertThat(dlq).isZero();
                Traffic.figures(String.format("PostgreSQL stopped 10 s under 2 consumers while producers published: sent %d,"
                        + " queue peak %d, stored %d, in DLQ %d, lost %d, duplicates %d", samples, peak, distinct, dlq,
                        samples - distinct, samples - distinct));
            }
        }
    }
}
