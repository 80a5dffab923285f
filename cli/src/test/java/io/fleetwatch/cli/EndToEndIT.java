package io.fleetwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.agent.Agent;
import io.fleetwatch.agent.AgentSettings;
import io.fleetwatch.agent.HostIdentity;
import io.fleetwatch.agent.MetricsSampler;
import io.fleetwatch.agent.SequenceStore;
import io.fleetwatch.api.ApiServer;
import io.fleetwatch.api.ApiSettings;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.consumer.ConsumerService;
import io.fleetwatch.messages.MessageCodec;
import io.fleetwatch.messages.MetricsMessage;
import io.fleetwatch.testing.Await;
import io.fleetwatch.testing.TestBroker;
import io.fleetwatch.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The foundation's one real path: the agent samples this host and publishes with confirms to the real RabbitMQ, the
 * consumer stores the samples in the real PostgreSQL, and the API returns exactly those values over HTTP.
 */
class EndToEndIT {
    private static final String TOKEN = "e2e-token-0123456789abcdef";
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path state;

    /** Keeps what the real sampler produced, so the test can compare it with what the API returns. */
    static final class RecordingSampler implements MetricsSampler {
        final MetricsSampler real = io.fleetwatch.agent.ThisHost.sampler("/", System.getenv());
        final List<MetricsMessage.Metrics> produced = new CopyOnWriteArrayList<>();

        @Override
        public MetricsMessage.Metrics sample() {
            MetricsMessage.Metrics m = real.sample();
            if (m != null) {
                produced.add(m);
            }
            return m;
        }
    }

    @Test
    void agentToBrokerToConsumerToDatabaseToApi() throws Exception {
        try (TestBroker tb = TestBroker.create(); TestDatabase db = TestDatabase.create()) {
            Map<String, String> env = new HashMap<>(tb.env());
            env.put("DATABASE_URL", db.jdbcUrl());
            env.put("FLEETWATCH_API_TOKEN", TOKEN);
            env.put("FLEETWATCH_API_PORT", "0");
            assertThat(Main.run(env, "queue-setup")).isZero();
            assertThat(Main.run(env, "db", "migrate")).isZero();

            RecordingSampler sampler = new RecordingSampler();
            HostIdentity id = new HostIdentity("e2e0a1b2c3d4e5f6a7b8c9d0e1f2a3b4", "e2e-host");
            try (HikariDataSource ds = Services.database(env, "e2e");
                 ConsumerService consumer = new ConsumerService(BrokerSettings.fromEnv(env),
                         io.fleetwatch.messages.Routing.QueueNames.fromEnv(env), ds,
                         io.fleetwatch.consumer.ConsumerSettings.fromEnv(env), java.util.List.of(), Clock.systemUTC());
                 ApiServer api = ApiServer.start(ApiSettings.fromEnv(env), ds, Clock.systemUTC())) {
                consumer.start();
                try (Agent agent = new Agent(new AgentSettings(Duration.ofMillis(250), state, "/", 64L << 20,
                        Duration.ofDays(7), Duration.ofSeconds(5)), BrokerSettings.fromEnv(env), sampler, id, new SequenceStore(state),
                        Clock.systemUTC())) {
                    agent.start();
                    Await.until(Duration.ofSeconds(15), "4 samples published", () -> agent.status().published() >= 4);
                }
                int published = sampler.produced.size();

                // probes are open; the API is not
                assertThat(get(api, "/livez", null).statusCode()).isEqualTo(200);
                assertThat(get(api, "/readyz", null).body()).isEqualTo("{\"ready\":true}");
                HttpResponse<String> anon = get(api, "/api/systems", null);
                assertThat(anon.statusCode()).isEqualTo(401);
                assertThat(get(api, "/api/systems", "wrong-token-0123456789").statusCode()).isEqualTo(401);

                Await.until(Duration.ofSeconds(15), "all samples readable through the API", () -> {
                    JsonNode systems = json(get(api, "/api/systems", TOKEN));
                    if (systems.size() != 1) {
                        return false;
                    }
                    long sid = systems.get(0).get("system_id").asLong();
                    return json(get(api, "/api/systems/" + sid + "/metrics", TOKEN)).get("metrics").size() == published;
                });

                JsonNode system = json(get(api, "/api/systems", TOKEN)).get(0);
                assertThat(system.get("host_id").asText()).isEqualTo(id.hostId());
                assertThat(system.get("hostname").asText()).isEqualTo("e2e-host");
                assertThat(system.get("status").asText()).isEqualTo("up");
                long sid = system.get("system_id").asLong();
                JsonNode rows = json(get(api, "/api/systems/" + sid + "/metrics", TOKEN)).get("metrics");
                assertThat(rows.size()).isEqualTo(published);
                for (int i = 0; i < published; i++) {
                    MetricsMessage.Metrics sent = sampler.produced.get(i);
                    JsonNode got = rows.get(i).get("metrics");
                    assertThat(got.get("cpu_percent").asDouble()).as("row %d cpu", i).isEqualTo(sent.cpuPercent());
                    assertThat(got.get("ram_percent").asDouble()).as("row %d ram", i).isEqualTo(sent.ramPercent());
                    assertThat(got.get("disk_percent").asDouble()).isEqualTo(sent.diskPercent());
                    assertThat(got.get("network_sent_mbps").asDouble()).isEqualTo(sent.networkSentMbps());
                    assertThat(got.get("network_recv_mbps").asDouble()).isEqualTo(sent.networkRecvMbps());
                    assertThat(got.get("gpu_percent").isNull()).isTrue();
                    assertThat(got.get("uptime_seconds").asLong()).isEqualTo(sent.uptimeSeconds());
                    assertThat(got.get("logged_in_users").asInt()).isEqualTo(sent.loggedInUsers());
                    // every metric of the catalog the agent sent (load, processes, file systems... as this host has
                    // them) comes back from the API as it was sent
                    for (String name : io.fleetwatch.messages.MetricCatalog.DEFAULT.names()) {
                        Number value = sent.get(name);
                        if (value != null) {
                            assertThat(got.get(name).asDouble()).as("row %d %s", i, name)
                                    .isEqualTo(value.doubleValue());
                        }
                    }
                }
                // this host (Linux) has load averages and processes: the newer metrics did travel end to end
                MetricsMessage.Metrics last = sampler.produced.get(published - 1);
                assertThat(last.get("load_avg_1")).as("load_avg_1 sampled").isNotNull();
                assertThat(last.get("process_count")).as("process_count sampled").isNotNull();
                assertThat(rows.get(published - 1).at("/metrics/process_count").asLong())
                        .isEqualTo(last.get("process_count").longValue());
                // the latest sample is on the list view too
                assertThat(system.at("/latest/metrics/uptime_seconds").asLong())
                        .isEqualTo(sampler.produced.get(published - 1).uptimeSeconds());

                assertThat(get(api, "/api/systems/999999/metrics", TOKEN).statusCode()).isEqualTo(404);
                HttpResponse<String> bad = get(api, "/api/systems/" + sid + "/metrics?from=yesterday", TOKEN);
                assertThat(bad.statusCode()).isEqualTo(400);
                assertThat(bad.body()).contains("ISO-8601");
            }
        }
    }

    private HttpResponse<String> get(ApiServer api, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                .timeout(Duration.ofSeconds(10));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return MessageCodec.mapper().readTree(r.body());
    }
}
