package io.fleetwatch.scanner;

import io.fleetwatch.scanner.internal.RawSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A lab host's ARP, answered late: run inside a host namespace whose kernel does not answer ARP
 * ({@code arp_ignore=8}), it replies to each request for its address after a delay, as a NIC waking from power saving
 * or a busy switch does. Arguments: the address, the delay in milliseconds, a file it creates once it listens.
 */
public final class LateArpResponder {
    private LateArpResponder() {
    }

    public static void main(String[] args) throws Exception {
        int own = Ipv4.parse(args[0]);
        long delayMillis = Long.parseLong(args[1]);
        int ifindex = Integer.parseInt(Files.readString(Path.of("/sys/class/net/eth0/ifindex")).strip());
        byte[] mac = parseMac(Files.readString(Path.of("/sys/class/net/eth0/address")).strip());
        ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();
        try (RawSocket s = RawSocket.open(RawSocket.AF_PACKET, RawSocket.SOCK_DGRAM, RawSocket.htonsArp(), 200)) {
            byte[] to = RawSocket.sockaddrLlBroadcast(ifindex);
            Files.createFile(Path.of(args[2]));
            byte[] buf = new byte[1500];
            byte[] from = new byte[20];
            while (true) {
                int n = s.receive(buf, from);
                // an ARP request (operation 1) for our address
                if (n >= 28 && buf[7] == 1 && RawSocket.getIntBe(buf, 24) == own) {
                    byte[] reply = new byte[28];
                    System.arraycopy(buf, 0, reply, 0, 6);
                    reply[7] = 2;
                    System.arraycopy(mac, 0, reply, 8, 6);
                    RawSocket.putIntBe(reply, 14, own);
                    System.arraycopy(buf, 8, reply, 18, 10); // the asker's MAC and address become the target
                    later.schedule(() -> s.send(reply, to), delayMillis, TimeUnit.MILLISECONDS);
                }
            }
        }
    }

    private static byte[] parseMac(String text) {
        String[] parts = text.split(":");
        byte[] mac = new byte[6];
        for (int i = 0; i < 6; i++) {
            mac[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return mac;
    }
}
