package io.fleetwatch.settings;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one duration format of every setting: a whole number and a unit, {@code 500ms}, {@code 30s}, {@code 5m},
 * {@code 24h}, {@code 7d}; a bare number is seconds; or ISO-8601 ({@code PT10S}). It accepts everything the agent's
 * and the SSH collector's former parsers accepted.
 */
public final class Durations {
    private Durations() {}

    /** The same format as a regular expression, for Bean Validation of the YAML file ({@code @Pattern}). */
    public static final String REGEX = "\\d+\\s*(ms|s|m|h|d)?|[-+]?[pP]\\S+";

    private static final Pattern UNIT = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?");

    public static Duration parse(String value) {
        String v = value.strip();
        Matcher m = UNIT.matcher(v);
        try {
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                return switch (m.group(2) == null ? "s" : m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            }
            return Duration.parse(v);
        } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("'" + value + "' is not a duration (e.g. 10s, 500ms, 1m)");
        }
    }

    /** {@link #parse(String)}, the error naming {@code key}. */
    public static Duration parse(String key, String value) {
        try {
            return parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
    }
}
