package io.fleetwatch.procfs;

/** /proc/meminfo: RAM in use, as {@code free} shows it, and swap in use. */
public final class MemInfo {
    private MemInfo() {}

    /** (MemTotal − MemAvailable) / MemTotal; MemFree + Buffers + Cached on kernels before 3.14. */
    public static double usedPercent(String meminfo) {
        long total = kib(meminfo, "MemTotal");
        if (total <= 0) {
            throw new IllegalArgumentException("/proc/meminfo has no MemTotal");
        }
        long available = kib(meminfo, "MemAvailable");
        if (available < 0) {
            available = Math.max(0, kib(meminfo, "MemFree")) + Math.max(0, kib(meminfo, "Buffers"))
                    + Math.max(0, kib(meminfo, "Cached"));
        }
        return 100.0 * (total - available) / total;
    }

    /**
     * (SwapTotal − SwapFree) / SwapTotal, the "used" of {@code free}'s Swap line (swap pages also cached in RAM,
     * SwapCached, are in use); null on a host without swap (SwapTotal 0), never 0.
     */
    public static Double swapUsedPercent(String meminfo) {
        long total = kib(meminfo, "SwapTotal");
        long free = kib(meminfo, "SwapFree");
        if (total < 0 || free < 0) {
            throw new IllegalArgumentException("/proc/meminfo has no SwapTotal or SwapFree");
        }
        return total == 0 ? null : 100.0 * (total - free) / total;
    }

    /** The value of one "Key:   123 kB" line, −1 when there is none. */
    static long kib(String meminfo, String key) {
        int at = 0;
        while ((at = meminfo.indexOf(key + ':', at)) >= 0) {
            if (at == 0 || meminfo.charAt(at - 1) == '\n') {
                int end = meminfo.indexOf('\n', at);
                String[] f = meminfo.substring(at + key.length() + 1, end < 0 ? meminfo.length() : end).trim()
                        .split("\\s+");
                return Long.parseLong(f[0]);
            }
            at += key.length();
        }
        return -1;
    }
}
