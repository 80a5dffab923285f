package io.fleetwatch.scanner;

/** Dotted-quad IPv4 addresses as ints, without any name resolution. */
public final class Ipv4 {
    private Ipv4() {}

    public static int parse(String text) {
        String[] p = text.trim().split("\\.", -1);
        if (p.length != 4) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 address");
        }
        int v = 0;
        for (String part : p) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 address");
            }
            int b = Integer.parseInt(part);
            if (b > 255) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 address");
            }
            v = v << 8 | b;
        }
        return v;
    }

    public static String format(int a) {
        return (a >>> 24) + "." + (a >>> 16 & 255) + "." + (a >>> 8 & 255) + "." + (a & 255);
    }
}
