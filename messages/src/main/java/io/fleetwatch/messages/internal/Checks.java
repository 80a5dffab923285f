package io.fleetwatch.messages.internal;

import io.fleetwatch.messages.Bounds;
import io.fleetwatch.messages.Reasons;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.Locale;
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
    private static final Pattern TOKEN = Pattern.compile("[a-z][a-z0-9_]{0," + (Bounds.TOKEN_MAX - 1) + "}");
    private static final Pattern HOST_ID = Pattern.compile(
            "[A-Za-z0-9._:-]{" + Bounds.HOST_ID_MIN + "," + Bounds.HOST_ID_MAX + "}");
    private static final Pattern PLACEHOLDER_HOST_ID = Pattern.compile("[0._:-]+|[Ff._:-]+");

    public static <T> T required(String field, T value) {
        if (value == null) {
            throw new IllegalArgumentException(field + " is required");
        }
        return value;
    }

    public static double percent(String field, double value) {
        return range(field, value, 0.0, Bounds.PERCENT_MAX);
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

    public static long range(String field, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + " must be in [" + min + ", " + max + "], not " + value);
        }
        return value;
    }

    /** An id a producer names: 1 to {@code max} (see {@link Bounds#PRODUCER_ID_MAX}). */
    public static Long idOrNull(String field, Long value, long max) {
        return value == null ? null : range(field, value, 1, max);
    }

    /** Within {@link Bounds#EARLIEST} and {@link Bounds#LATEST}; the window around now is the consumer's check. */
    public static Instant instant(String field, Instant value) {
        required(field, value);
        if (value.isBefore(Bounds.EARLIEST) || !value.isBefore(Bounds.LATEST)) {
            throw new IllegalArgumentException(field + " must be from " + Bounds.EARLIEST + " to before "
                    + Bounds.LATEST + ", not " + value);
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

    /**
     * An address a scan found a host at: not unspecified, broadcast or multicast (no one host answers for those).
     * Loopback is allowed: a sweep of 127.0.0.0/8 (the allow-list must name it) finds the scanning machine itself.
     */
    public static String hostIp(String field, String value) {
        String ip = ip(field, value);
        if (isPlaceholderIp(ip) && !isLoopback(ip)) {
            throw new IllegalArgumentException(field + " " + ip + " is not one host's address (unspecified, broadcast"
                    + " or multicast)");
        }
        return ip;
    }

    private static boolean isLoopback(String ip) {
        try {
            return InetAddress.getByName(ip).isLoopbackAddress(); // a literal (checked above): no lookup
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** A host's own address, optional: a placeholder (unspecified, loopback, broadcast, multicast) is dropped. */
    public static String hostIpOrNull(String field, String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        String ip = ip(field, value);
        return isPlaceholderIp(ip) ? null : ip;
    }

    public static boolean isPlaceholderIp(String ip) {
        try {
            InetAddress a = InetAddress.getByName(ip); // a literal (checked above): no lookup
            return a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isMulticastAddress()
                    || "255.255.255.255".equals(ip);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: '" + abbreviate(ip) + "'");
        }
    }

    /**
     * Normalises to upper-case colon form (the message contract's spelling), so one MAC has one spelling everywhere.
     * A placeholder MAC (see {@link #isPlaceholderMac}) becomes null: it is no identity, and two hosts reporting
     * it must never be merged.
     */
    public static String macOrNull(String field, String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (!MAC.matcher(value).matches()) {
            throw new IllegalArgumentException(field + " is not a MAC address: '" + abbreviate(value) + "'");
        }
        String mac = value.replace('-', ':').toUpperCase(Locale.ROOT);
        return isPlaceholderMac(mac) ? null : mac;
    }

    /** All-zero, broadcast, multicast (group bit set), or one of {@link Bounds#PLACEHOLDER_MAC_PREFIXES}. */
    public static boolean isPlaceholderMac(String mac) {
        int first = Integer.parseInt(mac.substring(0, 2), 16);
        return mac.equals("00:00:00:00:00:00") || (first & 1) != 0
                || Bounds.PLACEHOLDER_MAC_PREFIXES.stream().anyMatch(mac::startsWith);
    }

    /** A DNS name; one every machine has ({@link Bounds#PLACEHOLDER_HOSTNAMES}) becomes null. */
    public static String hostnameOrNull(String field, String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (!HOSTNAME.matcher(value).matches()) {
            throw new IllegalArgumentException(field + " is not a host name: '" + abbreviate(value) + "'");
        }
        return Bounds.PLACEHOLDER_HOSTNAMES.contains(value.toLowerCase(Locale.ROOT)) ? null : value;
    }

    public static String token(String field, String value) {
        required(field, value);
        if (!TOKEN.matcher(value).matches()) {
            throw new IllegalArgumentException(
                    field + " must be a lower-case word ([a-z][a-z0-9_]*, at most 64), not '" + abbreviate(value) + "'");
        }
        return value;
    }

    /** A host named by the producer: by {@code system_id}, by {@code host_id}, or both; never by neither. */
    public static void systemOrHost(Long systemId, String hostId) {
        if (systemId == null && hostId == null) {
            throw new IllegalArgumentException("one of system_id and host_id is required");
        }
    }

    public static String hostIdOrNull(String field, String value) {
        if (value == null) {
            return null;
        }
        if (!HOST_ID.matcher(value).matches()) {
            throw new IllegalArgumentException(field + " must be " + Bounds.HOST_ID_MIN + "-" + Bounds.HOST_ID_MAX
                    + " characters of [A-Za-z0-9._:-], not '" + abbreviate(value) + "'");
        }
        if (PLACEHOLDER_HOST_ID.matcher(value).matches()
                || Bounds.PLACEHOLDER_HOST_IDS.contains(value.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException(field + " '" + value + "' is a placeholder many machines report, not"
                    + " an identity");
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

    /**
     * Keeps error messages (which end up in DLQ headers and logs) short even for hostile input, with control
     * characters escaped so that a value cannot forge a log line.
     */
    public static String abbreviate(String value) {
        return Reasons.escape(value.length() <= 64 ? value : value.substring(0, 61) + "...");
    }
}
