package io.fleetwatch.messages;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Writes a {@link MetricsMessage} with Jackson's streaming API, byte for byte what {@link MessageCodec#encode} writes.
 * For the agent: it writes only this one message type, and avoiding jackson-databind's object mapper keeps ~600
 * classes (several MB of a small process) out of memory: {@link #encode} uses jackson-core only (the nested
 * serializer and deserializer are {@link MessageCodec}'s, loaded only there). Both write {@code metrics} with
 * {@link #writeMetrics}, by the metric catalog; {@code MetricsJsonTest} holds the two encodings equal.
 */
public final class MetricsJson {
    private static final JsonFactory FACTORY = new JsonFactory();

    private MetricsJson() {}

    public static byte[] encode(MetricsMessage m) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(400);
        try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeNumberField("schema_version", m.schemaVersion());
            if (m.systemId() != null) {
                g.writeNumberField("system_id", m.systemId());
            }
            if (m.hostId() != null) {
                g.writeStringField("host_id", m.hostId());
            }
            if (m.hostname() != null) {
                g.writeStringField("hostname", m.hostname());
            }
            if (m.seq() != null) {
                g.writeNumberField("seq", m.seq());
            }
            g.writeStringField("collected_at", m.collectedAt().toString());
            g.writeFieldName("metrics");
            writeMetrics(g, m.metrics());
            if (m.ipAddress() != null) {
                g.writeStringField("ip_address", m.ipAddress());
            }
            if (m.macAddress() != null) {
                g.writeStringField("mac_address", m.macAddress());
            }
            if (m.cloneSuspected() != null) {
                g.writeBooleanField("clone_suspected", m.cloneSuspected());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write metrics message", e);
        }
        return out.toByteArray();
    }

    /**
     * The {@code metrics} object, in catalog order: each metric the sample has, with its type; {@code gpu_percent}
     * also when null (the contract always writes it); derived metrics never (the reader derives them); then
     * {@code filesystems} when there are any.
     */
    static void writeMetrics(JsonGenerator g, MetricsMessage.Metrics x) throws IOException {
        g.writeStartObject();
        for (Metric metric : MetricCatalog.DEFAULT.all()) {
            if (metric.derived()) {
                continue;
            }
            Number v = x.get(metric.name());
            if (v == null) {
                if (ALWAYS_WRITTEN.contains(metric.name())) {
                    g.writeNullField(metric.name());
                }
                continue;
            }
            g.writeFieldName(metric.name());
            switch (metric.type()) {
                case DOUBLE -> g.writeNumber(v.doubleValue());
                case LONG -> g.writeNumber(v.longValue());
                case INT -> g.writeNumber(v.intValue());
                default -> throw new IllegalStateException(metric.type().name());
            }
        }
        if (!x.filesystems().isEmpty()) {
            g.writeArrayFieldStart(FILESYSTEMS);
            for (MetricsMessage.Filesystem f : x.filesystems()) {
                g.writeStartObject();
                g.writeStringField("mount", f.mount());
                g.writeNumberField("usage", f.usage());
                if (f.sizeGb() != null) {
                    g.writeNumberField("size_gb", f.sizeGb());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    /** Written as null when absent: the contract's {@code gpu_percent} ("null on a host without a GPU"). */
    private static final java.util.Set<String> ALWAYS_WRITTEN = java.util.Set.of(MetricCatalog.GPU_PERCENT);
    static final String FILESYSTEMS = "filesystems";

    /** {@link MessageCodec}'s encoder of {@code metrics}: the same bytes as {@link #encode}. */
    public static final class MetricsSerializer extends StdSerializer<MetricsMessage.Metrics> {
        private static final long serialVersionUID = 1L;

        public MetricsSerializer() {
            super(MetricsMessage.Metrics.class);
        }

        @Override
        public void serialize(MetricsMessage.Metrics value, JsonGenerator g, SerializerProvider provider)
                throws IOException {
            writeMetrics(g, value);
        }
    }

    /**
     * Reads {@code metrics} by the catalog, as strictly as the rest of the codec: numbers only (no "45" for 45), an
     * integer metric only as a JSON integer (no 3.5 users), unknown fields ignored, a violation named by its field.
     */
    public static final class MetricsDeserializer extends StdDeserializer<MetricsMessage.Metrics> {
        private static final long serialVersionUID = 1L;

        public MetricsDeserializer() {
            super(MetricsMessage.Metrics.class);
        }

        @Override
        public MetricsMessage.Metrics deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            JsonNode node = ctx.readTree(p);
            if (node == null || !node.isObject()) {
                throw JsonMappingException.from(p, "metrics must be an object");
            }
            try {
                Map<String, Number> values = new HashMap<>();
                for (Metric metric : MetricCatalog.DEFAULT.all()) {
                    JsonNode v = node.get(metric.name());
                    if (metric.derived() || v == null || v.isNull()) {
                        continue;
                    }
                    values.put(metric.name(), number("metrics." + metric.name(), v, metric.type()));
                }
                List<MetricsMessage.Filesystem> fs = new ArrayList<>();
                JsonNode list = node.get(FILESYSTEMS);
                if (list != null && !list.isNull()) {
                    if (!list.isArray()) {
                        throw new IllegalArgumentException("metrics.filesystems must be an array");
                    }
                    for (JsonNode f : list) {
                        if (!f.isObject()) {
                            throw new IllegalArgumentException("metrics.filesystems entries must be objects");
                        }
                        JsonNode mount = f.get("mount");
                        if (mount != null && !mount.isNull() && !mount.isTextual()) {
                            throw new IllegalArgumentException("metrics.filesystems.mount must be a string");
                        }
                        JsonNode usage = f.get("usage");
                        if (usage == null || usage.isNull()) {
                            throw new IllegalArgumentException("metrics.filesystems.usage is required");
                        }
                        JsonNode size = f.get("size_gb");
                        fs.add(new MetricsMessage.Filesystem(mount == null || mount.isNull() ? null : mount.asText(),
                                number("metrics.filesystems.usage", usage, Metric.Type.DOUBLE).doubleValue(),
                                size == null || size.isNull() ? null
                                        : number("metrics.filesystems.size_gb", size, Metric.Type.DOUBLE)
                                        .doubleValue()));
                    }
                }
                return new MetricsMessage.Metrics(values, fs);
            } catch (WrongType e) {
                // named like Jackson's own type errors: "invalid field metrics.cpu_percent: …"
                JsonMappingException ex = JsonMappingException.from(p, e.getMessage());
                ex.prependPath(MetricsMessage.Metrics.class, e.field);
                throw ex;
            } catch (IllegalArgumentException e) {
                throw JsonMappingException.from(p, e.getMessage(), e);
            }
        }

        /** A JSON value of the wrong type; {@code field} is the path below {@code metrics}. */
        private static final class WrongType extends IllegalArgumentException {
            private static final long serialVersionUID = 1L;
            private final String field;

            WrongType(String field, String message) {
                super(message);
                this.field = field;
            }
        }

        private static Number number(String field, JsonNode v, Metric.Type type) {
            String name = field.substring("metrics.".length());
            if (!v.isNumber()) {
                throw new WrongType(name, "must be a number, not " + v.getNodeType().name()
                        .toLowerCase(java.util.Locale.ROOT));
            }
            if (type == Metric.Type.DOUBLE) {
                return v.doubleValue();
            }
            if (!v.isIntegralNumber()) {
                throw new WrongType(name, "must be an integer, not " + v.asText());
            }
            if (!v.canConvertToLong()) {
                throw new IllegalArgumentException(field + " is out of range: " + v.asText());
            }
            return v.longValue();
        }
    }
}
