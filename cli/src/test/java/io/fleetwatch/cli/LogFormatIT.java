package io.fleetwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetwatch.cli.logging.JsonLineEncoder;
import io.fleetwatch.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The shipped logging configuration, checked in a real process: what an operator sees on stdout and stderr. */
class LogFormatIT {

    record Run(int code, String out, String err) {}

    static Run fleetwatch(TestDatabase db, Map<String, String> env, String... args) throws Exception {
        // the shipped configuration (ConsoleLog): this class path without the tests' classes, whose logback-test.xml
        // would win over it
        String classPath = java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(e -> !java.nio.file.Path.of(e).endsWith("test-classes"))
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
        List<String> command = new java.util.ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", classPath, Main.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("DATABASE_URL", db.jdbcUrl());
        pb.environment().putAll(env);
        Process p = pb.start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        String err = read(p.getErrorStream());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out.get(10, TimeUnit.SECONDS), err);
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void jsonLogsAreOneObjectPerLine() throws Exception {
        try (TestDatabase db = TestDatabase.create()) {
            Run r = fleetwatch(db, Map.of("FLEETWATCH_LOG_FORMAT", "json"), "db", "migrate");
            assertThat(r.code()).as(r.err()).isZero();
            List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
            assertThat(lines).as("Flyway logs each migration").hasSizeGreaterThan(5);
            ObjectMapper json = new ObjectMapper();
            for (String line : lines) {
                JsonNode n = json.readTree(line);
                List<String> fields = new java.util.ArrayList<>();
                n.fieldNames().forEachRemaining(fields::add);
                assertThat(fields).as(line).containsExactlyElementsOf(JsonLineEncoder.FIELDS);
                assertThat(java.time.Instant.parse(n.get("timestamp").asText())).as("ISO-8601")
                        .isBetween(java.time.Instant.now().minusSeconds(120), java.time.Instant.now());
                assertThat(n.get("level").asText()).isIn("INFO", "WARN", "ERROR");
                assertThat(n.get("thread").asText()).isNotBlank();
                assertThat(n.get("logger").asText()).isNotBlank();
                String message = n.get("message").asText();
                assertThat(message).as("reads as text, not as a template").isNotBlank().doesNotContain("{}");
            }
        }
    }

    /** {@code db status} is its table and nothing else: Flyway's connection lines used to come twice, around it. */
    @Test
    void dbStatusPrintsTheTableOnly() throws Exception {
        try (TestDatabase db = TestDatabase.create()) {
            assertThat(fleetwatch(db, Map.of(), "db", "migrate").code()).isZero();
            Run r = fleetwatch(db, Map.of(), "db", "status");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.err()).as("stderr").isEmpty();
            List<String> out = r.out().lines().toList();
            assertThat(out).last().asString().startsWith("metrics storage: ");
            assertThat(out.subList(0, out.size() - 1)).isNotEmpty().allSatisfy(l -> assertThat(l).contains(" Success "));
        }
    }
}
