package io.fleetwatch.lifecycle;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;
import java.util.regex.Pattern;

/**
 * The operating figures of one long-running component (consumer, relay, scheduler, collector, agent) in the
 * Prometheus text format (version 0.0.4), for {@link MetricsServer}'s {@code /metrics}. Counters, gauges read at
 * scrape time, and histograms, each optionally labelled; nothing else. Written here rather than with Micrometer (which
 * the API uses) so that the agent, whose package is kept small, can carry it: this class has no dependency.
 *
 * <p>Label values come from code (queue names, reason classes, host names of the configured targets), never from a
 * message, so their number stays bounded.
 */
public final class OpsMetrics {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    /** Seconds: from a fast batch (1 ms) to a stuck one (1 min). */
    public static final double[] LATENCY_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
            5, 10, 30, 60};

    private final Map<String, Family> families = new ConcurrentSkipListMap<>();

    /** With the process's own figures (uptime, heap in use, threads), as every scrape target has them. */
    public OpsMetrics() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        gauge("process_uptime_seconds", "seconds since the JVM started",
                () -> ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0);
        Gauge heap = gauge("jvm_memory_used_bytes", "memory in use", "area");
        heap.labels("heap").set(() -> memory.getHeapMemoryUsage().getUsed());
        heap.labels("nonheap").set(() -> memory.getNonHeapMemoryUsage().getUsed());
        gauge("jvm_threads_live_threads", "live threads", () -> ManagementFactory.getThreadMXBean().getThreadCount());
    }

    /** A counter: {@code name} must end in {@code _total}; each distinct label value list is one series. */
    public Counter counter(String name, String help, String... labelNames) {
        if (!name.endsWith("_total")) {
            throw new IllegalArgumentException(name + ": a counter's name ends in _total");
        }
        return register(new Counter(name, help, labelNames));
    }

    /** A counter kept elsewhere (an existing tally), read at scrape time; {@code name} ends in {@code _total}. */
    public void counter(String name, String help, java.util.function.LongSupplier value) {
        if (!name.endsWith("_total")) {
            throw new IllegalArgumentException(name + ": a counter's name ends in _total");
        }
        register(new Gauge(name, help, new String[0], "counter")).labels().set(value::getAsLong);
    }

    /** A gauge without labels, read at scrape time. */
    public void gauge(String name, String help, DoubleSupplier value) {
        gauge(name, help).labels().set(value);
    }

    /** A gauge family; each series is read at scrape time from the supplier set on it. */
    public Gauge gauge(String name, String help, String... labelNames) {
        return register(new Gauge(name, help, labelNames, "gauge"));
    }

    /** A histogram of {@code buckets} (upper bounds, ascending); {@code +Inf}, sum and count are added. */
    public Histogram histogram(String name, String help, double[] buckets, String... labelNames) {
        return register(new Histogram(name, help, buckets.clone(), labelNames));
    }

    @SuppressWarnings("unchecked")
    private <F extends Family> F register(F f) {
        if (!NAME.matcher(f.name).matches()) {
            throw new IllegalArgumentException("not a metric name: " + f.name);
        }
        Family old = families.putIfAbsent(f.name, f);
        if (old == null) {
            return f;
        }
        if (old.getClass() != f.getClass() || !old.type().equals(f.type()) || !Arrays.equals(old.labelNames, f.labelNames)) {
            throw new IllegalArgumentException(f.name + " is registered already, differently");
        }
        return (F) old; // two workers of one component share their families
    }

    /** The names of the families registered (for tests and the dashboard check). */
    public List<String> names() {
        return List.copyOf(families.keySet());
    }

    /** Every family in the text format, sorted by name. */
    public String scrape() {
        StringBuilder out = new StringBuilder(4096);
        for (Family f : families.values()) {
            out.append("# HELP ").append(f.name).append(' ').append(f.help.replace("\\", "\\\\").replace("\n", "\\n"))
                    .append('\n').append("# TYPE ").append(f.name).append(' ').append(f.type()).append('\n');
            f.write(out);
        }
        return out.toString();
    }

    /** What the families have in common: a name, help text, label names, and series by label values. */
    public abstract static sealed class Family permits Counter, Gauge, Histogram {
        final String name;
        final String help;
        final String[] labelNames;

        Family(String name, String help, String[] labelNames) {
            this.name = name;
            this.help = help;
            this.labelNames = labelNames.clone();
        }

        abstract String type();

        abstract void write(StringBuilder out);

        List<String> values(String[] labelValues) {
            if (labelValues.length != labelNames.length) {
                throw new IllegalArgumentException(name + " takes labels " + Arrays.toString(labelNames));
            }
            return List.of(labelValues);
        }

        String labels(List<String> values, String extraName, String extraValue) {
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < labelNames.length; i++) {
                parts.add(labelNames[i] + "=\"" + escape(values.get(i)) + "\"");
            }
            if (extraName != null) {
                parts.add(extraName + "=\"" + extraValue + "\"");
            }
            return parts.isEmpty() ? "" : "{" + String.join(",", parts) + "}";
        }

        private static String escape(String v) {
            return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
        }
    }

    /** A monotonically increasing count, by label values. */
    public static final class Counter extends Family {
        private final Map<List<String>, LongAdder> series = new ConcurrentHashMap<>();

        Counter(String name, String help, String[] labelNames) {
            super(name, help, labelNames);
            if (labelNames.length == 0) {
                series.put(List.of(), new LongAdder()); // a counter without labels reads 0 before its first event
            }
        }

        /** The series of these label values (created at 0 on first use). */
        public LongAdder labels(String... labelValues) {
            return series.computeIfAbsent(values(labelValues), k -> new LongAdder());
        }

        public void inc() {
            labels().increment();
        }

        public void add(long n) {
            labels().add(n);
        }

        @Override
        String type() {
            return "counter";
        }

        @Override
        void write(StringBuilder out) {
            series.forEach((k, v) -> out.append(name).append(labels(k, null, null)).append(' ').append(v.sum())
                    .append('\n'));
        }
    }

    /** Values read when scraped, by label values. */
    public static final class Gauge extends Family {
        private final Map<List<String>, DoubleSupplier> series = new ConcurrentHashMap<>();
        private final String type;

        Gauge(String name, String help, String[] labelNames, String type) {
            super(name, help, labelNames);
            this.type = type;
        }

        /** Sets where the series of these label values reads from. */
        public Series labels(String... labelValues) {
            List<String> key = values(labelValues);
            return supplier -> series.put(key, supplier);
        }

        /** Where one gauge series reads from. */
        public interface Series {
            void set(DoubleSupplier value);
        }

        @Override
        String type() {
            return type;
        }

        @Override
        void write(StringBuilder out) {
            series.forEach((k, v) -> {
                double d;
                try {
                    d = v.getAsDouble();
                } catch (RuntimeException e) {
                    d = Double.NaN; // e.g. the database is down: the gauge says "unknown", the scrape still answers
                }
                out.append(name).append(labels(k, null, null)).append(' ').append(number(d)).append('\n');
            });
        }
    }

    /** Observations counted into cumulative buckets, with their sum and count. */
    public static final class Histogram extends Family {
        private final double[] buckets;
        private final Map<List<String>, Cells> series = new ConcurrentHashMap<>();

        Histogram(String name, String help, double[] buckets, String[] labelNames) {
            super(name, help, labelNames);
            for (int i = 1; i < buckets.length; i++) {
                if (buckets[i] <= buckets[i - 1]) {
                    throw new IllegalArgumentException(name + ": buckets must ascend");
                }
            }
            this.buckets = buckets;
            if (labelNames.length == 0) {
                series.put(List.of(), new Cells(buckets.length));
            }
        }

        /** Records one observation in the series of these label values. */
        public void observe(double value, String... labelValues) {
            Cells c = series.computeIfAbsent(values(labelValues), k -> new Cells(buckets.length));
            int i = 0;
            while (i < buckets.length && value > buckets[i]) {
                i++;
            }
            c.counts[i].increment(); // per bucket here; made cumulative when written
            c.sum.add(value);
        }

        private record Cells(LongAdder[] counts, DoubleAdder sum) {
            Cells(int n) {
                this(newAdders(n + 1), new DoubleAdder());
            }

            private static LongAdder[] newAdders(int n) {
                LongAdder[] a = new LongAdder[n];
                for (int i = 0; i < n; i++) {
                    a[i] = new LongAdder();
                }
                return a;
            }
        }

        @Override
        String type() {
            return "histogram";
        }

        @Override
        void write(StringBuilder out) {
            series.forEach((k, c) -> {
                long cumulative = 0;
                for (int i = 0; i <= buckets.length; i++) {
                    cumulative += c.counts[i].sum();
                    String le = i < buckets.length ? number(buckets[i]) : "+Inf";
                    out.append(name).append("_bucket").append(labels(k, "le", le)).append(' ').append(cumulative)
                            .append('\n');
                }
                out.append(name).append("_sum").append(labels(k, null, null)).append(' ').append(number(c.sum.sum()))
                        .append('\n');
                out.append(name).append("_count").append(labels(k, null, null)).append(' ').append(cumulative)
                        .append('\n');
            });
        }
    }

    static String number(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "+Inf" : "-Inf";
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return String.format(Locale.ROOT, "%s", d);
    }
}
