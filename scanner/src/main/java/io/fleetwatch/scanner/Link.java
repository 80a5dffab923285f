package io.fleetwatch.scanner;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A local Ethernet-like interface and the IPv4 network on it: the addresses inside that network are on-link, so ARP
 * decides whether they are there at all. Loopback and interfaces without a MAC are not links here.
 *
 * @param index   the kernel's interface index (for AF_PACKET)
 * @param mac     the interface's MAC, 6 bytes
 * @param address this host's address on the link
 */
public record Link(String name, int index, byte[] mac, int address, Cidr network) {

    /** The links of the network namespace this process runs in. */
    public static List<Link> local() throws SocketException {
        List<Link> links = new ArrayList<>();
        for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            byte[] mac = nif.getHardwareAddress();
            if (!nif.isUp() || nif.isLoopback() || mac == null || mac.length != 6) {
                continue;
            }
            for (InterfaceAddress ia : nif.getInterfaceAddresses()) {
                if (ia.getAddress() instanceof Inet4Address a && ia.getNetworkPrefixLength() < 32) {
                    int ip = Ipv4.parse(a.getHostAddress());
                    int prefix = ia.getNetworkPrefixLength();
                    int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
                    links.add(new Link(nif.getName(), nif.getIndex(), mac, ip, new Cidr(ip & mask, prefix)));
                }
            }
        }
        return links;
    }

    /**
     * The link this host names itself by: the one whose network holds the default gateway ({@code /proc/net/route}),
     * else the first; the agent picks its primary interface by the same rule, so both report the same MAC.
     */
    public static Optional<Link> primary(List<Link> links, Path procNetRoute) {
        try {
            for (String line : Files.readAllLines(procNetRoute)) {
                String[] f = line.trim().split("\\s+");
                // Iface Destination Gateway Flags RefCnt Use Metric Mask …, addresses in little-endian hex
                if (f.length > 7 && f[1].equals("00000000") && f[7].equals("00000000")) {
                    int gateway = Integer.reverseBytes((int) Long.parseLong(f[2], 16));
                    Optional<Link> l = of(links, gateway);
                    if (l.isPresent()) {
                        return l;
                    }
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            // no routing table to read (not Linux): the first link
        }
        return links.stream().findFirst();
    }

    /** The MAC as the messages write it, {@code 02:FC:00:00:00:01}. */
    public String macText() {
        return java.util.HexFormat.ofDelimiter(":").withUpperCase().formatHex(mac);
    }

    /** The link whose network holds the address, if any. */
    public static Optional<Link> of(List<Link> links, int address) {
        return links.stream().filter(l -> l.network().contains(address)).findFirst();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Link l && l.index == index && l.address == address && l.network.equals(network);
    }

    @Override
    public int hashCode() {
        return index * 31 + address;
    }

    @Override
    public String toString() {
        return name + " " + network;
    }
}
