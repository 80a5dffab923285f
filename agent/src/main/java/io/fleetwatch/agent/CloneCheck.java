package io.fleetwatch.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Detects a cloned image: the state directory remembers the machine-id and the MACs it was first seen with. The same
 * machine-id with none of those MACs means the disk was copied to another machine (or every NIC was replaced): two
 * hosts may now report under one host_id, so samples carry {@code clone_suspected} until an operator runs
 * {@code systemd-machine-id-setup} on the clone (new id) or removes the state file (accepting the new MACs).
 */
public final class CloneCheck {
    private static final Logger LOG = LoggerFactory.getLogger(CloneCheck.class);

    private CloneCheck() {}

    public static boolean suspected(Path stateDir, String hostId, Set<String> macs) {
        Path file = stateDir.resolve("identity");
        try {
            Files.createDirectories(stateDir);
            if (Files.exists(file)) {
                String[] lines = Files.readString(file).split("\n");
                SortedSet<String> known = new TreeSet<>();
                for (int i = 1; i < lines.length; i++) {
                    if (!lines[i].isBlank()) {
                        known.add(lines[i].trim());
                    }
                }
                if (lines[0].trim().equals(hostId) && !known.isEmpty() && !macs.isEmpty()
                        && known.stream().noneMatch(macs::contains)) {
                    LOG.warn("machine-id {} was first seen with MACs {} and now runs with {}: this looks like a cloned"
                            + " image; run systemd-machine-id-setup on the clone, or remove {} if the NICs were"
                            + " replaced", hostId, known, macs, file);
                    return true;
                }
            }
            Files.writeString(file, hostId + "\n" + String.join("\n", new TreeSet<>(macs)) + "\n");
            return false;
        } catch (IOException e) {
            LOG.warn("cannot check for a cloned image in {}: {}", file, e.getMessage());
            return false;
        }
    }
}
