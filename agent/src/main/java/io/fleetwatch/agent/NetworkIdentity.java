package io.fleetwatch.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SortedSet;
import java.util.TreeSet;
import oshi.SystemInfo;
import oshi.hardware.NetworkIF;

/**
 * This host's address on the network, through OSHI: the primary interface (the one on the default gateway's subnet,
 * else the first non-loopback interface with IPv4), its IPv4 address and MAC, and the set of all hardware MACs (for
 * clone detection).
 */
public record NetworkIdentity(String ipAddress, String macAddress, SortedSet<String> macs) {

    public static NetworkIdentity detect() {
        return detect(new SystemInfo());
    }

    /** Through the agent's one {@link SystemInfo}, which its OSHI sources share. */
    public static NetworkIdentity detect(SystemInfo si) {
        String gateway = si.getOperatingSystem().getNetworkParams().getIpv4DefaultGateway();
        List<NetworkIF> candidates = new ArrayList<>();
        SortedSet<String> macs = new TreeSet<>();
        for (NetworkIF nif : si.getHardware().getNetworkIFs(false)) {
            String mac = nif.getMacaddr() == null ? "" : nif.getMacaddr().toUpperCase(Locale.ROOT);
            if (nif.getIfType() == 772 || "lo".equals(nif.getName()) || mac.isEmpty() || mac.equals("00:00:00:00:00:00")) {
                continue;
            }
            macs.add(mac);
            if (nif.getIPv4addr().length > 0) {
                candidates.add(nif);
            }
        }
        NetworkIF primary = null;
        for (NetworkIF nif : candidates) {
            for (int i = 0; i < nif.getIPv4addr().length; i++) {
                if (gateway != null && sameSubnet(nif.getIPv4addr()[i], gateway, nif.getSubnetMasks()[i])) {
                    primary = nif;
                }
            }
        }
        if (primary == null && !candidates.isEmpty()) {
            primary = candidates.get(0);
        }
        return primary == null ? new NetworkIdentity(null, null, macs)
                : new NetworkIdentity(primary.getIPv4addr()[0], primary.getMacaddr().toUpperCase(Locale.ROOT), macs);
    }

    static boolean sameSubnet(String a, String b, short prefix) {
        try {
            long x = toLong(a);
            long y = toLong(b);
            long mask = prefix <= 0 ? 0 : 0xFFFFFFFFL << (32 - prefix) & 0xFFFFFFFFL;
            return (x & mask) == (y & mask);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static long toLong(String ip) {
        String[] p = ip.split("\\.");
        long v = 0;
        for (String s : p) {
            v = v << 8 | Integer.parseInt(s);
        }
        return v;
    }
}
