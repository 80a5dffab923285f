package io.fleetwatch.scanner;

import io.fleetwatch.scanner.internal.RawSocket;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The {@code icmp} probe: ICMP echo requests, matched to replies by identifier and sequence number. It uses an
 * unprivileged ICMP datagram socket where {@code net.ipv4.ping_group_range} admits the process's group, a raw socket
 * where the process has CAP_NET_RAW, and reports itself unavailable otherwise (the scanner then relies on ARP and
 * TCP, or on {@link ExternalPing}). Requests are paced to the policy's packet rate; silent addresses are asked again
 * {@code retries} times.
 */
public final class IcmpProbe {
    private static final int ECHO_REPLY = 0;
    private static final int ECHO_REQUEST = 8;

    private final ScanPolicy policy;
    private final java.util.concurrent.atomic.LongAdder sent = new java.util.concurrent.atomic.LongAdder();
    private Rtt rtt;
    private final boolean raw;
    private final int identifier;

    private IcmpProbe(ScanPolicy policy, boolean raw) {
        this.policy = policy;
        this.raw = raw;
        this.identifier = (int) (ProcessHandle.current().pid() & 0xffff);
        this.rtt = new Rtt(policy.probeTimeout());
    }

    /** The probe this process may run: datagram socket first, raw socket second. */
    public static IcmpProbe open(ScanPolicy policy) throws RawSocket.Unavailable {
        try (RawSocket s = RawSocket.open(RawSocket.AF_INET, RawSocket.SOCK_DGRAM, RawSocket.IPPROTO_ICMP, 50)) {
            return new IcmpProbe(policy, false);
        } catch (RawSocket.Unavailable dgram) {
            try (RawSocket s = RawSocket.open(RawSocket.AF_INET, RawSocket.SOCK_RAW, RawSocket.IPPROTO_ICMP, 50)) {
                return new IcmpProbe(policy, true);
            }
        }
    }

    /** "datagram" or "raw": which socket the probe uses. */
    public String socketKind() {
        return raw ? "raw" : "datagram";
    }

    /** Probes the batch; returns the addresses that answered an echo request of ours. */
    public Set<String> probe(int[] batch) throws IOException, InterruptedException {
        Set<Integer> alive = java.util.concurrent.ConcurrentHashMap.newKeySet();
        for (int attempt = 0; attempt <= policy.retries() && alive.size() < batch.length; attempt++) {
            List<Integer> todo = new ArrayList<>();
            for (int i = 0; i < batch.length; i++) {
                if (!alive.contains(batch[i])) {
                    todo.add(i);
                }
            }
            round(batch, todo, attempt, alive);
        }
        Set<String> out = new LinkedHashSet<>();
        for (int a : batch) {
            if (alive.contains(a)) {
                out.add(Ipv4.format(a));
            }
        }
        return out;
    }

    private void round(int[] batch, List<Integer> todo, int attempt, Set<Integer> alive)
            throws IOException, InterruptedException {
        try (RawSocket s = RawSocket.open(RawSocket.AF_INET, raw ? RawSocket.SOCK_RAW : RawSocket.SOCK_DGRAM,
                RawSocket.IPPROTO_ICMP, 50)) {
            AtomicReference<IOException> failed = new AtomicReference<>();
            AtomicLong stopAt = new AtomicLong(Long.MAX_VALUE);
            long[] sentAt = new long[batch.length];
            Thread reader = new Thread(() -> {
                byte[] buf = new byte[1500];
                byte[] from = new byte[16];
                try {
                    while (System.nanoTime() < stopAt.get()) {
                        int n = s.receive(buf, from);
                        if (n > 0) {
                            int index = match(buf, n, RawSocket.addressOf(from), batch, attempt, alive);
                            if (index >= 0 && sentAt[index] != 0) {
                                rtt.sample(System.nanoTime() - sentAt[index]);
                            }
                        }
                    }
                } catch (IOException e) {
                    failed.set(e);
                }
            }, "icmp-reader");
            reader.setDaemon(true);
            reader.start();
            Pacer pacer = new Pacer(policy, sent);
            for (int index : todo) {
                pacer.await();
                sentAt[index] = System.nanoTime();
                s.send(echoRequest(index, attempt), RawSocket.sockaddrIn(batch[index]));
            }
            stopAt.set(System.nanoTime() + rtt.timeoutNanos());
            reader.join();
            if (failed.get() != null) {
                throw failed.get();
            }
        }
    }

    /** Sequence numbers carry the attempt and the index in the batch, so a late reply still maps to its address. */
    static int sequence(int index, int attempt) {
        return (attempt << 10) | index;
    }

    byte[] echoRequest(int index, int attempt) {
        byte[] p = new byte[16];
        p[0] = ECHO_REQUEST;
        int seq = sequence(index, attempt);
        p[4] = (byte) (identifier >>> 8);
        p[5] = (byte) identifier;
        p[6] = (byte) (seq >>> 8);
        p[7] = (byte) seq;
        byte[] tag = "fleetwatch".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(tag, 0, p, 8, Math.min(tag.length, 8));
        int sum = checksum(p);
        p[2] = (byte) (sum >>> 8);
        p[3] = (byte) sum;
        return p;
    }

    /** Records the sender when the packet is an echo reply to one of this batch's requests; returns its index or -1. */
    int match(byte[] buf, int n, int from, int[] batch, int attempt, Set<Integer> alive) {
        int off = 0;
        if (raw) {
            if (n < 20 || (buf[0] & 0xf0) != 0x40) {
                return -1;
            }
            off = (buf[0] & 0x0f) * 4; // a raw socket hands over the IP header too
        }
        if (n - off < 8 || buf[off] != ECHO_REPLY) {
            return -1;
        }
        int id = (buf[off + 4] & 0xff) << 8 | (buf[off + 5] & 0xff);
        int seq = (buf[off + 6] & 0xff) << 8 | (buf[off + 7] & 0xff);
        if (raw && id != identifier) {
            return -1; // another process's ping; a datagram socket's replies are already ours (the kernel demuxes by id)
        }
        int index = seq & 0x3ff;
        if ((seq >>> 10) <= attempt && index < batch.length && batch[index] == from) {
            alive.add(from);
            return index;
        }
        return -1;
    }

    /** The Internet checksum (RFC 1071). */
    static int checksum(byte[] p) {
        long sum = 0;
        for (int i = 0; i + 1 < p.length; i += 2) {
            sum += ((p[i] & 0xff) << 8) | (p[i + 1] & 0xff);
        }
        if ((p.length & 1) == 1) {
            sum += (p[p.length - 1] & 0xff) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }

    /** Packets this probe has sent so far. */
    public long sent() {
        return sent.sum();
    }

    /** Shares the sweep's round-trip estimate (answers seen by other probes shorten this one's waits). */
    IcmpProbe rtt(Rtt shared) {
        this.rtt = shared;
        return this;
    }
}
