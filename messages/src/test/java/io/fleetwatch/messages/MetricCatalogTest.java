package io.fleetwatch.messages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The message side of the catalog: every metric is carried, validated and written by its definition. */
class MetricCatalogTest {
    /** A value of every metric of the catalog (mid-range, of the metric's type), as a generator would make it. */
    static MetricsMessage.Metrics everyMetric() {
        Map<String, Number> v = new HashMap<>();
        for (Metric m : MetricCatalog.DEFAULT.all()) {
            if (m.derived()) {
                continue;
            }
            double mid = Math.min(m.max(), Math.max(m.min(), 42.0));
            v.put(m.name(), switch (m.type()) {
                case DOUBLE -> mid + 0.25;
                case LONG -> (long) mid;
                case INT -> (int) mid;
            });
        }
        return new MetricsMessage.Metrics(v, List.of(new MetricsMessage.Filesystem("/", 55.5, 100.0),
                new MetricsMessage.Filesystem("/home", 91.25, null)));
    }

    @Test
    void everyMetricSurvivesARoundTripThroughBothEncoders() throws Exception {
        MetricsMessage m = new MetricsMessage(SchemaVersion.CURRENT, null, "0f3c2a9e8d7b4c6a", "lab-1", 1L,
                Instant.parse("2026-11-20T10:00:00Z"), everyMetric());
        byte[] streamed = MetricsJson.encode(m);
        assertThat(new String(streamed, StandardCharsets.UTF_8)).isEqualTo(MessageCodec.encodeToString(m));
        MetricsMessage back = MessageCodec.decode(streamed, MetricsMessage.class);
        assertThat(back).isEqualTo(m);
        JsonNode json = MessageCodec.mapper().readTree(streamed).get("metrics");
        for (Metric metric : MetricCatalog.DEFAULT.all()) {
            assertThat(back.metrics().get(metric.name())).as(metric.name()).isNotNull();
            assertThat(json.has(metric.name())).as("JSON field " + metric.name()).isEqualTo(!metric.derived());
        }
        assertThat(back.metrics().get(MetricCatalog.FILESYSTEM_USAGE_MAX)).isEqualTo(91.25);
    }

    @Test
    void aVersionOneMessageIsStillAcceptedAndWrittenAsBefore() throws Exception {
        String v1 = """
                {"schema_version":1,"system_id":42,"collected_at":"2026-11-20T10:00:00Z","metrics":{"cpu_percent":1.0,\
                "ram_percent":2.0,"disk_percent":3.0,"network_sent_mbps":4.0,"network_recv_mbps":5.0,\
                "gpu_percent":null,"uptime_seconds":6,"logged_in_users":7}}""";
        MetricsMessage m = MessageCodec.decode(v1.getBytes(StandardCharsets.UTF_8), MetricsMessage.class);
        assertThat(m.schemaVersion()).isEqualTo(1);
        assertThat(m.metrics().get("load_avg_1")).isNull();
        assertThat(MessageCodec.encodeToString(m)).isEqualTo(v1);
    }

    @Test
    void newMetricsAreValidatedByTheirDefinition() {
        MetricsMessage.Metrics base = new MetricsMessage.Metrics(1.0, 2.0, 3.0, 4.0, 5.0, null, 6L, 7);
        assertThatThrownBy(() -> base.with("cpu_temperature", 250.0))
                .hasMessageContaining("metrics.cpu_temperature must be a number in [-50.0, 200.0]");
        assertThatThrownBy(() -> base.with("process_count", 2.5))
                .hasMessageContaining("metrics.process_count must be an integer");
        assertThatThrownBy(() -> base.with("no_such_metric", 1.0)).hasMessageContaining("not a metric of the catalog");
        assertThatThrownBy(() -> base.withFilesystems(List.of(new MetricsMessage.Filesystem("home", 1, null))))
                .hasMessageContaining("metrics.filesystems.mount must be an absolute path");
        assertThat(base.with("swap_usage", 12.5).get("swap_usage")).isEqualTo(12.5);
    }

    @Test
    void badFilesystemsAreRefusedWithTheFieldNamed() {
        String json = """
                {"system_id":42,"collected_at":"2026-11-20T10:00:00Z","metrics":{"cpu_percent":1.0,\
                "ram_percent":2.0,"disk_percent":3.0,"network_sent_mbps":4.0,"network_recv_mbps":5.0,\
                "uptime_seconds":6,"logged_in_users":7,"filesystems":[{"mount":"/a","usage":%s}]}}""";
        assertThatThrownBy(() -> MessageCodec.decode(json.formatted("101").getBytes(), MetricsMessage.class))
                .hasMessageContaining("metrics.filesystems.usage must be a number in [0.0, 100.0]");
        assertThatThrownBy(() -> MessageCodec.decode(json.formatted("\"5\"").getBytes(), MetricsMessage.class))
                .hasMessageContaining("invalid field metrics.filesystems.usage");
    }

    @Test
    void aCatalogRefusesAMetricDefinedTwice() {
        Metric extra = MetricCatalog.DEFAULT.get("cpu_percent");
        assertThatThrownBy(() -> MetricCatalog.DEFAULT.with(extra)).hasMessageContaining("defined twice");
    }
}
