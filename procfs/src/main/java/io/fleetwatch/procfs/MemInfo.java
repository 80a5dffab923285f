package io.fleetwatch.procfs;

/** /proc/meminfo: RAM in use, as {@code free} shows it. */
public final class MemInfo {
    private MemInfo() {}

    /** (MemTotal − MemAvailable) / MemTotal; MemFree + Buffers + Cached on kernels before 3.14. */
    public static double usedPercent(String meminfo) {
        long total = -1;
        long available = -1;
        long free = 0;
        long buffers = 0;
        long cached = 0;
        for (String line : meminfo.split("\n")) {
            String[] f = line.split("[:\\s]+");
            if (f.length < 2) {
                continue;
            }
            long kb = Long.parseLong(f[1]);
            switch (f[0]) {
                case "MemTotal" -> total = kb;
                case "MemAvailable" -> available = kb;
                case "MemFree" -> free = kb;
                case "Buffers" -> buffers = kb;
                case "Cached" -> cached = kb;
                default -> { }
            }
        }
        if (total <= 0) {
            throw new IllegalArgumentException("/proc/meminfo has no MemTotal");
        }
        if (available < 0) {
            available = free + buffers + cached;
        }
        return 100.0 * (total - available) / total;
    }
}
