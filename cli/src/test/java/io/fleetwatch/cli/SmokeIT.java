package io.fleetwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetwatch.testing.Await;
import io.fleetwatch.testing.Fleet;
import io.fleetwatch.testing.TestBroker;
import io.fleetwatch.testing.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code fleetwatch smoke} against a real running installation (serve: consumer, relay, api), then without it. */
class SmokeIT {
    @TempDir
    Path dir;

    record Run(int code, String out) {}

    static Run smoke(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        CommandLine cl = Main.commandLine(env);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(out, true));
        return new Run(cl.execute(args), out.toString());
    }

    @Test
    void everyComponentIsCheckedAndAStoppedOneFails() throws Exception {
        int port = io.fleetwatch.testing.Ports.free();
        Path logs = Path.of("target/smoke-logs");
        try (TestBroker tb = TestBroker.create(); TestDatabase db = TestDatabase.create();
             Fleet fleet = new Fleet(tb.env(), logs)) {
            Path yml = dir.resolve("fleetwatch.yml");
            Files.writeString(yml, "database:\n  url: \"" + db.jdbcUrl() + "\"\napi:\n  port: " + port
                    + "\n  token: ${TOKEN}\nserve:\n  components: [consumer, relay, api]\n");
            Files.setPosixFilePermissions(yml, PosixFilePermissions.fromString("rw-------"));
            Map<String, String> env = new HashMap<>(tb.env());
            env.put("TOKEN", "smoke-test-token-0123456789");
            // Also in the file; set here because the environment wins and a developer shell may hold other values.
            env.put("DATABASE_URL", db.jdbcUrl());
            env.put("FLEETWATCH_API_TOKEN", env.get("TOKEN"));
            Process serve = fleet.start("serve", env, "-c", yml.toString(), "serve");
            Await.until(Duration.ofSeconds(60), "serve started", () -> Files.exists(logs.resolve("serve.log"))
                    && Files.readString(logs.resolve("serve.log")).contains("fleetwatch serving"));

            Run ok = smoke(env, "-c", yml.toString(), "smoke");
            assertThat(ok.code()).as(ok.out()).isZero();
            assertThat(ok.out()).containsPattern("ok +config +valid")
                    .containsPattern("ok +broker +amqp://.*metrics_queue \\d+")
                    .containsPattern("ok +database +jdbc:postgresql://.*schema up to date")
                    .containsPattern("ok +consumer +a sample published now was stored after \\d+ ms")
                    .containsPattern("ok +api +http://127.0.0.1:" + port + "/healthz: database, broker and relay up;"
                            + " GET /api/systems with the configured token: 200")
                    .contains("smoke: all checks passed");
            try (var c = db.connect(); var st = c.createStatement();
                 var rs = st.executeQuery("SELECT count(*) FROM systems WHERE host_id = 'fleetwatch-smoke'")) {
                rs.next();
                assertThat(rs.getLong(1)).as("the smoke host is removed").isZero();
            }

            assertThat(Fleet.stop(serve, 30)).isZero();
            Run bad = smoke(env, "-c", yml.toString(), "smoke", "--timeout", "3");
            assertThat(bad.code()).isEqualTo(1);
            assertThat(bad.out()).containsPattern("ok +broker").containsPattern("ok +database")
                    .containsPattern("FAIL +consumer +the sample published to metrics_queue was not stored within 3 s")
                    .containsPattern("FAIL +api +nothing answers at http://127.0.0.1:" + port + ": is the API running")
                    .contains("smoke: 2 check(s) failed");
        }
    }
}
