package io.fleetwatch.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.MessageProperties;
import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.broker.Topology;
import io.fleetwatch.messages.Routing;
import io.fleetwatch.sql.Database;
import io.fleetwatch.sql.DatabaseSettings;
import io.fleetwatch.sql.Migrator;
import io.fleetwatch.testing.Await;
import io.fleetwatch.testing.TestBroker;
import io.fleetwatch.testing.TestDatabase;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The consumer on the real RabbitMQ and the real PostgreSQL. */
class ConsumerIT {
    private TestBroker tb;
    private TestDatabase db;
    private HikariDataSource ds;
    private Connection conn;
    private Channel ch;
    private ConsumerService consumer;
    private Jdbi jdbi;

    /** The golden messages are dated 2025-11-25 10:30-10:40; the consumer's clock is set shortly after them. */
    static final Clock GOLDEN_TIME = Clock.fixed(java.time.Instant.parse("2025-11-25T11:00:00Z"), java.time.ZoneOffset.UTC);

    @BeforeEach
    void setUp() throws Exception {
        tb = TestBroker.create();
        db = TestDatabase.create();
        ds = Database.pool(DatabaseSettings.fromEnv(Map.of("DATABASE_URL", db.jdbcUrl())), "consumer-it");
        // the golden messages are a year old: keep them past the retention TimescaleDB would drop them at
        new Migrator(ds, "auto", 3650).migrate();
        BrokerSettings bs = BrokerSettings.fromEnv(tb.env());
        conn = bs.connectionFactory().newConnection("consumer-it");
        Topology.standard().declare(conn);
        ch = conn.createChannel();
        consumer = new ConsumerService(bs, Routing.QueueNames.defaults(), ds,
                new BatchWorker.Settings(50, Duration.ofMillis(50), 150, Duration.ofMillis(50), Duration.ofSeconds(1)),
                GOLDEN_TIME);
        consumer.start();
        jdbi = ConsumerService.jdbi(ds);
    }

    @AfterEach
    void tearDown() throws Exception {
        consumer.close();
        conn.close();
        ds.close();
        db.close();
        tb.close();
    }

    private void publish(String routingKey, String body) throws Exception {
        ch.basicPublish(Routing.EXCHANGE, routingKey, MessageProperties.PERSISTENT_TEXT_PLAIN,
                body.getBytes(StandardCharsets.UTF_8));
    }

