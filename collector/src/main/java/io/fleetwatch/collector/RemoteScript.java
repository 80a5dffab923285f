package io.fleetwatch.collector;

import java.util.HashMap;
import java.util.Map;

/**
 * The one command the collector runs per host and round: every source of the eight metrics in one round trip, each
 * section after a {@code @@name} marker. POSIX sh and coreutils only; nvidia-smi when present. Reads
 * /etc/machine-id so a collected host and an agent on it are the same host_id.
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
            "echo @@gpu", "command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi --query-gpu=utilization.gpu"
                    + " --format=csv,noheader,nounits",
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
