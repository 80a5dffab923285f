package io.fleetwatch.sampling;

import io.fleetwatch.procfs.NvidiaSmi;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One source per metric of a host; each may be any implementation (OSHI, /proc, ...). {@link #read} takes one
 * {@link Reading} from all of them for the {@link Sampler}. A source of a metric the host may lack (swap, a CPU
 * sensor, a GPU) reads null for "none"; the others must read a value.
 *
 * @param networkBytes   {received, sent}, summed over every interface but loopback
 * @param gpu            utilisation, memory and temperature of the GPUs in one read; null or {@code Gpus.NONE} where
 *                       there is no GPU
 * @param loadAverage    {1, 5, 15}-minute load averages
 * @param diskBytes      {read, written} bytes of the whole disks, counters
 * @param filesystems    per-mount usage of the real file systems
 */
public record Sources(Source<long[]> cpuTicks, Source<Double> ramPercent, Source<Double> diskPercent,
                      Source<long[]> networkBytes, Source<NvidiaSmi.Gpus> gpu, Source<Long> uptimeSeconds,
                      Source<Integer> loggedInUsers, Source<double[]> loadAverage, Source<Double> swapPercent,
                      Source<long[]> diskBytes, Source<Double> cpuTemperature, Source<Integer> processCount,
                      Source<List<FilesystemUsage>> filesystems) {

    public Sources {
        Objects.requireNonNull(cpuTicks, "cpuTicks");
        Objects.requireNonNull(ramPercent, "ramPercent");
        Objects.requireNonNull(diskPercent, "diskPercent");
        Objects.requireNonNull(networkBytes, "networkBytes");
        Objects.requireNonNull(gpu, "gpu");
        Objects.requireNonNull(uptimeSeconds, "uptimeSeconds");
        Objects.requireNonNull(loggedInUsers, "loggedInUsers");
        Objects.requireNonNull(loadAverage, "loadAverage");
        Objects.requireNonNull(swapPercent, "swapPercent");
        Objects.requireNonNull(diskBytes, "diskBytes");
        Objects.requireNonNull(cpuTemperature, "cpuTemperature");
        Objects.requireNonNull(processCount, "processCount");
        Objects.requireNonNull(filesystems, "filesystems");
    }

    /** The first eight metrics only; the others read nothing. */
    public Sources(Source<long[]> cpuTicks, Source<Double> ramPercent, Source<Double> diskPercent,
                   Source<long[]> networkBytes, Source<NvidiaSmi.Gpus> gpu, Source<Long> uptimeSeconds,
                   Source<Integer> loggedInUsers) {
        this(cpuTicks, ramPercent, diskPercent, networkBytes, gpu, uptimeSeconds, loggedInUsers, notRead(),
                notRead(), notRead(), notRead(), notRead(), notRead());
    }

    private static <T> Source<T> notRead() {
        return Source.of("not read", () -> null);
    }

    /**
     * Each source by the short name of what it reads (cpu, memory, disk, network, gpu, uptime, users, load, swap,
     * diskio, temperature, processes, filesystems).
     */
    public Map<String, Source<?>> byName() {
        Map<String, Source<?>> m = new LinkedHashMap<>();
        m.put("cpu", cpuTicks);
        m.put("memory", ramPercent);
        m.put("disk", diskPercent);
        m.put("network", networkBytes);
        m.put("gpu", gpu);
        m.put("uptime", uptimeSeconds);
        m.put("users", loggedInUsers);
        m.put("load", loadAverage);
        m.put("swap", swapPercent);
        m.put("diskio", diskBytes);
        m.put("temperature", cpuTemperature);
        m.put("processes", processCount);
        m.put("filesystems", filesystems);
        return m;
    }

    /** All sources once; {@code nanos} is the reading's time. A failing source names itself in the exception. */
    public Reading read(long nanos) throws IOException {
        long[] bytes = get("network", networkBytes);
        NvidiaSmi.Gpus gpus = getOrNull("gpu", gpu);
        if (gpus == null) {
            gpus = NvidiaSmi.Gpus.NONE;
        }
        double[] load = getOrNull("load", loadAverage);
        long[] io = getOrNull("diskio", diskBytes);
        ExtraReading extra = new ExtraReading(load == null ? null : load[0], load == null ? null : load[1],
                load == null ? null : load[2], getOrNull("swap", swapPercent), io == null ? null : io[0],
                io == null ? null : io[1], getOrNull("temperature", cpuTemperature), gpus.memoryPercent(),
                gpus.temperature(), getOrNull("processes", processCount), getOrNull("filesystems", filesystems));
        return new Reading(nanos, get("cpu", cpuTicks), get("memory", ramPercent), get("disk", diskPercent),
                bytes[0], bytes[1], gpus.utilisation(), get("uptime", uptimeSeconds), get("users", loggedInUsers),
                extra);
    }

    private static <T> T get(String name, Source<T> source) throws IOException {
        return Objects.requireNonNull(getOrNull(name, source),
                () -> name + " (" + source.describe() + ") read nothing");
    }

    private static <T> T getOrNull(String name, Source<T> source) throws IOException {
        try {
            return source.read();
        } catch (IOException | RuntimeException e) {
            throw new IOException(name + " (" + source.describe() + ") failed: " + e.getMessage(), e);
        }
    }
}
