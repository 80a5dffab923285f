package io.fleetwatch.messages.internal;

import java.util.regex.Pattern;

/** Small validation helpers for the records' compact constructors; each failure names the JSON field. */
public final class Checks {
    private Checks() {}

    private static final Pattern IPV4 = Pattern.compile(
            "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]{2,45}");
    private static final Pattern MAC = Pattern.compile("([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}");
    private static final Pattern HOSTNAME = Pattern.compile(
            "(?=.{1,253}$)([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)(\\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\\.?");
    private static final Pattern TOKEN = Pattern.compile("[a-z][a-z0-9_]{0,63}");
    private static final Pattern HOST_ID = Pattern.compile("[A-Za-z0-9._:-]{8,128}");

    public static <T> T required(String field, T value) {
        if (value == null) {
            throw new IllegalArgumentException(field + " is required");
        }
        return value;
    }

    public static double percent(String field, double value) {
        return range(field, value, 0.0, 100.0);
    }

    public static Double optionalPercent(String field, Double value) {
        return value == null ? null : percent(field, value);
    }

    public static double range(String field, double value, double min, double max) {
        if (!Double.isFinite(value) || value < min || value > max) {
            throw new IllegalArgumentException(field + " must be a number in [" + min + ", " + max + "], not " + value);
        }
        return value;
    }

    public static double nonNegative(String field, double value) {
        if (!Double.isFinite(value) || value < 0) {
            throw new IllegalArgumentException(field + " must be a finite number >= 0, not " + value);
        }
        return value;
    }

    public static long nonNegative(String field, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(field + " must be >= 0, not " + value);
        }
        return value;
    }

    public static Long positiveOrNull(String field, Long value) {
        if (value != null && value <= 0) {
            throw new IllegalArgumentException(field + " must be > 0, not " + value);
        }
        return value;
    }

    public static String ip(String field, String value) {
        required(field, value);
        if (IPV4.matcher(value).matches()) {
            return value;
        }
        if (value.indexOf(':') >= 0 && IPV6.matcher(value).matches()) {
            return value.toLowerCase(java.util.Locale.ROOT);
        }
        throw new IllegalArgumentException(field + " is not an IP address: '" + abbreviate(value) + "'");
    }

    /** Normalises to upper-case colon form (the seed's spelling), so one MAC has one spelling everywhere. */
    public static String macOrNull(String field, String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (!MAC.matcher(value).matches()) {
            throw new IllegalArgumentException(field + " is not a MAC address: '" + abbreviate(value) + "'");
        }
        return value.replace('-', ':').toUpperCase(java.util.Locale.ROOT);
    }

    public static String hostnameOrNull(String field, String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (!HOSTNAME.matcher(value).matches()) {
            throw new IllegalArgumentException(field + " is not a host name: '" + abbreviate(value) + "'");
        }
        return value;
    }

    public static String token(String field, String value) {
        required(field, value);
        if (!TOKEN.matcher(value).matches()) {
            throw new IllegalArgumentException(
                    field + " must be a lower-case word ([a-z][a-z0-9_]*, at most 64), not '" + abbreviate(value) + "'");
        }
        return value;
    }

    public static String hostIdOrNull(String field, String value) {
        if (value == null) {
            return null;
        }
        if (!HOST_ID.matcher(value).matches()) {
            throw new IllegalArgumentException(field + " must be 8-128 characters of [A-Za-z0-9._:-], not '"
                    + abbreviate(value) + "'");
        }
        return value;
    }

    /** Optional free text of at most {@code max} characters, without control characters. */
    public static String textOrNull(String field, String value, int max) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (value.length() > max) {
            throw new IllegalArgumentException(field + " is longer than " + max + " characters");
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(field + " contains control characters: '" + abbreviate(value) + "'");
        }
        return value;
    }

    /** Keeps error messages (which end up in DLQ headers and logs) short even for hostile input. */
    public static String abbreviate(String value) {
        return value.length() <= 64 ? value : value.substring(0, 61) + "...";
    }
}
