package io.fleetwatch.procfs;

/** Rounding and clamping of the metrics' percentages and rates. */
public final class Percent {
    private Percent() {}

    public static double round2(double v) {
        return Math.round(v * 100.0) / 100.0;
    }

    public static double clamp(double v) {
        return Double.isFinite(v) ? Math.max(0.0, Math.min(100.0, v)) : 0.0;
    }
}
