package io.fleetwatch.agent.collect;

import io.fleetwatch.procfs.Df;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code disk_percent} of one mount point as {@code df} prints it: used / (used + available), rounded up, where
 * used = total − free and available excludes the blocks reserved for root (statvfs via the JDK's FileStore).
 */
public final class DiskCollector implements Collector {
    private final Path mount;

    public DiskCollector(Path mount) {
        this.mount = mount;
    }

    @Override
    public String name() {
        return "disk";
    }

    @Override
    public void collect(Reading r) throws IOException {
        FileStore fs = Files.getFileStore(mount);
        r.diskPercent = Df.percent(fs.getTotalSpace(), fs.getUnallocatedSpace(), fs.getUsableSpace());
    }
}
