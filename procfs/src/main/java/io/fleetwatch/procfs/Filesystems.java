package io.fleetwatch.procfs;

import io.fleetwatch.sampling.FilesystemUsage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-mount file-system usage where statvfs cannot be called (the SSH collector): the mounts {@link Mounts} keeps,
 * each with its line of {@code df -P -k}. A kept mount that df did not print (df run with {@code -l} skips some) is
 * left out.
 */
public final class Filesystems {
    private Filesystems() {}

    public static List<FilesystemUsage> fromDf(String procMounts, String dfPk) {
        Map<String, Df.Row> byMount = new HashMap<>();
        for (Df.Row r : Df.rows(dfPk)) {
            byMount.put(r.mount(), r);
        }
        List<FilesystemUsage> out = new ArrayList<>();
        for (Mounts.Mount m : Mounts.real(procMounts)) {
            Df.Row r = byMount.get(m.mountPoint());
            if (r != null) {
                out.add(new FilesystemUsage(m.mountPoint(), r.capacity(), r.totalKib() * 1024));
            }
        }
        return out;
    }
}
