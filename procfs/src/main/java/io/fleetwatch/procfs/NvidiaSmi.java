package io.fleetwatch.procfs;

import java.util.List;

/**
 * {@code nvidia-smi --query-gpu=utilization.gpu,memory.used,memory.total,temperature.gpu --format=csv,noheader,nounits}:
 * one line per GPU, "45, 1021, 16384, 38" (MiB, °C). A field the GPU does not support reads "[N/A]" (or "[Not
 * Supported]" on older drivers) and is left out. A line with only the first field (the older query) still gives the
 * utilisation.
 */
public final class NvidiaSmi {
    private NvidiaSmi() {}

    public static final List<String> QUERY = List.of(
            "--query-gpu=utilization.gpu,memory.used,memory.total,temperature.gpu", "--format=csv,noheader,nounits");

    /**
     * What the GPUs of a host report; each null when no GPU reports it.
     *
     * @param utilisation   mean utilisation over the GPUs that report one, %
     * @param memoryPercent memory used over memory total, summed over the GPUs that report both, % (as RAM: the
     *                      share of all GPU memory in use)
     * @param temperature   the hottest GPU, °C (a mean would hide one overheating card)
     */
    public record Gpus(Double utilisation, Double memoryPercent, Double temperature) {
        public static final Gpus NONE = new Gpus(null, null, null);
    }

    public static Gpus read(String output) {
        double utilSum = 0;
        int utilN = 0;
        long memUsed = 0;
        long memTotal = 0;
        Double hottest = null;
        for (String line : output.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(",");
            Double util = number(f, 0);
            if (util != null) {
                utilSum += util;
                utilN++;
            }
            Double used = number(f, 1);
            Double total = number(f, 2);
            if (used != null && total != null && total > 0) {
                memUsed += used.longValue();
                memTotal += total.longValue();
            }
            Double temp = number(f, 3);
            if (temp != null && (hottest == null || temp > hottest)) {
                hottest = temp;
            }
        }
        return new Gpus(utilN == 0 ? null : utilSum / utilN, memTotal == 0 ? null : 100.0 * memUsed / memTotal,
                hottest);
    }

    /** Mean over the GPUs that report; null when none does (no GPU: null, never 0). "[N/A]" lines are left out. */
    public static Double meanUtilisation(String output) {
        return read(output).utilisation();
    }

    private static Double number(String[] fields, int i) {
        if (i >= fields.length) {
            return null;
        }
        String v = fields[i].trim();
        return v.isEmpty() || v.startsWith("[") ? null : Double.parseDouble(v);
    }
}
