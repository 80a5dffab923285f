package io.fleetwatch.agent.collect;

import io.fleetwatch.messages.Bounds;
import io.fleetwatch.messages.InventoryMessage;
import io.fleetwatch.messages.SchemaVersion;
import io.fleetwatch.procfs.InventoryValues;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import oshi.SystemInfo;
import oshi.hardware.Baseboard;
import oshi.hardware.CentralProcessor;
import oshi.hardware.ComputerSystem;
import oshi.hardware.Firmware;
import oshi.hardware.GraphicsCard;
import oshi.hardware.HWDiskStore;
import oshi.hardware.HardwareAbstractionLayer;
import oshi.hardware.NetworkIF;
import oshi.software.os.OSFileStore;
import oshi.software.os.OperatingSystem;

/**
 * This host's hardware and OS inventory through OSHI ({@link HardwareAbstractionLayer}: processor, memory, disks,
 * network interfaces, graphics cards, computer system with baseboard and firmware; {@link OperatingSystem}: name,
 * version, kernel, file systems).
 *
 * <p>On Linux OSHI reads the DMI fields from {@code /sys/class/dmi/id}; {@code product_serial},
 * {@code product_uuid} and {@code board_serial} are readable by root only, so an agent that does not run as root
 * sends {@code hardware.serial}, {@code hardware.uuid} and {@code hardware.board_serial} as absent (OSHI falls back
 * to {@code dmidecode} and {@code lshw}, which need root too). OSHI's "unknown" and blank answers become absent;
 * file systems without data of their own (tmpfs, overlay, squashfs …) and loop devices are left out
 * ({@link InventoryValues}, shared with the SSH collector).
 */
public final class OshiInventory {
    private final SystemInfo si;

    public OshiInventory(SystemInfo si) {
        this.si = si;
    }

    /** This host's inventory, named by the agent's identity, collected {@code at}. */
    public InventoryMessage read(String hostId, String hostname, String ip, String mac, Instant at) {
        HardwareAbstractionLayer hw = si.getHardware();
        CentralProcessor p = hw.getProcessor();
        InventoryMessage.Cpu cpu = new InventoryMessage.Cpu(text(p.getProcessorIdentifier().getName()),
                positive(p.getPhysicalProcessorCount()), positive(p.getLogicalProcessorCount()));
        long memory = hw.getMemory().getTotal();

        // OSHI names Linux disks by device path (/dev/sda); the contract by kernel name (sda), as lsblk does
        List<InventoryMessage.Disk> disks = unique(hw.getDiskStores().stream()
                        .filter(d -> !InventoryValues.isVirtualBlockDevice(diskName(d))).toList(), OshiInventory::diskName,
                d -> new InventoryMessage.Disk(diskName(d), text(d.getModel()), text(d.getSerial()),
                        nonNegative(d.getSize())));
        OperatingSystem os = si.getOperatingSystem();
        List<InventoryMessage.FileSystem> filesystems = unique(os.getFileSystem().getFileStores(true).stream()
                        .filter(f -> !InventoryValues.isPseudoFileSystem(f.getType())).toList(),
                OSFileStore::getMount,
                f -> new InventoryMessage.FileSystem(f.getMount(), text(f.getType()), nonNegative(f.getTotalSpace())));
        List<InventoryMessage.NetworkInterface> nics = unique(hw.getNetworkIFs(false).stream()
                        .filter(n -> n.getIfType() != 772 && !"lo".equals(n.getName())).toList(), NetworkIF::getName,
                n -> new InventoryMessage.NetworkInterface(n.getName(), mac(n.getMacaddr())));
        List<InventoryMessage.Gpu> gpus = unique(hw.getGraphicsCards(), GraphicsCard::getName,
                g -> new InventoryMessage.Gpu(g.getName(), text(g.getVendor()), g.getVRam() > 0 ? g.getVRam() : null));

        OperatingSystem.OSVersionInfo v = os.getVersionInfo();
        InventoryMessage.Os osInfo = new InventoryMessage.Os(text(os.getFamily()), text(v.getVersion()),
                text(v.getBuildNumber()));
        ComputerSystem cs = hw.getComputerSystem();
        Baseboard board = cs.getBaseboard();
        InventoryMessage.Hardware machine = new InventoryMessage.Hardware(text(cs.getManufacturer()),
                text(cs.getModel()), text(cs.getSerialNumber()), text(cs.getHardwareUUID()),
                text(board.getManufacturer()), text(board.getModel()), text(board.getSerialNumber()));
        Firmware fw = cs.getFirmware();
        InventoryMessage.Bios bios = new InventoryMessage.Bios(text(fw.getManufacturer()), text(fw.getVersion()),
                text(fw.getReleaseDate()));
        return new InventoryMessage(SchemaVersion.CURRENT, null, hostId, hostname, at, ip, mac, cpu,
                memory > 0 ? memory : null, disks, filesystems, nics, gpus, osInfo, machine, bios);
    }

    /** OSHI's "unknown", DMI's templates and blank answers: absent ({@link InventoryValues#clean}). */
    static String text(String s) {
        return InventoryValues.clean(s);
    }

    static String diskName(HWDiskStore d) {
        return d.getName() == null ? null : d.getName().replaceFirst("^/dev/", "");
    }

    private static String mac(String s) {
        return s != null && s.matches("([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}") ? s : null;
    }

    private static Integer positive(int n) {
        return n > 0 && n <= Bounds.INVENTORY_CORES_MAX ? n : null;
    }

    private static Long nonNegative(long n) {
        return n >= 0 && n <= Bounds.INVENTORY_BYTES_MAX ? n : null;
    }

    /**
     * One entry per key (a bind mount or a second card of one model listed once), entries without a usable key left
     * out, at most {@link Bounds#INVENTORY_LIST_MAX}.
     */
    static <S, T> List<T> unique(List<S> from, Function<S, String> key, Function<S, T> to) {
        Map<String, T> out = new LinkedHashMap<>();
        for (S s : from) {
            String k = key.apply(s);
            if (k == null || text(k) == null || !k.strip().equals(k) || k.length() > Bounds.INVENTORY_TEXT_MAX
                    || out.containsKey(k) || out.size() >= Bounds.INVENTORY_LIST_MAX) {
                continue;
            }
            out.put(k, to.apply(s));
        }
        return new ArrayList<>(out.values());
    }
}
