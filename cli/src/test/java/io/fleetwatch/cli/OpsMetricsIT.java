package io.fleetwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.messages.Routing;
import io.fleetwatch.testing.Await;
import io.fleetwatch.testing.Fleet;
import io.fleetwatch.testing.Ports;
import io.fleetwatch.testing.TestBroker;
import io.fleetwatch.testing.TestDatabase;
import io.fleetwatch.testing.TestSshd;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The components' Prometheus {@code /metrics} on real processes: {@code consume}, {@code relay} and
 * {@code collect --interval} (against a real OpenSSH server and a port where none listens), each on a free 127.0.0.1
 * port set through its key, fed real messages through the real RabbitMQ into the real database, scraped over HTTP.
 * The figures must move as the work does: rows stored equal the samples sent, the poison messages count as
 * dead-lettered by reason class, the relay's published count and outbox follow the alert it relays, the collector
 * counts its rounds and the unreachable host's failures. A port already taken stops the command, naming the key.
 */
class OpsMetricsIT {
    static final int SAMPLES = 25;
    static final String USER = System.getProperty("user.name");

    @TempDir
    Path dir;

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void everyComponentsFiguresMoveWithItsWork() throws Exception {
        Path logs = Path.of("target/ops-metrics-logs");
        Path key = TestSshd.keygen(dir.resolve("client"), "id_ed25519", "ed25519");
        try (TestBroker tb = TestBroker.create(); TestDatabase db = TestDatabase.create();
             TestSshd sshd = TestSshd.start(dir.resolve("sshd"), List.of(Path.of(key + ".pub")))) {
            Map<String, String> env = new HashMap<>(tb.env());
            env.put("DATABASE_URL", db.jdbcUrl());
            assertThat(Main.run(env, "queue-setup")).isZero();
            assertThat(Main.run(env, "db", "migrate")).isZero();
            try (Statement st = db.connect().createStatement()) {
                st.execute("UPDATE alert_rules SET min_samples = 1 WHERE alert_type = 'cpu_high'"); // one hot sample fires
            }
            Path known = dir.resolve("known_hosts");
            Files.writeString(known, sshd.knownHostsLine() + "\n");
            int consumerPort = Ports.free();
            int relayPort = Ports.free();
            int collectorPort = Ports.free();
            int nobody = Ports.free(); // a host whose SSH port nothing listens on
            try (Fleet fleet = new Fleet(env, logs)) {
                Process consumer = fleet.start("consume", Map.of("FLEETWATCH_CONSUMER_METRICS_PORT",
                        Integer.toString(consumerPort)), "consume");
                Process relay = fleet.start("relay", Map.of("FLEETWATCH_RELAY_METRICS_PORT", Integer.toString(relayPort),
                        "FLEETWATCH_RELAY_METRICS_BIND", "127.0.0.1"), "relay");

                awaitScrape(consumerPort);
                Await.until(Duration.ofSeconds(60), "the workers' series, at 0", () -> scrape(consumerPort)
                        .containsKey(deadLettered("rejected")));
                assertThat(scrape(consumerPort)).containsKeys("process_uptime_seconds",
                        "fleetwatch_consumer_retries_total{queue=\"metrics_queue\"}");
                Instant t = Instant.now().minusSeconds(60);
                publishAll(env, "metrics.collected", java.util.stream.IntStream.range(0, SAMPLES)
                        .mapToObj(i -> sample("ops-metrics-host", i, t, i == 0 ? 99 : 10)).toList());
                publishAll(env, "metrics.collected", List.of("{not json", sample("ops-metrics-host", 999, t, 145)));

                String rows = "fleetwatch_consumer_rows_stored_total{queue=\"metrics_queue\"}";
                Await.until(Duration.ofSeconds(90), "the consumer's figures moved", () -> {
                    Map<String, Double> m = scrape(consumerPort);
                    return m.getOrDefault(rows, 0.0) >= SAMPLES
                            && m.getOrDefault(deadLettered("malformed"), 0.0) >= 1
                            && m.getOrDefault(deadLettered("contract"), 0.0) >= 1;
                });
                Map<String, Double> c = scrape(consumerPort);
                assertThat(c.get(rows)).as("rows stored == samples sent").isEqualTo((double) SAMPLES);
                assertThat(c.get(deadLettered("malformed"))).as("the message that is no JSON").isEqualTo(1.0);
                assertThat(c.get(deadLettered("contract"))).as("cpu_percent 145").isEqualTo(1.0);
                assertThat(c.get("fleetwatch_consumer_batches_total{queue=\"metrics_queue\"}")).isGreaterThanOrEqualTo(1.0);
                assertThat(c.get("fleetwatch_consumer_batch_seconds_count{queue=\"metrics_queue\"}"))
                        .isEqualTo(c.get("fleetwatch_consumer_batches_total{queue=\"metrics_queue\"}"));
                assertThat(c.get("fleetwatch_consumer_batch_seconds_bucket{queue=\"metrics_queue\",le=\"+Inf\"}"))
                        .isEqualTo(c.get("fleetwatch_consumer_batch_seconds_count{queue=\"metrics_queue\"}"));
                assertThat(count(db, "SELECT count(*) FROM metrics")).as("what the figures say is what is stored")
                        .isEqualTo(SAMPLES);

                // the hot sample fired cpu_high: the relay publishes it, and its outbox is empty again
                Await.until(Duration.ofSeconds(60), "the relay published the alert", () -> {
                    Map<String, Double> m = scrape(relayPort);
                    return m.getOrDefault("fleetwatch_relay_published_total", 0.0) >= 1
                            && m.getOrDefault("fleetwatch_relay_outbox_size", -1.0) == 0;
                });
                Map<String, Double> r = scrape(relayPort);
                assertThat(r.get("fleetwatch_relay_published_total"))
                        .isEqualTo((double) count(db, "SELECT count(*) FROM alert_outbox WHERE sent_at IS NOT NULL"));
                assertThat(r.get("fleetwatch_relay_lag_seconds")).isZero();

                // the collector last: its samples go through the same consumer, and the counts above are exact
                Process collector = fleet.start("collect", Map.of("FLEETWATCH_COLLECTOR_METRICS_PORT",
                                Integer.toString(collectorPort), "FLEETWATCH_SSH_KEY", key.toString(),
                                "FLEETWATCH_SSH_KNOWN_HOSTS", known.toString(), "FLEETWATCH_SSH_CONNECT_TIMEOUT", "2s"),
                        "collect", "--interval", "2s", USER + "@127.0.0.1:" + sshd.port(), USER + "@127.0.0.1:" + nobody);
                String down = "fleetwatch_collector_host_failures_total{host=\"" + USER + "@127.0.0.1:" + nobody
                        + "\",kind=\"unreachable\"}";
                awaitScrape(collectorPort);
                Await.until(Duration.ofSeconds(90), "two collector rounds", () -> {
                    Map<String, Double> m = scrape(collectorPort);
                    return m.getOrDefault("fleetwatch_collector_rounds_total", 0.0) >= 2 && m.getOrDefault(down, 0.0) >= 1;
                });
                Map<String, Double> k = scrape(collectorPort);
                assertThat(k.get("fleetwatch_collector_samples_published_total")).as("the reachable host's samples")
                        .isGreaterThanOrEqualTo(1.0);
                assertThat(k.get("fleetwatch_collector_host_failures_total{host=\"" + USER + "@127.0.0.1:" + sshd.port()
                        + "\",kind=\"unreachable\"}")).as("the reachable host never failed").isZero();

                // the endpoint answers /metrics only
                assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + consumerPort + "/other"))
                        .build(), HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(404);

                assertThat(Fleet.stop(collector, 30)).isZero();
                assertThat(Fleet.stop(relay, 30)).isZero();
                assertThat(Fleet.stop(consumer, 30)).isZero();
            }
        }
    }

    /**
     * The scheduler's figures on a real {@code serve} with only the scheduler: a scan requested through the API for
     * 127.0.0.1 runs (started), one for a network outside the scan policy is refused before any packet (failed).
     */
    @Test
    void theSchedulerCountsTheScansItRanAndThoseThatFailed() throws Exception {
        try (TestBroker tb = TestBroker.create(); TestDatabase db = TestDatabase.create()) {
            Map<String, String> env = new HashMap<>(tb.env());
            env.put("DATABASE_URL", db.jdbcUrl());
            assertThat(Main.run(env, "queue-setup")).isZero();
            assertThat(Main.run(env, "db", "migrate")).isZero();
            int port = Ports.free();
            try (Fleet fleet = new Fleet(env, dir.resolve("logs"));
                 com.zaxxer.hikari.HikariDataSource ds = Services.database(env, "ops-metrics-it")) {
                Process serve = fleet.start("serve-scheduler", Map.of("FLEETWATCH_SERVE_COMPONENTS", "scheduler",
                        "FLEETWATCH_SCHEDULER_METRICS_PORT", Integer.toString(port)), "serve", "--no-setup", "--no-agent");
                Map<String, Double> before = awaitScrape(port);
                assertThat(before.get("fleetwatch_scheduler_scans_started_total")).isZero();
                try (Statement st = db.connect().createStatement()) {
                    st.execute("INSERT INTO departments (id, name) VALUES (1, 'ops-metrics')");
                }
                io.fleetwatch.store.ScanStore scans = io.fleetwatch.store.Owners.of(ds).scans();
                scans.request(1, List.of("127.0.0.1/32"), "api:ops-metrics-it");
                scans.request(1, List.of("198.18.0.1/32"), "api:ops-metrics-it"); // outside the policy: no packet
                Await.until(Duration.ofSeconds(120), "both requests handled", () -> {
                    Map<String, Double> m = scrape(port);
                    return m.getOrDefault("fleetwatch_scheduler_scans_started_total", 0.0) >= 1
                            && m.getOrDefault("fleetwatch_scheduler_scans_failed_total", 0.0) >= 1
                            && count(db, "SELECT count(*) FROM scans WHERE status IN ('succeeded', 'failed')") == 2;
                });
                Map<String, Double> m = scrape(port);
                assertThat(m.get("fleetwatch_scheduler_scans_started_total")).as("the sweep of 127.0.0.1").isEqualTo(1.0);
                assertThat(m.get("fleetwatch_scheduler_scans_failed_total")).as("the refused request").isEqualTo(1.0);
                assertThat(count(db, "SELECT count(*) FROM scans WHERE status = 'failed'")).isEqualTo(1);
                assertThat(Fleet.stop(serve, 30)).isZero();
            }
        }
    }

    @Test
    void aTakenPortStopsTheCommandNamingTheKey() throws Exception {
        try (TestBroker tb = TestBroker.create(); TestDatabase db = TestDatabase.create();
             ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Map<String, String> env = new HashMap<>(tb.env());
            env.put("DATABASE_URL", db.jdbcUrl());
            Path logs = dir.resolve("logs");
            try (Fleet fleet = new Fleet(env, logs)) {
                Process relay = fleet.start("relay-taken", Map.of("FLEETWATCH_RELAY_METRICS_PORT",
                        Integer.toString(taken.getLocalPort())), "relay");
                assertThat(relay.waitFor(60, TimeUnit.SECONDS)).as("the relay stops by itself").isTrue();
                assertThat(relay.exitValue()).isEqualTo(2);
                assertThat(Files.readString(logs.resolve("relay-taken.log")))
                        .contains("FLEETWATCH_RELAY_METRICS_PORT").contains("in use");
            }
        }
    }

    static String deadLettered(String reason) {
        return "fleetwatch_consumer_dead_lettered_total{queue=\"metrics_queue\",reason=\"" + reason + "\"}";
    }

    static String sample(String host, int seq, Instant t, int cpu) {
        return String.format("{\"host_id\":\"%s\",\"hostname\":\"%s\",\"seq\":%d,\"collected_at\":\"%s\",\"metrics\":"
                + "{\"cpu_percent\":%d,\"ram_percent\":1,\"disk_percent\":1,\"network_sent_mbps\":0,"
                + "\"network_recv_mbps\":0,\"gpu_percent\":null,\"uptime_seconds\":5,\"logged_in_users\":0}}",
                host, host, seq, t.plusMillis(seq * 100L), cpu);
    }

    static void publishAll(Map<String, String> env, String routingKey, List<String> bodies) throws Exception {
        try (Connection c = BrokerSettings.fromEnv(env).connectionFactory().newConnection("ops-metrics-it");
             Channel ch = c.createChannel()) {
            ch.confirmSelect();
            for (String b : bodies) {
                ch.basicPublish(Routing.EXCHANGE, routingKey, new AMQP.BasicProperties.Builder()
                        .contentType("application/json").deliveryMode(2).build(), b.getBytes(StandardCharsets.UTF_8));
            }
            ch.waitForConfirmsOrDie(TimeUnit.SECONDS.toMillis(10));
        }
    }

    Map<String, Double> awaitScrape(int port) throws Exception {
        Await.until(Duration.ofSeconds(90), "/metrics on port " + port, () -> {
            try {
                scrape(port);
                return true;
            } catch (java.io.IOException notYet) {
                return false;
            }
        });
        return scrape(port);
    }

    /** One scrape, as series ({@code name{labels}}) to value; the text format checked on the way. */
    Map<String, Double> scrape(int port) throws Exception {
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        Map<String, Double> out = new HashMap<>();
        for (String line : res.body().split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int sp = line.lastIndexOf(' ');
            out.put(line.substring(0, sp), Double.parseDouble(line.substring(sp + 1)));
        }
        return out;
    }

    static long count(TestDatabase db, String sql) throws Exception {
        try (var c = db.connect(); var st = c.createStatement(); var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
