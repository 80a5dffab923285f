package io.fleetwatch.settings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How a key's text (an environment variable's value, or a YAML value written as text) becomes a value. A failure is
 * an {@link IllegalArgumentException} whose message says what is wrong without the key; {@link Key#parse} puts the
 * key in front.
 */
public interface Type<T> {
    T parse(String raw);

    /** Whether a blank value means "not set" (numbers, switches, durations, lists); text keeps a blank as given. */
    default boolean blankIsUnset() {
        return true;
    }

    /** Text as given, not stripped (a password may end in a space). */
    Type<String> TEXT = new Type<>() {
        @Override
        public String parse(String raw) {
            return raw;
        }

        @Override
        public boolean blankIsUnset() {
            return false;
        }
    };

    Type<Boolean> BOOLEAN = raw -> switch (raw.strip().toLowerCase(Locale.ROOT)) {
        case "true", "yes", "on", "1" -> true;
        case "false", "no", "off", "0" -> false;
        default -> throw new IllegalArgumentException("'" + raw + "' is not true or false");
    };

    Type<Duration> DURATION = Durations::parse;

    Type<Path> PATH = raw -> Path.of(raw.strip());

    Type<Double> DECIMAL = raw -> {
        try {
            return Double.parseDouble(raw.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + raw + "' is not a number");
        }
    };

    Type<Integer> INTEGER = integer("a number");
    Type<Integer> PORT = integer("a port number");
    Type<Long> LONG = whole("a number");

    /** A whole number; {@code what} completes "'x' is not ..." (a number, a port number, a number of days). */
    static Type<Integer> integer(String what) {
        return raw -> {
            long n;
            try {
                n = Long.parseLong(raw.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + raw + "' is not " + what);
            }
            if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(n + " is out of range");
            }
            return (int) n;
        };
    }

    /** A whole number that may exceed an int; {@code what} completes "'x' is not ...". */
    static Type<Long> whole(String what) {
        return raw -> {
            try {
                return Long.parseLong(raw.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + raw + "' is not " + what);
            }
        };
    }

    /**
     * Items split at {@code separators} (a regular expression), stripped; empty items are dropped. A blank value is
     * an empty list, not "unset": {@code scan.allow: []} allows nothing, it does not fall back to the default.
     */
    static Type<List<String>> list(String separators) {
        return new Type<>() {
            @Override
            public List<String> parse(String raw) {
                return Arrays.stream(raw.split(separators)).map(String::strip).filter(s -> !s.isEmpty()).toList();
            }

            @Override
            public boolean blankIsUnset() {
                return false;
            }
        };
    }
}
