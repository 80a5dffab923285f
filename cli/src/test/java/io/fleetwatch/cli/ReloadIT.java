package io.fleetwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.sun.net.httpserver.HttpServer;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.testing.Await;
import io.fleetwatch.testing.Fleet;
import io.fleetwatch.testing.TestBroker;
import io.fleetwatch.testing.TestDatabase;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code fleetwatch -c FILE serve} process: SIGHUP re-reads the file and applies the log level and the
 * notification channels without a restart (a webhook added by the reload receives the next alert), names the changed
 * keys that need a restart, keeps running on a bad file, and SIGTERM drains and exits 0.
 */
class ReloadIT {
    @TempDir
    Path dir;

    @Test
    void sighupReloadsWhatCanBeReloadedAndSigtermExitsZero() throws Exception {
        List<String> hooks = new CopyOnWriteArrayList<>();
        HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/hook", ex -> {
            hooks.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        hook.start();
        Path logs = Path.of("target/reload-logs");
        try (TestBroker tb = TestBroker.create(); TestDatabase db = TestDatabase.create();
             Fleet fleet = new Fleet(tb.env(), logs)) {
            Path yml = dir.resolve("fleetwatch.yml");
            String base = "database:\n  url: \"" + db.jdbcUrl() + "\"\nserve:\n  components: [consumer]\n";
            write(yml, base + "log:\n  level: INFO\n");
            assertThat(Main.run(tb.env(), "-c", yml.toString(), "queue-setup")).isZero();
            assertThat(Main.run(tb.env(), "-c", yml.toString(), "db", "migrate")).isZero();
            try (Statement st = db.connect().createStatement()) {
                st.execute("INSERT INTO systems (id, hostname) VALUES (7, 'reload-host')");
            }

            // The same URL in the environment: a DATABASE_URL inherited from the developer shell would win over the file.
            Process serve = fleet.start("serve", Map.of("DATABASE_URL", db.jdbcUrl()), "-c", yml.toString(), "serve",
                    "--no-setup");
            Path log = logs.resolve("serve.log");
            Await.until(Duration.ofSeconds(60), "serve started", () -> read(log).contains("fleetwatch serving [consumer]"));
            alert(tb, 1);
            Await.until(Duration.ofSeconds(30), "alert 1 stored", () -> count(db, "SELECT count(*) FROM alerts") == 1);
            assertThat(read(log)).doesNotContain(" DEBUG ");

            // Reload: DEBUG, a webhook, and a key that cannot change while running.
            write(yml, base + "log:\n  level: DEBUG\nnotifications:\n  webhook-url: http://127.0.0.1:"
                    + hook.getAddress().getPort() + "/hook\n  retry-delay-seconds: 1\nconsumer:\n  batch-size: 50\n");
            hangup(serve);
            Await.until(Duration.ofSeconds(20), "reload logged", () -> read(log).contains("SIGHUP: reloaded"));
            String line = read(log).lines().filter(l -> l.contains("SIGHUP: reloaded")).findFirst().orElseThrow();
            assertThat(line).contains("changed [FLEETWATCH_CONSUMER_BATCH_SIZE, FLEETWATCH_LOG_LEVEL,"
                            + " FLEETWATCH_NOTIFY_RETRY_DELAY_SECONDS, FLEETWATCH_WEBHOOK_URL]")
                    .contains("applied: log level DEBUG, notifications [webhook]")
                    .contains("need a restart to take effect: [FLEETWATCH_CONSUMER_BATCH_SIZE]");
            alert(tb, 2);
            Await.until(Duration.ofSeconds(30), "webhook called for the alert after the reload", () -> !hooks.isEmpty());
            assertThat(hooks).hasSize(1);
            assertThat(hooks.get(0)).contains("reload_check_2");
            Await.until(Duration.ofSeconds(10), "DEBUG lines after the reload", () -> read(log).contains(" DEBUG "));

            // A broken file changes nothing; the process keeps running with what it has.
            write(yml, base + "consumer:\n  batch-size: 0\n");
            hangup(serve);
            Await.until(Duration.ofSeconds(20), "refusal logged", () -> read(log).contains(
                    "SIGHUP: configuration refused, still running with the previous one"));
            assertThat(read(log)).contains("consumer.batch-size: must be greater than or equal to 1");
            assertThat(serve.isAlive()).isTrue();

            assertThat(Fleet.stop(serve, 30)).as("exit code after SIGTERM").isZero();
            assertThat(read(log)).contains("SIGTERM: draining and stopping");
        } finally {
            hook.stop(0);
        }
    }

    private static void write(Path f, String text) throws Exception {
        Files.writeString(f, text);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    }

    private static void hangup(Process p) throws Exception {
        assertThat(new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).start().waitFor()).isZero();
    }

    private static void alert(TestBroker tb, int n) throws Exception {
        String body = "{\"schema_version\":1,\"system_id\":7,\"alert_type\":\"reload_check_" + n
                + "\",\"severity\":\"warning\",\"state\":\"firing\",\"value\":95.5,\"threshold\":90.0,\"timestamp\":\""
                + Instant.now() + "\"}";
        try (Connection c = BrokerSettings.fromEnv(tb.env()).connectionFactory().newConnection("reload-it");
             Channel ch = c.createChannel()) {
            ch.confirmSelect();
            ch.basicPublish(io.fleetwatch.messages.Routing.EXCHANGE, "alerts.warning", new com.rabbitmq.client.AMQP.BasicProperties.Builder()
                    .contentType("application/json").deliveryMode(2).build(), body.getBytes(StandardCharsets.UTF_8));
            ch.waitForConfirmsOrDie(TimeUnit.SECONDS.toMillis(10));
        }
    }

    private static long count(TestDatabase db, String sql) throws Exception {
        try (var c = db.connect(); var st = c.createStatement(); var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String read(Path f) throws Exception {
        return Files.exists(f) ? Files.readString(f) : "";
    }
}
