package io.fleetwatch.jobs;

import io.fleetwatch.settings.Keys;
import io.fleetwatch.settings.Settings;
import io.fleetwatch.scanner.ScanPolicy;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How scan jobs run: how many at once over the fleet ({@code FLEETWATCH_SCAN_MAX_PARALLEL_SCANS}), how often a queued
 * one is tried ({@code FLEETWATCH_SCAN_MAX_ATTEMPTS}) and how long a retry waits ({@code FLEETWATCH_SCAN_RETRY_BACKOFF},
 * doubled per retry), and the limits of every sweep over its profile's ({@code FLEETWATCH_SCAN_RATE}, {@code _BURST},
 * {@code _PARALLELISM}), with per-department ones over those ({@code FLEETWATCH_SCAN_DEPARTMENTS}).
 */
public record ScanJobSettings(int maxParallelScans, int maxAttempts, Duration retryBackoff, Limits limits,
                              Map<String, Limits> departments) {

    /** Rate, burst and parallelism of a sweep; null keeps what the profile (or the fleet-wide setting) gives. */
    public record Limits(Integer rate, Integer burst, Integer parallelism) {
        public static final Limits NONE = new Limits(null, null, null);

        /** These limits over {@code policy}'s (the burst checked against the rate by the policy itself). */
        public ScanPolicy apply(ScanPolicy policy) {
            return policy.withLimits(rate, burst, parallelism);
        }

        /** {@code over} wins where it sets a value. */
        Limits with(Limits over) {
            return new Limits(over.rate != null ? over.rate : rate, over.burst != null ? over.burst : burst,
                    over.parallelism != null ? over.parallelism : parallelism);
        }
    }

    public ScanJobSettings {
        if (maxParallelScans < 1 || maxParallelScans > 1000) {
            throw new IllegalArgumentException(Keys.SCAN_MAX_PARALLEL_SCANS.env() + ": must be 1..1000, not "
                    + maxParallelScans);
        }
        if (maxAttempts < 1 || maxAttempts > 100) {
            throw new IllegalArgumentException(Keys.SCAN_MAX_ATTEMPTS.env() + ": must be 1..100, not " + maxAttempts);
        }
        if (retryBackoff.isNegative()) {
            throw new IllegalArgumentException(Keys.SCAN_RETRY_BACKOFF.env() + ": must not be negative");
        }
        Objects.requireNonNull(limits, "limits");
        departments = Map.copyOf(departments);
        // a limit that can never hold fails now, naming its key, not at the first sweep
        check(Keys.SCAN_RATE.env() + "/" + Keys.SCAN_BURST.env() + "/" + Keys.SCAN_PARALLELISM.env(), limits);
        departments.forEach((d, l) -> check(Keys.SCAN_DEPARTMENTS.env() + " (" + d + ")", limits.with(l)));
    }

    private static void check(String key, Limits l) {
        try {
            l.apply(ScanPolicy.defaults());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage().replaceFirst("^scanner\\.", ""));
        }
    }

    public static ScanJobSettings defaults() {
        return from(Settings.fromEnv(Map.of()));
    }

    public static ScanJobSettings fromEnv(Map<String, String> env) {
        return from(Settings.fromEnv(env));
    }

    public static ScanJobSettings from(Settings s) {
        Limits fleet = new Limits(s.get(Keys.SCAN_RATE), s.get(Keys.SCAN_BURST), s.get(Keys.SCAN_PARALLELISM));
        return new ScanJobSettings(s.get(Keys.SCAN_MAX_PARALLEL_SCANS), s.get(Keys.SCAN_MAX_ATTEMPTS),
                s.get(Keys.SCAN_RETRY_BACKOFF), fleet, departments(s.get(Keys.SCAN_DEPARTMENTS)));
    }

    /** {@code DEPT rate=N burst=N parallelism=N; …}: department (id or name) → its limits. */
    static Map<String, Limits> departments(String text) {
        String key = Keys.SCAN_DEPARTMENTS.env();
        Map<String, Limits> out = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        int n = 0;
        for (String entry : text.split(";")) {
            if (entry.isBlank()) {
                continue;
            }
            n++;
            List<String> words = List.of(entry.strip().split("\\s+"));
            String where = key + ": entry " + n + " ('" + entry.strip() + "')";
            if (words.size() < 2 || words.get(0).contains("=")) {
                throw new IllegalArgumentException(where + ": DEPT rate=N burst=N parallelism=N, with at least one limit");
            }
            Integer rate = null;
            Integer burst = null;
            Integer parallelism = null;
            for (String w : words.subList(1, words.size())) {
                String[] kv = w.split("=", 2);
                Integer v;
                try {
                    v = kv.length == 2 ? Integer.valueOf(kv[1]) : null;
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(where + ": '" + kv[1] + "' is not a number");
                }
                switch (kv[0]) {
                    case "rate" -> rate = v;
                    case "burst" -> burst = v;
                    case "parallelism" -> parallelism = v;
                    default -> throw new IllegalArgumentException(where + ": unknown '" + kv[0]
                            + "' (known: rate, burst, parallelism)");
                }
                if (v == null) {
                    throw new IllegalArgumentException(where + ": " + kv[0] + "=N needs a number");
                }
            }
            if (out.put(words.get(0), new Limits(rate, burst, parallelism)) != null) {
                throw new IllegalArgumentException(where + ": department " + words.get(0) + " is named twice");
            }
        }
        return out;
    }

    /** The limits of a sweep for department {@code id} named {@code name} (null when unnamed): fleet, then its own. */
    public Limits limitsFor(int id, String name) {
        Limits own = departments.get(Integer.toString(id));
        if (own == null && name != null) {
            own = departments.get(name);
        }
        return own == null ? limits : limits.with(own);
    }

    /** The wait before retry number {@code retry} (1 for the first): the backoff, doubled for each further one. */
    public Duration backoff(int retry) {
        return retryBackoff.multipliedBy(1L << Math.min(20, Math.max(0, retry - 1)));
    }
}
