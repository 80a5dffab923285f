package io.fleetwatch.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The text format, line by line, and the server's answers, on a loopback port. */
class OpsMetricsTest {
    @Test
    void countersGaugesAndHistogramsInTheTextFormat() {
        OpsMetrics m = new OpsMetrics();
        OpsMetrics.Counter dead = m.counter("fleetwatch_test_dead_total", "dead letters", "queue", "reason");
        dead.labels("metrics_queue", "malformed").increment();
        dead.labels("metrics_queue", "say \"no\"\\").add(2);
        AtomicLong depth = new AtomicLong(7);
        m.gauge("fleetwatch_test_depth", "depth", depth::get);
        m.counter("fleetwatch_test_kept_total", "kept elsewhere", () -> 41);
        OpsMetrics.Histogram h = m.histogram("fleetwatch_test_seconds", "latency", new double[] {0.1, 1}, "queue");
        h.observe(0.05, "q");
        h.observe(0.5, "q");
        h.observe(5, "q");
        m.gauge("fleetwatch_test_broken", "fails", () -> {
            throw new IllegalStateException("database down");
        });
        String text = m.scrape();
        assertThat(text).contains("# HELP fleetwatch_test_dead_total dead letters\n# TYPE fleetwatch_test_dead_total counter\n")
                .contains("fleetwatch_test_dead_total{queue=\"metrics_queue\",reason=\"malformed\"} 1\n")
                .contains("fleetwatch_test_dead_total{queue=\"metrics_queue\",reason=\"say \\\"no\\\"\\\\\"} 2\n")
                .contains("# TYPE fleetwatch_test_depth gauge\nfleetwatch_test_depth 7\n")
                .contains("# TYPE fleetwatch_test_kept_total counter\nfleetwatch_test_kept_total 41\n")
                .contains("fleetwatch_test_seconds_bucket{queue=\"q\",le=\"0.1\"} 1\n")
                .contains("fleetwatch_test_seconds_bucket{queue=\"q\",le=\"1\"} 2\n")
                .contains("fleetwatch_test_seconds_bucket{queue=\"q\",le=\"+Inf\"} 3\n")
                .contains("fleetwatch_test_seconds_sum{queue=\"q\"} 5.55\n")
                .contains("fleetwatch_test_seconds_count{queue=\"q\"} 3\n")
                .contains("fleetwatch_test_broken NaN\n")
                .contains("# TYPE process_uptime_seconds gauge\n");
        depth.set(9);
        assertThat(m.scrape()).as("read at scrape time").contains("fleetwatch_test_depth 9\n");
    }

    @Test
    void familiesAreSharedAndNamesChecked() {
        OpsMetrics m = new OpsMetrics();
        OpsMetrics.Counter a = m.counter("fleetwatch_x_total", "x", "queue");
        assertThat(m.counter("fleetwatch_x_total", "x", "queue")).as("a second worker gets the same family").isSameAs(a);
        assertThatThrownBy(() -> m.counter("fleetwatch_x_total", "x", "other")).hasMessageContaining("differently");
        assertThatThrownBy(() -> m.counter("fleetwatch_x", "x")).hasMessageContaining("_total");
        assertThatThrownBy(() -> m.gauge("fleetwatch-x", "x", () -> 1)).hasMessageContaining("not a metric name");
        assertThatThrownBy(() -> a.labels("a", "b")).hasMessageContaining("takes labels");
    }

    @Test
    void theServerAnswersMetricsOnlyAndATakenPortIsRefused() throws Exception {
        OpsMetrics m = new OpsMetrics();
        m.gauge("fleetwatch_test_up", "up", () -> 1);
        HttpClient http = HttpClient.newHttpClient();
        try (MetricsServer s = MetricsServer.start("test", m, "127.0.0.1", 0)) {
            HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port()
                    + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.headers().firstValue("Content-Type")).hasValue(MetricsServer.CONTENT_TYPE);
            assertThat(ok.body()).contains("fleetwatch_test_up 1\n");
            assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(404);
            assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/metrics"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode()).isEqualTo(405);
        }
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> MetricsServer.start("test", m, "127.0.0.1", taken.getLocalPort()))
                    .isInstanceOf(BindException.class);
        }
    }
}
