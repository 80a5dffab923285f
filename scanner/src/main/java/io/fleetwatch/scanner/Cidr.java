package io.fleetwatch.scanner;

/**
 * An IPv4 network in CIDR form ({@code 198.18.0.0/24}; a bare address is a /32). Host bits are refused rather than
 * silently masked: {@code 198.18.0.7/24} is almost always a typo for something else.
 */
public record Cidr(int network, int prefix) {

    public Cidr {
        if (prefix < 0 || prefix > 32) {
            throw new IllegalArgumentException("prefix length must be 0..32, not " + prefix);
        }
        if ((network & ~mask(prefix)) != 0) {
            throw new IllegalArgumentException(Ipv4.format(network) + "/" + prefix + " has host bits set (did you mean "
                    + Ipv4.format(network & mask(prefix)) + "/" + prefix + "?)");
        }
    }

    public static Cidr parse(String text) {
        String t = text.trim();
        int slash = t.indexOf('/');
        int prefix = 32;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(t.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "': the prefix length is not a number");
            }
            t = t.substring(0, slash);
        }
        return new Cidr(Ipv4.parse(t), prefix);
    }

    static int mask(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    public boolean contains(int address) {
        return (address & mask(prefix)) == network;
    }

    public boolean contains(Cidr other) {
        return other.prefix >= prefix && contains(other.network);
    }

    public boolean overlaps(Cidr other) {
        return contains(other.network) || other.contains(network);
    }

    /** Number of addresses in the network. */
    public long size() {
        return 1L << (32 - prefix);
    }

    /** The addresses a sweep probes: all of a /31 or /32, else without the network and broadcast addresses. */
    public long firstHost() {
        return prefix >= 31 ? Integer.toUnsignedLong(network) : Integer.toUnsignedLong(network) + 1;
    }

    public long lastHost() {
        long last = Integer.toUnsignedLong(network) + size() - 1;
        return prefix >= 31 ? last : last - 1;
    }

    @Override
    public String toString() {
        return Ipv4.format(network) + "/" + prefix;
    }
}
