package io.fleetwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code -c FILE --validate-only}: exit 0 with a summary, or 2 with one line naming the key; nothing is started. */
class ValidateOnlyTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {}

    Run run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine(env);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return new Run(cl.execute(args), out.toString(), err.toString());
    }

    Path yaml(String text) throws Exception {
        Path f = dir.resolve("fleetwatch.yml");
        Files.writeString(f, text);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    @Test
    void aValidFileChecksEveryComponentOfServe() throws Exception {
        Path f = yaml("""
                broker: {host: 127.0.0.1, password: "${QP}"}
                database: {url: "postgresql://fleetwatch@127.0.0.1:5432/fleetwatch"}
                api: {token: "${TOKEN}"}
                """);
        Run r = run(Map.of("QP", "x", "TOKEN", "0123456789abcdef0123"), "-c", f.toString(), "--validate-only");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("configuration valid: " + f + " (4 setting(s) from the file")
                .contains("checked broker, database, consumer, relay, api, scheduler, agent");
        // The same file, through a subcommand and FLEETWATCH_CONFIG.
        r = run(Map.of("QP", "x", "TOKEN", "0123456789abcdef0123", "FLEETWATCH_CONFIG", f.toString()), "consume",
                "--validate-only");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("checked broker, database, consumer");
    }

    @Test
    void aBadValueExitsTwoWithOneLineNamingTheKey() throws Exception {
        Path f = yaml("database: {url: \"postgresql://fleetwatch@127.0.0.1/fleetwatch\"}\nconsumer: {prefetch: -1}\n");
        Run r = run(Map.of(), "-c", f.toString(), "serve", "--validate-only");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).doesNotContain("\n").startsWith("fleetwatch: config " + f + ": consumer.prefetch:");
        // A value the component itself refuses is reported with the environment key it maps to.
        f = yaml("database: {url: \"postgresql://fleetwatch@127.0.0.1/fleetwatch\"}\nscan: {schedules: [\"198.18.0.0/24 every=1m\"]}\n");
        r = run(Map.of(), "-c", f.toString(), "--validate-only");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("FLEETWATCH_SCAN_SCHEDULES").contains("198.18.0.0/24");
        r = run(Map.of(), "-c", dir.resolve("missing.yml").toString(), "--validate-only");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("missing.yml: cannot read");
    }

    @Test
    void aBadReadReplicaSettingNamesItsKey() throws Exception {
        Path f = yaml("database: {url: \"postgresql://fleetwatch@127.0.0.1/fleetwatch\", read-url: \"mysql://replica/fw\"}\n");
        Run r = run(Map.of(), "-c", f.toString(), "api", "--validate-only");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).doesNotContain("\n").contains("DATABASE_READ_URL");
        f = yaml("database: {url: \"postgresql://fleetwatch@127.0.0.1/fleetwatch\", read-max-lag-seconds: 0}\n");
        r = run(Map.of(), "-c", f.toString(), "api", "--validate-only");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("database.read-max-lag-seconds");
        f = yaml("database: {url: \"postgresql://fleetwatch@127.0.0.1/fleetwatch\","
                + " read-url: \"postgresql://fleetwatch@127.0.0.1:5434/fleetwatch\", read-max-lag-seconds: 10}\n");
        r = run(Map.of("FLEETWATCH_API_TOKEN", "0123456789abcdef0123"), "-c", f.toString(), "api", "--validate-only");
        assertThat(r.code()).as(r.err()).isZero();
    }

    @Test
    void helpAndVersionNeedNoConfiguration() {
        Run r = run(Map.of("FLEETWATCH_CONFIG", "/nonexistent.yml"), "--version");
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("fleetwatch ");
        assertThat(run(Map.of(), "serve", "--help").out()).contains("SIGHUP reloads");
    }
}
