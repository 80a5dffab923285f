package io.fleetwatch.reliability;

import io.fleetwatch.messages.Bounds;
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
 * mutating valid contract-format messages, mixed at random with valid ones (some carrying SQL in free-text fields, which
 * must be stored verbatim and harm nothing). Besides, values at and beyond each bound of the message contract,
 * generated from {@link Bounds} (those at a bound are valid and stored), placeholder identities (valid: stored, never
 * merged), and redeliveries of valid messages (stored once).
 */
final class Hostile {
    record Message(String routingKey, byte[] body, boolean valid, String kind) {}

    static final String DUPLICATE = "duplicate (redelivery)";

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
            new Mutation("unsupported schema_version", j -> j.replaceFirst("\"schema_version\":[0-9]+", "\"schema_version\":99")),
            new Mutation("truncated", j -> j.substring(0, j.length() / 2)),
            new Mutation("trailing garbage", j -> j + "}}"),
            new Mutation("array at top", j -> "[" + j + "]"),
            new Mutation("null", j -> "null"),
            new Mutation("empty", j -> ""),
            new Mutation("not JSON", j -> "cpu=95 ram=40"),
            new Mutation("deep JSON", j -> j.replaceFirst("\"metrics\":", "\"x\":" + "[".repeat(20_000) + "]".repeat(20_000)
                    + ",\"metrics\":")),
            new Mutation("wrong system_id type", j -> j.replaceFirst("\"host_id\"", "\"system_id\":\"42; DELETE\",\"host_id\"")));

    private static Mutation set(String field, Object value) {
        return new Mutation(field + " = " + value, j -> j.replaceFirst("\"" + field + "\":[-0-9.Ee]+",
                "\"" + field + "\":" + value));
    }

    private static Mutation time(String name, Instant at) {
        return new Mutation(name, j -> j.replaceFirst("\"collected_at\":\"[^\"]+\"", "\"collected_at\":\"" + at + "\""));
    }

    private static Mutation add(String name, String fields) {
        return new Mutation(name, j -> j.replaceFirst("^\\{", "{" + fields + ","));
    }

    /** Beyond each bound of the message contract, one step and far: every one must be refused. */
    private static List<Mutation> beyondBounds() {
        Instant now = Instant.now();
        return List.of(
                set("network_sent_mbps", Math.nextUp(Bounds.MBPS_MAX)),
                set("network_recv_mbps", Double.MAX_VALUE),
                set("uptime_seconds", Bounds.UPTIME_SECONDS_MAX + 1),
                set("logged_in_users", Bounds.USERS_MAX + 1),
                add("system_id beyond its bound", "\"system_id\":" + (Bounds.PRODUCER_ID_MAX + 1)),
                add("system_id at the top of bigint", "\"system_id\":" + Long.MAX_VALUE),
                time("older than the maximum age", now.minus(Bounds.MAX_AGE).minusSeconds(3600)),
                time("before the earliest timestamp", Bounds.EARLIEST.minusSeconds(1)),
                time("beyond the clock skew", now.plus(Bounds.MAX_CLOCK_SKEW).plusSeconds(3600)),
                new Mutation("placeholder host_id", j -> j.replaceFirst("\"host_id\":\"[^\"]+\"",
                        "\"host_id\":\"" + "0".repeat(32) + "\"")),
                new Mutation("duplicate key", j -> j.replaceFirst("\"cpu_percent\":", "\"cpu_percent\":1,\"cpu_percent\":")),
                new Mutation("control characters in hostname", j -> j.replaceFirst("\"hostname\":\"[^\"]+\"",
                        "\"hostname\":\"evil\\\\nINFO forged line\\\\u001b[2J\"")),
                add("nesting beyond the limit", "\"x\":" + "[".repeat(Bounds.JSON_DEPTH_MAX) + "]".repeat(Bounds.JSON_DEPTH_MAX)),
                add("body beyond the size limit", "\"x\":\"" + "a".repeat(Bounds.MESSAGE_BYTES_MAX) + "\""));
    }

    /** At each bound, and placeholder identities: every one must be stored (placeholders as no identity). */
    private static final List<Mutation> AT_BOUNDS = List.of(
            set("network_sent_mbps", Bounds.MBPS_MAX),
            set("uptime_seconds", Bounds.UPTIME_SECONDS_MAX),
            set("logged_in_users", Bounds.USERS_MAX),
            add("placeholder MAC and IP", "\"mac_address\":\"00:00:00:00:00:00\",\"ip_address\":\"127.0.0.1\""),
            add("broadcast MAC", "\"mac_address\":\"FF:FF:FF:FF:FF:FF\""));

    private final Random random;

    Hostile(long seed) {
        this.random = new Random(seed);
    }

    /** `invalid` hostile messages and `valid` good ones, shuffled; validity known for each. */
    List<Message> mix(int invalid, int validMetrics, int validDiscovery) {
        List<Message> out = new ArrayList<>();
        List<MetricsMessage> good = Traffic.samples("fuzz", validMetrics + invalid, 50, 12.5);
        List<Message> valid = new ArrayList<>();
        for (int i = 0; i < validMetrics; i++) {
            String json = new String(MessageCodec.encode(good.get(i)), StandardCharsets.UTF_8);
            if (i % 5 == 0) { // a fifth at a bound or with placeholder identities
                Mutation m = AT_BOUNDS.get(i / 5 % AT_BOUNDS.size());
                valid.add(new Message(Routing.METRICS_ROUTING_KEY, applied(m, json), true, "valid: " + m.name()));
            } else {
                valid.add(new Message(Routing.METRICS_ROUTING_KEY, json.getBytes(StandardCharsets.UTF_8), true, "valid"));
            }
        }
        out.addAll(valid);
        for (int i = 0; i < validMetrics / 10; i++) { // redeliveries: stored once
            Message again = valid.get(random.nextInt(valid.size()));
            out.add(new Message(again.routingKey(), again.body(), true, DUPLICATE));
        }
        for (int i = 0; i < validDiscovery; i++) {
            // every tenth with an all-zero MAC: no identity, so each is its own system (by its own IP)
            String mac = i % 10 == 0 ? "00:00:00:00:00:00" : String.format("02:f0:00:00:%02x:%02x", i / 256, i % 256);
            DiscoveryMessage d = DiscoveryMessage.of(null, 1, "198.18." + (i / 250 + 1) + "." + (i % 250 + 1), "lab-" + i,
                    mac, Instant.now(), "arp")
                    .withIdentity("lab-" + i, SQL + " " + i); // free text: stored verbatim, harmless
            out.add(new Message(Routing.DISCOVERY_ROUTING_KEY, MessageCodec.encode(d), true, "valid discovery"));
        }
        List<Mutation> mutations = new ArrayList<>(METRICS_MUTATIONS);
        mutations.addAll(beyondBounds());
        for (int i = 0; i < invalid; i++) {
            String json = new String(MessageCodec.encode(good.get(validMetrics + i)), StandardCharsets.UTF_8);
            int pick = random.nextInt(mutations.size() + 3);
            if (pick == mutations.size()) {
                out.add(new Message(Routing.METRICS_ROUTING_KEY, invalidUtf8(json), false, "invalid UTF-8"));
            } else if (pick == mutations.size() + 2) {
                out.add(new Message(Routing.METRICS_ROUTING_KEY, overlongUtf8(json), false, "overlong UTF-8"));
            } else if (pick == mutations.size() + 1) {
                byte[] noise = new byte[random.nextInt(512)];
                random.nextBytes(noise);
                out.add(new Message(Routing.DISCOVERY_ROUTING_KEY, noise, false, "random bytes (discovery)"));
            } else {
                Mutation m = mutations.get(pick);
                out.add(new Message(Routing.METRICS_ROUTING_KEY, applied(m, json), false, m.name()));
            }
        }
        java.util.Collections.shuffle(out, random);
        return out;
    }

    private static byte[] applied(Mutation m, String json) {
        String mutated = m.apply().apply(json);
        if (mutated.equals(json)) {
            throw new IllegalStateException("mutation '" + m.name() + "' did not apply to " + json);
        }
        return mutated.getBytes(StandardCharsets.UTF_8);
    }

    /** '/' as the two bytes C0 AF in a field the contract ignores: decoded as '/' by a lenient reader. */
    private static byte[] overlongUtf8(String json) {
        byte[] b = json.replaceFirst("^\\{", "{\"note\":\"a__\",").getBytes(StandardCharsets.UTF_8);
        int at = new String(b, StandardCharsets.ISO_8859_1).indexOf("a__");
        b[at + 1] = (byte) 0xC0;
        b[at + 2] = (byte) 0xAF;
        return b;
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
