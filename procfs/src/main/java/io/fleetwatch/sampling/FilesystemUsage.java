package io.fleetwatch.sampling;

import java.util.Objects;

/**
 * One mounted file system's usage: as read (a {@link ExtraReading}) and, rounded and clamped, as sampled
 * ({@link ExtraMetrics}).
 *
 * @param mount        the mount point
 * @param usagePercent used / (used + available), as {@code df} prints it
 * @param sizeBytes    the file system's size
 */
public record FilesystemUsage(String mount, double usagePercent, long sizeBytes) {
    public FilesystemUsage {
        Objects.requireNonNull(mount, "mount");
        if (sizeBytes < 0) {
            throw new IllegalArgumentException("sizeBytes must be >= 0, not " + sizeBytes);
        }
    }
}
