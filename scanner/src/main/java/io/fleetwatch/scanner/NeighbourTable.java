package io.fleetwatch.scanner;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The kernel's IPv4 neighbour table as /proc/net/arp shows it (per network namespace). */
public final class NeighbourTable {
    private NeighbourTable() {}

    /** ATF_COM: the entry is complete, i.e. the neighbour answered. */
    static final int COMPLETE = 0x2;

    /** One row. {@code complete} is true when the address answered ARP and the MAC is known. */
    public record Entry(String ip, String mac, int flags, String device) {
        public boolean complete() {
            return (flags & COMPLETE) != 0 && !mac.equals("00:00:00:00:00:00");
        }
    }

    public static List<Entry> parse(String procNetArp) {
        List<Entry> out = new ArrayList<>();
        String[] lines = procNetArp.split("\n");
        for (int i = 1; i < lines.length; i++) { // the first line is the header
            String[] f = lines[i].trim().split("\\s+");
            if (f.length < 6) {
                continue;
            }
            out.add(new Entry(f[0], f[3].toUpperCase(Locale.ROOT), Integer.decode(f[2]), f[5]));
        }
        return out;
    }
}
