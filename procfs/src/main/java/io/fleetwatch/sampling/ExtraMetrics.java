package io.fleetwatch.sampling;

import java.util.List;

/**
 * The metrics beyond the contract's first eight, as the {@link Sampler} gives them: disk MB/s a rate between two
 * readings (10⁶ bytes per second), everything rounded to two decimals and clamped to {@link Sampler}'s bounds. A
 * metric the host does not have is null. Named as the metric catalog names them: {@code load_avg_1},
 * {@code load_avg_5}, {@code load_avg_15}, {@code swap_usage}, {@code disk_read_mbps}, {@code disk_write_mbps},
 * {@code cpu_temperature}, {@code gpu_memory_usage}, {@code gpu_temperature}, {@code process_count}, and the
 * per-mount {@code filesystems}.
 */
public record ExtraMetrics(Double loadAvg1, Double loadAvg5, Double loadAvg15, Double swapUsage, Double diskReadMbps,
                           Double diskWriteMbps, Double cpuTemperature, Double gpuMemoryUsage, Double gpuTemperature,
                           Integer processCount, List<FilesystemUsage> filesystems) {
    public ExtraMetrics {
        filesystems = filesystems == null ? null : List.copyOf(filesystems);
    }
}
