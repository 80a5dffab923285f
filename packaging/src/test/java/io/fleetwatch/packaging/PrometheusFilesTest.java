package io.fleetwatch.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetwatch.agent.Agent;
import io.fleetwatch.collector.CollectorService;
import io.fleetwatch.consumer.BatchWorker;
import io.fleetwatch.consumer.runtime.RelayComponent;
import io.fleetwatch.jobs.ScanJobs;
import io.fleetwatch.lifecycle.OpsMetrics;
import io.fleetwatch.settings.Key;
import io.fleetwatch.settings.Keys;
import io.fleetwatch.store.AlertStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Prometheus side of the operator files: every metric the Grafana dashboard's Prometheus panels query is one a
 * component exports (registered the way the components register them), and every port the shipped scrape
 * configuration scrapes is the default of a port key in the settings table.
 */
class PrometheusFilesTest {
    static final Path DASHBOARD = Path.of("grafana/fleetwatch-dashboard.json");
    static final Path SCRAPE = Path.of("prometheus/fleetwatch.yml");
    static final Pattern METRIC = Pattern.compile("\\bfleetwatch_[a-z0-9_]+");

    /** Every family the components register, with a histogram's series names. */
    static Set<String> exported() {
        OpsMetrics m = new OpsMetrics();
        BatchWorker.declare(m);
        RelayComponent.meter(m, () -> 0, () -> new AlertStore.OutboxBacklog(0, Duration.ZERO));
        CollectorService.declare(m);
        ScanJobs.meter(m, new ScanJobs.Counts(), () -> new io.fleetwatch.store.ScanStore.Stats(0, 0, 0, 0, 0));
        Agent.meter(m, () -> 0, () -> 0, () -> 0, () -> 0, () -> 0, () -> 0);
        Set<String> names = new TreeSet<>();
        for (String line : m.scrape().split("\n")) {
            String[] w = line.split(" ");
            if (line.startsWith("# TYPE ") && w[3].equals("histogram")) { // series exist once observed: name them
                names.addAll(List.of(w[2] + "_bucket", w[2] + "_sum", w[2] + "_count"));
            }
        }
        names.addAll(m.names());
        return names;
    }

    @Test
    void everyMetricTheDashboardQueriesIsExportedBySomeComponent() throws Exception {
        JsonNode dash = new ObjectMapper().readTree(DASHBOARD.toFile());
        List<String> exprs = new ArrayList<>();
        dash.get("panels").forEach(p -> p.path("targets").forEach(t -> {
            if (t.has("expr")) {
                exprs.add(t.get("expr").asText());
            }
        }));
        assertThat(exprs).as("the dashboard has Prometheus panels").hasSizeGreaterThanOrEqualTo(10);
        Set<String> exported = exported();
        Set<String> queried = new TreeSet<>();
        for (String e : exprs) {
            Matcher mm = METRIC.matcher(e);
            boolean any = false;
            while (mm.find()) {
                queried.add(mm.group());
                any = true;
            }
            assertThat(any).as("'%s' queries a Fleetwatch metric", e).isTrue();
        }
        assertThat(exported).as("metrics the components export").containsAll(queried);
        // the names the components' figures are known by in the issue: each is on the dashboard
        assertThat(queried).contains("fleetwatch_consumer_rows_stored_total", "fleetwatch_consumer_dead_lettered_total",
                "fleetwatch_consumer_batch_seconds_bucket", "fleetwatch_relay_lag_seconds", "fleetwatch_relay_outbox_size",
                "fleetwatch_collector_host_failures_total", "fleetwatch_scheduler_scans_failed_total",
                "fleetwatch_agent_spool_depth");
    }

    @Test
    void everyPortTheScrapeConfigScrapesIsADefaultOfThePortKeys() throws Exception {
        String yml = Files.readString(SCRAPE);
        Set<String> defaults = new TreeSet<>();
        for (Key<?> k : Keys.ALL) {
            if (k.env().endsWith("_PORT")) {
                k.defaultText().ifPresent(defaults::add);
            }
        }
        List<String> ports = new ArrayList<>();
        for (String line : yml.split("\n")) {
            if (line.strip().startsWith("#")) {
                continue; // the agent's job, off by default, is an example
            }
            Matcher t = Pattern.compile("'[^':]+:(\\d+)'").matcher(line);
            while (t.find()) {
                ports.add(t.group(1));
            }
        }
        assertThat(ports).as("targets of the scrape config").hasSize(5);
        assertThat(defaults).containsAll(ports);
        assertThat(ports).contains(Keys.CONSUMER_METRICS_PORT.defaultText().orElseThrow(),
                Keys.RELAY_METRICS_PORT.defaultText().orElseThrow(), Keys.SCHEDULER_METRICS_PORT.defaultText().orElseThrow(),
                Keys.COLLECTOR_METRICS_PORT.defaultText().orElseThrow(), Keys.API_PORT.defaultText().orElseThrow());
        assertThat(Keys.AGENT_METRICS_PORT.defaultText()).as("the agent's /metrics is off by default").isEmpty();
    }
}
