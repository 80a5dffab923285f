package io.fleetwatch.sampling;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One source per metric of a host; each may be any implementation (OSHI, /proc, ...). {@link #read} takes one
 * {@link Reading} from all of them for the {@link Sampler}.
 *
 * @param networkBytes {received, sent}, summed over every interface but loopback
 * @param gpuPercent   reads null where there is no GPU
 */
public record Sources(Source<long[]> cpuTicks, Source<Double> ramPercent, Source<Double> diskPercent,
                      Source<long[]> networkBytes, Source<Double> gpuPercent, Source<Long> uptimeSeconds,
                      Source<Integer> loggedInUsers) {

    public Sources {
        Objects.requireNonNull(cpuTicks, "cpuTicks");
        Objects.requireNonNull(ramPercent, "ramPercent");
        Objects.requireNonNull(diskPercent, "diskPercent");
        Objects.requireNonNull(networkBytes, "networkBytes");
        Objects.requireNonNull(gpuPercent, "gpuPercent");
        Objects.requireNonNull(uptimeSeconds, "uptimeSeconds");
        Objects.requireNonNull(loggedInUsers, "loggedInUsers");
    }

    /** Each source by the short name of what it reads (cpu, memory, disk, network, gpu, uptime, users). */
    public Map<String, Source<?>> byName() {
        Map<String, Source<?>> m = new LinkedHashMap<>();
        m.put("cpu", cpuTicks);
        m.put("memory", ramPercent);
        m.put("disk", diskPercent);
        m.put("network", networkBytes);
        m.put("gpu", gpuPercent);
        m.put("uptime", uptimeSeconds);
        m.put("users", loggedInUsers);
        return m;
    }

    /** All sources once; {@code nanos} is the reading's time. A failing source names itself in the exception. */
    public Reading read(long nanos) throws IOException {
        long[] bytes = get("network", networkBytes);
        return new Reading(nanos, get("cpu", cpuTicks), get("memory", ramPercent), get("disk", diskPercent),
                bytes[0], bytes[1], getOrNull("gpu", gpuPercent), get("uptime", uptimeSeconds),
                get("users", loggedInUsers));
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
