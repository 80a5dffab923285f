package io.fleetwatch.procfs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * cpu_temperature from the kernel's sensor files, keyed by path: {@code /sys/class/hwmon/hwmonN/{name,tempK_label,
 * tempK_input}} and {@code /sys/class/thermal/thermal_zoneN/{type,temp}}, values in millidegrees Celsius. The CPU
 * package sensor, the first kind found in this order:
 * <ol>
 * <li>hwmon {@code coretemp} (Intel), the "Package id N" inputs: the hottest package;</li>
 * <li>hwmon {@code k10temp} (AMD): "Tdie" where present, else "Tctl" (on some Zen parts Tctl carries a fan-control
 * offset of 10 to 27 °C over the die);</li>
 * <li>hwmon {@code k10temp} without labels (kernels before 5.6) or {@code cpu_thermal} (Raspberry Pi and other ARM
 * boards): its temp1;</li>
 * <li>thermal zone {@code x86_pkg_temp}, then {@code cpu_thermal} / {@code cpu-thermal}: the hottest such zone.</li>
 * </ol>
 * ACPI zones ({@code acpitz}), drive, GPU and board sensors are not the CPU and never count. None found: null (a VM
 * usually has none), never 0. A sensor that reads 0 or less is broken and left out.
 */
public final class Thermal {
    private Thermal() {}

    public static final String HWMON = "/sys/class/hwmon/";
    public static final String THERMAL = "/sys/class/thermal/";
    /** The hwmon drivers and thermal-zone types that can be the CPU package sensor; no other is read. */
    public static final List<String> CPU_HWMON = List.of("coretemp", "k10temp", "cpu_thermal");
    public static final List<String> CPU_ZONES = List.of("x86_pkg_temp", "cpu_thermal", "cpu-thermal");

    /**
     * The input files of the CPU package sensor(s) among {@code files} (path → content of the name/label/type files;
     * inputs need only be present as keys), empty when there is none. The agent finds them once and then reads only
     * these.
     */
    public static List<String> cpuSensors(Map<String, String> files) {
        Map<String, String> hwmonByName = new LinkedHashMap<>(); // hwmon dir -> driver name
        Map<String, String> zoneByType = new LinkedHashMap<>(); // zone dir -> type
        for (Map.Entry<String, String> e : files.entrySet()) {
            String p = e.getKey();
            if (p.startsWith(HWMON) && p.endsWith("/name")) {
                hwmonByName.put(dir(p), e.getValue().trim());
            } else if (p.startsWith(THERMAL) && p.endsWith("/type")) {
                zoneByType.put(dir(p), e.getValue().trim());
            }
        }
        List<String> found = labelled(files, hwmonByName, "coretemp", "Package id");
        if (found.isEmpty()) {
            found = labelled(files, hwmonByName, "k10temp", "Tdie");
        }
        if (found.isEmpty()) {
            found = labelled(files, hwmonByName, "k10temp", "Tctl");
        }
        if (found.isEmpty()) {
            for (Map.Entry<String, String> h : hwmonByName.entrySet()) {
                String input = h.getKey() + "/temp1_input";
                // k10temp before kernel 5.6 labels nothing: its temp1 is Tctl
                if ((h.getValue().equals("k10temp") || h.getValue().equals("cpu_thermal"))
                        && files.containsKey(input)) {
                    found.add(input);
                }
            }
        }
        for (String type : CPU_ZONES) {
            if (!found.isEmpty()) {
                break;
            }
            for (Map.Entry<String, String> z : zoneByType.entrySet()) {
                String input = z.getKey() + "/temp";
                if (z.getValue().equals(type) && files.containsKey(input)) {
                    found.add(input);
                }
            }
        }
        return found;
    }

    /** The hottest of the chosen sensors in °C, null when none was chosen or none reads. */
    public static Double cpuCelsius(Map<String, String> files) {
        Double max = null;
        for (String input : cpuSensors(files)) {
            Double c = celsius(files.get(input));
            if (c != null && (max == null || c > max)) {
                max = c;
            }
        }
        return max;
    }

    /** One input file's content (millidegrees) in °C; null when empty or not above 0 (a broken sensor). */
    public static Double celsius(String millidegrees) {
        if (millidegrees == null || millidegrees.isBlank()) {
            return null;
        }
        long m = Long.parseLong(millidegrees.trim());
        return m <= 0 ? null : m / 1000.0;
    }

    /**
     * The output of {@code grep -H . FILES}, one "path:content" line per file (each of these files holds one line),
     * as a path → content map: how the SSH collector reads them all in one command.
     */
    public static Map<String, String> fromGrep(String grepH) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : grepH.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                out.put(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        return out;
    }

    private static List<String> labelled(Map<String, String> files, Map<String, String> hwmonByName, String driver,
                                         String labelPrefix) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, String> h : hwmonByName.entrySet()) {
            if (!h.getValue().equals(driver)) {
                continue;
            }
            for (Map.Entry<String, String> f : files.entrySet()) {
                String p = f.getKey();
                if (p.startsWith(h.getKey() + "/temp") && p.endsWith("_label")
                        && f.getValue().trim().startsWith(labelPrefix)) {
                    String input = p.substring(0, p.length() - "_label".length()) + "_input";
                    if (files.containsKey(input)) {
                        out.add(input);
                    }
                }
            }
        }
        return out;
    }

    private static String dir(String path) {
        return path.substring(0, path.lastIndexOf('/'));
    }
}
