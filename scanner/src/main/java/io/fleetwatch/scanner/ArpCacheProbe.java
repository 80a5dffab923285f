package io.fleetwatch.scanner;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code arp_cache} probe, which needs no privilege: a UDP datagram to each on-link address (port 9, discard) makes
 * the kernel ask for its MAC; afterwards the neighbour table holds a complete entry for every address that answered
 * ARP, including hosts that drop all ICMP and TCP. Datagrams are paced to the policy's packet rate.
 */
public final class ArpCacheProbe {
    private final ScanPolicy policy;
    private final java.util.concurrent.atomic.LongAdder sent = new java.util.concurrent.atomic.LongAdder();
    private final Path procNetArp;

    public ArpCacheProbe(ScanPolicy policy, Path procNetArp) {
        this.policy = policy;
        this.procNetArp = procNetArp;
    }

    /** Sends one round for the batch (plus the policy's retries for silent addresses); returns address → MAC. */
    public Map<String, String> probe(int[] batch) throws IOException, InterruptedException {
        Map<String, String> found = new LinkedHashMap<>();
        for (int attempt = 0; attempt <= policy.retries(); attempt++) {
            try (DatagramChannel ch = DatagramChannel.open()) {
                Pacer pacer = new Pacer(policy, sent);
                for (int a : batch) {
                    String ip = Ipv4.format(a);
                    if (found.containsKey(ip)) {
                        continue;
                    }
                    pacer.await();
                    try {
                        ch.send(ByteBuffer.wrap(new byte[] {0}), new InetSocketAddress(InetAddress.getByAddress(bytes(a)), 9));
                    } catch (IOException e) {
                        // unreachable right away (no route): not on link, nothing to learn
                    }
                }
            }
            Thread.sleep(policy.probeTimeout().toMillis());
            for (NeighbourTable.Entry e : NeighbourTable.parse(Files.readString(procNetArp))) {
                if (e.complete()) {
                    found.putIfAbsent(e.ip(), e.mac());
                }
            }
            if (found.size() == batch.length) {
                break;
            }
        }
        found.keySet().retainAll(asSet(batch));
        return found;
    }

    private static java.util.Set<String> asSet(int[] batch) {
        java.util.Set<String> s = new java.util.HashSet<>();
        for (int a : batch) {
            s.add(Ipv4.format(a));
        }
        return s;
    }

    private static byte[] bytes(int a) {
        return new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a};
    }


    /** Packets this probe has sent so far. */
    public long sent() {
        return sent.sum();
    }
}