    private static String golden(String name) throws Exception {
        try (InputStream in = ConsumerIT.class.getResourceAsStream("/golden/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private long count(String sql) {
        return jdbi.withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    }

    @Test
    void theContractsThreeExamplesAreAcceptedAndStored() throws Exception {
        publish("discovery.new", golden("discovery.json"));
        publish("metrics.collected", golden("metrics.json"));
        publish("alerts.warning", golden("alert.json"));

        Await.until(Duration.ofSeconds(10), "example metrics row", () -> count("SELECT count(*) FROM metrics") == 1);
        Await.until(Duration.ofSeconds(10), "example alert row", () -> count("SELECT count(*) FROM alerts") == 1);
        Await.until(Duration.ofSeconds(10), "example discovery row",
                () -> count("SELECT count(*) FROM systems WHERE mac_address IS NOT NULL") == 1);

        Map<String, Object> m = jdbi.withHandle(h -> h.createQuery(
                "SELECT system_id, cpu_percent, gpu_percent, uptime_seconds, logged_in_users,"
                        + " collected_at = '2025-11-25T10:35:00Z' AS at_ok FROM metrics").mapToMap().one());
        assertThat(m).containsEntry("system_id", 42L).containsEntry("cpu_percent", 45.23)
                .containsEntry("gpu_percent", 78.90).containsEntry("uptime_seconds", 345600L)
                .containsEntry("logged_in_users", 3).containsEntry("at_ok", true);
        Map<String, Object> s = jdbi.withHandle(h -> h.createQuery(
                "SELECT host(ip_address) AS ip, hostname, upper(mac_address::text) AS mac, dept_id, last_scan_id"
                        + " FROM systems WHERE mac_address IS NOT NULL").mapToMap().one());
        String exampleIp = io.fleetwatch.messages.MessageCodec.mapper().readTree(golden("discovery.json"))
                .get("ip_address").asText(); // data from the contract's example; nothing is sent to it
        assertThat(s).containsEntry("ip", exampleIp).containsEntry("hostname", "lab-pc-01")
                .containsEntry("mac", "00:1B:44:11:3A:B7").containsEntry("dept_id", 1).containsEntry("last_scan_id", 123L);
        Map<String, Object> a = jdbi.withHandle(h -> h.createQuery(
                "SELECT system_id, alert_type, severity, value, threshold FROM alerts").mapToMap().one());
        assertThat(a).containsEntry("system_id", 42L).containsEntry("alert_type", "cpu_high")
                .containsEntry("severity", "warning").containsEntry("value", 95.5).containsEntry("threshold", 90.0);
        // a system id issued later by the database never collides with the adopted 42
        long fresh = jdbi.withHandle(h -> h.createQuery("INSERT INTO systems (hostname) VALUES ('new') RETURNING id")
                .mapTo(Long.class).one());
        assertThat(fresh).isGreaterThan(42L);
    }

    @Test
    void poisonMessagesGoToTheDlqWithTheReasonWhileTheRestOfTheBatchLands() throws Exception {
        String good = golden("metrics.json");
        for (int i = 0; i < 20; i++) {
            publish("metrics.collected", good.replace("10:35:00Z", String.format("10:%02d:00Z", i)));
            if (i == 7) {
                publish("metrics.collected", good.replace("45.23", "145.23"));
                publish("metrics.collected", "{not json");
            }
        }
        Await.until(Duration.ofSeconds(10), "20 valid rows", () -> count("SELECT count(*) FROM metrics") == 20);
        Await.until(Duration.ofSeconds(10), "2 dead letters",
                () -> ch.messageCount("metrics_queue.dlq") == 2);
        GetResponse first = ch.basicGet("metrics_queue.dlq", true);
        GetResponse second = ch.basicGet("metrics_queue.dlq", true);
        assertThat(reason(first)).isEqualTo("contract violation: metrics.cpu_percent must be a number in [0.0, 100.0], not 145.23");
        assertThat(reason(second)).startsWith("not valid JSON");
        assertThat(first.getProps().getHeaders().get(Routing.SOURCE_QUEUE_HEADER).toString()).isEqualTo("metrics_queue");
        assertThat(ch.messageCount("metrics_queue")).isZero();
    }

    @Test
    void redeliveredSamplesCreateNoDuplicateRows() throws Exception {
        String agentSample = golden("metrics.json").replace("\"system_id\": 42,",
                "\"host_id\": \"0f3c2a9e8d7b4c6a9e8d7b4c6a0f3c2a\", \"hostname\": \"lab-pc-07\", \"seq\": 9,");
        for (int i = 0; i < 3; i++) {
            publish("metrics.collected", agentSample);
        }
        Await.until(Duration.ofSeconds(10), "queue drained", () -> ch.messageCount("metrics_queue") == 0);
        Await.until(Duration.ofSeconds(10), "stats", () -> consumer.stats().get(1).batches() >= 1);
        Thread.sleep(200);
        assertThat(count("SELECT count(*) FROM metrics")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM systems WHERE host_id = '0f3c2a9e8d7b4c6a9e8d7b4c6a0f3c2a'"
                + " AND hostname = 'lab-pc-07'")).isEqualTo(1);
        assertThat(ch.messageCount("metrics_queue.dlq")).isZero();

        // later batches from the same host reuse its row without using up identity values
        for (int i = 1; i <= 3; i++) {
            publish("metrics.collected", agentSample.replace("10:35:00Z", "10:3" + (5 + i) + ":00Z"));
            int rows = 1 + i;
            Await.until(Duration.ofSeconds(10), rows + " rows", () -> count("SELECT count(*) FROM metrics") == rows);
        }
        long hostSystem = count("SELECT id FROM systems WHERE host_id = '0f3c2a9e8d7b4c6a9e8d7b4c6a0f3c2a'");
        long next = jdbi.withHandle(h -> h.createQuery("INSERT INTO systems (hostname) VALUES ('next') RETURNING id")
                .mapTo(Long.class).one());
        assertThat(next).isEqualTo(hostSystem + 1);
    }

    @Test
    void anAgentIsLinkedToTheHostTheScannerFoundByItsMac() throws Exception {
        publish("discovery.new", golden("discovery.json")); // 10.30.5.10, 00:1B:44:11:3A:B7, lab-pc-01
        Await.until(Duration.ofSeconds(10), "discovered", () -> count("SELECT count(*) FROM systems") == 1);
        long discovered = count("SELECT id FROM systems");
        String agentSample = golden("metrics.json").replace("\"system_id\": 42,",
                "\"host_id\": \"5e1f0c0ffee0c0ffee0c0ffee0c0ffee\", \"hostname\": \"lab-pc-01\", \"seq\": 1,"
                        + " \"mac_address\": \"00:1b:44:11:3a:b7\", \"ip_address\": \"10.30.5.10\",");
        publish("metrics.collected", agentSample);
        Await.until(Duration.ofSeconds(10), "sample stored", () -> count("SELECT count(*) FROM metrics") == 1);
        assertThat(count("SELECT count(*) FROM systems")).as("no second system for the same machine").isEqualTo(1);
        assertThat(count("SELECT system_id FROM metrics")).isEqualTo(discovered);
        assertThat(count("SELECT count(*) FROM systems WHERE host_id = '5e1f0c0ffee0c0ffee0c0ffee0c0ffee'")).isEqualTo(1);
    }

    @Test
    void anUnreachableHostIsDownUntilItAnswersAgain() throws Exception {
        String down = "{\"system_id\":42,\"alert_type\":\"host_unreachable\",\"severity\":\"warning\","
                + "\"state\":\"firing\",\"timestamp\":\"2025-11-25T10:40:00Z\"}";
        publish("alerts.warning", down);
        Await.until(Duration.ofSeconds(10), "system down",
                () -> count("SELECT count(*) FROM systems WHERE id = 42 AND status = 'down'") == 1);
        publish("alerts.warning", down.replace("firing", "resolved").replace("10:40", "10:45"));
        Await.until(Duration.ofSeconds(10), "system up again",
                () -> count("SELECT count(*) FROM systems WHERE id = 42 AND status = 'up'") == 1);
        assertThat(count("SELECT count(*) FROM alerts WHERE alert_type = 'host_unreachable' AND state = 'resolved'"))
                .isEqualTo(1);
    }

    private String deadLetterReason(String queue) throws Exception {
        Await.until(Duration.ofSeconds(10), "a dead letter in " + queue, () -> ch.messageCount(queue) >= 1);
        return reason(ch.basicGet(queue, true));
    }

    private static final String AT = "2025-11-25T10:50:00Z";

    private static String discovery(String ip, String mac, String hostname) {
        return "{\"dept_id\":1,\"ip_address\":\"" + ip + "\",\"mac_address\":\"" + mac + "\",\"hostname\":\""
                + hostname + "\",\"discovered_at\":\"" + AT + "\",\"scan_type\":\"arp\"}";
    }

    private static String agentSample(String systemId, String hostId, String at, String mbps) {
        return "{" + (systemId == null ? "" : "\"system_id\":" + systemId + ",") + "\"host_id\":\"" + hostId
                + "\",\"collected_at\":\"" + at + "\",\"metrics\":{\"cpu_percent\":1,\"ram_percent\":2,"
                + "\"disk_percent\":3,\"network_sent_mbps\":" + mbps + ",\"network_recv_mbps\":0,\"gpu_percent\":null,"
                + "\"uptime_seconds\":1,\"logged_in_users\":0}}";
    }

    @Test
    void hostsReportingAPlaceholderMacAreNeverMerged() throws Exception {
        publish("discovery.new", discovery("198.18.0.21", "00:00:00:00:00:00", "a"));
        publish("discovery.new", discovery("198.18.0.22", "00:00:00:00:00:00", "b"));
        publish("discovery.new", discovery("198.18.0.23", "ff:ff:ff:ff:ff:ff", "c"));
        publish("discovery.new", discovery("198.18.0.24", "ff:ff:ff:ff:ff:ff", "localhost"));
        Await.until(Duration.ofSeconds(10), "four systems", () -> count("SELECT count(*) FROM systems") == 4);
        assertThat(count("SELECT count(*) FROM systems WHERE mac_address IS NOT NULL")).isZero();
        assertThat(count("SELECT count(*) FROM systems WHERE hostname IS NULL")).as("localhost is no name").isEqualTo(1);
    }

    @Test
    void oneMessageCannotExhaustAnIdentitySequence() throws Exception {
        publish("metrics.collected", agentSample(Long.toString(Long.MAX_VALUE), "host-0001", AT, "0"));
        assertThat(deadLetterReason("metrics_queue.dlq")).contains("system_id must be in [1, ");
        publish("discovery.new", discovery("198.18.0.29", "00:1b:44:11:3a:b9", "d").replace("{", "{\"scan_id\":"
                + Long.MAX_VALUE + ","));
        assertThat(deadLetterReason("discovery_queue.dlq")).contains("scan_id must be in [1, ");
        publish("metrics.collected", agentSample(null, "host-0002", AT, "0"));
        Await.until(Duration.ofSeconds(10), "a new host still gets a system",
                () -> count("SELECT count(*) FROM metrics") == 1);
        assertThat(count("SELECT nextval('scans_id_seq')")).isLessThan(io.fleetwatch.messages.Bounds.PRODUCER_ID_MAX);
    }

    @Test
    void aSystemIdOfAnotherHostIsAClearDeadLetter() throws Exception {
        publish("metrics.collected", agentSample(null, "host-0001", AT, "0"));
        Await.until(Duration.ofSeconds(10), "host-0001 stored", () -> count("SELECT count(*) FROM metrics") == 1);
        long id = count("SELECT id FROM systems WHERE host_id = 'host-0001'");
        publish("metrics.collected", agentSample(Long.toString(id), "host-0002", "2025-11-25T10:51:00Z", "0"));
        assertThat(deadLetterReason("metrics_queue.dlq")).isEqualTo("rejected: id collision: system_id " + id
                + " is the system of host_id 'host-0001', not of host_id 'host-0002'");
        assertThat(count("SELECT count(*) FROM metrics")).isEqualTo(1);
    }

    @Test
    void extremeOldOrControlCharacterLadenValuesAreDeadLetteredWithAnEscapedReason() throws Exception {
        publish("metrics.collected", agentSample(null, "host-0001", AT, "1.7e308"));
        assertThat(deadLetterReason("metrics_queue.dlq")).contains("metrics.network_sent_mbps must be a number in");
        publish("metrics.collected", agentSample(null, "host-0001", "2001-01-01T00:00:00Z", "0"));
        assertThat(deadLetterReason("metrics_queue.dlq")).contains("days old");
        publish("discovery.new", discovery("198.18.0.25", "00:1b:44:11:3a:b5", "evil\\nINFO forged\\u001b[2J"));
        assertThat(deadLetterReason("discovery_queue.dlq")).contains("evil\\nINFO forged\\u001b[2J")
                .doesNotContain("\n").doesNotContain("\u001b");
        assertThat(count("SELECT count(*) FROM metrics") + count("SELECT count(*) FROM systems")).isZero();
    }

    private static String reason(GetResponse r) {
        AMQP.BasicProperties p = r.getProps();
        return p.getHeaders().get(Routing.ERROR_HEADER).toString();
    }
}
