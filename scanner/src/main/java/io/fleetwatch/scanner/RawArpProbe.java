package io.fleetwatch.scanner;

import io.fleetwatch.scanner.internal.RawSocket;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code arp} probe: ARP requests written to an AF_PACKET socket (needs CAP_NET_RAW, which root has), replies read
 * from the same socket. Faster and more exact than {@link ArpCacheProbe}: no kernel neighbour-table timers, and every
 * reply is seen, so one MAC answering for several addresses (proxy ARP) is visible.
 */
public final class RawArpProbe {
    /** One ARP reply: the address that was answered for, and the MAC that answered. */
    public record Answer(String ip, String mac) {}

    private final ScanPolicy policy;
    private final java.util.concurrent.atomic.LongAdder sent = new java.util.concurrent.atomic.LongAdder();
    private Rtt rtt;

    private RawArpProbe(ScanPolicy policy) {
        this.policy = policy;
        this.rtt = new Rtt(policy.probeTimeout());
    }

    /** The probe, when this process may open an AF_PACKET socket. */
    public static RawArpProbe open(ScanPolicy policy) throws RawSocket.Unavailable {
        try (RawSocket s = RawSocket.open(RawSocket.AF_PACKET, RawSocket.SOCK_DGRAM, RawSocket.htonsArp(), 50)) {
            return new RawArpProbe(policy);
        }
    }

    /** Asks for each address on the link (and again for the silent ones, per the policy's retries). */
    public Map<String, String> probe(Link link, int[] addresses) throws IOException, InterruptedException {
        Map<Integer, String> answers = new ConcurrentHashMap<>();
        Set<Integer> wanted = new HashSet<>();
        for (int a : addresses) {
            wanted.add(a);
        }
        for (int attempt = 0; attempt <= policy.retries() && answers.size() < addresses.length; attempt++) {
            List<Integer> todo = new ArrayList<>();
            for (int a : addresses) {
                if (!answers.containsKey(a)) {
                    todo.add(a);
                }
            }
            round(link, todo, wanted, answers);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (int a : addresses) {
            if (answers.containsKey(a)) {
                out.put(Ipv4.format(a), answers.get(a));
            }
        }
        return out;
    }

    private void round(Link link, List<Integer> todo, Set<Integer> wanted, Map<Integer, String> answers)
            throws IOException, InterruptedException {
        try (RawSocket s = RawSocket.open(RawSocket.AF_PACKET, RawSocket.SOCK_DGRAM, RawSocket.htonsArp(), 50)) {
            AtomicLong stopAt = new AtomicLong(Long.MAX_VALUE);
            Map<Integer, Long> sentAt = new ConcurrentHashMap<>();
            IOException[] failed = new IOException[1];
            Thread reader = new Thread(() -> {
                byte[] buf = new byte[1500];
                byte[] from = new byte[20];
                try {
                    while (System.nanoTime() < stopAt.get()) {
                        int n = s.receive(buf, from);
                        Answer a = n > 0 ? parseReply(buf, n, link.address()) : null;
                        if (a != null && wanted.contains(Ipv4.parse(a.ip()))) {
                            int ip = Ipv4.parse(a.ip());
                            Long t = sentAt.get(ip);
                            if (t != null) {
                                rtt.sample(System.nanoTime() - t);
                            }
                            answers.putIfAbsent(ip, a.mac());
                        }
                    }
                } catch (IOException e) {
                    failed[0] = e;
                }
            }, "arp-reader");
            reader.setDaemon(true);
            reader.start();
            byte[] to = RawSocket.sockaddrLlBroadcast(link.index());
            Pacer pacer = new Pacer(policy, sent);
            for (int target : todo) {
                pacer.await();
                sentAt.put(target, System.nanoTime());
                s.send(request(link.mac(), link.address(), target), to);
            }
            stopAt.set(System.nanoTime() + rtt.timeoutNanos());
            reader.join();
            if (failed[0] != null) {
                throw failed[0];
            }
        }
    }

    /** An ARP request (RFC 826) for Ethernet and IPv4, without the link header (the socket adds it). */
    static byte[] request(byte[] ownMac, int ownIp, int target) {
        byte[] p = new byte[28];
        p[1] = 1;            // hardware type: Ethernet
        p[2] = 0x08;         // protocol type: IPv4
        p[4] = 6;            // hardware address length
        p[5] = 4;            // protocol address length
        p[7] = 1;            // operation: request
        System.arraycopy(ownMac, 0, p, 8, 6);
        RawSocket.putIntBe(p, 14, ownIp);
        RawSocket.putIntBe(p, 24, target);
        return p;
    }

    /** The answer in an ARP reply addressed to us, or null for anything else (requests, other hosts' replies). */
    static Answer parseReply(byte[] p, int n, int ownIp) {
        if (n < 28 || p[0] != 0 || p[1] != 1 || p[2] != 0x08 || p[3] != 0 || p[4] != 6 || p[5] != 4
                || p[6] != 0 || p[7] != 2 || RawSocket.getIntBe(p, 24) != ownIp) {
            return null;
        }
        StringBuilder mac = new StringBuilder(17);
        for (int i = 8; i < 14; i++) {
            if (i > 8) {
                mac.append(':');
            }
            mac.append(String.format("%02X", p[i] & 0xff));
        }
        return new Answer(Ipv4.format(RawSocket.getIntBe(p, 14)), mac.toString());
    }

    /** Packets this probe has sent so far. */
    public long sent() {
        return sent.sum();
    }

    /** Shares the sweep's round-trip estimate (answers seen by other probes shorten this one's waits). */
    RawArpProbe rtt(Rtt shared) {
        this.rtt = shared;
        return this;
    }
}
