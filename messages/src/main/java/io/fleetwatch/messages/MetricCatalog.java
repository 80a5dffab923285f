package io.fleetwatch.messages;

import io.fleetwatch.messages.Metric.Kind;
import io.fleetwatch.messages.Metric.Rollup;
import io.fleetwatch.messages.Metric.Type;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one definition of every metric a sample carries (see messages/README.md, "Adding a metric"). The message
 * (validation, JSON), the {@code metrics} table's columns and rollups, the COPY of the consumer, alert rules and the
 * alert trigger, the API, the page's charts, the Grafana dashboard and the benchmarks' generators all follow this
 * list; {@code MetricCatalogCoverageIT} proves each covers every entry, and the consumer and the API refuse to start
 * on a database that lacks a column of it.
 *
 * <p>Order matters once: it is the order of the columns in {@code metrics} and its rollups (append only). The first
 * eight are the contract's original metrics (schema_version 1), the rest came with schema_version 2, all optional.
 */
public final class MetricCatalog {
    public static final String CPU_PERCENT = "cpu_percent";
    public static final String RAM_PERCENT = "ram_percent";
    public static final String DISK_PERCENT = "disk_percent";
    public static final String NETWORK_SENT_MBPS = "network_sent_mbps";
    public static final String NETWORK_RECV_MBPS = "network_recv_mbps";
    public static final String GPU_PERCENT = "gpu_percent";
    public static final String UPTIME_SECONDS = "uptime_seconds";
    public static final String LOGGED_IN_USERS = "logged_in_users";
    /** Derived: the fullest mounted filesystem of the sample's {@code filesystems} (per mount in {@code filesystem_metrics}). */
    public static final String FILESYSTEM_USAGE_MAX = "filesystem_usage_max";

    /** Largest 1-, 5- or 15-minute load average accepted: runnable tasks of a very large host, with room. */
    public static final double LOAD_MAX = 100_000;
    /** Temperatures in °C: below any cooled lab, above any part's shutdown point. */
    public static final double CELSIUS_MIN = -50;
    public static final double CELSIUS_MAX = 200;
    /** Processes on one host (Linux's pid_max is at most 4,194,304). */
    public static final int PROCESSES_MAX = 10_000_000;

    /** Every metric, in column order. */
    public static final MetricCatalog DEFAULT = new MetricCatalog(List.of(
            gauge(CPU_PERCENT, "CPU", "%", "cpu", true).required(),
            gauge(RAM_PERCENT, "RAM", "%", "memory", true).required(),
            gauge(DISK_PERCENT, "Disk /", "%", "disk", true).required(),
            rate(NETWORK_SENT_MBPS, "Network sent", "Mbit/s", Bounds.MBPS_MAX, "network").required(),
            rate(NETWORK_RECV_MBPS, "Network received", "Mbit/s", Bounds.MBPS_MAX, "network").required(),
            gauge(GPU_PERCENT, "GPU", "%", "gpu", true).build(),
            new Builder(UPTIME_SECONDS, "Uptime", "s", Kind.COUNTER, Type.LONG, 0, Bounds.UPTIME_SECONDS_MAX,
                    "uptime", Rollup.MAX, false).required(),
            new Builder(LOGGED_IN_USERS, "Logged-in users", "", Kind.GAUGE, Type.INT, 0, Bounds.USERS_MAX,
                    "users", Rollup.MAX, false).required(),
            new Builder("load_avg_1", "Load 1 min", "", Kind.GAUGE, Type.DOUBLE, 0, LOAD_MAX, "load", Rollup.MEAN,
                    true).build(),
            new Builder("load_avg_5", "Load 5 min", "", Kind.GAUGE, Type.DOUBLE, 0, LOAD_MAX, "load", Rollup.MEAN,
                    true).build(),
            new Builder("load_avg_15", "Load 15 min", "", Kind.GAUGE, Type.DOUBLE, 0, LOAD_MAX, "load", Rollup.MEAN,
                    true).build(),
            gauge("swap_usage", "Swap", "%", "memory", true).build(),
            rate("disk_read_mbps", "Disk read", "MB/s", Bounds.MBPS_MAX, "disk_io").build(),
            rate("disk_write_mbps", "Disk write", "MB/s", Bounds.MBPS_MAX, "disk_io").build(),
            new Builder("cpu_temperature", "CPU temperature", "°C", Kind.GAUGE, Type.DOUBLE, CELSIUS_MIN, CELSIUS_MAX,
                    "temperature", Rollup.MEAN, true).build(),
            gauge("gpu_memory_usage", "GPU memory", "%", "gpu", true).build(),
            new Builder("gpu_temperature", "GPU temperature", "°C", Kind.GAUGE, Type.DOUBLE, CELSIUS_MIN, CELSIUS_MAX,
                    "temperature", Rollup.MEAN, true).build(),
            new Builder("process_count", "Processes", "", Kind.GAUGE, Type.INT, 0, PROCESSES_MAX, "processes",
                    Rollup.MAX, true).build(),
            new Metric(FILESYSTEM_USAGE_MAX, "Fullest filesystem", "%", Kind.GAUGE, Type.DOUBLE, 0,
                    Bounds.PERCENT_MAX, false, true, "disk", Rollup.MEAN, true)));

    private final List<Metric> metrics;
    private final Map<String, Metric> byName;

    public MetricCatalog(List<Metric> metrics) {
        this.metrics = List.copyOf(metrics);
        Map<String, Metric> m = new LinkedHashMap<>();
        for (Metric x : this.metrics) {
            if (m.put(x.name(), x) != null) {
                throw new IllegalArgumentException("metric " + x.name() + " is defined twice");
            }
        }
        this.byName = Collections.unmodifiableMap(m);
    }

    /** Every metric, in column order. */
    public List<Metric> all() {
        return metrics;
    }

    public List<String> names() {
        return List.copyOf(byName.keySet());
    }

    public Optional<Metric> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Metric get(String name) {
        Metric m = byName.get(name);
        if (m == null) {
            throw new IllegalArgumentException("no metric " + name + " in the catalog");
        }
        return m;
    }

    public int indexOf(String name) {
        return metrics.indexOf(get(name));
    }

    public int size() {
        return metrics.size();
    }

    /** The metrics alert rules may name. */
    public List<String> alertable() {
        return metrics.stream().filter(Metric::alertable).map(Metric::name).toList();
    }

    /** This catalog with one more metric at the end (tests: a metric defined without its migration). */
    public MetricCatalog with(Metric extra) {
        List<Metric> l = new ArrayList<>(metrics);
        l.add(extra);
        return new MetricCatalog(l);
    }

    private static Builder gauge(String name, String label, String unit, String group, boolean alertable) {
        return new Builder(name, label, unit, Kind.GAUGE, Type.DOUBLE, 0, Bounds.PERCENT_MAX, group, Rollup.MEAN,
                alertable);
    }

    private static Builder rate(String name, String label, String unit, double max, String group) {
        return new Builder(name, label, unit, Kind.RATE, Type.DOUBLE, 0, max, group, Rollup.MEAN, true);
    }

    private record Builder(String name, String label, String unit, Kind kind, Type type, double min, double max,
                           String group, Rollup rollup, boolean alertable) {
        Metric build() {
            return new Metric(name, label, unit, kind, type, min, max, false, alertable, group, rollup, false);
        }

        Metric required() {
            return new Metric(name, label, unit, kind, type, min, max, true, alertable, group, rollup, false);
        }
    }
}
