package io.fleetwatch.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetwatch.messages.Metric;
import io.fleetwatch.messages.MetricCatalog;
import io.fleetwatch.messages.MetricsMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every consumer of the metric catalog on the database side covers every metric (both engines): the columns of
 * {@code metrics} and its rollups, the COPY list, the API's row, the stored and charted values, the rules' CHECK,
 * {@code AlertStore.METRICS} and the trigger's CASE (a rule on each alertable metric fires); and a metric added to the
 * catalog without its migration is refused at start, by name.
 */
class MetricCatalogCoverageIT {
    static StoreDatabase db;
    static MetricStore metrics;
    static final MetricCatalog CATALOG = MetricCatalog.DEFAULT;
    static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");

    @BeforeAll
    static void start() {
        db = new StoreDatabase("metric-catalog-coverage-it");
        metrics = new MetricStore(db.jdbi);
        db.sql("INSERT INTO systems (id, host_id, hostname, status) VALUES (1, 'host-0001', 'one', 'up')");
    }

    @AfterAll
    static void stop() {
        db.close();
    }

    /** A value of every metric, distinct per metric and sample, within its range and of its type. */
    static MetricsMessage.Metrics every(int i) {
        Map<String, Number> v = new HashMap<>();
        int k = 0;
        for (Metric m : CATALOG.all()) {
            k++;
            double x = Math.min(m.max(), Math.max(m.min(), 10 + k + i));
            v.put(m.name(), switch (m.type()) {
                case DOUBLE -> x + 0.5;
                case LONG -> (long) x;
                case INT -> (int) x;
            });
        }
        v.remove(MetricCatalog.FILESYSTEM_USAGE_MAX); // derived from the filesystems
        return new MetricsMessage.Metrics(v, List.of(new MetricsMessage.Filesystem("/", 40.0 + i, 100.0),
                new MetricsMessage.Filesystem("/home", 60.5 + i, null)));
    }

    static Set<String> columns(String table) {
        return new HashSet<>(db.jdbi.withHandle(h -> h.createQuery("SELECT column_name FROM information_schema.columns"
                + " WHERE table_schema = current_schema() AND table_name = :t").bind("t", table)
                .mapTo(String.class).list()));
    }

    @Test
    void theTablesTheCopyListAndTheApiRowCoverEveryMetric() throws Exception {
        for (String table : List.of("metrics", "metrics_5m", "metrics_1h", "metrics_1d")) {
            assertThat(columns(table)).as(table).containsAll(CATALOG.names());
        }
        assertThat(List.of(MetricStore.COLUMNS.split(", "))).containsAll(CATALOG.names());
        assertThat(MetricStore.Metrics.names()).as("API row").containsExactlyElementsOf(CATALOG.names());
        metrics.requireCatalogColumns(CATALOG);

        List<MetricsMessage> batch = List.of(
                new MetricsMessage(2, null, "host-0001", "one", 1L, T0, every(0)),
                new MetricsMessage(2, null, "host-0001", "one", 2L, T0.plusSeconds(10), every(1)));
        metrics.insert(batch, Map.of("host-0001", 1L));
        metrics.insert(batch, Map.of("host-0001", 1L)); // a redelivery: stored once, filesystems too
        assertThat(db.count("SELECT count(*) FROM metrics WHERE system_id = 1")).isEqualTo(2);
        assertThat(db.count("SELECT count(*) FROM filesystem_metrics WHERE system_id = 1")).isEqualTo(4);

        List<MetricStore.Sample> raw = metrics.chart(1, T0, T0.plusSeconds(60), null, 10).samples();
        assertThat(raw).hasSize(2);
        for (Metric m : CATALOG.all()) {
            assertThat(raw.get(1).metrics().get(m.name()).doubleValue()).as("raw " + m.name())
                    .isEqualTo(batch.get(1).metrics().get(m.name()).doubleValue());
        }
        assertThat(raw.get(1).metrics().filesystemUsageMax()).as("the fullest mount").isEqualTo(61.5);
        MetricStore.Chart rolled = metrics.chart(1, T0.minus(Duration.ofDays(1)), T0.plusSeconds(3600),
                Duration.ofMinutes(5), 1000);
        assertThat(rolled.source()).isEqualTo("metrics_5m");
        for (Metric m : CATALOG.all()) {
            double a = batch.get(0).metrics().get(m.name()).doubleValue();
            double b = batch.get(1).metrics().get(m.name()).doubleValue();
            assertThat(rolled.samples().get(0).metrics().get(m.name()).doubleValue()).as("5 min " + m.name())
                    .isEqualTo(m.rollup() == Metric.Rollup.MEAN ? (a + b) / 2 : Math.max(a, b));
        }
        assertThat(new SystemStore(db.jdbi).find(1).orElseThrow().latest().metrics())
                .isEqualTo(raw.get(1).metrics());
        assertThat(metrics.filesystems(1)).containsExactly(new MetricStore.Filesystem("/", 41.0, 100.0),
                new MetricStore.Filesystem("/home", 61.5, null));
    }

    @Test
    void aRuleOnEveryAlertableMetricIsAcceptedAndFires() throws Exception {
        assertThat(AlertStore.METRICS).containsExactlyInAnyOrderElementsOf(CATALOG.alertable());
        String trigger = db.jdbi.withHandle(h -> h.createQuery("SELECT pg_get_functiondef('fw_metrics_alerts'::regproc)")
                .mapTo(String.class).one());
        AlertStore alerts = new AlertStore(db.jdbi);
        db.sql("INSERT INTO systems (id, host_id, hostname, status) VALUES (2, 'host-0002', 'two', 'up')");
        Map<Integer, String> ruleMetric = new HashMap<>();
        for (String metric : CATALOG.alertable()) {
            assertThat(trigger).as("trigger CASE").contains("WHEN '" + metric + "' THEN n." + metric);
            Metric m = CATALOG.get(metric);
            AlertStore.Rule r = alerts.createRule(new AlertStore.RuleSpec(metric, "catalog_" + metric, null,
                    m.min() + 1, m.min(), 1, "info", true));
            ruleMetric.put(r.id(), metric);
        }
        metrics.insert(List.of(new MetricsMessage(2, null, "host-0002", "two", 1L, T0.plusSeconds(3600), every(5))),
                Map.of("host-0002", 2L));
        Set<String> fired = new HashSet<>(db.jdbi.withHandle(h -> h.createQuery("SELECT r.metric FROM alert_events e"
                + " JOIN alert_rules r ON r.id = e.rule_id WHERE e.system_id = 2 AND e.state = 'firing'"
                + " AND r.alert_type LIKE 'catalog_%'").mapTo(String.class).list()));
        assertThat(fired).containsExactlyInAnyOrderElementsOf(CATALOG.alertable());
    }

    @Test
    void aMetricInTheCatalogWithoutItsMigrationIsRefusedByName() {
        MetricCatalog extra = CATALOG.with(new Metric("fan_speed_rpm", "Fan", "rpm", Metric.Kind.GAUGE,
                Metric.Type.DOUBLE, 0, 100_000, false, true, "fans", Metric.Rollup.MEAN, false));
        assertThatThrownBy(() -> metrics.requireCatalogColumns(extra))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("metrics.fan_speed_rpm")
                .hasMessageContaining("metrics_5m.fan_speed_rpm")
                .hasMessageContaining("fleetwatch db migrate");
    }
}
