package io.fleetwatch.api.internal;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;

/**
 * Typed reads of a JSON request body with errors that name the field: the API's 400s say which field and why, and
 * never echo the value back.
 */
public final class Fields {
    /** A field is missing or invalid; the message is the problem's detail. */
    public static final class Invalid extends RuntimeException {
        public Invalid(String message) {
            super(message);
        }
    }

    private final Map<String, Object> body;

    public Fields(Map<String, Object> body) {
        if (body == null) {
            throw new Invalid("a JSON object body is required");
        }
        this.body = body;
    }

    public boolean has(String name) {
        return body.containsKey(name) && body.get(name) != null;
    }

    public double number(String name, double min, double max) {
        Object v = body.get(name);
        if (!(v instanceof Number n) || Double.isNaN(n.doubleValue()) || n.doubleValue() < min || n.doubleValue() > max) {
            throw new Invalid(name + " must be a number in [" + fmt(min) + ", " + fmt(max) + "]");
        }
        return n.doubleValue();
    }

    public Integer integerOrNull(String name, int min, int max) {
        Object v = body.get(name);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() < min || ((Number) v).longValue() > max) {
            throw new Invalid(name + " must be a whole number in [" + min + ", " + max + "]");
        }
        return ((Number) v).intValue();
    }

    public String oneOf(String name, Set<String> allowed) {
        Object v = body.get(name);
        if (!(v instanceof String s) || !allowed.contains(s)) {
            throw new Invalid(name + " must be one of " + new java.util.TreeSet<>(allowed));
        }
        return s;
    }

    public String token(String name) {
        Object v = body.get(name);
        if (!(v instanceof String s) || !s.matches("[a-z][a-z0-9_]{0,63}")) {
            throw new Invalid(name + " must be lower-case letters, digits and _ (at most 64, starting with a letter)");
        }
        return s;
    }

    public String textOrNull(String name, int maxLength) {
        Object v = body.get(name);
        if (v == null) {
            return null;
        }
        if (!(v instanceof String s) || s.length() > maxLength || s.chars().anyMatch(c -> c < 0x20 && c != '\t')) {
            throw new Invalid(name + " must be text of at most " + maxLength + " characters, without control characters");
        }
        return s;
    }

    public boolean bool(String name, boolean fallback) {
        Object v = body.get(name);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Boolean b)) {
            throw new Invalid(name + " must be true or false");
        }
        return b;
    }

    public Instant time(String name) {
        Object v = body.get(name);
        try {
            if (v instanceof String s) {
                return OffsetDateTime.parse(s).toInstant();
            }
        } catch (DateTimeParseException e) {
            // falls through to the error below
        }
        throw new Invalid(name + " must be an ISO-8601 date-time with offset, e.g. 2026-11-25T10:35:00Z");
    }

    private static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
