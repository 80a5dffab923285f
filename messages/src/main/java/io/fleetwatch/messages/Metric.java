package io.fleetwatch.messages;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One metric of the catalog ({@link MetricCatalog}): everything the pipeline needs to carry, store, alert on, roll up
 * and chart it. {@code name} is at once the JSON field in {@code metrics}, the column of {@code metrics} and its
 * rollups, and the value of {@code alert_rules.metric}.
 *
 * @param name        snake_case; JSON field, column and rule metric
 * @param label       human name for the page and Grafana
 * @param unit        "%", "Mbit/s", "MB/s", "°C", "s", "" (a count)
 * @param kind        how the value behaves over time
 * @param type        how it is carried and stored
 * @param min         smallest valid value (inclusive)
 * @param max         largest valid value (inclusive); also a database CHECK
 * @param required    must be in every message (only the contract's first seven; all new metrics are optional)
 * @param alertable   alert rules may name it
 * @param chartGroup  metrics of one group share a chart (the page, Grafana)
 * @param rollup      how buckets aggregate it
 * @param derived     computed by the reader of the message (never a JSON field of its own)
 */
public record Metric(
        @JsonProperty("name") String name,
        @JsonProperty("label") String label,
        @JsonProperty("unit") String unit,
        @JsonProperty("kind") Kind kind,
        @JsonProperty("type") Type type,
        @JsonProperty("min") double min,
        @JsonProperty("max") double max,
        @JsonProperty("required") boolean required,
        @JsonProperty("alertable") boolean alertable,
        @JsonProperty("chart_group") String chartGroup,
        @JsonProperty("rollup") Rollup rollup,
        @JsonProperty("derived") boolean derived) {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");

    /** gauge: a level now; rate: per second over the interval; counter: grows until a reset (uptime). */
    public enum Kind {
        @JsonProperty("gauge") GAUGE,
        @JsonProperty("rate") RATE,
        @JsonProperty("counter") COUNTER
    }

    /** The Java, JSON and SQL type: a double ({@code double precision}), a long ({@code bigint}), an int. */
    public enum Type {
        @JsonProperty("double") DOUBLE("double precision"),
        @JsonProperty("long") LONG("bigint"),
        @JsonProperty("int") INT("integer");

        private final String sql;

        Type(String sql) {
            this.sql = sql;
        }

        public String sql() {
            return sql;
        }
    }

    /** mean: weighted by samples when rolled up again; max: the largest (counts, counters). */
    public enum Rollup {
        @JsonProperty("mean") MEAN,
        @JsonProperty("max") MAX
    }

    public Metric {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("metric name must be snake_case, not '" + name + "'");
        }
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(chartGroup, "chartGroup");
        Objects.requireNonNull(rollup, "rollup");
        if (!(min <= max) || !Double.isFinite(min) || !Double.isFinite(max)) {
            throw new IllegalArgumentException(name + ": min must be <= max, both finite");
        }
        if (rollup == Rollup.MEAN && type != Type.DOUBLE) {
            throw new IllegalArgumentException(name + ": a mean of an integer metric is not an integer; use max");
        }
        if (derived && required) {
            throw new IllegalArgumentException(name + ": a derived metric cannot be required");
        }
    }

    /**
     * Checks a value against this metric's type and range; returns it in this metric's Java type. {@code field} names
     * it in the error (the JSON path).
     */
    public Number check(String field, Number value) {
        if (value == null) {
            if (required) {
                throw new IllegalArgumentException(field + " is required");
            }
            return null;
        }
        switch (type) {
            case DOUBLE -> {
                double d = value.doubleValue();
                if (!Double.isFinite(d) || d < min || d > max) {
                    throw new IllegalArgumentException(field + " must be a number in [" + min + ", " + max + "], not "
                            + value);
                }
                return d;
            }
            default -> {
                if (value instanceof Double || value instanceof Float) {
                    double d = value.doubleValue();
                    if (d != Math.rint(d)) {
                        throw new IllegalArgumentException(field + " must be an integer, not " + value);
                    }
                }
                long l = value.longValue();
                if (l < (long) min || l > (long) max) {
                    throw new IllegalArgumentException(field + " must be in [" + (long) min + ", " + (long) max
                            + "], not " + value);
                }
                return type == Type.INT ? Integer.valueOf((int) l) : Long.valueOf(l);
            }
        }
    }
}
