package io.fleetwatch.collector;

import io.fleetwatch.procfs.NvidiaSmi;
import io.fleetwatch.procfs.Thermal;
import java.util.HashMap;
import java.util.Map;

/**
 * The one command the collector runs per host and round: every source of the metrics in one round trip, each
 * section after a {@code @@name} marker. POSIX sh and coreutils only; nvidia-smi when present. Reads
 * /etc/machine-id so a collected host and an agent on it are the same host_id. Sensors: only the hwmon devices and
 * thermal zones that can be the CPU package sensor are read (procfs' {@code Thermal} chooses among them), so no
 * drive's temperature is queried (drivetemp asks the disk itself). {@code df -l}: local file systems only, so an
 * unreachable NFS server cannot hang the command.
 */
public final class RemoteScript {
    private RemoteScript() {}

    public static final String COMMAND = String.join("; ",
            "export LC_ALL=C",
            "echo @@stat", "cat /proc/stat",
            "echo @@meminfo", "cat /proc/meminfo",
            "echo @@netdev", "cat /proc/net/dev",
            "echo @@uptime", "cat /proc/uptime",
            "echo @@df", "df -P /",
            "echo @@who", "who | wc -l",
            "echo @@machineid", "cat /etc/machine-id 2>/dev/null",
            "echo @@hostname", "hostname",
            "echo @@loadavg", "cat /proc/loadavg",
            "echo @@diskstats", "cat /proc/diskstats",
            "echo @@mounts", "cat /proc/mounts",
            "echo @@filesystems", "df -P -k -l 2>/dev/null",
            "echo @@sensors", "for d in /sys/class/hwmon/hwmon*; do n=; read -r n 2>/dev/null < \"$d/name\"; case $n in "
                    + String.join("|", Thermal.CPU_HWMON) + ") grep -H . \"$d\"/name \"$d\"/temp*_label \"$d\"/temp*_input"
                    + " 2>/dev/null;; esac; done",
            "for z in /sys/class/thermal/thermal_zone*; do t=; read -r t 2>/dev/null < \"$z/type\"; case $t in "
                    + String.join("|", Thermal.CPU_ZONES) + ") grep -H . \"$z\"/type \"$z\"/temp 2>/dev/null;; esac; done",
            "echo @@proc", "ls /proc",
            "echo @@gpu", "command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi " + String.join(" ", NvidiaSmi.QUERY),
            "echo @@end");

    /** The sections of one run's output, by name; throws when the output is cut short. */
    public static Map<String, String> sections(String output) {
        Map<String, String> out = marked(output);
        if (!out.containsKey("gpu")) {
            throw new IllegalArgumentException("remote output incomplete (no @@end marker): the command was cut short");
        }
        return out;
    }

    /** The {@code @@name} sections of a remote command's output (this one's or the inventory's), ending at {@code @@end}. */
    static Map<String, String> marked(String output) {
        Map<String, String> out = new HashMap<>();
        String name = null;
        StringBuilder body = new StringBuilder();
        for (String line : output.split("\n", -1)) {
            if (line.startsWith("@@")) {
                if (name != null) {
                    out.put(name, body.toString());
                }
                name = line.substring(2).trim();
                body.setLength(0);
            } else if (name != null) {
                body.append(line).append('\n');
            }
        }
        if (!"end".equals(name)) {
            throw new IllegalArgumentException("remote output incomplete (no @@end marker): the command was cut short");
        }
        return out;
    }
}
