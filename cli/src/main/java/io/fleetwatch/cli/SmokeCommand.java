package io.fleetwatch.cli;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.api.ApiSettings;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.broker.ConfirmingPublisher;
import io.fleetwatch.jobs.Errors;
import io.fleetwatch.messages.MetricsMessage;
import io.fleetwatch.messages.Routing;
import io.fleetwatch.messages.SchemaVersion;
import io.fleetwatch.sql.Migrator;
import io.fleetwatch.store.Owners;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "smoke", mixinStandardHelpOptions = true,
        header = "Check an installation end to end, one line per component; exit 1 if any fails.",
        description = {
    "Checks an installation end to end, one line per component: the configuration, RabbitMQ and the queues,",
    "PostgreSQL and the schema, the consumer (a sample published now must be stored), and the API's /healthz",
    "(database, broker, alert relay) and a token-authenticated request. Exit 0 when all pass, 1 otherwise.",
    "It publishes one sample for the host 'fleetwatch-smoke' and removes it afterwards."},
        footer = {"", "Examples:", "  fleetwatch -c /etc/fleetwatch/fleetwatch.yml smoke",
                  "  fleetwatch smoke --skip api --timeout 60s"})
final class SmokeCommand extends EnvAware implements Callable<Integer> {
    static final String HOST_ID = "fleetwatch-smoke";

    @Spec
    CommandSpec spec;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "How long the consumer has to store the sample (default ${DEFAULT-VALUE} s).")
    int timeoutSeconds;

    @Option(names = "--skip", paramLabel = "CHECK", split = ",", description = "Leave out checks: consumer, api.")
    List<String> skip = new ArrayList<>();

    @Option(names = "--api-url", paramLabel = "URL", description = "The API's base URL (default: from api.host and api.port).")
    String apiUrl;

    private PrintWriter out;
    private int failed;

    @Override
    public Integer call() {
        out = spec.commandLine().getOut();
        check("config", () -> "valid (" + config().describe() + "); checked " + ConfigCheck.check(ConfigCheck.SERVE, env));
        check("broker", this::broker);
        try (HikariDataSource ds = Services.database(env, "fleetwatch-smoke")) {
            check("database", () -> database(ds));
            if (!skip.contains("consumer")) {
                check("consumer", () -> consumer(ds));
            }
        } catch (RuntimeException e) {
            fail("database", Errors.describe(e));
        }
        if (!skip.contains("api")) {
            check("api", this::api);
        }
        out.println(failed == 0 ? "smoke: all checks passed" : "smoke: " + failed + " check(s) failed");
        out.flush();
        return failed == 0 ? 0 : 1;
    }

    @FunctionalInterface
    interface Check {
        String run() throws Exception;
    }

    private void check(String name, Check c) {
        try {
            out.printf("ok    %-9s %s%n", name, c.run());
        } catch (Exception e) {
            fail(name, Errors.describe(e));
        }
        out.flush();
    }

    private void fail(String name, String why) {
        failed++;
        out.printf("FAIL  %-9s %s%n", name, why);
    }

    private String broker() throws Exception {
        Routing.QueueNames q = Routing.QueueNames.fromEnv(env);
        StringBuilder depths = new StringBuilder();
        try (Connection c = Services.connect(env, "fleetwatch-smoke")) {
            for (String name : q.all()) {
                Channel ch = c.createChannel();
                try {
                    long n = ch.queueDeclarePassive(name).getMessageCount();
                    depths.append(depths.length() > 0 ? ", " : "").append(name).append(' ').append(n);
                } catch (java.io.IOException missing) {
                    throw new IllegalStateException("queue " + name + " is missing: run fleetwatch queue-setup");
                } finally {
                    if (ch.isOpen()) {
                        ch.close();
                    }
                }
            }
        }
        return BrokerSettings.fromEnv(env).describe() + "; ready messages: " + depths;
    }

    private String database(HikariDataSource ds) throws Exception {
        Migrator m = Migrator.fromEnv(ds, env);
        int pending = m.pending();
        if (pending > 0) {
            throw new IllegalStateException(pending + " migration(s) pending: run fleetwatch db migrate");
        }
        List<String> status = m.status();
        return ds.getJdbcUrl() + "; schema up to date (" + status.get(status.size() - 1).strip() + ")";
    }

    private String consumer(HikariDataSource ds) throws Exception {
        Instant at = Clock.systemUTC().instant().truncatedTo(ChronoUnit.MILLIS);
        MetricsMessage sample = new MetricsMessage(SchemaVersion.CURRENT, null, HOST_ID, HOST_ID, at.toEpochMilli(), at,
                new MetricsMessage.Metrics(1.0, 1.0, 1.0, 0.0, 0.0, null, 1L, 0));
        long sent = System.nanoTime();
        try (Connection c = Services.connect(env, "fleetwatch-smoke");
             ConfirmingPublisher pub = new ConfirmingPublisher(c, "fleetwatch-smoke", Duration.ofSeconds(10),
                     Clock.systemUTC())) {
            pub.publish(Routing.METRICS_ROUTING_KEY, sample);
        }
        long deadline = sent + Duration.ofSeconds(timeoutSeconds).toNanos();
        Owners owners = Owners.of(ds);
        while (!owners.metrics().stored(HOST_ID, at)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the sample published to " + Routing.QueueNames.fromEnv(env).metrics()
                        + " was not stored within " + timeoutSeconds + " s: is a consumer running"
                        + " (fleetwatch-consumer.service)?");
            }
            Thread.sleep(100);
        }
        long ms = (System.nanoTime() - sent) / 1_000_000;
        owners.systems().forgetHost(HOST_ID); // the smoke host leaves nothing behind: its samples, alerts and row
        return "a sample published now was stored after " + ms + " ms";
    }

    private String api() throws Exception {
        ApiSettings a = ApiSettings.fromEnv(env);
        String base = apiUrl != null ? apiUrl.replaceAll("/+$", "")
                : "http://" + (a.host().equals("0.0.0.0") || a.host().equals("::") ? "127.0.0.1" : a.host()) + ":" + a.port();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> health;
        try {
            health = http.send(HttpRequest.newBuilder(URI.create(base + "/healthz"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.net.ConnectException e) {
            throw new IllegalStateException("nothing answers at " + base + ": is the API running (fleetwatch-api.service)?");
        }
        if (health.statusCode() != 200) {
            throw new IllegalStateException(base + "/healthz answered " + health.statusCode() + ": " + health.body());
        }
        String auth = "no token configured, /api not tried";
        if (!a.tokens().isEmpty()) {
            HttpResponse<String> systems = http.send(HttpRequest.newBuilder(URI.create(base + "/api/systems?limit=1"))
                    .header("Authorization", "Bearer " + a.tokens().get(0)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (systems.statusCode() != 200) {
                throw new IllegalStateException("GET /api/systems with the configured token answered " + systems.statusCode());
            }
            auth = "GET /api/systems with the configured token: 200";
        }
        return base + "/healthz: database, broker and relay up; " + auth;
    }
}
