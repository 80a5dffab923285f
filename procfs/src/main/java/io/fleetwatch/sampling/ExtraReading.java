package io.fleetwatch.sampling;

import java.util.List;

/**
 * The metrics beyond the contract's first eight, as one host's sources gave them at one moment (a part of a
 * {@link Reading}): counters for the disk rates, gauges as read. Each is null where the host has no such source (no
 * swap, no CPU sensor, no GPU) or where the reader does not read it.
 *
 * @param loadAvg1       1-minute load average (5 and 15 likewise)
 * @param swapPercent    swap in use, %
 * @param diskReadBytes  bytes read by the whole disks, a counter ({@code diskWriteBytes} likewise)
 * @param cpuTemperature CPU package temperature, °C
 * @param gpuMemoryPercent GPU memory in use over all GPUs, %
 * @param gpuTemperature the hottest GPU, °C
 * @param processCount   processes on the host
 * @param filesystems    per-mount usage of the real file systems; null when not read, empty when there are none
 */
public record ExtraReading(Double loadAvg1, Double loadAvg5, Double loadAvg15, Double swapPercent,
                           Long diskReadBytes, Long diskWriteBytes, Double cpuTemperature, Double gpuMemoryPercent,
                           Double gpuTemperature, Integer processCount, List<FilesystemUsage> filesystems) {

    /** Nothing read. */
    public static final ExtraReading NONE =
            new ExtraReading(null, null, null, null, null, null, null, null, null, null, null);

    public ExtraReading {
        filesystems = filesystems == null ? null : List.copyOf(filesystems);
    }
}
