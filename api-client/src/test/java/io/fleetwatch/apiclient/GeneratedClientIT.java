package io.fleetwatch.apiclient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.api.ApiServer;
import io.fleetwatch.api.ApiSettings;
import io.fleetwatch.apiclient.api.DefaultApi;
import io.fleetwatch.apiclient.model.AlertStoreAcknowledgement;
import io.fleetwatch.apiclient.model.AlertStoreRule;
import io.fleetwatch.apiclient.model.AlertsControllerAlertPage;
import io.fleetwatch.apiclient.model.HealthControllerHealth;
import io.fleetwatch.apiclient.model.MetricStoreMetrics;
import io.fleetwatch.apiclient.model.OverviewControllerOverview;
import io.fleetwatch.apiclient.model.QueuesControllerQueueDepth;
import io.fleetwatch.apiclient.model.QueuesControllerQueues;
import io.fleetwatch.apiclient.model.RulesControllerRuleRequest;
import io.fleetwatch.apiclient.model.SystemStoreHost;
import io.fleetwatch.apiclient.model.SystemsControllerInventoryPage;
import io.fleetwatch.apiclient.model.SystemsControllerMetricsPage;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.broker.Topology;
import io.fleetwatch.messages.Routing;
import io.fleetwatch.sql.Database;
import io.fleetwatch.sql.DatabaseSettings;
import io.fleetwatch.sql.Migrator;
import io.fleetwatch.testing.TestBroker;
import io.fleetwatch.testing.TestDatabase;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.sql.Statement;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Java client generated from the API's OpenAPI document, against the real API on a real database and broker:
 * what the document says is what the API answers.
 */
