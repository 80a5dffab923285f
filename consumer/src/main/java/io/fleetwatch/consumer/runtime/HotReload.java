package io.fleetwatch.consumer.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hot reload (SIGHUP) of a long-running process: reads the configuration again, checks every part first (a bad file
 * changes nothing and is logged), restarts only the parts whose keys changed, and logs which keys changed and which
 * of them need a restart to take effect. Secret values are never logged, only key names.
 */
public final class HotReload implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HotReload.class);

    /** A configuration as read: its environment and how to name it in the log. */
    public record Snapshot(Map<String, String> env, String description) {
        public Snapshot {
            env = Map.copyOf(env);
            Objects.requireNonNull(description, "description");
        }
    }

    private final Supplier<Snapshot> reread;
    private final List<Reloadable> parts;
    private final Predicate<String> reloadable;
    private Snapshot current;

    /**
     * {@code parts} in start order (their changes are applied and logged in that order); {@code reread} reads the
     * same sources again, throwing {@link IllegalArgumentException} for a bad file; {@code reloadable}: the keys a
     * reload of this program applies, the others are logged as needing a restart.
     */
    public HotReload(Snapshot current, Supplier<Snapshot> reread, List<Reloadable> parts, Predicate<String> reloadable) {
        this.current = Objects.requireNonNull(current, "current");
        this.reread = Objects.requireNonNull(reread, "reread");
        this.parts = List.copyOf(parts);
        this.reloadable = Objects.requireNonNull(reloadable, "reloadable");
    }

    /** Starts every part with the current configuration. */
    public synchronized HotReload start() throws Exception {
        for (Reloadable p : parts) {
            p.restart(current.env());
        }
        return this;
    }

    /** Re-reads the configuration; returns the line it logged. */
    public synchronized String reload() {
        Snapshot next;
        try {
            next = reread.get();
            for (Reloadable p : parts) {
                p.check(next.env());
            }
        } catch (RuntimeException e) {
            String line = "SIGHUP: configuration refused, still running with the previous one: " + e.getMessage();
            LOG.error(line);
            return line;
        }
        Map<String, String> before = current.env();
        Map<String, String> after = next.env();
        TreeSet<String> changed = new TreeSet<>(before.keySet());
        changed.addAll(after.keySet());
        changed.removeIf(k -> Objects.equals(before.get(k), after.get(k)));
        List<String> applied = new ArrayList<>();
        try {
            for (Reloadable p : parts) {
                if (changed.stream().anyMatch(p::reads)) {
                    applied.add(p.restart(after));
                }
            }
        } catch (Exception e) {
            LOG.error("SIGHUP: applying the new settings failed: {}", firstLine(e));
        }
        List<String> restart = changed.stream().filter(reloadable.negate()).toList();
        current = next;
        String line = "SIGHUP: reloaded " + next.description() + ": "
                + (changed.isEmpty() ? "nothing changed" : "changed " + changed)
                + (applied.isEmpty() ? "" : "; applied: " + String.join(", ", applied))
                + (restart.isEmpty() ? "" : "; need a restart to take effect: " + restart);
        LOG.info(line);
        return line;
    }

    /** Stops the parts in reverse start order; one that fails to stop does not keep the others running. */
    @Override
    public synchronized void close() {
        for (int i = parts.size() - 1; i >= 0; i--) {
            try {
                parts.get(i).close();
            } catch (RuntimeException e) {
                LOG.warn("stopping {}: {}", parts.get(i), firstLine(e));
            }
        }
    }

    private static String firstLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = e.getMessage() != null ? e.getMessage() : root.toString();
        return msg.lines().findFirst().orElse("");
    }
}
