package io.fleetwatch.agent;

import java.nio.file.Path;

/**
 * Every OS file the agent reads, resolved under one root (like OSHI's {@code ProcPath}), so tests point the root at
 * captured fixtures. The root is {@code /} unless the system property {@code fleetwatch.host.root} says otherwise.
 */
public final class HostPaths {
    private final Path root;

    public HostPaths(Path root) {
        this.root = root;
    }

    public static HostPaths system() {
        return new HostPaths(Path.of(System.getProperty("fleetwatch.host.root", "/")));
    }

    public Path root() {
        return root;
    }

    public Path machineId() {
        return resolve("etc/machine-id");
    }

    public Path dbusMachineId() {
        return resolve("var/lib/dbus/machine-id");
    }

    public Path dmiProductUuid() {
        return resolve("sys/class/dmi/id/product_uuid");
    }

    public Path hostname() {
        return resolve("etc/hostname");
    }

    public Path procStat() {
        return resolve("proc/stat");
    }

    public Path procMeminfo() {
        return resolve("proc/meminfo");
    }

    public Path procNetDev() {
        return resolve("proc/net/dev");
    }

    public Path procUptime() {
        return resolve("proc/uptime");
    }

    public Path procLoadavg() {
        return resolve("proc/loadavg");
    }

    public Path procDiskstats() {
        return resolve("proc/diskstats");
    }

    /** The mount table (/proc/mounts links to the reading process's own, the same on a host without namespaces). */
    public Path procMounts() {
        return resolve("proc/mounts");
    }

    /** /proc itself, whose numeric entries are the processes. */
    public Path proc() {
        return resolve("proc");
    }

    /** utmp: /run/utmp on current systems (/var/run is a link to it). */
    public Path utmp() {
        return resolve("run/utmp");
    }

    /** An absolute host path ("/sys/class/hwmon/hwmon0/name", a mount point) under the root. */
    public Path host(String absolute) {
        return resolve(absolute.substring(1));
    }

    public Path resolve(String relative) {
        return root.resolve(relative);
    }
}