class GeneratedClientIT {
    static final String TOKEN = "api-client-it-token-0123456789";
    static TestDatabase db;
    static HikariDataSource ds;
    static TestBroker broker;
    static ApiServer server;
    static DefaultApi api;

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabase.create();
        ds = Database.pool(DatabaseSettings.fromEnv(Map.of("DATABASE_URL", db.jdbcUrl())), "api-client-it");
        new Migrator(ds, "auto").migrate();
        try (var c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO departments (id, name) VALUES (3, 'chemistry')");
            st.execute("INSERT INTO systems (id, hostname, ip_address, status, dept_id) VALUES"
                    + " (1, 'lab-01', '198.18.0.11', 'up', 3), (2, 'lab-02', '198.18.0.12', 'down', 3)");
            // six samples of lab-01, a minute apart; CPU 10, 20, ... 60
            st.execute("INSERT INTO metrics (system_id, collected_at, cpu_percent, ram_percent, disk_percent,"
                    + " network_sent_mbps, network_recv_mbps, gpu_percent, uptime_seconds, logged_in_users)"
                    + " SELECT 1, TIMESTAMPTZ '2026-11-20 10:00:00Z' + g * interval '1 minute', 10 * (g + 1), 40, 70,"
                    + " 1.5, 2.5, NULL, 3600 + g * 60, 2 FROM generate_series(0, 5) g");
            st.execute("INSERT INTO alerts (id, system_id, alert_type, severity, value, threshold, occurred_at) VALUES"
                    + " (41, 2, 'host_down', 'critical', NULL, NULL, TIMESTAMPTZ '2026-11-20 10:06:00Z')");
            st.execute("INSERT INTO alert_rules (metric, alert_type, dept_id, fire_at, clear_at, min_samples, severity)"
                    + " VALUES ('cpu_percent', 'cpu_high', 3, 90, 80, 3, 'warning')");
        }
        // lab-01's inventory (the contract's example) and one change of it
        try (var c = ds.getConnection(); var ps = c.prepareStatement("INSERT INTO system_inventory (system_id,"
                + " content_hash, inventory, collected_at, changed_at) VALUES (1, repeat('a', 64), CAST(? AS jsonb),"
                + " TIMESTAMPTZ '2026-11-20 10:00:00Z', TIMESTAMPTZ '2026-11-19 10:00:00Z')");
             var in = GeneratedClientIT.class.getResourceAsStream("/golden/inventory.json")) {
            String inventory = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            ps.setString(1, inventory);
            ps.execute();
            try (var ch = c.prepareStatement("INSERT INTO inventory_changes (system_id, changed_at, old_hash, new_hash,"
                    + " changes, inventory) VALUES (1, TIMESTAMPTZ '2026-11-19 10:00:00Z', repeat('b', 64),"
                    + " repeat('a', 64), CAST(? AS jsonb), CAST(? AS jsonb))")) {
                ch.setString(1, "[{\"part\": \"memory_bytes\", \"item\": null, \"kind\": \"changed\","
                        + " \"before\": \"34359738368\", \"after\": \"17179869184\"}]");
                ch.setString(2, inventory);
                ch.execute();
            }
        }
        broker = TestBroker.create();
        BrokerSettings bs = BrokerSettings.fromEnv(broker.env());
        try (Connection conn = bs.newConnection("api-client-it"); Channel ch = conn.createChannel()) {
            Topology.standard().declare(conn);
            ch.confirmSelect();
            ch.basicPublish(Routing.EXCHANGE, Routing.METRICS_ROUTING_KEY, null, "{}".getBytes(StandardCharsets.UTF_8));
            ch.waitForConfirmsOrDie(10_000);
        }
        server = ApiServer.start(new ApiSettings("127.0.0.1", 0, List.of(TOKEN)), ds, Clock.systemUTC(), bs);
        api = new DefaultApi(client(TOKEN));
    }

    /** The generated client, HTTP/1.1 (the JDK client's h2c upgrade has hung runs here, see ApiIT), with a token. */
    static ApiClient client(String token) {
        ApiClient client = new ApiClient();
        client.setHttpClientBuilder(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1));
        client.updateBaseUri("http://127.0.0.1:" + server.port());
        // a field the API sends that the document does not declare fails the call (the generator's default drops it)
        client.setObjectMapper(ApiClient.createDefaultObjectMapper()
                .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES));
        if (token != null) {
            client.setRequestInterceptor(b -> b.header("Authorization", "Bearer " + token));
        }
        return client;
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (broker != null) {
            broker.close();
        }
        if (ds != null) {
            ds.close();
        }
        if (db != null) {
            db.close();
        }
    }

    @Test
    void readsTheFleetThroughTheGeneratedClient() throws Exception {
        OverviewControllerOverview overview = api.overview();
        assertThat(overview.getHostsTotal()).isEqualTo(2L);
        assertThat(overview.getHostsByStatus().getDown()).isEqualTo(1L);
        assertThat(overview.getOpenAlertsBySeverity().getCritical()).isEqualTo(1L);
        assertThat(overview.getHosts()).extracting(SystemStoreHost::getHostname).containsExactly("lab-02", "lab-01");

        List<SystemStoreHost> systems = api.list3(3, "up", null, null, null);
        assertThat(systems).singleElement().satisfies(h -> {
            assertThat(h.getSystemId()).isEqualTo(1L);
            assertThat(h.getIpAddress()).isEqualTo("198.18.0.11");
            assertThat(h.getDeptId()).isEqualTo(3);
            assertThat(h.getLatest().getCollectedAt()).isEqualTo(OffsetDateTime.parse("2026-11-20T10:05:00Z"));
            assertThat(h.getLatest().getMetrics().getCpuPercent()).isEqualTo(60.0);
        });

        SystemsControllerInventoryPage inventory = api.inventory(1L);
        assertThat(inventory.getChangedAt()).isEqualTo(OffsetDateTime.parse("2026-11-19T10:00:00Z"));
        assertThat(inventory.getInventory().getMemoryBytes()).isEqualTo(17_179_869_184L);
        assertThat(inventory.getInventory().getDisks()).singleElement()
                .satisfies(d -> assertThat(d.getName()).isEqualTo("nvme0n1"));
        assertThat(inventory.getInventory().getBios().getReleaseDate()).isEqualTo("05/14/2024");
        assertThat(api.inventory(2L)).as("lab-02 has sent none: 204").isNull();
        assertThat(api.inventoryChanges(1L, null, null)).singleElement().satisfies(row -> {
            assertThat(row.getChanges()).singleElement().satisfies(ch -> {
                assertThat(ch.getPart()).isEqualTo("memory_bytes");
                assertThat(ch.getItem()).isNull();
                assertThat(ch.getAfter()).isEqualTo("17179869184");
            });
        });

        SystemsControllerMetricsPage chart = api.metrics(1L, "2026-11-20T10:00:00Z", "2026-11-20T11:00:00Z", null, "5m");
        assertThat(chart.getSource()).isEqualTo("metrics");
        assertThat(chart.getMetrics()).hasSize(2);
        MetricStoreMetrics first = chart.getMetrics().get(0).getMetrics();
        assertThat(first.getCpuPercent()).as("mean of 10..50").isEqualTo(30.0);
        assertThat(first.getGpuPercent()).as("no GPU").isNull();
        assertThat(first.getLoggedInUsers()).isEqualTo(2);

        AlertsControllerAlertPage alerts = api.list1("open", null, null, null);
        assertThat(alerts.getAlerts()).singleElement().satisfies(a -> {
            assertThat(a.getId()).isEqualTo(41L);
            assertThat(a.getHostname()).isEqualTo("lab-02");
            assertThat(a.getSeverity()).isEqualTo("critical");
            assertThat(a.getOccurredAt()).isEqualTo(OffsetDateTime.parse("2026-11-20T10:06:00Z"));
        });

        // the migrations' default rules, and the department's own
        assertThat(api.callList()).anySatisfy(r -> {
            assertThat(r.getDeptId()).isEqualTo(3);
            assertThat(r.getAlertType()).isEqualTo("cpu_high");
            assertThat(r.getFireAt()).isEqualTo(90.0);
        });

        QueuesControllerQueues queues = api.queues();
        assertThat(queues.getError()).isNull();
        assertThat(queues.getQueues()).extracting(QueuesControllerQueueDepth::getName, QueuesControllerQueueDepth::getMessages)
                .contains(org.assertj.core.groups.Tuple.tuple(Routing.QueueNames.defaults().metrics(), 1));

        HealthControllerHealth health = api.healthz();
        assertThat(health.getStatus()).isEqualTo("up");
        assertThat(health.getChecks().getDatabase().getStatus()).isEqualTo("up");
        assertThat(health.getChecks().getBroker().getStatus()).isEqualTo("up");
        assertThat(health.getChecks().getReplica()).isNull();
    }

    @Test
    void writesThroughTheGeneratedClient() throws Exception {
        AlertStoreAcknowledgement ack = api.acknowledge(41L);
        assertThat(ack.getAcknowledgedBy()).isEqualTo("env");
        assertThat(ack.getAcknowledgedAt()).isNotNull();
        assertThatThrownBy(() -> api.acknowledge(41L)).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.getCode()).isEqualTo(409));

        AlertStoreRule rule = api.create(new RulesControllerRuleRequest().metric("ram_percent").alertType("ram_high")
                .deptId(3).fireAt(85.0).clearAt(75.0).minSamples(2).severity("critical"));
        assertThat(rule.getId()).isPositive();
        assertThat(rule.getEnabled()).isTrue();
        assertThat(api.callList()).extracting(AlertStoreRule::getId).contains(rule.getId());
        api.delete(rule.getId());
        assertThat(api.callList()).extracting(AlertStoreRule::getId).doesNotContain(rule.getId());

        assertThatThrownBy(() -> new DefaultApi(client(null)).overview()).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.getCode()).isEqualTo(401));
    }
}
