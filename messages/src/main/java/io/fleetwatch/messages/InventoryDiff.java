package io.fleetwatch.messages;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.annotation.Nullable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * What changed between two inventories of one host: one {@link Change} per part that differs (memory size, a disk
 * added, removed or replaced, a new kernel …). The consumer stores the list with each history row and raises an
 * info alert when it is not empty.
 */
public final class InventoryDiff {
    private InventoryDiff() {}

    /**
     * One difference. {@code part}: the inventory field ({@code memory_bytes}, {@code disks}, {@code os} …);
     * {@code item}: the list entry's name or mount (null for a single value); {@code kind}: {@code added},
     * {@code removed} or {@code changed}; {@code before}/{@code after}: the value as JSON text (null when absent).
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Change(@JsonProperty("part") String part, @Nullable @JsonProperty("item") String item,
                         @JsonProperty("kind") String kind, @Nullable @JsonProperty("before") String before,
                         @Nullable @JsonProperty("after") String after) {
        public Change {
            Objects.requireNonNull(part, "part");
            Objects.requireNonNull(kind, "kind");
        }

        /** One line for an alert or a log: {@code disks sda removed}, {@code memory_bytes changed: 17179869184 → 8589934592}. */
        public String describe() {
            String what = item == null ? part : part + " " + item;
            return switch (kind) {
                case "changed" -> what + " changed: " + before + " → " + after;
                default -> what + " " + kind;
            };
        }
    }

    /** The changes from {@code before} to {@code after}, in the order of the message's fields. */
    public static List<Change> between(InventoryMessage before, InventoryMessage after) {
        List<Change> out = new ArrayList<>();
        single(out, "cpu", before.cpu(), after.cpu());
        single(out, "memory_bytes", before.memoryBytes(), after.memoryBytes());
        listed(out, "disks", before.disks(), after.disks(), InventoryMessage.Disk::name);
        listed(out, "filesystems", before.filesystems(), after.filesystems(), InventoryMessage.FileSystem::mount);
        listed(out, "network_interfaces", before.networkInterfaces(), after.networkInterfaces(),
                InventoryMessage.NetworkInterface::name);
        listed(out, "gpus", before.gpus(), after.gpus(), InventoryMessage.Gpu::name);
        single(out, "os", before.os(), after.os());
        single(out, "hardware", before.hardware(), after.hardware());
        single(out, "bios", before.bios(), after.bios());
        return out;
    }

    private static void single(List<Change> out, String part, Object before, Object after) {
        if (!Objects.equals(before, after)) {
            String kind = before == null ? "added" : after == null ? "removed" : "changed";
            out.add(new Change(part, null, kind, json(before), json(after)));
        }
    }

    private static <T> void listed(List<Change> out, String part, List<T> before, List<T> after,
                                   Function<T, String> key) {
        Map<String, T> b = byKey(before, key);
        Map<String, T> a = byKey(after, key);
        TreeSet<String> keys = new TreeSet<>(b.keySet());
        keys.addAll(a.keySet());
        for (String k : keys) {
            T x = b.get(k);
            T y = a.get(k);
            if (!Objects.equals(x, y)) {
                String kind = x == null ? "added" : y == null ? "removed" : "changed";
                out.add(new Change(part, k, kind, json(x), json(y)));
            }
        }
    }

    private static <T> Map<String, T> byKey(List<T> list, Function<T, String> key) {
        Map<String, T> m = new LinkedHashMap<>();
        for (T t : list) {
            m.put(key.apply(t), t);
        }
        return m;
    }

    private static String json(Object v) {
        return v == null ? null : MessageCodec.encodeToString(v);
    }
}
