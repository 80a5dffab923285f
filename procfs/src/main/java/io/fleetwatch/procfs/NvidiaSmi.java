package io.fleetwatch.procfs;

import java.util.List;

/** {@code nvidia-smi --query-gpu=utilization.gpu --format=csv,noheader,nounits}: one line per GPU. */
public final class NvidiaSmi {
    private NvidiaSmi() {}

    public static final List<String> QUERY = List.of("--query-gpu=utilization.gpu", "--format=csv,noheader,nounits");

    /** Mean over the GPUs that report; null when none does (no GPU: null, never 0). "[N/A]" lines are left out. */
    public static Double meanUtilisation(String output) {
        double sum = 0;
        int n = 0;
        for (String line : output.split("\n")) {
            String v = line.trim();
            if (v.isEmpty() || v.startsWith("[")) {
                continue;
            }
            sum += Double.parseDouble(v);
            n++;
        }
        return n == 0 ? null : sum / n;
    }
}
