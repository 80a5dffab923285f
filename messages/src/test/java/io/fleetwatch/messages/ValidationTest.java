package io.fleetwatch.messages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ValidationTest {

    private static final String METRICS = """
            {"system_id": 42, "collected_at": "2025-11-25T10:35:00Z", "metrics": {"cpu_percent": %s,
             "ram_percent": 67.89, "disk_percent": 55.12, "network_sent_mbps": 12.45, "network_recv_mbps": 8.32,
             "gpu_percent": %s, "uptime_seconds": 345600, "logged_in_users": %s}}""";

    private static byte[] metrics(String cpu, String gpu, String users) {
        return String.format(METRICS, cpu, gpu, users).getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "cpu={0} gpu={1} users={2} -> {3}")
    @CsvSource(delimiter = '|', value = {
            "101     | 1    | 3     | metrics.cpu_percent must be a number in [0.0, 100.0]",
            "-0.5    | 1    | 3     | metrics.cpu_percent must be a number in [0.0, 100.0]",
            "'\"45\"'| 1    | 3     | invalid field metrics.cpu_percent",
            "null    | 1    | 3     | metrics.cpu_percent is required",
            "45      | 250  | 3     | metrics.gpu_percent must be a number in [0.0, 100.0]",
            "45      | 1    | 3.5   | invalid field metrics.logged_in_users",
            "45      | 1    | -1    | metrics.logged_in_users must be in [0, 100000]",
            "NaN     | 1    | 3     | not valid JSON",
    })
    void badMetricsAreRefusedWithTheFieldNamed(String cpu, String gpu, String users, String reason) {
        assertThatThrownBy(() -> MessageCodec.decode(metrics(cpu, gpu, users), MetricsMessage.class))
                .isInstanceOf(InvalidMessageException.class)
                .hasMessageContaining(reason);
    }

    @Test
    void gpuMayBeNullButNotMissingOtherFields() throws Exception {
        MetricsMessage m = MessageCodec.decode(metrics("45", "null", "0"), MetricsMessage.class);
        assertThat(m.metrics().gpuPercent()).isNull();
        // null gpu is written out explicitly: "no GPU" is information, not an omission.
        assertThat(MessageCodec.encodeToString(m)).contains("\"gpu_percent\":null");
    }

    @Test
    void metricsNeedSystemIdOrHostId() {
        String json = new String(metrics("1", "1", "1"), StandardCharsets.UTF_8).replace("\"system_id\": 42,", "");
        assertThatThrownBy(() -> MessageCodec.decode(json.getBytes(), MetricsMessage.class))
                .hasMessageContaining("one of system_id and host_id is required");
    }

    @Test
    void aNewerSchemaVersionIsRefusedNotHalfUnderstood() throws Exception {
        String json = new String(metrics("1", "1", "1"), StandardCharsets.UTF_8).replace("{", "{\"schema_version\": 3,");
        assertThatThrownBy(() -> MessageCodec.decode(json.getBytes(), MetricsMessage.class))
                .hasMessageContaining("schema_version 3 is newer than this reader understands (2)");
        String v1 = json.replace("\"schema_version\": 3", "\"schema_version\": 1");
        assertThat(MessageCodec.decode(v1.getBytes(), MetricsMessage.class).schemaVersion()).isEqualTo(1);
    }

    @Test
    void hostIdIsAccepted() throws Exception {
        String json = new String(metrics("1", "1", "1"), StandardCharsets.UTF_8)
                .replace("\"system_id\": 42,", "\"host_id\": \"0f3c2a9e8d7b4c6a9e8d7b4c6a0f3c2a\", \"seq\": 7,");
        MetricsMessage m = MessageCodec.decode(json.getBytes(), MetricsMessage.class);
        assertThat(m.hostId()).isEqualTo("0f3c2a9e8d7b4c6a9e8d7b4c6a0f3c2a");
        assertThat(m.seq()).isEqualTo(7L);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "'{\"dept_id\":1,\"ip_address\":\"300.1.1.1\",\"discovered_at\":\"2025-11-25T10:30:00Z\",\"scan_type\":\"arp\"}' | ip_address is not an IP address",
            "'{\"dept_id\":1,\"ip_address\":\"198.18.0.5\",\"discovered_at\":\"2025-11-25T10:30:00Z\",\"scan_type\":\"arp\",\"mac_address\":\"zz:zz\"}' | mac_address is not a MAC address",
            "'{\"dept_id\":0,\"ip_address\":\"198.18.0.5\",\"discovered_at\":\"2025-11-25T10:30:00Z\",\"scan_type\":\"arp\"}' | dept_id must be in [1",
            "'{\"dept_id\":1,\"ip_address\":\"198.18.0.5\",\"scan_type\":\"arp\"}' | discovered_at is required",
            "'{\"dept_id\":1,\"ip_address\":\"198.18.0.5\",\"discovered_at\":\"2025-11-25T10:30:00Z\",\"scan_type\":\"ARP; DROP TABLE\"}' | scan_type must be a lower-case word",
            "'{\"dept_id\":1,\"ip_address\":\"198.18.0.5\",\"hostname\":\"bad host\",\"discovered_at\":\"2025-11-25T10:30:00Z\",\"scan_type\":\"arp\"}' | hostname is not a host name",
            "'[1,2,3]' | invalid message",
            "'{\"dept_id\":1' | not valid JSON",
    })
    void badDiscoveryIsRefused(String json, String reason) {
        assertThatThrownBy(() -> MessageCodec.decode(json.getBytes(StandardCharsets.UTF_8), DiscoveryMessage.class))
                .isInstanceOf(InvalidMessageException.class)
                .hasMessageContaining(reason);
    }

    @Test
    void macIsNormalised() throws Exception {
        DiscoveryMessage m = MessageCodec.decode(("{\"dept_id\":1,\"ip_address\":\"198.18.0.5\",\"mac_address\":\"aa-bb-cc-dd-ee-0f\","
                + "\"discovered_at\":\"2025-11-25T10:30:00Z\",\"scan_type\":\"arp\"}").getBytes(), DiscoveryMessage.class);
        assertThat(m.macAddress()).isEqualTo("AA:BB:CC:DD:EE:0F");
    }

    @Test
    void alertSeverityMustBeKnown() {
        String json = "{\"system_id\":42,\"alert_type\":\"cpu_high\",\"severity\":\"urgent\",\"value\":1,\"threshold\":1,"
                + "\"timestamp\":\"2025-11-25T10:40:00Z\"}";
        assertThatThrownBy(() -> MessageCodec.decode(json.getBytes(), AlertMessage.class))
                .hasMessageContaining("severity must be one of info, warning, critical");
    }

    @Test
    void hostileShapesAreRefusedCheaply() {
        byte[] deep = ("{\"a\":" + "[".repeat(100) + "]".repeat(100) + "}").getBytes();
        assertThatThrownBy(() -> MessageCodec.decode(deep, MetricsMessage.class)).isInstanceOf(InvalidMessageException.class);
        byte[] huge = new byte[MessageCodec.MAX_MESSAGE_BYTES + 1];
        assertThatThrownBy(() -> MessageCodec.decode(huge, MetricsMessage.class))
                .hasMessageContaining("limit " + MessageCodec.MAX_MESSAGE_BYTES);
        assertThatThrownBy(() -> MessageCodec.decode(new byte[0], MetricsMessage.class)).hasMessage("empty message body");
        assertThatThrownBy(() -> MessageCodec.decode("null".getBytes(), MetricsMessage.class))
                .hasMessage("message body is JSON null");
    }

    @Test
    void queueNamesComeFromTheEnvVars() {
        Routing.QueueNames q = Routing.QueueNames.fromEnv(java.util.Map.of("METRICS_QUEUE", "m2"));
        assertThat(q).isEqualTo(new Routing.QueueNames("discovery_queue", "m2", "alert_queue"));
        assertThatThrownBy(() -> Routing.QueueNames.fromEnv(java.util.Map.of("ALERT_QUEUE", "amq.x")))
                .hasMessageContaining("alert queue name 'amq.x'");
    }
}
