package io.fleetwatch.messages;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NumericNode;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The three example messages of docs/contract.md, verbatim, must parse and survive a round trip with every field intact. */
class GoldenMessagesTest {

    static byte[] golden(String name) throws IOException {
        try (InputStream in = GoldenMessagesTest.class.getResourceAsStream("/golden/" + name)) {
            return in.readAllBytes();
        }
    }

    @Test
    void discoveryExample() throws Exception {
        DiscoveryMessage m = MessageCodec.decode(golden("discovery.json"), DiscoveryMessage.class);
        assertThat(m.scanId()).isEqualTo(123L);
        assertThat(m.deptId()).isEqualTo(1);
        // the example's address, read from the golden file (data only: nothing is ever sent to it)
        assertThat(m.ipAddress()).isEqualTo(MessageCodec.mapper().readTree(golden("discovery.json"))
                .get("ip_address").asText()).startsWith("10.30.5.");
        assertThat(m.hostname()).isEqualTo("lab-pc-01");
        assertThat(m.macAddress()).isEqualTo("00:1B:44:11:3A:B7");
        assertThat(m.discoveredAt()).isEqualTo(Instant.parse("2025-11-25T10:30:00Z"));
        assertThat(m.scanType()).isEqualTo("ping");
        assertThat(m.schemaVersion()).isEqualTo(SchemaVersion.CURRENT);
        assertRoundTrip("discovery.json", m, DiscoveryMessage.class);
    }

    @Test
    void metricsExample() throws Exception {
        MetricsMessage m = MessageCodec.decode(golden("metrics.json"), MetricsMessage.class);
        assertThat(m.systemId()).isEqualTo(42L);
        assertThat(m.hostId()).isNull();
        assertThat(m.collectedAt()).isEqualTo(Instant.parse("2025-11-25T10:35:00Z"));
        MetricsMessage.Metrics x = m.metrics();
        assertThat(x.cpuPercent()).isEqualTo(45.23);
        assertThat(x.ramPercent()).isEqualTo(67.89);
        assertThat(x.diskPercent()).isEqualTo(55.12);
        assertThat(x.networkSentMbps()).isEqualTo(12.45);
        assertThat(x.networkRecvMbps()).isEqualTo(8.32);
        assertThat(x.gpuPercent()).isEqualTo(78.90);
        assertThat(x.uptimeSeconds()).isEqualTo(345600L);
        assertThat(x.loggedInUsers()).isEqualTo(3);
        assertRoundTrip("metrics.json", m, MetricsMessage.class);
    }

    @Test
    void alertExample() throws Exception {
        AlertMessage m = MessageCodec.decode(golden("alert.json"), AlertMessage.class);
        assertThat(m.systemId()).isEqualTo(42L);
        assertThat(m.alertType()).isEqualTo("cpu_high");
        assertThat(m.severity()).isEqualTo(Severity.WARNING);
        assertThat(m.value()).isEqualTo(95.5);
        assertThat(m.threshold()).isEqualTo(90.0);
        assertThat(m.timestamp()).isEqualTo(Instant.parse("2025-11-25T10:40:00Z"));
        assertThat(m.routingKey()).isEqualTo("alerts.warning");
        assertRoundTrip("alert.json", m, AlertMessage.class);
    }

    @Test
    void unknownFieldsAreIgnored() throws Exception {
        String json = new String(golden("metrics.json")).replace("\"system_id\": 42,",
                "\"system_id\": 42, \"added_in_v9\": {\"nested\": [1,2,3]},");
        MetricsMessage m = MessageCodec.decode(json.getBytes(), MetricsMessage.class);
        assertThat(m.systemId()).isEqualTo(42L);
    }

    /** Encoding our record keeps every field of the example with the same name and value (additions like schema_version aside). */
    private static <T> void assertRoundTrip(String name, T parsed, Class<T> type) throws Exception {
        JsonNode example = MessageCodec.mapper().readTree(golden(name));
        byte[] encoded = MessageCodec.encode(parsed);
        JsonNode ours = MessageCodec.mapper().readTree(encoded);
        assertContains(example, ours, "");
        assertThat(MessageCodec.decode(encoded, type)).isEqualTo(parsed);
    }

    private static void assertContains(JsonNode expected, JsonNode actual, String path) {
        if (expected.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                assertThat(actual.has(e.getKey())).as("field %s%s present", path, e.getKey()).isTrue();
                assertContains(e.getValue(), actual.get(e.getKey()), path + e.getKey() + ".");
            }
        } else if (expected.isNumber()) {
            assertThat(actual).as(path).isInstanceOf(NumericNode.class);
            assertThat(actual.decimalValue()).as(path).isEqualByComparingTo(expected.decimalValue());
        } else {
            assertThat(actual).as(path).isEqualTo(expected);
        }
    }
}
