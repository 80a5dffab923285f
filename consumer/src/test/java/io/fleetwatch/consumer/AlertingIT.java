package io.fleetwatch.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.MessageProperties;
import com.sun.net.httpserver.HttpServer;
import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.broker.Topology;
import io.fleetwatch.consumer.notify.Notifier;
import io.fleetwatch.consumer.notify.WebhookChannel;
import io.fleetwatch.consumer.relay.AlertRelay;
import io.fleetwatch.messages.AlertMessage;
import io.fleetwatch.messages.MessageCodec;
import io.fleetwatch.messages.Routing;
import io.fleetwatch.sql.Database;
import io.fleetwatch.sql.DatabaseSettings;
import io.fleetwatch.sql.Migrator;
import io.fleetwatch.testing.Await;
import io.fleetwatch.testing.TestBroker;
import io.fleetwatch.testing.TestDatabase;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Threshold alerts from the trigger, through the outbox and relay, to the alert queue and a webhook. */
class AlertingIT {
    private TestBroker tb;
    private TestDatabase db;
    private HikariDataSource ds;
    private Connection conn;
    private Channel ch;
    private Jdbi jdbi;
    private BrokerSettings bs;
    private final List<AutoCloseable> closeMe = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        tb = TestBroker.create();
        db = TestDatabase.create();
        ds = Database.pool(DatabaseSettings.fromEnv(Map.of("DATABASE_URL", db.jdbcUrl())), "alerting-it");
        new Migrator(ds, "auto").migrate();
        bs = BrokerSettings.fromEnv(tb.env());
        conn = bs.connectionFactory().newConnection("alerting-it");
        Topology.standard().declare(conn);
        ch = conn.createChannel();
        jdbi = ConsumerService.jdbi(ds);
        // fire on every sample above 90 for this test's systems
        jdbi.useHandle(h -> h.execute("UPDATE alert_rules SET min_samples = 1 WHERE alert_type = 'cpu_high'"));
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeMe.size() - 1; i >= 0; i--) {
            closeMe.get(i).close();
        }
        conn.close();
        ds.close();
        db.close();
        tb.close();
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        closeMe.add(c);
        return c;
    }

    /** n systems, each with one hot sample then one cool one: 2n events (n firing, n resolved). */
    private void hotThenCool(int n) {
        jdbi.useHandle(h -> {
            h.execute("INSERT INTO systems (hostname) SELECT 'alert-host-' || g FROM generate_series(1, ?) g", n);
            for (String cpu : new String[] {"97", "12"}) {
                h.execute("INSERT INTO metrics (system_id, collected_at, cpu_percent, ram_percent, disk_percent,"
                        + " network_sent_mbps, network_recv_mbps, uptime_seconds, logged_in_users)"
                        + " SELECT id, now() + (CASE WHEN " + cpu + " > 50 THEN 0 ELSE 1 END) * interval '10 seconds', "
                        + cpu + ", 1, 1, 0, 0, 1, 0 FROM systems WHERE hostname LIKE 'alert-host-%'");
            }
        });
    }

    private int queryInt(String sql) {
        return jdbi.withHandle(h -> h.createQuery(sql).mapTo(Integer.class).one());
    }

    private String queryString(String sql) {
        return jdbi.withHandle(h -> h.createQuery(sql).mapTo(String.class).one());
    }

    private AlertRelay relay() {
        return relay(0);
    }

    private AlertRelay relay(int index) {
        return new AlertRelay(ds, bs, new AlertRelay.Settings(7, Duration.ofMillis(500), Duration.ofMillis(200)),
                Clock.systemUTC(), index);
    }

    private List<AlertMessage> drainAlertQueue() throws Exception {
        List<AlertMessage> got = new ArrayList<>();
        GetResponse r;
        while ((r = ch.basicGet("alert_queue", true)) != null) {
            AlertMessage a = MessageCodec.decode(r.getBody(), AlertMessage.class);
            assertThat(r.getProps().getMessageId()).isEqualTo("alert-" + a.alertId());
            assertThat(r.getEnvelope().getRoutingKey()).isEqualTo("alerts." + a.severity().wireName());
            got.add(a);
        }
        return got;
    }

    @Test
    void alertsFiredWhileTheRelayIsDownArriveOnceWhenItStarts() throws Exception {
        hotThenCool(10);
        assertThat(queryInt("SELECT count(*) FROM alert_outbox WHERE sent_at IS NULL")).isEqualTo(20);
        assertThat(ch.messageCount("alert_queue")).isZero();

        AlertRelay relay = closeLater(relay());
        relay.start();
        Await.until(Duration.ofSeconds(15), "20 alerts relayed", () -> ch.messageCount("alert_queue") == 20);
        relay.close();
        List<AlertMessage> got = drainAlertQueue();
        assertThat(got).hasSize(20);
        assertThat(got.stream().map(AlertMessage::alertId).distinct().count()).isEqualTo(20);
        assertThat(got.stream().filter(a -> a.state().equals("firing")).count()).isEqualTo(10);
        assertThat(got.get(0).alertType()).isEqualTo("cpu_high");
        assertThat(queryInt("SELECT count(*) FROM alert_outbox WHERE sent_at IS NULL")).isZero();
    }

    @Test
    void twoRelaysShareTheOutboxWithoutDuplicates() throws Exception {
        Logger log = (Logger) org.slf4j.LoggerFactory.getLogger(AlertRelay.class);
        ListAppender<ILoggingEvent> seen = new ListAppender<>();
        seen.start();
        Level level = log.getLevel();
        log.setLevel(Level.DEBUG);
        log.addAppender(seen);
        closeLater(() -> {
            log.detachAppender(seen);
            log.setLevel(level);
        });
        AlertRelay a = closeLater(relay(0));
        AlertRelay b = closeLater(relay(1));
        a.start();
        b.start();
        Await.until(Duration.ofSeconds(10), "both relays listening", () -> listening(seen, null) == 2);
        // one process, one announcement at INFO (the second relay's at DEBUG), not the same line once per thread
        assertThat(listening(seen, Level.INFO)).isEqualTo(1);
        hotThenCool(40);
        Await.until(Duration.ofSeconds(20), "80 alerts relayed", () -> ch.messageCount("alert_queue") >= 80);
        Thread.sleep(600); // a duplicate would arrive within the poll interval
        List<AlertMessage> got = drainAlertQueue();
        Set<Long> ids = new HashSet<>();
        got.forEach(x -> ids.add(x.alertId()));
        assertThat(got).hasSize(80);
        assertThat(ids).hasSize(80);
    }

    private static long listening(ListAppender<ILoggingEvent> seen, Level level) {
        List<ILoggingEvent> events;
        synchronized (seen) { // the appender appends under its own lock
            events = List.copyOf(seen.list);
        }
        return events.stream().filter(e -> e.getFormattedMessage().startsWith("relay listening on "))
                .filter(e -> level == null || e.getLevel() == level).count();
    }

    @Test
    void brokerDownKeepsAlertsInTheOutbox() throws Exception {
        BrokerSettings nowhere = new BrokerSettings("127.0.0.1", 1, "guest", "guest", tb.vhost(), 15672);
        AlertRelay broken = new AlertRelay(ds, nowhere, new AlertRelay.Settings(7, Duration.ofMillis(200),
                Duration.ofMillis(100)), Clock.systemUTC());
        broken.start();
        hotThenCool(3);
        Await.until(Duration.ofSeconds(10), "failed attempts recorded", () -> jdbi.withHandle(h -> h.createQuery(
                "SELECT count(*) FROM alert_outbox WHERE sent_at IS NULL AND attempts > 0").mapTo(Integer.class).one()) == 6);
        broken.close();
        AlertRelay good = closeLater(relay());
        good.start();
        Await.until(Duration.ofSeconds(10), "6 alerts relayed", () -> ch.messageCount("alert_queue") == 6);
    }

    @Test
    void fromMetricsOnTheQueueToAWebhookThatFailsTwiceFirst() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        List<String> bodies = new CopyOnWriteArrayList<>();
        HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/hook", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            int n = calls.incrementAndGet();
            boolean ok = n > 2 && "Bearer hook-secret".equals(ex.getRequestHeaders().getFirst("Authorization"));
            if (ok) {
                bodies.add(new String(body, StandardCharsets.UTF_8));
            }
            ex.sendResponseHeaders(ok ? 204 : 500, -1);
            ex.close();
        });
        hook.start();
        closeLater(() -> hook.stop(0));

        ConsumerService consumer = closeLater(new ConsumerService(bs, Routing.QueueNames.defaults(), ds,
                new BatchWorker.Settings(50, Duration.ofMillis(50), 150, Duration.ofMillis(50), Duration.ofSeconds(1)),
                List.of("webhook"), Clock.systemUTC()));
        consumer.start();
        AlertRelay relay = closeLater(relay());
        relay.start();
        Notifier notifier = closeLater(new Notifier(jdbi, List.of(new WebhookChannel(
                URI.create("http://127.0.0.1:" + hook.getAddress().getPort() + "/hook"), "Bearer hook-secret",
                Duration.ofSeconds(2))), new Notifier.Settings(3, Duration.ofMillis(100), 2.0, Duration.ofSeconds(1),
                Duration.ofMillis(50), 10), Clock.systemUTC()));
        notifier.start();

        String sample = "{\"host_id\":\"hook0000000000000000000000000001\",\"hostname\":\"hot-box\",\"seq\":%d,"
                + "\"collected_at\":\"%s\",\"metrics\":{\"cpu_percent\":%s,\"ram_percent\":1,\"disk_percent\":1,"
                + "\"network_sent_mbps\":0,\"network_recv_mbps\":0,\"gpu_percent\":null,\"uptime_seconds\":5,"
                + "\"logged_in_users\":0}}";
        java.time.Instant t = java.time.Instant.now().minusSeconds(60);
        ch.basicPublish(Routing.EXCHANGE, "metrics.collected", MessageProperties.PERSISTENT_TEXT_PLAIN,
                String.format(sample, 1, t, "96.5").getBytes(StandardCharsets.UTF_8));
        Await.until(Duration.ofSeconds(20), "firing notification delivered", () -> bodies.size() == 1);
        ch.basicPublish(Routing.EXCHANGE, "metrics.collected", MessageProperties.PERSISTENT_TEXT_PLAIN,
                String.format(sample, 2, t.plusSeconds(10), "20").getBytes(StandardCharsets.UTF_8));
        Await.until(Duration.ofSeconds(20), "resolved notification delivered", () -> bodies.size() == 2);

        JsonNode fired = MessageCodec.mapper().readTree(bodies.get(0));
        assertThat(fired.get("event").asText()).isEqualTo("firing");
        assertThat(fired.get("hostname").asText()).isEqualTo("hot-box");
        assertThat(fired.get("alert_type").asText()).isEqualTo("cpu_high");
        assertThat(fired.get("value").asDouble()).isEqualTo(96.5);
        assertThat(fired.get("threshold").asDouble()).isEqualTo(90.0);
        JsonNode resolved = MessageCodec.mapper().readTree(bodies.get(1));
        assertThat(resolved.get("event").asText()).isEqualTo("resolved");
        assertThat(resolved.get("value").asDouble()).isEqualTo(20.0);
        assertThat(calls.get()).isEqualTo(4); // two failures, then firing and resolved
        Map<String, Object> incident = jdbi.withHandle(h -> h.createQuery(
                "SELECT state, value, resolved_value, resolved_at IS NOT NULL AS closed FROM alerts").mapToMap().one());
        assertThat(incident).containsEntry("state", "resolved").containsEntry("value", 96.5)
                .containsEntry("resolved_value", 20.0).containsEntry("closed", true);
        // the webhook has the body before the notifier records the delivery: wait for the record
        Await.until(Duration.ofSeconds(10), "both deliveries recorded", () -> "sent:3,sent:1".equals(
                queryString("SELECT string_agg(status || ':' || attempts, ',' ORDER BY id) FROM notifications")));
    }

    @Test
    void aResolutionThatOvertakesItsFiringEventStillClosesTheIncident() throws Exception {
        hotThenCool(5);
        AlertRelay relay = relay();
        relay.start();
        Await.until(Duration.ofSeconds(15), "10 alerts relayed", () -> ch.messageCount("alert_queue") == 10);
        relay.close();
        List<AlertMessage> inOrder = drainAlertQueue();
        List<AlertMessage> reversed = new ArrayList<>(inOrder);
        java.util.Collections.reverse(reversed); // every resolution first, as parallel relays can deliver them
        reversed.add(inOrder.get(0)); // and a redelivered firing event after its resolution
        for (AlertMessage a : reversed) {
            ch.basicPublish(Routing.EXCHANGE, a.routingKey(), MessageProperties.PERSISTENT_BASIC, MessageCodec.encode(a));
        }
        assertThat(reversed.get(0).state()).isEqualTo("resolved");
        ConsumerService consumer = closeLater(new ConsumerService(bs, Routing.QueueNames.defaults(), ds,
                new BatchWorker.Settings(4, Duration.ofMillis(50), 12, Duration.ofMillis(50), Duration.ofSeconds(1)),
                List.of("webhook"), Clock.systemUTC()));
        consumer.start();
        Await.until(Duration.ofSeconds(20), "all consumed", () -> ch.messageCount("alert_queue") == 0
                && queryInt("SELECT count(*) FROM notifications") == 10);
        consumer.close();
        assertThat(queryInt("SELECT count(*) FROM alerts")).isEqualTo(5);
        assertThat(queryInt("SELECT count(*) FROM alerts WHERE state = 'resolved' AND resolved_at > occurred_at"
                + " AND value = 97 AND resolved_value = 12")).as("every incident closed, with both values").isEqualTo(5);
        assertThat(queryString("SELECT string_agg(event_state, ',' ORDER BY event_state) FROM notifications"))
                .isEqualTo("firing,firing,firing,firing,firing,resolved,resolved,resolved,resolved,resolved");
    }

    private static AlertMessage outside(long system, String severity, String state, double value, int second) {
        return new AlertMessage(io.fleetwatch.messages.SchemaVersion.CURRENT, null, system, "temp_high",
                io.fleetwatch.messages.Severity.fromWire(severity), state, value, 80.0,
                java.time.Instant.parse("2026-03-01T10:00:00Z").plusSeconds(second));
    }

    @Test
    void anotherSeverityOfTheSameAlertMovesTheOneIncidentAndItsResolutionClosesIt() {
        long sys = jdbi.withHandle(h -> h.createQuery("INSERT INTO systems (hostname) VALUES ('escalating')"
                + " RETURNING id").mapTo(Long.class).one());
        AlertSink sink = new AlertSink(jdbi, () -> List.of("webhook"));
        sink.write(List.of(outside(sys, "warning", "firing", 85, 0)));
        sink.write(List.of(outside(sys, "critical", "firing", 96, 10)));
        sink.write(List.of(outside(sys, "critical", "firing", 96, 10))); // redelivered: nothing new
        assertThat(queryInt("SELECT count(*) FROM alerts")).as("one incident").isEqualTo(1);
        assertThat(queryString("SELECT severity || ' ' || value FROM alerts")).isEqualTo("critical 96");
        sink.write(List.of(outside(sys, "warning", "firing", 88, 20))); // and back
        assertThat(queryString("SELECT severity FROM alerts WHERE resolved_at IS NULL")).isEqualTo("warning");
        sink.write(List.of(outside(sys, "warning", "resolved", 40, 30)));
        assertThat(queryInt("SELECT count(*) FROM alerts")).isEqualTo(1);
        assertThat(queryString("SELECT state || ' ' || resolved_value FROM alerts")).isEqualTo("resolved 40");
        long row = queryInt("SELECT id FROM alerts");
        assertThat(new io.fleetwatch.store.AlertStore(jdbi).severityChanges(row))
                .extracting(c -> c.fromSeverity() + ">" + c.toSeverity() + " " + c.cause())
                .containsExactly("warning>critical firing", "critical>warning firing");
        assertThat(queryString("SELECT string_agg(event_state, ',' ORDER BY event_state) FROM notifications"))
                .as("one opening and one closing notified").isEqualTo("firing,resolved");
    }

    @Test
    void theDatabasesWarningAndCriticalRulesShareOneIncident() {
        long sys = jdbi.withHandle(h -> h.createQuery("INSERT INTO systems (hostname) VALUES ('filling-up')"
                + " RETURNING id").mapTo(Long.class).one());
        io.fleetwatch.store.AlertStore store = new io.fleetwatch.store.AlertStore(jdbi);
        AlertSink sink = new AlertSink(jdbi, () -> List.of("webhook"));
        int[] disk = {93, 98, 93, 50}; // warning fires, critical too, critical ends (warning still), warning ends
        for (int i = 0; i < disk.length; i++) {
            int d = disk[i];
            int at = i;
            jdbi.useHandle(h -> h.execute("INSERT INTO metrics (system_id, collected_at, cpu_percent, ram_percent,"
                    + " disk_percent, network_sent_mbps, network_recv_mbps, uptime_seconds, logged_in_users)"
                    + " VALUES (?, now() + ? * interval '10 seconds', 1, 1, ?, 0, 0, 1, 0)", sys, at, d));
            List<AlertMessage> events = new ArrayList<>();
            store.drainOutbox(10, java.time.Instant.now(), b -> {
                events.addAll(b);
                return null;
            });
            assertThat(events).as("events after disk " + d).isNotEmpty();
            sink.write(events);
            String expected = switch (i) {
                case 0, 2 -> "warning firing";
                case 1 -> "critical firing";
                default -> "warning resolved";
            };
            assertThat(queryString("SELECT string_agg(severity || ' ' || state, ',') FROM alerts"))
                    .as("after disk " + d).isEqualTo(expected);
        }
        long row = queryInt("SELECT id FROM alerts");
        assertThat(store.severityChanges(row)).extracting(c -> c.fromSeverity() + ">" + c.toSeverity() + " " + c.cause())
                .containsExactly("warning>critical firing", "critical>warning resolved");
    }

    @Test
    void aWebhookThatNeverAnswersWellEndsDeadWithTheLastError() throws Exception {
        HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(503, -1);
            ex.close();
        });
        hook.start();
        closeLater(() -> hook.stop(0));
        jdbi.useHandle(h -> {
            h.execute("INSERT INTO systems (id, hostname) VALUES (900, 'x')");
            h.execute("INSERT INTO alerts (system_id, alert_type, severity, occurred_at) VALUES (900, 'cpu_high',"
                    + " 'warning', now())");
            h.execute("INSERT INTO notifications (alert_row, event_state, channel) SELECT id, 'firing', 'webhook'"
                    + " FROM alerts");
        });
        Notifier notifier = closeLater(new Notifier(jdbi, List.of(new WebhookChannel(
                URI.create("http://127.0.0.1:" + hook.getAddress().getPort() + "/"), null, Duration.ofSeconds(2))),
                new Notifier.Settings(2, Duration.ofMillis(50), 2.0, Duration.ofMillis(200), Duration.ofMillis(20), 10),
                Clock.systemUTC()));
        notifier.start();
        Await.until(Duration.ofSeconds(10), "dead", () -> "dead".equals(jdbi.withHandle(h -> h.createQuery(
                "SELECT status FROM notifications").mapTo(String.class).one())));
        Map<String, Object> n = jdbi.withHandle(h -> h.createQuery("SELECT attempts, last_error FROM notifications")
                .mapToMap().one());
        assertThat(n).containsEntry("attempts", 3).containsEntry("last_error", "webhook 127.0.0.1 answered HTTP 503");
    }
}
