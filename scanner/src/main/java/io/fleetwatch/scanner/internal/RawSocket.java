package io.fleetwatch.scanner.internal;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.ptr.IntByReference;
import java.io.IOException;

/**
 * The few libc socket calls Java has no API for (ICMP echo and raw ARP), through the JNA that OSHI already brings.
 * Linux, LP64 only; one instance per socket; receive calls time out after the configured interval so a reader thread
 * can notice a deadline.
 */
public final class RawSocket implements AutoCloseable {
    public static final int AF_INET = 2;
    public static final int AF_PACKET = 17;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_RAW = 3;
    public static final int IPPROTO_ICMP = 1;
    public static final int ETH_P_ARP = 0x0806;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVTIMEO = 20;
    private static final int EAGAIN = 11;
    private static final int EINTR = 4;

    interface LibC extends Library {
        int socket(int domain, int type, int protocol) throws LastErrorException;

        long sendto(int fd, byte[] buf, long len, int flags, byte[] addr, int addrlen) throws LastErrorException;

        long recvfrom(int fd, byte[] buf, long len, int flags, byte[] addr, IntByReference addrlen)
                throws LastErrorException;

        int setsockopt(int fd, int level, int name, byte[] value, int len) throws LastErrorException;

        int close(int fd);
    }

    private static final class Holder {
        static final LibC C = Native.load("c", LibC.class);
    }

    /** Why a socket could not be opened (errno), so the caller can fall back to a less privileged probe. */
    public static final class Unavailable extends IOException {
        private static final long serialVersionUID = 1L;
        private final int errno;

        Unavailable(String what, int errno) {
            super(what + ": errno " + errno);
            this.errno = errno;
        }

        public int errno() {
            return errno;
        }
    }

    private final int fd;
    private volatile boolean closed;

    private RawSocket(int fd) {
        this.fd = fd;
    }

    /** Opens a socket; {@link Unavailable} when the process may not (EPERM, EACCES) or the platform lacks it. */
    public static RawSocket open(int domain, int type, int protocol, int receiveTimeoutMillis) throws Unavailable {
        int fd;
        try {
            fd = Holder.C.socket(domain, type, protocol);
        } catch (LastErrorException e) {
            throw new Unavailable("socket(" + domain + ", " + type + ", " + protocol + ")", e.getErrorCode());
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new Unavailable("libc not reachable through JNA (" + e.getMessage() + ")", -1);
        }
        RawSocket s = new RawSocket(fd);
        byte[] tv = new byte[16]; // struct timeval {long tv_sec; long tv_usec;}, little-endian on x86_64 and arm64
        putLongLe(tv, 0, receiveTimeoutMillis / 1000);
        putLongLe(tv, 8, (receiveTimeoutMillis % 1000) * 1000L);
        try {
            Holder.C.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, tv, tv.length);
        } catch (LastErrorException e) {
            s.close();
            throw new Unavailable("setsockopt(SO_RCVTIMEO)", e.getErrorCode());
        }
        return s;
    }

    /** Sends one datagram; false when the kernel refused it right away (no route, buffer full). */
    public boolean send(byte[] data, byte[] sockaddr) {
        try {
            return Holder.C.sendto(fd, data, data.length, 0, sockaddr, sockaddr.length) == data.length;
        } catch (LastErrorException e) {
            return false;
        }
    }

    /** Receives one datagram into buf; returns its length, or -1 when the receive timeout passed first. */
    public int receive(byte[] buf, byte[] sockaddr) throws IOException {
        IntByReference len = new IntByReference(sockaddr.length);
        try {
            return (int) Holder.C.recvfrom(fd, buf, buf.length, 0, sockaddr, len);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == EAGAIN || e.getErrorCode() == EINTR || closed) {
                return -1;
            }
            throw new IOException("recvfrom: errno " + e.getErrorCode());
        }
    }

    /** {@code struct sockaddr_in} for an IPv4 address (port 0). */
    public static byte[] sockaddrIn(int address) {
        byte[] sa = new byte[16];
        sa[0] = AF_INET; // sa_family, host byte order (little-endian)
        putIntBe(sa, 4, address);
        return sa;
    }

    /** The IPv4 address in a {@code struct sockaddr_in} filled by the kernel. */
    public static int addressOf(byte[] sockaddrIn) {
        return getIntBe(sockaddrIn, 4);
    }

    /** {@code struct sockaddr_ll} for sending an ARP frame out of an interface to the broadcast address. */
    public static byte[] sockaddrLlBroadcast(int ifindex) {
        byte[] sa = new byte[20];
        sa[0] = AF_PACKET;
        sa[2] = (byte) (ETH_P_ARP >>> 8);
        sa[3] = (byte) ETH_P_ARP;
        sa[4] = (byte) ifindex;
        sa[5] = (byte) (ifindex >>> 8);
        sa[6] = (byte) (ifindex >>> 16);
        sa[7] = (byte) (ifindex >>> 24);
        sa[11] = 6; // sll_halen
        for (int i = 12; i < 18; i++) {
            sa[i] = (byte) 0xff;
        }
        return sa;
    }

    /** htons(ETH_P_ARP), the protocol argument of an AF_PACKET socket. */
    public static int htonsArp() {
        return ((ETH_P_ARP & 0xff) << 8) | (ETH_P_ARP >>> 8);
    }

    public static void putIntBe(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    public static int getIntBe(byte[] b, int off) {
        return (b[off] & 0xff) << 24 | (b[off + 1] & 0xff) << 16 | (b[off + 2] & 0xff) << 8 | (b[off + 3] & 0xff);
    }

    private static void putLongLe(byte[] b, int off, long v) {
        for (int i = 0; i < 8; i++) {
            b[off + i] = (byte) (v >>> (8 * i));
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Holder.C.close(fd);
        }
    }
}
