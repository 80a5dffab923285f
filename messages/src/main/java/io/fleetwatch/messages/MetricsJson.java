package io.fleetwatch.messages;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Writes a {@link MetricsMessage} with Jackson's streaming API, byte for byte what {@link MessageCodec#encode} writes.
 * For the agent: it writes only this one message type, and avoiding jackson-databind's object mapper keeps ~600
 * classes (several MB of a small process) out of memory. {@code MetricsJsonTest} holds the two encodings equal.
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
            MetricsMessage.Metrics x = m.metrics();
            g.writeObjectFieldStart("metrics");
            g.writeNumberField("cpu_percent", x.cpuPercent());
            g.writeNumberField("ram_percent", x.ramPercent());
            g.writeNumberField("disk_percent", x.diskPercent());
            g.writeNumberField("network_sent_mbps", x.networkSentMbps());
            g.writeNumberField("network_recv_mbps", x.networkRecvMbps());
            g.writeFieldName("gpu_percent");
            if (x.gpuPercent() == null) {
                g.writeNull();
            } else {
                g.writeNumber(x.gpuPercent());
            }
            g.writeNumberField("uptime_seconds", x.uptimeSeconds());
            g.writeNumberField("logged_in_users", x.loggedInUsers());
            g.writeEndObject();
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
}
