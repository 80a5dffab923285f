package io.fleetwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetwatch.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** FLEETWATCH_LOG_FORMAT=json: every log line on stderr is one JSON object (checked in a real process). */
class LogFormatIT {
    @Test
    void jsonLogsAreOneObjectPerLine() throws Exception {
        try (TestDatabase db = TestDatabase.create()) {
            // the shipped configuration, not the tests' logback-test.xml that comes first on this class path
            String config = "-Dlogback.configurationFile=" + java.nio.file.Path.of("target/classes/logback.xml").toAbsolutePath();
            ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), config, "-cp",
                    System.getProperty("java.class.path"), Main.class.getName(), "db", "migrate")
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.environment().put("DATABASE_URL", db.jdbcUrl());
            pb.environment().put("FLEETWATCH_LOG_FORMAT", "json");
            Process p = pb.start();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(err).isZero();
            List<String> lines = err.lines().filter(l -> !l.isBlank()).toList();
            assertThat(lines).as("Flyway logs each migration").hasSizeGreaterThan(5);
            ObjectMapper json = new ObjectMapper();
            for (String line : lines) {
                JsonNode n = json.readTree(line);
                assertThat(n.get("level").asText()).isIn("INFO", "WARN", "ERROR");
                assertThat(n.get("message").asText()).isNotBlank();
            }
        }
    }
}
