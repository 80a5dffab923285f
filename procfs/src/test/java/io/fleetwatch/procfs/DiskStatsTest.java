package io.fleetwatch.procfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * /proc/diskstats captured on the development VM before and after writing 64 MiB with fsync, and a host with
 * partitions, LVM, RAID, loop, zram, an SD card and an optical drive.
 */
class DiskStatsTest {
    @Test
    void bytesOfTheWholeDisksOnly() {
        // vda alone: loop0..7 and zram0 do not count
        assertThat(DiskStats.bytes(Fixtures.read("diskio/diskstats.1"))).containsExactly(1902610L * 512, 3526600L * 512);
        long[] after = DiskStats.bytes(Fixtures.read("diskio/diskstats.2"));
        long[] before = DiskStats.bytes(Fixtures.read("diskio/diskstats.1"));
        assertThat(after[1] - before[1]).as("the 64 MiB written, plus the file system's own").isEqualTo(131112L * 512)
                .isGreaterThan(64L << 20);
    }

    @Test
    void partitionsLayeredDevicesLoopAndMemoryDisksAreLeftOut() {
        // counted: nvme0n1, nvme0n10 (a namespace, not a partition), sda, mmcblk0, sr0
        assertThat(DiskStats.bytes(Fixtures.read("diskio/diskstats-layered"))).containsExactly(
                (12086634L + 2000 + 401962 + 8400 + 2056) * 512, (21034176L + 1000 + 90432) * 512);
    }

    @Test
    void theKernelsPartitionNaming() {
        Set<String> all = Set.of("sda", "sda1", "sdaa", "nvme0n1", "nvme0n1p1", "nvme0n10", "mmcblk0", "mmcblk0p1",
                "xvda", "xvda1", "vda");
        assertThat(DiskStats.isPartition("sda1", all)).isTrue();
        assertThat(DiskStats.isPartition("sdaa", all)).isFalse();
        assertThat(DiskStats.isPartition("nvme0n1p1", all)).isTrue();
        assertThat(DiskStats.isPartition("nvme0n10", all)).isFalse();
        assertThat(DiskStats.isPartition("mmcblk0p1", all)).isTrue();
        assertThat(DiskStats.isPartition("xvda1", all)).isTrue();
        assertThat(DiskStats.isPartition("vda", all)).isFalse();
        assertThat(DiskStats.counted("dm-0", all)).isFalse();
        assertThat(DiskStats.counted("md127", all)).isFalse();
    }
}
