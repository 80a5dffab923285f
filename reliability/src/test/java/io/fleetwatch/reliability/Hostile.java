package io.fleetwatch.reliability;

import io.fleetwatch.messages.DiscoveryMessage;
import io.fleetwatch.messages.MessageCodec;
import io.fleetwatch.messages.MetricsMessage;
import io.fleetwatch.messages.Routing;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * A fuzzer for the consumer's queues: malformed and hostile messages (wrong types, missing fields, huge strings, deep
 * JSON, invalid UTF-8, negative/NaN/infinite values, far-future timestamps, SQL in strings, not JSON at all) built by
 * mutating valid seed-format messages, mixed at random with valid ones (some carrying SQL in free-text fields, which
 * must be stored verbatim and harm nothing).
 */
final class Hostile {
    record Message(String routingKey, byte[] body, boolean valid, String kind) {}

    private static final String SQL = "x'); DROP TABLE metrics; --";

    private static final List<String> METRIC_FIELDS = List.of("cpu_percent", "ram_percent", "disk_percent",
            "network_sent_mbps", "network_recv_mbps", "uptime_seconds", "logged_in_users");

    /** Mutations of a valid metrics JSON text; each must make it invalid. */
    private static final List<Mutation> METRICS_MUTATIONS = List.of(
            new Mutation("wrong type (string)", j -> j.replaceFirst("\"cpu_percent\":[0-9.]+", "\"cpu_percent\":\"high\"")),
            new Mutation("wrong type (bool)", j -> j.replaceFirst("\"ram_percent\":[0-9.]+", "\"ram_percent\":true")),
            new Mutation("wrong type (object)", j -> j.replaceFirst("\"metrics\":\\{", "\"metrics\":{\"cpu_percent\":{},")),
            new Mutation("missing field", j -> j.replaceFirst("\"disk_percent\":[0-9.]+,", "")),
            new Mutation("missing metrics", j -> j.replaceFirst(",\"metrics\":\\{[^}]*\\}", "")),
            new Mutation("negative percent", j -> j.replaceFirst("\"cpu_percent\":[0-9.]+", "\"cpu_percent\":-5")),
            new Mutation("percent over 100", j -> j.replaceFirst("\"cpu_percent\":[0-9.]+", "\"cpu_percent\":100.5")),
            new Mutation("NaN", j -> j.replaceFirst("\"cpu_percent\":[0-9.]+", "\"cpu_percent\":NaN")),
            new Mutation("NaN as string", j -> j.replaceFirst("\"ram_percent\":[0-9.]+", "\"ram_percent\":\"NaN\"")),
            new Mutation("infinite", j -> j.replaceFirst("\"network_sent_mbps\":[0-9.]+", "\"network_sent_mbps\":1e999")),
            new Mutation("negative counter", j -> j.replaceFirst("\"uptime_seconds\":[0-9]+", "\"uptime_seconds\":-1")),
            new Mutation("far-future timestamp", j -> j.replaceFirst("\"collected_at\":\"[^\"]+\"",
                    "\"collected_at\":\"2999-01-01T00:00:00Z\"")),
            new Mutation("not a timestamp", j -> j.replaceFirst("\"collected_at\":\"[^\"]+\"",
                    "\"collected_at\":\"yesterday\"")),
            new Mutation("SQL in host_id", j -> j.replaceFirst("\"host_id\":\"[^\"]+\"", "\"host_id\":\"" + SQL + "\"")),
            new Mutation("SQL in hostname", j -> j.replaceFirst("\"hostname\":\"[^\"]+\"", "\"hostname\":\"" + SQL + "\"")),
            new Mutation("huge hostname", j -> j.replaceFirst("\"hostname\":\"[^\"]+\"",
                    "\"hostname\":\"" + "a".repeat(1 << 20) + "\"")),
            new Mutation("unsupported schema_version", j -> j.replaceFirst("\"schema_version\":1", "\"schema_version\":99")),
            new Mutation("truncated", j -> j.substring(0, j.length() / 2)),
            new Mutation("trailing garbage", j -> j + "}}"),
            new Mutation("array at top", j -> "[" + j + "]"),
            new Mutation("null", j -> "null"),
            new Mutation("empty", j -> ""),
            new Mutation("not JSON", j -> "cpu=95 ram=40"),
            new Mutation("deep JSON", j -> j.replaceFirst("\"metrics\":", "\"x\":" + "[".repeat(20_000) + "]".repeat(20_000)
                    + ",\"metrics\":")),
            new Mutation("wrong system_id type", j -> j.replaceFirst("\"host_id\"", "\"system_id\":\"42; DELETE\",\"host_id\"")));

    private final Random random;

    Hostile(long seed) {
        this.random = new Random(seed);
    }

    /** `invalid` hostile messages and `valid` good ones, shuffled; validity known for each. */
    List<Message> mix(int invalid, int validMetrics, int validDiscovery) {
        List<Message> out = new ArrayList<>();
        List<MetricsMessage> good = Traffic.samples("fuzz", validMetrics + invalid, 50, 12.5);
        for (int i = 0; i < validMetrics; i++) {
            out.add(new Message(Routing.METRICS_ROUTING_KEY, MessageCodec.encode(good.get(i)), true, "valid"));
        }
        for (int i = 0; i < validDiscovery; i++) {
            DiscoveryMessage d = DiscoveryMessage.of(null, 1, "198.18.1." + (i % 250 + 1), "lab-" + i,
                    String.format("02:f0:00:00:%02x:%02x", i / 256, i % 256), Instant.now(), "arp")
                    .withIdentity("lab-" + i, SQL + " " + i); // free text: stored verbatim, harmless
            out.add(new Message(Routing.DISCOVERY_ROUTING_KEY, MessageCodec.encode(d), true, "valid discovery"));
        }
        for (int i = 0; i < invalid; i++) {
            String json = new String(MessageCodec.encode(good.get(validMetrics + i)), StandardCharsets.UTF_8);
            int pick = random.nextInt(METRICS_MUTATIONS.size() + 2);
            if (pick == METRICS_MUTATIONS.size()) {
                out.add(new Message(Routing.METRICS_ROUTING_KEY, invalidUtf8(json), false, "invalid UTF-8"));
            } else if (pick == METRICS_MUTATIONS.size() + 1) {
                byte[] noise = new byte[random.nextInt(512)];
                random.nextBytes(noise);
                out.add(new Message(Routing.DISCOVERY_ROUTING_KEY, noise, false, "random bytes (discovery)"));
            } else {
                Mutation m = METRICS_MUTATIONS.get(pick);
                String mutated = m.apply().apply(json);
                if (mutated.equals(json)) {
                    throw new IllegalStateException("mutation '" + m.name() + "' did not apply to " + json);
                }
                out.add(new Message(Routing.METRICS_ROUTING_KEY, mutated.getBytes(StandardCharsets.UTF_8), false,
                        m.name()));
            }
        }
        java.util.Collections.shuffle(out, random);
        return out;
    }

    private static byte[] invalidUtf8(String json) {
        byte[] b = json.replaceFirst("\"hostname\":\"[^\"]+\"", "\"hostname\":\"h__\"").getBytes(StandardCharsets.UTF_8);
        String s = new String(b, StandardCharsets.ISO_8859_1);
        int at = s.indexOf("h__");
        b[at + 1] = (byte) 0xC3; // a lead byte followed by a byte that cannot continue it
        b[at + 2] = (byte) 0x28;
        return b;
    }

    record Mutation(String name, UnaryOperator<String> apply) {}

    static List<String> metricFields() {
        return METRIC_FIELDS;
    }
}
