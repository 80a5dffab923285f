package io.fleetwatch.cli.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonLineEncoderTest {
    private final LoggerContext context = (LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();

    private JsonNode encode(LoggingEvent event) throws Exception {
        JsonLineEncoder encoder = new JsonLineEncoder();
        encoder.setContext(context);
        encoder.start();
        String line = new String(encoder.encode(event), StandardCharsets.UTF_8);
        assertThat(line).endsWith("\n").doesNotContain("\n\n");
        assertThat(line.strip()).doesNotContain("\n");
        return new ObjectMapper().readTree(line);
    }

    @Test
    void theMessageIsTheTextAnOperatorReadsWithItsArgumentsFilledIn() throws Exception {
        LoggingEvent e = new LoggingEvent("x", context.getLogger("io.fleetwatch.consumer.BatchWorker"), Level.INFO,
                "{}: consuming {} with \"{}\" workers", null, new Object[] {"fleetwatch.metrics", 5, 2});
        e.setTimeStamp(1_780_000_000_123L);
        e.setThreadName("worker-1");
        JsonNode n = encode(e);
        assertThat(n.get("message").asText()).isEqualTo("fleetwatch.metrics: consuming 5 with \"2\" workers");
        assertThat(n.get("timestamp").asText()).isEqualTo("2026-05-28T20:26:40.123Z");
        assertThat(n.get("level").asText()).isEqualTo("INFO");
        assertThat(n.get("thread").asText()).isEqualTo("worker-1");
        assertThat(n.get("logger").asText()).isEqualTo("io.fleetwatch.consumer.BatchWorker");
        assertThat(n.has("exception")).isFalse();
    }

    @Test
    void anExceptionComesAsItsStackTraceInOneField() throws Exception {
        LoggingEvent e = new LoggingEvent("x", context.getLogger("io.fleetwatch.x"), Level.ERROR, "failed: {}",
                new IllegalStateException("boom"), new Object[] {"db"});
        JsonNode n = encode(e);
        assertThat(n.get("message").asText()).isEqualTo("failed: db");
        assertThat(n.get("exception").asText()).contains("java.lang.IllegalStateException: boom");
    }
}
