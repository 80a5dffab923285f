package io.fleetwatch.agent.collect;

import io.fleetwatch.agent.HostPaths;
import io.fleetwatch.procfs.Thermal;
import io.fleetwatch.sampling.Source;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * cpu_temperature from /sys/class/hwmon and /sys/class/thermal: the sensor files are listed and the CPU package
 * sensor chosen (procfs' {@code Thermal}) at the first read, then only its input file(s) are read each time; listed
 * again when one cannot be read (a driver reloaded). A host without a CPU sensor (most VMs) reads null.
 */
final class ThermalSource implements Source<Double> {
    private final HostPaths paths;
    private List<Path> inputs;

    ThermalSource(HostPaths paths) {
        this.paths = paths;
    }

    @Override
    public String describe() {
        return "/sys/class/hwmon, /sys/class/thermal";
    }

    @Override
    public Double read() throws IOException {
        if (inputs == null) {
            inputs = find();
        }
        try {
            return hottest(inputs);
        } catch (IOException e) {
            inputs = find();
            return hottest(inputs);
        }
    }

    private static Double hottest(List<Path> inputs) throws IOException {
        Double max = null;
        for (Path p : inputs) {
            Double c = Thermal.celsius(Files.readString(p));
            if (c != null && (max == null || c > max)) {
                max = c;
            }
        }
        return max;
    }

    /** Reads the name, label and type files the choice needs; inputs are only listed, not read. */
    private List<Path> find() {
        Map<String, String> files = new LinkedHashMap<>();
        collect(Thermal.HWMON, "hwmon", files, "name");
        collect(Thermal.THERMAL, "thermal_zone", files, "type");
        List<Path> out = new ArrayList<>();
        for (String p : Thermal.cpuSensors(files)) {
            out.add(paths.host(p));
        }
        return out;
    }

    private void collect(String dir, String prefix, Map<String, String> files, String nameFile) {
        String[] devices = paths.host(dir).toFile().list();
        if (devices == null) {
            return;
        }
        for (String d : devices) {
            if (!d.startsWith(prefix)) {
                continue;
            }
            String base = dir + d + "/";
            String[] entries = paths.host(base).toFile().list();
            if (entries == null) {
                continue;
            }
            for (String e : entries) {
                if (e.equals(nameFile) || (e.startsWith("temp") && e.endsWith("_label"))) {
                    files.put(base + e, readOrEmpty(paths.host(base + e).toFile()));
                } else if (e.equals("temp") || (e.startsWith("temp") && e.endsWith("_input"))) {
                    files.put(base + e, "");
                }
            }
        }
    }

    private static String readOrEmpty(File f) {
        try {
            return Files.readString(f.toPath());
        } catch (IOException e) {
            return ""; // a sensor whose label cannot be read is not chosen
        }
    }
}
