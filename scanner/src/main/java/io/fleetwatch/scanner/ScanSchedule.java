package io.fleetwatch.scanner;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A sweep the long-running service repeats. Written as
 * {@code CIDR[,CIDR…] [dept=N] every=DURATION [probes=arp,icmp,tcp] [profile=polite]}, several separated by
 * {@code ;}, e.g. {@code 198.18.0.0/24 dept=1 every=15m; 198.18.1.0/24 dept=2 every=1h probes=arp}. Durations: s, m, h
 * (at least 1 s; the service never starts a sweep of a schedule while its previous one still runs).
 */
public record ScanSchedule(List<Cidr> targets, int dept, Duration every, List<String> probes, String profile) {
    public static final Duration MINIMUM = Duration.ofSeconds(1);

    public ScanSchedule {
        targets = List.copyOf(targets);
        probes = List.copyOf(probes);
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("no target network");
        }
        if (dept <= 0) {
            throw new IllegalArgumentException("dept must be > 0, not " + dept);
        }
        if (every.compareTo(MINIMUM) < 0) {
            throw new IllegalArgumentException("every must be at least " + MINIMUM.toSeconds() + "s, not " + every);
        }
        for (String p : probes) {
            if (!Scanner.PROBES.contains(p)) {
                throw new IllegalArgumentException("unknown probe '" + p + "' (known: arp, icmp, tcp)");
            }
        }
        ScanPolicy.defaults().withProfile(profile); // validates the name
    }

    /** Parses the schedules; the message names the key and the schedule that is wrong. */
    public static List<ScanSchedule> parseAll(String key, String text) {
        List<ScanSchedule> out = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        int n = 0;
        for (String one : text.split(";")) {
            if (one.isBlank()) {
                continue;
            }
            n++;
            try {
                out.add(parse(one.strip()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + ": schedule " + n + " ('" + one.strip() + "'): " + e.getMessage());
            }
        }
        return out;
    }

    static ScanSchedule parse(String text) {
        List<Cidr> targets = new ArrayList<>();
        int dept = 1;
        Duration every = null;
        List<String> probes = Scanner.PROBES;
        String profile = "polite";
        for (String word : text.split("\\s+")) {
            int eq = word.indexOf('=');
            if (eq < 0) {
                for (String c : word.split(",")) {
                    targets.add(Cidr.parse(c));
                }
                continue;
            }
            String k = word.substring(0, eq);
            String v = word.substring(eq + 1);
            switch (k) {
                case "dept" -> dept = Integer.parseInt(v);
                case "every" -> every = duration(v);
                case "probes" -> probes = List.of(v.split(","));
                case "profile" -> profile = v;
                default -> throw new IllegalArgumentException("unknown setting '" + k + "' (dept, every, probes, profile)");
            }
        }
        if (every == null) {
            throw new IllegalArgumentException("every=… is required (e.g. every=15m)");
        }
        return new ScanSchedule(targets, dept, every, probes, profile);
    }

    static Duration duration(String v) {
        String s = v.toLowerCase(Locale.ROOT);
        try {
            long n = Long.parseLong(s.substring(0, s.length() - 1));
            return switch (s.charAt(s.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> throw new IllegalArgumentException("duration '" + v + "' must end in s, m or h");
            };
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("duration '" + v + "' is not a number followed by s, m or h");
        }
    }

    @Override
    public String toString() {
        return String.join(",", targets.stream().map(Cidr::toString).toList()) + " dept=" + dept + " every="
                + every.toSeconds() + "s probes=" + String.join(",", probes) + " profile=" + profile;
    }
}
