package io.fleetwatch.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fleetwatch.testing.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code fleetwatch demo} with RabbitMQ and PostgreSQL stopped, as an unprivileged user with an empty environment
 * (only the JDK and the built jars): it must fall back to the embedded broker and database, adapt the topology,
 * show this host's metrics in the dashboard's API within a minute, and stop cleanly on Ctrl-C (SIGINT) with exit 0,
 * leaving no PostgreSQL process behind.
 */
class DemoIT {
    static final Pattern DASHBOARD = Pattern.compile("demo: dashboard: (http://127\\.0\\.0\\.1:\\d+)/#token=([0-9a-f]+)");

    @Test
    void demoRunsTheWholePipelineWithNothingInstalled() throws Exception {
        assumeTrue(LocalServices.canControl(), "stopping RabbitMQ and PostgreSQL needs root");
        Path home = Files.createTempDirectory("fleetwatch-demo-it");
        Path dist = home.resolve("dist");
        Files.createDirectories(dist.resolve("lib"));
        Files.copy(Path.of("../cli/target/fleetwatch.jar"), dist.resolve("fleetwatch.jar"));
        try (var libs = Files.list(Path.of("../cli/target/lib"))) {
            for (Path jar : libs.toList()) {
                Files.copy(jar, dist.resolve("lib").resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        run("chown", "-R", "nobody", home.toString());
        run("chmod", "755", home.toString());
        Path log = home.resolve("demo.log");
        LocalServices.stopRabbit();
        LocalServices.stopPostgres();
        Process demo = null;
        try {
            long t0 = System.nanoTime();
            demo = new ProcessBuilder("runuser", "-u", "nobody", "--", "env", "-i", "HOME=" + home, "PATH=/usr/bin:/bin",
                    "QUEUE_HOST=127.0.0.1", "DATABASE_URL=postgresql://fleetwatch@127.0.0.1:5432/fleetwatch",
                    ProcessHandle.current().info().command().orElse("java"), "-Xmx384m",
                    "-Djava.io.tmpdir=" + home, "-jar", dist.resolve("fleetwatch.jar").toString(), "demo")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Process p = demo;
            Await.until(Duration.ofSeconds(90), "the demo's dashboard address", () -> {
                assertThat(p.isAlive()).as("demo running: " + Files.readString(log)).isTrue();
                return DASHBOARD.matcher(Files.readString(log)).find();
            });
            String out = Files.readString(log);
            assertThat(out).contains("demo: broker: embedded Apache Qpid Broker-J")
                    .contains("no RabbitMQ answered at amqp://guest@127.0.0.1:5672/")
                    .contains("demo: database: starting an embedded PostgreSQL (DATABASE_URL did not answer)")
                    .contains("declared WITHOUT RabbitMQ-only arguments the broker refused: discovery_queue")
                    .contains("scan 1: 1 address(es), 1 live");
            Matcher m = DASHBOARD.matcher(out);
            assertThat(m.find()).isTrue();
            String base = m.group(1);
            String token = m.group(2);
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String hostname = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            String[] systems = new String[1];
            Await.until(Duration.ofSeconds(60), "this host with metrics in GET /api/systems", () -> {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/systems"))
                        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
                systems[0] = r.body();
                return r.statusCode() == 200 && r.body().contains("\"" + hostname + "\"")
                        && r.body().contains("\"cpu_percent\":");
            });
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertThat(seconds).as("from start to this host's metrics in the API").isLessThan(60);
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base + "/ui/index.html")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("Fleetwatch");
            // The dashboard itself, in Debian's Chromium: the printed link signs in, the fleet table lists this host.
            Path shots = Files.createDirectories(Path.of("target/screenshots"));
            ProcessBuilder browser = new ProcessBuilder("node", "test/demo.mjs").directory(Path.of("../dashboard-api/web")
                    .toFile()).redirectErrorStream(true);
            browser.environment().putAll(java.util.Map.of("DEMO_URL", base + "/#token=" + token, "HOSTNAME_EXPECTED",
                    hostname, "SHOTS", shots.toAbsolutePath().toString()));
            Process b = browser.start();
            String seen = new String(b.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(b.waitFor(90, TimeUnit.SECONDS)).isTrue();
            assertThat(b.exitValue()).as(seen).isZero();
            assertThat(seen).contains("\"row\":\"" + hostname).contains("\"tokenInAddressBar\":false")
                    .contains("\"errors\":[]");
            Traffic.figures(String.format("demo: RabbitMQ and PostgreSQL stopped; dashboard with this host's metrics"
                    + " after %.1f s (embedded Qpid + PostgreSQL)", seconds));

            // Ctrl-C: SIGINT to the JVM (runuser's child), then everything stops and the process exits 0.
            List<ProcessHandle> jvm = demo.toHandle().descendants().filter(h -> h.info().command().orElse("")
                    .endsWith("java")).toList();
            assertThat(jvm).hasSize(1);
            run("kill", "-INT", Long.toString(jvm.get(0).pid()));
            assertThat(demo.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s of SIGINT").isTrue();
            assertThat(demo.exitValue()).as(Files.readString(log)).isZero();
            assertThat(Files.readString(log)).contains("SIGINT: draining and stopping").contains("demo: stopped");
            // pg_ctl stop -m fast was issued before the exit; the server's processes end a moment later.
            Await.until(Duration.ofSeconds(20), "no PostgreSQL of the demo left running",
                    () -> new ProcessBuilder("pgrep", "-u", "nobody", "postgres").start().waitFor() == 1);
        } finally {
            if (demo != null && demo.isAlive()) {
                demo.descendants().forEach(ProcessHandle::destroyForcibly);
                demo.destroyForcibly();
            }
            LocalServices.startPostgres();
            LocalServices.startRabbit();
            run("rm", "-rf", home.toString());
        }
    }

    private static void run(String... cmd) throws Exception {
        assertThat(new ProcessBuilder(cmd).inheritIO().start().waitFor()).as(String.join(" ", cmd)).isZero();
    }
}
