package io.fleetwatch.messages;

/**
 * Text that came from a producer and travels into dead-letter reasons, log lines and API problem bodies: control
 * characters are shown escaped ({@code \n}, {@code \u001b}), so a value cannot forge a log line or a header.
 */
public final class Reasons {
    private Reasons() {}

    /** Longest reason kept (a DLQ header, a log line). */
    public static final int MAX_LENGTH = 1000;

    public static String escape(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean control = Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
            if (control && b == null) {
                b = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (b != null) {
                switch (c) {
                    case '\n' -> b.append("\\n");
                    case '\r' -> b.append("\\r");
                    case '\t' -> b.append("\\t");
                    default -> {
                        if (control) {
                            b.append(String.format("\\u%04x", (int) c));
                        } else {
                            b.append(c);
                        }
                    }
                }
            }
        }
        return b == null ? s : b.toString();
    }

    /** Escaped and cut to {@link #MAX_LENGTH}. */
    public static String of(String s) {
        String e = escape(s);
        return e.length() <= MAX_LENGTH ? e : e.substring(0, MAX_LENGTH - 3) + "...";
    }
}
