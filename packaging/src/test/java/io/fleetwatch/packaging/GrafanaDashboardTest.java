package io.fleetwatch.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetwatch.messages.Metric;
import io.fleetwatch.messages.MetricCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard's per-host panels are generated from the metric catalog: one time series per chart group
 * (every metric of the catalog in one of them) and one of the per-mount filesystem usage. The test fails when the
 * file differs from what the catalog gives; {@code -Dfleetwatch.grafana.write=true} rewrites the file (the other
 * panels are kept as they are).
 */
class GrafanaDashboardTest {
    static final Path FILE = Path.of("grafana/fleetwatch-dashboard.json");
    static final String PER_HOST = " of $host";
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void thePerHostPanelsAreTheCatalogs() throws Exception {
        ObjectNode dash = (ObjectNode) JSON.readTree(FILE.toFile());
        ObjectNode expected = generate(dash);
        if (!expected.equals(dash) && Boolean.getBoolean("fleetwatch.grafana.write")) {
            DefaultPrettyPrinter pp = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
                    .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                    .withArrayIndenter(new DefaultIndenter("  ", "\n"));
            Files.writeString(FILE, JSON.writer(pp).writeValueAsString(expected) + "\n");
            dash = expected;
        }
        assertThat(dash).as("%s is not what the metric catalog gives: run this test with"
                + " -Dfleetwatch.grafana.write=true", FILE).isEqualTo(expected);
        String sql = dash.findValuesAsText("rawSql").stream().collect(Collectors.joining("\n"));
        for (String name : MetricCatalog.DEFAULT.names()) {
            assertThat(sql).as("a panel shows " + name).contains("(" + name + ")");
        }
    }

    /** The dashboard with its per-host panels replaced by the catalog's, laid out two per row, the rest below. */
    static ObjectNode generate(ObjectNode dash) {
        ObjectNode out = dash.deepCopy();
        ArrayNode panels = (ArrayNode) out.get("panels");
        List<JsonNode> kept = new ArrayList<>();
        for (JsonNode p : panels) {
            if (!p.get("title").asText().endsWith(PER_HOST)) {
                kept.add(p);
            }
        }
        // the panels above the per-host ones keep their place; the ones after them move below the new ones
        List<JsonNode> above = new ArrayList<>();
        List<JsonNode> below = new ArrayList<>();
        int firstPerHostY = Integer.MAX_VALUE;
        for (JsonNode p : panels) {
            if (p.get("title").asText().endsWith(PER_HOST)) {
                firstPerHostY = Math.min(firstPerHostY, p.get("gridPos").get("y").asInt());
            }
        }
        for (JsonNode p : kept) {
            (p.get("gridPos").get("y").asInt() < firstPerHostY ? above : below).add(p);
        }
        int y = firstPerHostY == Integer.MAX_VALUE ? 0 : firstPerHostY;
        List<ObjectNode> generated = new ArrayList<>();
        Map<String, List<Metric>> groups = new LinkedHashMap<>();
        MetricCatalog.DEFAULT.all().forEach(m -> groups.computeIfAbsent(m.chartGroup(), g -> new ArrayList<>()).add(m));
        for (List<Metric> group : groups.values()) {
            String title = group.stream().map(Metric::label).collect(Collectors.joining(", "))
                    + (group.get(0).unit().isEmpty() ? "" : " (" + group.get(0).unit() + ")") + PER_HOST;
            String select = group.stream().map(m -> (m.rollup() == Metric.Rollup.MEAN ? "avg(" : "max(") + m.name()
                    + ") AS \"" + m.label() + "\"").collect(Collectors.joining(", "));
            generated.add(panel(title, "SELECT $__timeGroupAlias(collected_at, $__interval), " + select
                    + "\nFROM metrics WHERE system_id = $host AND $__timeFilter(collected_at) GROUP BY 1 ORDER BY 1",
                    group.get(0).unit()));
        }
        generated.add(panel("Filesystems by mount (%)" + PER_HOST, "SELECT $__timeGroupAlias(collected_at, $__interval),"
                + " mount AS metric, max(usage) AS value\nFROM filesystem_metrics WHERE system_id = $host AND"
                + " $__timeFilter(collected_at) GROUP BY 1, 2 ORDER BY 1", "%"));
        panels.removeAll();
        above.forEach(panels::add);
        int id = above.size() + 1;
        for (int i = 0; i < generated.size(); i++) {
            ObjectNode p = generated.get(i);
            p.put("id", id++);
            ((ObjectNode) p.get("gridPos")).put("x", (i % 2) * 12).put("y", y + (i / 2) * 8);
            panels.add(p);
        }
        // the panels below keep their layout among themselves, shifted to start under the generated ones
        int next = y + ((generated.size() + 1) / 2) * 8;
        int belowTop = below.stream().mapToInt(p -> p.get("gridPos").get("y").asInt()).min().orElse(next);
        for (JsonNode p : below) {
            ObjectNode q = p.deepCopy();
            q.put("id", id++);
            ((ObjectNode) q.get("gridPos")).put("y", next + q.get("gridPos").get("y").asInt() - belowTop);
            panels.add(q);
        }
        return out;
    }

    private static ObjectNode panel(String title, String sql, String unit) {
        ObjectNode p = JSON.createObjectNode();
        p.put("id", 0);
        p.put("title", title);
        p.put("type", "timeseries");
        p.set("datasource", datasource());
        p.set("gridPos", JSON.createObjectNode().put("x", 0).put("y", 0).put("w", 12).put("h", 8));
        ObjectNode target = JSON.createObjectNode();
        target.put("refId", "A");
        target.set("datasource", datasource());
        target.put("editorMode", "code");
        target.put("format", "time_series");
        target.put("rawQuery", true);
        target.put("rawSql", sql);
        p.set("targets", JSON.createArrayNode().add(target));
        ObjectNode defaults = JSON.createObjectNode();
        switch (unit) {
            case "%" -> defaults.put("unit", "percent").put("max", 100).put("min", 0);
            case "Mbit/s" -> defaults.put("unit", "Mbits");
            case "MB/s" -> defaults.put("unit", "MBs");
            case "°C" -> defaults.put("unit", "celsius");
            case "s" -> defaults.put("unit", "s");
            default -> defaults.put("unit", "short");
        }
        p.set("fieldConfig", JSON.createObjectNode().<ObjectNode>set("defaults", defaults)
                .set("overrides", JSON.createArrayNode()));
        return p;
    }

    private static ObjectNode datasource() {
        return JSON.createObjectNode().put("type", "grafana-postgresql-datasource").put("uid", "fleetwatch-pg");
    }
}
