package io.fleetwatch.scanner;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Reverse lookups (PTR, or /etc/hosts through the system resolver) for the live hosts, in parallel, all within one
 * deadline: a slow or absent DNS server costs the sweep at most {@code timeout}. Addresses without a name are left
 * out of the result.
 */
public final class ReverseDns {
    private final int parallelism;
    private final Duration timeout;

    public ReverseDns(int parallelism, Duration timeout) {
        this.parallelism = parallelism;
        this.timeout = timeout;
    }

    public Map<String, String> names(List<String> addresses) throws InterruptedException {
        Map<String, String> out = new HashMap<>();
        if (addresses.isEmpty()) {
            return out;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, addresses.size()), r -> {
            Thread t = new Thread(r, "reverse-dns");
            t.setDaemon(true); // a resolver stuck past the deadline must not keep the JVM alive
            return t;
        });
        try {
            List<Future<String>> futures = new ArrayList<>();
            for (String ip : addresses) {
                futures.add(pool.submit(() -> {
                    String name = InetAddress.getByAddress(bytes(Ipv4.parse(ip))).getCanonicalHostName();
                    return name.equals(ip) ? null : name;
                }));
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            for (int i = 0; i < addresses.size(); i++) {
                try {
                    String name = futures.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    if (name != null) {
                        out.put(addresses.get(i), name);
                    }
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    futures.get(i).cancel(true);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return out;
    }

    private static byte[] bytes(int a) {
        return new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a};
    }
}
