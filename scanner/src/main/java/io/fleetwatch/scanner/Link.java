package io.fleetwatch.scanner;

import java.net.Inet4Address;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
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
