package io.fleetwatch.procfs;

import java.util.HashSet;
import java.util.Set;

/**
 * /proc/diskstats: bytes read and written by the whole disks, counters (MB/s between two readings is the sampling
 * core's). Sectors there are always 512 bytes, whatever the device's own sector size. Counted: every device but
 * <ul>
 * <li>partitions (their I/O is already in their disk's line), told by the kernel's naming rule: a disk's name, "p"
 * if that name ends in a digit, and a number (sda → sda1, nvme0n1 → nvme0n1p1, mmcblk0 → mmcblk0p1);</li>
 * <li>device-mapper and software RAID (dm-N: LVM, dm-crypt, multipath; mdN): layered on disks that are counted,
 * so their I/O would count twice;</li>
 * <li>loop devices (their I/O goes to a file on a disk that is counted), ram and zram disks (memory, not disk
 * I/O), and floppies.</li>
 * </ul>
 */
public final class DiskStats {
    private DiskStats() {}

    static final int SECTOR = 512;

    /** {read, written} bytes summed over the whole disks. */
    public static long[] bytes(String diskstats) {
        String[] lines = diskstats.split("\n");
        String[] names = new String[lines.length];
        long[] read = new long[lines.length];
        long[] written = new long[lines.length];
        Set<String> all = new HashSet<>();
        for (int i = 0; i < lines.length; i++) {
            String[] f = lines[i].trim().split("\\s+");
            if (f.length >= 10) { // else blank, or not a device line
                names[i] = f[2];
                read[i] = Long.parseLong(f[5]);
                written[i] = Long.parseLong(f[9]);
                all.add(f[2]);
            }
        }
        long r = 0;
        long w = 0;
        for (int i = 0; i < lines.length; i++) {
            if (names[i] != null && counted(names[i], all)) {
                r += read[i] * SECTOR;
                w += written[i] * SECTOR;
            }
        }
        return new long[] {r, w};
    }

    private static final String[] LEFT_OUT = {"loop", "ram", "zram", "fd", "md", "dm-"};

    /** Whether {@code name} is a whole disk among the devices {@code all}. */
    static boolean counted(String name, Set<String> all) {
        for (String prefix : LEFT_OUT) {
            if (name.startsWith(prefix) && name.length() > prefix.length() && digits(name, prefix.length())) {
                return false;
            }
        }
        return !isPartition(name, all);
    }

    private static boolean digits(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            if (!Character.isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** The kernel names a partition disk + ("p" when the disk's name ends in a digit) + number. */
    static boolean isPartition(String name, Set<String> all) {
        int end = name.length();
        while (end > 0 && Character.isDigit(name.charAt(end - 1))) {
            end--;
        }
        if (end == name.length() || end == 0) {
            return false;
        }
        String disk = name.substring(0, end);
        if (all.contains(disk) && !Character.isDigit(disk.charAt(disk.length() - 1))) {
            return true; // sda1
        }
        return disk.endsWith("p") && disk.length() > 1 && Character.isDigit(disk.charAt(disk.length() - 2))
                && all.contains(disk.substring(0, disk.length() - 1)); // nvme0n1p1, mmcblk0p1
    }
}
