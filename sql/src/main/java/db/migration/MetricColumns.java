package db.migration;

import io.fleetwatch.messages.Metric;
import io.fleetwatch.messages.MetricCatalog;
import io.fleetwatch.sql.MetricsStorage;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What a migration that adds metrics of the {@link MetricCatalog} does, on either engine: the columns of
 * {@code metrics} (with the catalog's bounds as a CHECK; old rows keep NULL), the rollups {@code metrics_5m},
 * {@code metrics_1h} and {@code metrics_1d} rebuilt with every catalog metric the table has (TimescaleDB: the continuous
 * aggregates dropped, re-created and refreshed from the raw rows; PostgreSQL: columns added to the materialised tables,
 * the views and the refresh functions re-created), {@code alert_rules}' CHECK and the alert trigger's {@code CASE}
 * from the catalog's alertable metrics. Not itself a migration: a versioned migration names the metrics it adds.
 */
public final class MetricColumns {
    private MetricColumns() {}

    /** The CASE of {@code fw_metrics_alerts} that picks a rule's metric from a stored row (V3, V7_1). */
    private static final Pattern TRIGGER_CASE = Pattern.compile("CASE ru\\.metric.*?END AS value", Pattern.DOTALL);

    /** Adds {@code names} (metrics of {@code catalog}) to {@code metrics} and rebuilds what follows from them. */
    public static void add(Connection c, MetricCatalog catalog, List<String> names) throws SQLException {
        boolean timescale = MetricsStorage.TIMESCALEDB.equals(MetricsStorage.recorded(c));
        try (Statement st = c.createStatement()) {
            for (String name : names) {
                Metric m = catalog.get(name);
                st.execute("ALTER TABLE metrics ADD COLUMN " + m.name() + " " + m.type().sql() + " CHECK (" + m.name()
                        + " BETWEEN " + bound(m, m.min()) + " AND " + bound(m, m.max()) + ")");
            }
            List<Metric> present = present(c, catalog);
            List<V7__Metrics_rollups.Column> columns = present.stream()
                    .map(m -> new V7__Metrics_rollups.Column(m.name(), m.rollup() == Metric.Rollup.MEAN)).toList();
            if (timescale) {
                rebuildContinuousAggregates(st, columns);
            } else {
                rebuildPlainRollups(st, catalog, names, columns);
            }
            List<String> alertable = present.stream().filter(Metric::alertable).map(Metric::name).toList();
            st.execute("ALTER TABLE alert_rules DROP CONSTRAINT IF EXISTS alert_rules_metric_check");
            st.execute("ALTER TABLE alert_rules ADD CONSTRAINT alert_rules_metric_check CHECK (metric IN ("
                    + alertable.stream().map(a -> "'" + a + "'").collect(Collectors.joining(", ")) + "))");
            st.execute(alertTrigger(c, alertable));
        }
    }

    private static String bound(Metric m, double v) {
        return m.type() == Metric.Type.DOUBLE ? Double.toString(v) : Long.toString((long) v);
    }

    /** The catalog's metrics that {@code metrics} has a column for, in catalog (= column) order. */
    static List<Metric> present(Connection c, MetricCatalog catalog) throws SQLException {
        Set<String> cols = new HashSet<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT column_name FROM"
                + " information_schema.columns WHERE table_schema = current_schema() AND table_name = 'metrics'")) {
            while (rs.next()) {
                cols.add(rs.getString(1));
            }
        }
        return catalog.all().stream().filter(m -> cols.contains(m.name())).toList();
    }

    /** Continuous aggregates cannot gain a column: dropped and re-created, then refreshed over every stored row. */
    private static void rebuildContinuousAggregates(Statement st, List<V7__Metrics_rollups.Column> columns)
            throws SQLException {
        try {
            List<V7__Metrics_rollups.Level> levels = new ArrayList<>(V7__Metrics_rollups.LEVELS);
            java.util.Collections.reverse(levels);
            for (V7__Metrics_rollups.Level l : levels) {
                st.execute("DROP MATERIALIZED VIEW IF EXISTS " + l.name());
            }
            st.execute("DROP MATERIALIZED VIEW IF EXISTS metrics_5m");
            V4__Metrics_lifecycle.createCagg5m(st, columns);
            st.execute("ALTER MATERIALIZED VIEW metrics_5m SET (timescaledb.materialized_only = false)");
            for (V7__Metrics_rollups.Level l : V7__Metrics_rollups.LEVELS) {
                V7__Metrics_rollups.createCagg(st, l, columns);
            }
            // refreshed before their policies exist, so no policy run races the refresh
            st.execute("CALL refresh_continuous_aggregate('metrics_5m', NULL, NULL)");
            for (V7__Metrics_rollups.Level l : V7__Metrics_rollups.LEVELS) {
                st.execute("CALL refresh_continuous_aggregate('" + l.name() + "', NULL, NULL)");
            }
            st.execute(V4__Metrics_lifecycle.POLICY_5M);
            for (V7__Metrics_rollups.Level l : V7__Metrics_rollups.LEVELS) {
                st.execute(V7__Metrics_rollups.policy(l));
            }
        } catch (SQLException e) {
            throw e;
        } catch (Exception e) {
            throw new SQLException("rebuilding the continuous aggregates failed: " + e.getMessage(), e);
        }
    }

    /**
     * The materialised tables gain the columns at their end, which is where the rebuilt select lists put them
     * (catalog order, append only); the views and the refresh functions are re-created with every column.
     */
    private static void rebuildPlainRollups(Statement st, MetricCatalog catalog, List<String> names,
                                            List<V7__Metrics_rollups.Column> columns) throws SQLException {
        List<V7__Metrics_rollups.Level> levels = new ArrayList<>(V7__Metrics_rollups.LEVELS);
        java.util.Collections.reverse(levels);
        for (V7__Metrics_rollups.Level l : levels) {
            st.execute("DROP VIEW IF EXISTS " + l.name());
        }
        st.execute("DROP VIEW IF EXISTS metrics_5m");
        List<String> tables = new ArrayList<>(List.of("metrics_5m_data"));
        V7__Metrics_rollups.LEVELS.forEach(l -> tables.add(l.name() + "_data"));
        for (String t : tables) {
            for (String name : names) {
                Metric m = catalog.get(name);
                st.execute("ALTER TABLE " + t + " ADD COLUMN " + m.name() + " " + m.type().sql());
            }
        }
        String aggregate = V4__Metrics_lifecycle.aggregate(columns);
        st.execute(V8__Contract_bounds.REFRESH.formatted(aggregate.formatted(V8__Contract_bounds.RANGE_OR_DIRTY),
                V8__Contract_bounds.RANGE_OR_DIRTY, aggregate.formatted(V8__Contract_bounds.ONE_BUCKET)));
        st.execute(V4__Metrics_lifecycle.view5m(aggregate));
        st.execute(V7__Metrics_rollups.rollupColumnsFunction(columns));
        for (V7__Metrics_rollups.Level l : V7__Metrics_rollups.LEVELS) {
            st.execute(V7__Metrics_rollups.levelView(l, columns));
        }
    }

    /**
     * The alert trigger as it is defined now (whatever migration last changed it), with its metric {@code CASE}
     * listing {@code alertable}.
     */
    static String alertTrigger(Connection c, List<String> alertable) throws SQLException {
        String def;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT pg_get_functiondef('fw_metrics_alerts'::regproc)")) {
            rs.next();
            def = rs.getString(1);
        }
        Matcher m = TRIGGER_CASE.matcher(def);
        if (!m.find()) {
            throw new IllegalStateException("fw_metrics_alerts has no 'CASE ru.metric … END AS value' to extend");
        }
        String cases = "CASE ru.metric " + alertable.stream().map(a -> "WHEN '" + a + "' THEN n." + a + "::double precision")
                .collect(Collectors.joining(" ")) + " END AS value";
        String out = def.substring(0, m.start()) + cases + def.substring(m.end());
        if (TRIGGER_CASE.matcher(out.substring(m.start() + cases.length())).find()) {
            throw new IllegalStateException("fw_metrics_alerts has more than one metric CASE");
        }
        return out;
    }
}
