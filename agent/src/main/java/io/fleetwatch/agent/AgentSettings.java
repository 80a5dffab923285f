package io.fleetwatch.agent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Agent settings from the environment.
 *
 * <ul>
 *   <li>{@code FLEETWATCH_AGENT_INTERVAL}: between samples, e.g. {@code 10s}, {@code 500ms}, {@code 1m} (default 10s)</li>
 *   <li>{@code FLEETWATCH_AGENT_STATE_DIR}: sequence number and (later) spool; default
 *       {@code /var/lib/fleetwatch-agent} when writable, else {@code ~/.local/state/fleetwatch-agent}</li>
 *   <li>{@code FLEETWATCH_AGENT_MOUNT}: the mount point whose use is {@code disk_percent} (default {@code /})</li>
 *   <li>{@code FLEETWATCH_AGENT_JITTER} (true): start at a random point within the first interval, so agents started
 *       together (a lab powering on) do not all publish in the same second</li>
 *   <li>{@code FLEETWATCH_AGENT_SPOOL_MAX_MB} (64) and {@code FLEETWATCH_AGENT_SPOOL_MAX_AGE} (7d): bounds of the
 *       on-disk spool that holds samples while the broker is away; past them the oldest are dropped and counted</li>
 * </ul>
 */
public record AgentSettings(Duration interval, Path stateDir, String mount, long spoolMaxBytes, Duration spoolMaxAge,
                            Duration confirmTimeout, boolean jitter) {
    public static final String ENV_INTERVAL = "FLEETWATCH_AGENT_INTERVAL";
    public static final String ENV_STATE_DIR = "FLEETWATCH_AGENT_STATE_DIR";
    public static final String ENV_MOUNT = "FLEETWATCH_AGENT_MOUNT";
    public static final String ENV_JITTER = "FLEETWATCH_AGENT_JITTER";
    public static final String ENV_SPOOL_MAX_MB = "FLEETWATCH_AGENT_SPOOL_MAX_MB";
    public static final String ENV_SPOOL_MAX_AGE = "FLEETWATCH_AGENT_SPOOL_MAX_AGE";

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    public AgentSettings {
        if (interval.compareTo(Duration.ofMillis(100)) < 0 || interval.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException(ENV_INTERVAL + ": must be between 100ms and 1h, not " + interval);
        }
        if (!mount.startsWith("/")) {
            throw new IllegalArgumentException(ENV_MOUNT + ": must be an absolute mount point, not '" + mount + "'");
        }
        if (spoolMaxBytes < 64 * 1024) {
            throw new IllegalArgumentException(ENV_SPOOL_MAX_MB + ": must be at least 0.0625 (64 KiB), not "
                    + spoolMaxBytes + " bytes");
        }
        if (spoolMaxAge.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException(ENV_SPOOL_MAX_AGE + ": must be at least 1m, not " + spoolMaxAge);
        }
    }

    /** Without start jitter (tests, one-off runs). */
    public AgentSettings(Duration interval, Path stateDir, String mount, long spoolMaxBytes, Duration spoolMaxAge,
                         Duration confirmTimeout) {
        this(interval, stateDir, mount, spoolMaxBytes, spoolMaxAge, confirmTimeout, false);
    }

    public static AgentSettings fromEnv(Map<String, String> env) {
        Duration interval = duration(ENV_INTERVAL, env.getOrDefault(ENV_INTERVAL, "10s"));
        String dir = env.get(ENV_STATE_DIR);
        Path state = dir != null && !dir.isBlank() ? Path.of(dir) : defaultStateDir();
        double maxMb;
        String rawMb = env.getOrDefault(ENV_SPOOL_MAX_MB, "64").trim();
        try {
            maxMb = Double.parseDouble(rawMb); // fractions allowed: small devices, and tests that overflow it
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(ENV_SPOOL_MAX_MB + ": '" + rawMb + "' is not a number");
        }
        if (!(maxMb >= 0.0625) || maxMb > 1_000_000) {
            throw new IllegalArgumentException(ENV_SPOOL_MAX_MB + ": must be at least 0.0625 (64 KiB) and at most"
                    + " 1000000, not " + rawMb);
        }
        return new AgentSettings(interval, state, env.getOrDefault(ENV_MOUNT, "/"), (long) (maxMb * 1024 * 1024),
                duration(ENV_SPOOL_MAX_AGE, env.getOrDefault(ENV_SPOOL_MAX_AGE, "7d")), Duration.ofSeconds(5),
                bool(ENV_JITTER, env.getOrDefault(ENV_JITTER, "true")));
    }

    private static boolean bool(String key, String value) {
        return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw new IllegalArgumentException(key + ": '" + value + "' is not true or false");
        };
    }

    private static Path defaultStateDir() {
        Path system = Path.of("/var/lib/fleetwatch-agent");
        if (Files.isDirectory(system) && Files.isWritable(system)) {
            return system;
        }
        return Path.of(System.getProperty("user.home"), ".local", "state", "fleetwatch-agent");
    }

    /** {@code 10s}, {@code 500ms}, {@code 2m}, {@code 1h}, {@code 7d}, or ISO-8601 ({@code PT10S}). */
    public static Duration duration(String key, String value) {
        String v = value.trim();
        Matcher m = DURATION.matcher(v);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            return Duration.parse(v);
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException(key + ": '" + value + "' is not a duration (e.g. 10s, 500ms, 1m)");
        }
    }
}
