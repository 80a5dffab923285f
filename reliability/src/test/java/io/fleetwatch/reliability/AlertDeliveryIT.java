package io.fleetwatch.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.fleetwatch.testing.Await;
import io.fleetwatch.testing.Fleet;
import io.fleetwatch.testing.TestBroker;
import io.fleetwatch.testing.TestDatabase;
import java.net.InetSocketAddress;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * Scenario 4: threshold alerts fire (from the database trigger, into the outbox) while the relay process is killed with
 * SIGKILL, and while RabbitMQ is down; every alert event reaches the webhook exactly once after recovery.
 */
class AlertDeliveryIT {
    static final int PER_WAVE = 20; // systems per wave; each fires then resolves: 2 events
    static final int WAVE_A = 2000; // large enough that the relay is killed with part of it sent

    @Test
    void everyAlertIsDeliveredExactlyOnceThroughRelayCrashAndBrokerOutage() throws Exception {
        assumeTrue(LocalServices.canControl(), "stopping RabbitMQ needs root");
        ObjectMapper json = new ObjectMapper();
        Map<String, Integer> received = new ConcurrentHashMap<>(); // "alert_id/event" -> deliveries
        HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/hook", ex -> {
            JsonNode n = json.readTree(ex.getRequestBody());
            received.merge(n.get("alert_id").asLong() + "/" + n.get("event").asText(), 1, Integer::sum);
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        hook.start();
        try (TestBroker tb = TestBroker.create(); TestDatabase db = TestDatabase.create()) {
            Map<String, String> env = Traffic.pipeline(tb, db);
            env.put("FLEETWATCH_WEBHOOK_URL", "http://127.0.0.1:" + hook.getAddress().getPort() + "/hook");
            sql(db, "UPDATE alert_rules SET min_samples = 1 WHERE alert_type = 'cpu_high'"); // fire on one hot sample

            try (Fleet fleet = new Fleet(env)) {
                Process consumer = fleet.start("consumer-alerts", Map.of(), "consume");
                Process relay = fleet.start("relay-1", Map.of(), "relay");
                Await.until(Duration.ofSeconds(60), "relay listening", () -> logSays("relay-1", "relay listening"));

                hotThenCool(db, "wave-a", WAVE_A);
                Await.until(Duration.ofSeconds(30), "wave A being relayed", () -> Traffic.count(db,
                        "SELECT count(*) FROM alert_outbox WHERE sent_at IS NOT NULL") > 0);
                Fleet.kill(relay); // in the middle of relaying wave A
                long unsentAtKill = Traffic.count(db, "SELECT count(*) FROM alert_outbox WHERE sent_at IS NULL");
                hotThenCool(db, "wave-b", PER_WAVE); // fires while no relay runs
                relay = fleet.start("relay-2", Map.of(), "relay");
                awaitDelivered(db, env, received, 2 * (WAVE_A + PER_WAVE), Duration.ofSeconds(60));

                long waiting;
                try {
                    LocalServices.stopRabbit();
                    hotThenCool(db, "wave-c", PER_WAVE); // fires while the broker is down
                    Await.until(Duration.ofSeconds(30), "the relay tried and failed", () -> Traffic.count(db,
                            "SELECT count(*) FROM alert_outbox WHERE sent_at IS NULL AND attempts > 0") > 0);
                    waiting = Traffic.count(db, "SELECT count(*) FROM alert_outbox WHERE sent_at IS NULL");
                } finally {
                    LocalServices.startRabbit();
                }
                awaitDelivered(db, env, received, 2 * (WAVE_A + 2 * PER_WAVE), Duration.ofSeconds(90));
                Thread.sleep(3_000); // a duplicate would come within a few relay and notifier polls
                assertThat(received.values()).as("deliveries per alert event").containsOnly(1);
                assertThat(Traffic.count(db, "SELECT count(*) FROM alert_outbox WHERE sent_at IS NULL")).isZero();
                assertThat(Traffic.count(db, "SELECT count(*) FROM alerts")).as("incidents").isEqualTo(WAVE_A + 2 * PER_WAVE);
                assertThat(Traffic.depth(env, "alert_queue.dlq")).isZero();
                assertThat(Fleet.stop(relay, 30)).isZero();
                assertThat(Fleet.stop(consumer, 30)).isZero();
                Traffic.figures(String.format("alerts through relay SIGKILL and an 'alerts while RabbitMQ is down' outage:"
                        + " events fired %d (%d unsent when the relay was killed), waiting in the outbox while down"
                        + " %d, webhook deliveries %d, distinct %d, lost %d, duplicates 0", 2 * (WAVE_A + 2 * PER_WAVE), unsentAtKill,
                        waiting, received.values().stream().mapToInt(Integer::intValue).sum(), received.size(),
                        2 * (WAVE_A + 2 * PER_WAVE) - received.size()));
            }
        } finally {
            hook.stop(0);
        }
    }

    /** Waits for `want` distinct events at the webhook; a timeout says where the rest are in the pipeline. */
    private static void awaitDelivered(TestDatabase db, Map<String, String> env, Map<String, Integer> received, int want,
            Duration timeout) throws Exception {
        try {
            Await.equal(timeout, want + " alert events at the webhook", want, received::size);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n  outbox unsent: " + Traffic.count(db,
                    "SELECT count(*) FROM alert_outbox WHERE sent_at IS NULL") + ", alert_queue: "
                    + Traffic.depth(env, "alert_queue") + ", alerts.dlq: " + Traffic.depth(env, "alert_queue.dlq")
                    + ", notifications pending: " + Traffic.count(db,
                    "SELECT count(*) FROM notifications WHERE status = 'pending'") + ", sent: " + Traffic.count(db,
                    "SELECT count(*) FROM notifications WHERE status = 'sent'") + ", other: " + Traffic.count(db,
                    "SELECT count(*) FROM notifications WHERE status NOT IN ('sent', 'pending')") + ", events: "
                    + Traffic.count(db, "SELECT count(*) FROM alert_events") + ", incidents: "
                    + Traffic.count(db, "SELECT count(*) FROM alerts") + " (still open: "
                    + Traffic.count(db, "SELECT count(*) FROM alerts WHERE resolved_at IS NULL") + ")", e);
        }
    }

    /** n new systems, each with one hot sample (fires cpu_high) and then a cool one (resolves it). */
    private static void hotThenCool(TestDatabase db, String prefix, int n) throws Exception {
        sql(db, "INSERT INTO systems (hostname) SELECT '" + prefix + "-' || g FROM generate_series(1, " + n + ") g");
        for (String cpu : new String[] {"97", "12"}) {
            sql(db, "INSERT INTO metrics (system_id, collected_at, cpu_percent, ram_percent, disk_percent,"
                    + " network_sent_mbps, network_recv_mbps, uptime_seconds, logged_in_users)"
                    + " SELECT id, now() + interval '" + ("97".equals(cpu) ? 0 : 10) + " seconds', " + cpu
                    + ", 1, 1, 0, 0, 1, 0 FROM systems WHERE hostname LIKE '" + prefix + "-%'");
        }
    }

    private static void sql(TestDatabase db, String sql) throws Exception {
        try (var c = db.connect(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static boolean logSays(String name, String text) throws Exception {
        var log = java.nio.file.Path.of("target/reliability-logs", name + ".log");
        return java.nio.file.Files.exists(log) && java.nio.file.Files.readString(log).contains(text);
    }
}
