package io.fleetwatch.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetwatch.messages.MetricsMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** MetricStore on a real database: the COPY insert and its redelivery path, charts, the rollup choice, overview. */
class MetricStoreIT {
    static StoreDatabase db;
    static MetricStore metrics;
    static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");

    @BeforeAll
    static void start() {
        db = new StoreDatabase("metric-store-it");
        metrics = new MetricStore(db.jdbi);
        db.sql("INSERT INTO systems (id, host_id, hostname, status) VALUES (1, 'host-0001', 'one', 'up'), (2, NULL, 'two', 'down')");
    }

    @AfterAll
    static void stop() {
        db.close();
    }

    static MetricsMessage sample(int i, Double gpu) {
        return new MetricsMessage(1, null, "host-0001", "one", (long) i, T0.plusSeconds(10L * i),
                new MetricsMessage.Metrics((double) (i % 100), 50.0, 60.0, 1.0, 2.0, gpu, 1000L + i, i % 3),
                null, null, null);
    }

    @Test
    void insertsABatchAndSkipsWhatIsAlreadyStored() throws Exception {
        List<MetricsMessage> first = new ArrayList<>();
        for (int i = 0; i < 360; i++) { // an hour, every 10 s
            first.add(sample(i, i % 2 == 0 ? 5.0 : null));
        }
        metrics.insert(first, Map.of("host-0001", 1L));
        assertThat(db.count("SELECT count(*) FROM metrics WHERE system_id = 1")).isEqualTo(360);
        // a redelivery overlapping the stored rows: the duplicates are skipped, the new ones stored
        List<MetricsMessage> again = new ArrayList<>(first.subList(350, 360));
        again.add(sample(360, null));
        db.jdbi.useTransaction(h -> metrics.insert(again, Map.of("host-0001", 1L)));
        assertThat(db.count("SELECT count(*) FROM metrics WHERE system_id = 1")).isEqualTo(361);
        assertThat(metrics.stored("host-0001", T0.plusSeconds(3600))).isTrue();
        assertThat(metrics.stored("host-0001", T0.plusSeconds(3601))).isFalse();

        MetricStore.Chart raw = metrics.chart(1, T0, T0.plusSeconds(600), null, 1000);
        assertThat(raw.source()).isEqualTo("metrics");
        assertThat(raw.samples()).hasSize(60);
        assertThat(raw.samples().get(1).metrics().gpuPercent()).as("no GPU stays null").isNull();
        assertThat(raw.samples().get(3).metrics()).isEqualTo(new MetricStore.Metrics(3.0, 50.0, 60.0, 1.0, 2.0, null,
                1003L, 0));
        MetricStore.Chart fiveMinutes = metrics.chart(1, T0, T0.plusSeconds(3600), Duration.ofMinutes(5), 1000);
        assertThat(fiveMinutes.samples()).hasSize(12);
        // the first bucket: samples 0..29, cpu 0..29 (mean 14.5), users max 2, uptime max 1029
        assertThat(fiveMinutes.samples().get(0)).isEqualTo(new MetricStore.Sample(T0,
                new MetricStore.Metrics(14.5, 50.0, 60.0, 1.0, 2.0, 5.0, 1029L, 2)));
        assertThat(metrics.chart(1, T0, T0.plusSeconds(3600), null, 7).samples()).as("limit").hasSize(7);
    }

    @Test
    void longRangesReadTheCoarsestRollupThatDividesTheBucket() {
        assertThat(MetricStore.ROLLUPS).extracting(MetricStore.Rollup::name)
                .containsExactly("metrics_1d", "metrics_1h", "metrics_5m");
        assertThat(MetricStore.rollupFor(Duration.ofHours(1), Duration.ofHours(48))).isEqualTo("metrics_1h");
        assertThat(MetricStore.rollupFor(Duration.ofDays(1), Duration.ofDays(30))).isEqualTo("metrics_1d");
        assertThat(MetricStore.rollupFor(Duration.ofMinutes(5), Duration.ofHours(25))).isEqualTo("metrics_5m");
        assertThat(MetricStore.rollupFor(Duration.ofMinutes(1), Duration.ofHours(48))).isNull();
        assertThat(MetricStore.rollupFor(Duration.ofHours(1), Duration.ofHours(24))).as("a day reads raw").isNull();
        assertThat(MetricStore.rollupFor(null, Duration.ofDays(7))).isNull();
        // the chart names where it read, and a rollup answers (TimescaleDB real-time or plain's live part)
        MetricStore.Chart weekly = metrics.chart(2, T0.minus(Duration.ofDays(7)), T0, Duration.ofHours(1), 1000);
        assertThat(weekly.source()).isEqualTo("metrics_1h");
        assertThat(weekly.samples()).isEmpty();
    }

    @Test
    void theOverviewPutsDownHostsFirst() {
        List<SystemStore.Host> hosts = metrics.overview();
        assertThat(hosts).extracting(SystemStore.Host::status).first().isEqualTo("down");
        assertThat(hosts).extracting(SystemStore.Host::hostname).contains("one", "two");
    }
}
