package io.fleetwatch.scanner;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The addresses of a sweep: the union of the given networks minus the exclusions, each address once, in a random
 * order fixed by a seed (spreads the probes over the range; the same seed gives the same order), cut into batches
 * small enough that the kernel's neighbour table (gc_thresh3 = 1 024 by default) never overflows during a batch.
 */
public final class TargetList {
    public static final int MAX_BATCH = 512;
    /** Above this many addresses a sweep needs --force (a /16). */
    public static final long DEFAULT_MAX_ADDRESSES = 65_536;

    private final int[] addresses;

    private TargetList(int[] addresses) {
        this.addresses = addresses;
    }

    public static TargetList of(List<Cidr> include, List<Cidr> exclude, long seed, long maxAddresses, boolean force) {
        if (include.isEmpty()) {
            throw new IllegalArgumentException("no target network given");
        }
        long total = 0;
        for (Cidr c : include) {
            total += c.lastHost() - c.firstHost() + 1;
        }
        if (total > maxAddresses && !force) {
            throw new IllegalArgumentException("refusing to sweep " + total + " addresses (" + include + "): more than "
                    + maxAddresses + "; narrow the range or pass --force");
        }
        if (total > 1L << 24) {
            throw new IllegalArgumentException("refusing to sweep " + total + " addresses even with --force (limit /8)");
        }
        List<Integer> out = new ArrayList<>();
        java.util.HashSet<Integer> seen = new java.util.HashSet<>();
        for (Cidr c : include) {
            for (long a = c.firstHost(); a <= c.lastHost(); a++) {
                int ip = (int) a;
                if (excluded(ip, exclude) || !seen.add(ip)) {
                    continue;
                }
                out.add(ip);
            }
        }
        int[] arr = out.stream().mapToInt(Integer::intValue).toArray();
        shuffle(arr, new Random(seed));
        return new TargetList(arr);
    }

    private static boolean excluded(int ip, List<Cidr> exclude) {
        for (Cidr c : exclude) {
            if (c.contains(ip)) {
                return true;
            }
        }
        return false;
    }

    private static void shuffle(int[] a, Random r) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    public int size() {
        return addresses.length;
    }

    public int get(int i) {
        return addresses[i];
    }

    /** Consecutive batches of at most {@code batchSize} (capped at {@link #MAX_BATCH}). */
    public List<int[]> batches(int batchSize) {
        int n = Math.max(1, Math.min(batchSize, MAX_BATCH));
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < addresses.length; i += n) {
            out.add(java.util.Arrays.copyOfRange(addresses, i, Math.min(addresses.length, i + n)));
        }
        return out;
    }
}
