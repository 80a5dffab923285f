package io.fleetwatch.bench;

import io.fleetwatch.messages.Metric;
import io.fleetwatch.messages.MetricCatalog;
import io.fleetwatch.messages.MetricsMessage;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * Values for every metric of the catalog that a benchmark's sample does not set itself, so the benchmarks carry,
 * store and chart what a current agent sends (a new catalog entry is generated with no change here): uniform in the
 * lower part of the metric's range (at most 100 wide), two decimals; the GPU's others only where the host has a GPU;
 * two mounted filesystems.
 */
final class CatalogValues {
    private CatalogValues() {}

    /** {@code base} with every metric of the catalog it lacks. */
    static MetricsMessage.Metrics fill(MetricsMessage.Metrics base, Random r) {
        Map<String, Number> v = new HashMap<>(base.values());
        boolean gpu = base.gpuPercent() != null;
        for (Metric m : MetricCatalog.DEFAULT.all()) {
            if (m.derived() || v.containsKey(m.name()) || (!gpu && m.name().startsWith("gpu_"))) {
                continue;
            }
            double span = Math.min(100, m.max() - Math.max(0, m.min()));
            double x = Math.max(0, m.min()) + r.nextDouble() * span;
            v.put(m.name(), switch (m.type()) {
                case DOUBLE -> Math.round(x * 100) / 100.0;
                case LONG -> (long) x;
                case INT -> (int) x;
            });
        }
        return new MetricsMessage.Metrics(v, List.of(
                new MetricsMessage.Filesystem("/", Math.round(r.nextDouble() * 9000) / 100.0, 100.0),
                new MetricsMessage.Filesystem("/home", Math.round(r.nextDouble() * 9000) / 100.0, 1000.0)));
    }

    /** The catalog's metrics after the contract's first eight, in catalog order (for {@link #sqlValues}). */
    static List<String> sqlColumns() {
        return MetricCatalog.DEFAULT.all().subList(8, MetricCatalog.DEFAULT.size()).stream().map(Metric::name).toList();
    }

    /** SQL expressions, one per {@link #sqlColumns} entry, that generate such values in a set-returning INSERT. */
    static String sqlValues() {
        return MetricCatalog.DEFAULT.all().subList(8, MetricCatalog.DEFAULT.size()).stream().map(m -> {
            double lo = Math.max(0, m.min());
            double span = Math.min(100, m.max() - lo);
            return m.type() == Metric.Type.DOUBLE ? "round((" + lo + " + random() * " + span + ")::numeric, 2)"
                    : "floor(" + lo + " + random() * " + span + ")::" + m.type().sql();
        }).collect(Collectors.joining(", "));
    }
}
