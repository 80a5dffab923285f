package io.fleetwatch.agent.collect;

import io.fleetwatch.procfs.Uptime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code uptime_seconds}: the first field of /proc/uptime, whole seconds. */
public final class UptimeCollector implements Collector {
    private final Path procUptime;

    public UptimeCollector(Path procUptime) {
        this.procUptime = procUptime;
    }

    @Override
    public String name() {
        return "uptime";
    }

    @Override
    public void collect(Reading r) throws IOException {
        r.uptimeSeconds = Uptime.seconds(Files.readString(procUptime));
    }
}
