package io.fleetwatch.messages;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * JSON encoding of the contract's messages. Strict where leniency would hide a producer bug (no "45" for 45, no 3.5
 * users, no NaN, no duplicate keys, no invalid UTF-8), lenient where the contract may grow (unknown fields are
 * ignored).
 */
public final class MessageCodec {
    /** Larger bodies are refused before parsing: a metrics message is about 400 bytes. */
    public static final int MAX_MESSAGE_BYTES = Bounds.MESSAGE_BYTES_MAX;

    private static final ObjectMapper MAPPER = newMapper();

    private MessageCodec() {}

    /** A mapper configured like the codec's, for modules that embed messages in other JSON (API, outbox). */
    public static ObjectMapper newMapper() {
        JsonMapper mapper = JsonMapper.builder()
                .addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                // {"cpu_percent": 5, "cpu_percent": 99}: which one did the producer mean? Refused, not last-wins.
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(Bounds.JSON_DEPTH_MAX)
                .maxStringLength(MAX_MESSAGE_BYTES)
                .maxNumberLength(64)
                .build());
        for (LogicalType numeric : new LogicalType[] {LogicalType.Integer, LogicalType.Float}) {
            mapper.coercionConfigFor(numeric).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
            mapper.coercionConfigFor(numeric).setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
            mapper.coercionConfigFor(numeric).setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        }
        mapper.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        return mapper;
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static byte[] encode(Object message) {
        try {
            return MAPPER.writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot encode " + message.getClass().getSimpleName(), e);
        }
    }

    public static String encodeToString(Object message) {
        return new String(encode(message), java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * Parses and validates one message.
     *
     * @throws InvalidMessageException with a one-line reason fit for a DLQ header
     */
    public static <T> T decode(byte[] body, Class<T> type) throws InvalidMessageException {
        if (body == null || body.length == 0) {
            throw new InvalidMessageException("empty message body");
        }
        if (body.length > MAX_MESSAGE_BYTES) {
            throw new InvalidMessageException("message body is " + body.length + " bytes, limit " + MAX_MESSAGE_BYTES);
        }
        String text;
        try {
            // Jackson's own UTF-8 reader decodes overlong forms and lone surrogates as if valid; Java's refuses them.
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidMessageException("not valid UTF-8: " + e.getMessage(), e);
        }
        try {
            T value = MAPPER.readValue(text, type);
            if (value == null) {
                throw new InvalidMessageException("message body is JSON null");
            }
            return value;
        } catch (JsonMappingException e) {
            throw new InvalidMessageException(reason(e), e);
        } catch (IOException e) {
            throw new InvalidMessageException("not valid JSON: " + firstLine(e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()), e);
        }
    }

    private static String reason(JsonMappingException e) {
        // Our compact constructors throw IllegalArgumentException naming the field; surface that text as is.
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IllegalArgumentException && t.getMessage() != null) {
                return "contract violation: " + t.getMessage();
            }
            if (t instanceof com.fasterxml.jackson.core.exc.StreamReadException sre) {
                return "not valid JSON: " + firstLine(sre.getOriginalMessage());
            }
        }
        String path = e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .reduce((a, b) -> a + "." + b)
                .orElse("");
        String msg = firstLine(e.getOriginalMessage());
        return path.isEmpty() ? "invalid message: " + msg : "invalid field " + path + ": " + msg;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() <= 200 ? line : line.substring(0, 197) + "...";
    }

}
