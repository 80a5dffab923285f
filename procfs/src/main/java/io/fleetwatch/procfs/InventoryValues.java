package io.fleetwatch.procfs;

import io.fleetwatch.messages.Bounds;
import java.util.Locale;
import java.util.Set;

/**
 * What the agent (through OSHI) and the collector (over SSH) leave out of a host's inventory, defined once: file
 * systems that hold no data of their own, and the placeholder texts firmware and tools answer when they do not know.
 */
public final class InventoryValues {
    private InventoryValues() {}

    /**
     * File system types that hold no data of their own (kernel, memory, container layers, snap images): left out, so
     * the inventory lists the host's storage and does not change with every container or snap.
     */
    public static final Set<String> PSEUDO_FILESYSTEMS = Set.of("tmpfs", "devtmpfs", "overlay", "squashfs", "proc",
            "sysfs", "cgroup", "cgroup2", "devpts", "mqueue", "debugfs", "tracefs", "securityfs", "pstore", "bpf",
            "autofs", "hugetlbfs", "fusectl", "configfs", "ramfs", "nsfs", "efivarfs", "binfmt_misc", "rpc_pipefs",
            "fuse.portal", "fuse.gvfsd-fuse", "none", "udev");

    /** Block devices that are no disk: loop files, RAM disks, compressed swap in RAM. */
    public static boolean isVirtualBlockDevice(String name) {
        return name.startsWith("loop") || name.startsWith("ram") || name.startsWith("zram");
    }

    public static boolean isPseudoFileSystem(String type) {
        return type == null || PSEUDO_FILESYSTEMS.contains(type.toLowerCase(Locale.ROOT));
    }

    /**
     * A value as the contract takes it: stripped; absent when blank, a placeholder ("unknown", DMI templates such as
     * "To Be Filled By O.E.M." or "Default string") or holding control characters; cut to
     * {@link Bounds#INVENTORY_TEXT_MAX}.
     */
    public static String clean(String s) {
        if (s == null) {
            return null;
        }
        String t = s.strip();
        String lower = t.toLowerCase(Locale.ROOT);
        if (t.isEmpty() || lower.equals("unknown") || lower.equals("default string") || lower.equals("none")
                || lower.startsWith("to be filled") || lower.equals("not specified") || lower.equals("n/a")
                || lower.equals("system serial number") || lower.equals("0123456789")
                || t.chars().anyMatch(Character::isISOControl)) {
            return null;
        }
        return t.length() <= Bounds.INVENTORY_TEXT_MAX ? t : t.substring(0, Bounds.INVENTORY_TEXT_MAX);
    }
}
