package io.fleetwatch.collector;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetwatch.messages.InventoryMessage;
import io.fleetwatch.messages.MessageCodec;
import io.fleetwatch.messages.SchemaVersion;
import io.fleetwatch.procfs.InventoryValues;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The collector's inventory of a host: one remote command (run at the first round and then every
 * {@link CollectorService.Settings#inventoryEvery()}), sections after {@code @@name} markers like
 * {@link RemoteScript}, parsed into an {@link InventoryMessage}. Each source is optional: a section that is empty
 * (file missing, tool absent, not readable without root) leaves its fields absent. DMI serials and the product UUID
 * under {@code /sys/class/dmi/id} are readable by root only, so an unprivileged login leaves them absent.
 */
public final class InventoryScript {
    private InventoryScript() {}

    /** The DMI files read, by the inventory field they fill. */
    static final List<String> DMI = List.of("sys_vendor", "product_name", "product_serial", "product_uuid",
            "board_vendor", "board_name", "board_serial", "bios_vendor", "bios_version", "bios_date");

    public static final String COMMAND = String.join("; ",
            "export LC_ALL=C",
            "echo @@cpuinfo", "cat /proc/cpuinfo 2>/dev/null",
            "echo @@meminfo", "cat /proc/meminfo 2>/dev/null",
            "echo @@lsblk", "lsblk -b -J -d -o NAME,MODEL,SERIAL,SIZE,TYPE 2>/dev/null",
            // without lsblk: the kernel's list, sizes in 512-byte sectors
            "echo @@sysblock", "for d in /sys/block/*; do [ -r \"$d/size\" ] && echo \"${d##*/} $(cat \"$d/size\")\"; done",
            "echo @@df", "df -PTkl 2>/dev/null",
            "echo @@net", "for i in /sys/class/net/*; do echo \"${i##*/} $(cat \"$i/address\" 2>/dev/null)\"; done",
            "echo @@osrelease", "cat /etc/os-release 2>/dev/null",
            "echo @@kernel", "uname -r",
            "echo @@dmi", "for f in " + String.join(" ", DMI) + "; do echo \"$f=$(cat /sys/class/dmi/id/$f 2>/dev/null)\"; done",
            "echo @@gpu", "command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi --query-gpu=name,memory.total"
                    + " --format=csv,noheader,nounits",
            "echo @@machineid", "cat /etc/machine-id 2>/dev/null",
            "echo @@hostname", "hostname",
            "echo @@end");

    /** The inventory in one run's output, for the host named by {@code systemId} or by its machine-id. */
    static InventoryMessage parse(String output, Long systemId, String fallbackHostId, Instant at) {
        Map<String, String> s = RemoteScript.marked(output);
        String machineId = s.getOrDefault("machineid", "").trim();
        String hostId = machineId.length() >= 8 ? machineId : systemId == null ? fallbackHostId : null;
        String hostname = InventoryValues.clean(s.getOrDefault("hostname", ""));
        Map<String, String> dmi = keyValues(s.get("dmi"), '=');
        Map<String, String> os = keyValues(s.get("osrelease"), '=');
        String version = os.getOrDefault("VERSION", os.get("VERSION_ID"));
        return new InventoryMessage(SchemaVersion.CURRENT, systemId, hostId, hostname, at, null, null,
                cpu(s.get("cpuinfo")), memoryBytes(s.get("meminfo")), disks(s.get("lsblk"), s.get("sysblock")),
                filesystems(s.get("df")), nics(s.get("net")), gpus(s.get("gpu")),
                nullIfEmpty(new InventoryMessage.Os(clean(os.getOrDefault("NAME", os.get("PRETTY_NAME"))),
                        clean(version), clean(s.get("kernel")))),
                nullIfEmpty(new InventoryMessage.Hardware(dmi(dmi, "sys_vendor"), dmi(dmi, "product_name"),
                        dmi(dmi, "product_serial"), dmi(dmi, "product_uuid"), dmi(dmi, "board_vendor"),
                        dmi(dmi, "board_name"), dmi(dmi, "board_serial"))),
                nullIfEmpty(new InventoryMessage.Bios(dmi(dmi, "bios_vendor"), dmi(dmi, "bios_version"),
                        dmi(dmi, "bios_date"))));
    }

    /** {@code model name}, logical CPUs ({@code processor} entries), physical cores (distinct package and core ids). */
    static InventoryMessage.Cpu cpu(String cpuinfo) {
        if (cpuinfo == null || cpuinfo.isBlank()) {
            return null;
        }
        String model = null;
        int logical = 0;
        Set<String> cores = new HashSet<>();
        String pkg = "0";
        for (String line : cpuinfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String k = line.substring(0, colon).trim();
            String v = line.substring(colon + 1).trim();
            switch (k) {
                case "processor" -> logical++;
                case "model name", "Model", "cpu model" -> model = model == null ? v : model;
                case "physical id" -> pkg = v;
                case "core id" -> cores.add(pkg + ":" + v);
                default -> { }
            }
        }
        return nullIfEmpty(new InventoryMessage.Cpu(clean(model), cores.isEmpty() ? null : cores.size(),
                logical == 0 ? null : logical));
    }

    static Long memoryBytes(String meminfo) {
        for (String line : meminfo == null ? new String[0] : meminfo.split("\n")) {
            if (line.startsWith("MemTotal:")) {
                String[] f = line.substring(9).trim().split("\\s+");
                return Long.parseLong(f[0]) * 1024; // /proc/meminfo's kB are KiB
            }
        }
        return null;
    }

    /** Disks from {@code lsblk -J} (type {@code disk}), else from {@code /sys/block} (sizes in 512-byte sectors). */
    static List<InventoryMessage.Disk> disks(String lsblk, String sysblock) {
        Map<String, InventoryMessage.Disk> out = new LinkedHashMap<>();
        if (lsblk != null && !lsblk.isBlank()) {
            JsonNode devices;
            try {
                devices = MessageCodec.mapper().readTree(lsblk).path("blockdevices");
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("lsblk output is not JSON: " + e.getMessage(), e);
            }
            for (JsonNode d : devices) {
                String name = text(d, "name");
                if (name != null && "disk".equals(text(d, "type")) && !InventoryValues.isVirtualBlockDevice(name)) {
                    JsonNode size = d.path("size");
                    // lsblk writes sizes as numbers (util-linux 2.33+) or as strings (older)
                    Long bytes = size.isNumber() ? Long.valueOf(size.asLong()) : size.isTextual()
                            && size.asText().matches("\\d+") ? Long.valueOf(size.asText()) : null;
                    out.putIfAbsent(name, new InventoryMessage.Disk(name, clean(text(d, "model")),
                            clean(text(d, "serial")), bytes));
                }
            }
            return new ArrayList<>(out.values());
        }
        for (String line : sysblock == null ? new String[0] : sysblock.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 2 && f[1].matches("\\d+") && !InventoryValues.isVirtualBlockDevice(f[0])
                    && !f[0].startsWith("dm-") && !f[0].startsWith("md") && !f[0].startsWith("sr")) {
                out.putIfAbsent(f[0], new InventoryMessage.Disk(f[0], null, null, Long.parseLong(f[1]) * 512));
            }
        }
        return new ArrayList<>(out.values());
    }

    /** {@code df -PTkl}: file system, type, 1024-blocks, used, available, capacity, mount (may hold spaces). */
    static List<InventoryMessage.FileSystem> filesystems(String df) {
        Map<String, InventoryMessage.FileSystem> out = new LinkedHashMap<>();
        String[] lines = df == null ? new String[0] : df.split("\n");
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].trim().split("\\s+", 7);
            if (f.length < 7 || InventoryValues.isPseudoFileSystem(f[1]) || !f[2].matches("\\d+")) {
                continue;
            }
            out.putIfAbsent(f[6], new InventoryMessage.FileSystem(f[6], f[1], Long.parseLong(f[2]) * 1024));
        }
        return new ArrayList<>(out.values());
    }

    /** {@code name address} per interface, loopback left out; a placeholder MAC is dropped by the record. */
    static List<InventoryMessage.NetworkInterface> nics(String net) {
        List<InventoryMessage.NetworkInterface> out = new ArrayList<>();
        for (String line : net == null ? new String[0] : net.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f[0].isEmpty() || f[0].equals("lo") || f[0].equals("*")) {
                continue;
            }
            String mac = f.length > 1 && f[1].matches("([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}") ? f[1] : null;
            out.add(new InventoryMessage.NetworkInterface(f[0], mac));
        }
        return out;
    }

    /** {@code nvidia-smi --query-gpu=name,memory.total}: one line per GPU, memory in MiB; a second card of one model once. */
    static List<InventoryMessage.Gpu> gpus(String smi) {
        Map<String, InventoryMessage.Gpu> out = new LinkedHashMap<>();
        for (String line : smi == null ? new String[0] : smi.split("\n")) {
            int comma = line.lastIndexOf(',');
            if (comma < 0) {
                continue;
            }
            String name = clean(line.substring(0, comma));
            String mib = line.substring(comma + 1).trim();
            if (name != null) {
                out.putIfAbsent(name, new InventoryMessage.Gpu(name, "NVIDIA",
                        mib.matches("\\d+") ? Long.parseLong(mib) << 20 : null));
            }
        }
        return new ArrayList<>(out.values());
    }

    /** {@code KEY=value} lines; values in double or single quotes unquoted (os-release). */
    static Map<String, String> keyValues(String text, char sep) {
        Map<String, String> out = new HashMap<>();
        for (String line : text == null ? new String[0] : text.split("\n")) {
            int i = line.indexOf(sep);
            if (i <= 0) {
                continue;
            }
            String v = line.substring(i + 1).trim();
            if (v.length() >= 2 && (v.charAt(0) == '"' || v.charAt(0) == '\'') && v.charAt(v.length() - 1) == v.charAt(0)) {
                v = v.substring(1, v.length() - 1);
            }
            out.put(line.substring(0, i).trim(), v);
        }
        return out;
    }

    private static String dmi(Map<String, String> dmi, String file) {
        return clean(dmi.get(file));
    }

    private static String clean(String s) {
        return InventoryValues.clean(s);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** A part whose every field is absent is left out as a whole. */
    private static <T extends Record> T nullIfEmpty(T part) {
        for (var c : part.getClass().getRecordComponents()) {
            try {
                if (c.getAccessor().invoke(part) != null) {
                    return part;
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return null;
    }
}
