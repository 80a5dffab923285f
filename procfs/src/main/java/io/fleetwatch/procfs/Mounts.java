package io.fleetwatch.procfs;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * /proc/mounts: the file systems whose usage is worth reporting, one entry per device. Left out:
 * <ul>
 * <li>pseudo and memory file systems (proc, sysfs, cgroup, devtmpfs, tmpfs, ...): no disk behind them;</li>
 * <li>overlay (a container's root: its upper directory is on a disk that is listed) and squashfs (read-only images,
 * always full);</li>
 * <li>network file systems (nfs, cifs, sshfs, ...): statvfs blocks while the server is unreachable, which would
 * stall the sample, and their usage is the server's;</li>
 * <li>a device mounted again (bind mounts, btrfs subvolumes of one device): the first mount point counts, as in
 * {@code df}.</li>
 * </ul>
 */
public final class Mounts {
    private Mounts() {}

    /** A mounted file system: mount point unescaped (\040 is a space). */
    public record Mount(String device, String mountPoint, String type) {}

    static final Set<String> LEFT_OUT = Set.of(
            "proc", "sysfs", "devtmpfs", "devpts", "tmpfs", "ramfs", "cgroup", "cgroup2", "securityfs", "debugfs",
            "tracefs", "pstore", "bpf", "configfs", "fusectl", "mqueue", "hugetlbfs", "autofs", "binfmt_misc",
            "rpc_pipefs", "nsfs", "efivarfs", "selinuxfs", "nfsd", "overlay", "squashfs", "fuse.gvfsd-fuse",
            "fuse.portal", "fuse.lxcfs",
            "nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "afs", "ceph", "glusterfs", "fuse.sshfs", "9p",
            "fuse.rclone", "lustre", "gpfs");

    /** The mounts to report, in /proc/mounts order. */
    public static List<Mount> real(String procMounts) {
        List<Mount> out = new ArrayList<>();
        Set<String> devices = new HashSet<>();
        for (String line : procMounts.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 3 || LEFT_OUT.contains(f[2])) {
                continue;
            }
            if (devices.add(f[0])) {
                out.add(new Mount(unescape(f[0]), unescape(f[1]), f[2]));
            }
        }
        return out;
    }

    /** The kernel writes space, tab, newline and backslash in a mount line as octal escapes (\040 ...). */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && isOctal(s, i + 1)) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }
}
