package io.fleetwatch.agent;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A stable identity for this host that survives IP and hostname changes: {@code /etc/machine-id} (systemd), else
 * D-Bus's copy, else the DMI product UUID. The hostname travels alongside so the consumer can link the agent to
 * what the scanner discovered.
 */
public record HostIdentity(String hostId, String hostname) {

    public HostIdentity {
        if (hostId == null || hostId.length() < 8) {
            throw new IllegalArgumentException("host id is missing or too short");
        }
    }

    public static HostIdentity detect(HostPaths paths) {
        for (Path p : List.of(paths.machineId(), paths.dbusMachineId(), paths.dmiProductUuid())) {
            String id = readTrimmed(p);
            // An all-zero or empty machine-id is what an image template ships before first boot: not an identity.
            if (id != null && id.length() >= 8 && !id.chars().allMatch(ch -> ch == '0' || ch == '-')) {
                return new HostIdentity(id.toLowerCase(Locale.ROOT), hostname(paths));
            }
        }
        throw new IllegalStateException("no host identity: none of " + paths.machineId() + ", " + paths.dbusMachineId()
                + ", " + paths.dmiProductUuid() + " holds an id (run systemd-machine-id-setup)");
    }

    private static String hostname(HostPaths paths) {
        String name = readTrimmed(paths.hostname());
        if (name != null && !name.isEmpty()) {
            return name;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return null;
        }
    }

    private static String readTrimmed(Path p) {
        try {
            return Files.isReadable(p) ? Files.readString(p).trim() : null;
        } catch (IOException e) {
            return null;
        }
    }
}
