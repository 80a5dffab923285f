package io.fleetwatch.messages;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsJsonTest {

    @Test
    void writesExactlyWhatTheCodecWrites() throws Exception {
        MetricsMessage.Metrics full = new MetricsMessage.Metrics(45.23, 67.89, 55.0, 12.45, 0.0, 78.9, 345600L, 3);
        MetricsMessage.Metrics noGpu = new MetricsMessage.Metrics(0.0, 100.0, 1.5, 1234.5678, 9.99, null, 0L, 0);
        List<MetricsMessage> cases = List.of(
                MessageCodec.decode(GoldenMessagesTest.golden("metrics.json"), MetricsMessage.class),
                new MetricsMessage(1, null, "0f3c2a9e8d7b4c6a9e8d7b4c6a0f3c2a", "lab-pc-07", 12L,
                        Instant.parse("2026-11-22T14:47:43.755351718Z"), noGpu, "198.18.0.5", "02:fc:00:00:00:01", null),
                new MetricsMessage(1, 7L, "0f3c2a9e8d7b4c6a9e8d7b4c6a0f3c2a", "ünïcode-host".replace("ü", "u").replace("ï", "i"),
                        1L, Instant.parse("2025-01-01T00:00:00Z"), full, null, null, true));
        for (MetricsMessage m : cases) {
            assertThat(new String(MetricsJson.encode(m))).isEqualTo(MessageCodec.encodeToString(m));
            assertThat(MessageCodec.decode(MetricsJson.encode(m), MetricsMessage.class)).isEqualTo(m);
        }
    }
}
