package io.fleetwatch.procfs;

/** /proc/uptime: whole seconds since boot. */
public final class Uptime {
    private Uptime() {}

    public static long seconds(String uptime) {
        return (long) Double.parseDouble(uptime.trim().split("\\s+")[0]);
    }
}
