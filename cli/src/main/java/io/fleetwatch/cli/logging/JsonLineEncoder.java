package io.fleetwatch.cli.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;

/**
 * {@code FLEETWATCH_LOG_FORMAT=json}: one JSON object per line with the fields the README documents: {@code timestamp}
 * (ISO-8601, UTC, milliseconds), {@code level}, {@code thread}, {@code logger}, {@code message} (the text as an operator
 * reads it, arguments filled in), {@code exception} (the stack trace, when there is one) and {@code mdc} (when set).
 * Logback's own JsonEncoder puts the unfilled template in {@code message} and epoch milliseconds in
 * {@code timestamp}, which log shippers then show as "{}: consuming {}".
 */
public final class JsonLineEncoder extends EncoderBase<ILoggingEvent> {
    /** The fields of every line, in order; {@code exception} and {@code mdc} follow only when present. */
    public static final java.util.List<String> FIELDS = java.util.List.of("timestamp", "level", "thread", "logger", "message");

    private static final JsonFactory JSON = new JsonFactory();
    private static final byte[] NOTHING = new byte[0];

    @Override
    public byte[] headerBytes() {
        return NOTHING;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField(FIELDS.get(0), Instant.ofEpochMilli(event.getTimeStamp()).toString());
            g.writeStringField(FIELDS.get(1), event.getLevel().toString());
            g.writeStringField(FIELDS.get(2), event.getThreadName());
            g.writeStringField(FIELDS.get(3), event.getLoggerName());
            g.writeStringField(FIELDS.get(4), event.getFormattedMessage());
            IThrowableProxy thrown = event.getThrowableProxy();
            if (thrown != null) {
                g.writeStringField("exception", ThrowableProxyUtil.asString(thrown));
            }
            Map<String, String> mdc = event.getMDCPropertyMap();
            if (mdc != null && !mdc.isEmpty()) {
                g.writeObjectFieldStart("mdc");
                for (Map.Entry<String, String> e : mdc.entrySet()) {
                    g.writeStringField(e.getKey(), e.getValue());
                }
                g.writeEndObject();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.write('\n');
        return out.toByteArray();
    }

    @Override
    public byte[] footerBytes() {
        return NOTHING;
    }
}
