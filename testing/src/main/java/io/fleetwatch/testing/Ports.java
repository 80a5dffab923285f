package io.fleetwatch.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Loopback ports for the servers a test starts. */
public final class Ports {
    private Ports() {}

    /** A TCP port on 127.0.0.1 that was free a moment ago (the kernel's choice; nothing listens on it now). */
    public static int free() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
