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
 *   <li>{@code FLEETWATCH_AGENT_MAX_PENDING}: samples kept in memory while the broker is away (default 10000)</li>
 * </ul>
 */
public record AgentSettings(Duration interval, Path stateDir, String mount, int maxPending, Duration confirmTimeout) {
    public static final String ENV_INTERVAL = "FLEETWATCH_AGENT_INTERVAL";
    public static final String ENV_STATE_DIR = "FLEETWATCH_AGENT_STATE_DIR";
    public static final String ENV_MOUNT = "FLEETWATCH_AGENT_MOUNT";
    public static final String ENV_MAX_PENDING = "FLEETWATCH_AGENT_MAX_PENDING";

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

    public AgentSettings {
        if (interval.compareTo(Duration.ofMillis(100)) < 0 || interval.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException(ENV_INTERVAL + ": must be between 100ms and 1h, not " + interval);
        }
        if (!mount.startsWith("/")) {
            throw new IllegalArgumentException(ENV_MOUNT + ": must be an absolute mount point, not '" + mount + "'");
        }
        if (maxPending < 1) {
            throw new IllegalArgumentException(ENV_MAX_PENDING + ": must be >= 1, not " + maxPending);
        }
    }

    public static AgentSettings fromEnv(Map<String, String> env) {
        Duration interval = duration(ENV_INTERVAL, env.getOrDefault(ENV_INTERVAL, "10s"));
        String dir = env.get(ENV_STATE_DIR);
        Path state = dir != null && !dir.isBlank() ? Path.of(dir) : defaultStateDir();
        int maxPending;
        try {
            maxPending = Integer.parseInt(env.getOrDefault(ENV_MAX_PENDING, "10000").trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(ENV_MAX_PENDING + ": '" + env.get(ENV_MAX_PENDING) + "' is not a number");
        }
        return new AgentSettings(interval, state, env.getOrDefault(ENV_MOUNT, "/"), maxPending, Duration.ofSeconds(5));
    }

    private static Path defaultStateDir() {
        Path system = Path.of("/var/lib/fleetwatch-agent");
        if (Files.isDirectory(system) && Files.isWritable(system)) {
            return system;
        }
        return Path.of(System.getProperty("user.home"), ".local", "state", "fleetwatch-agent");
    }

    /** {@code 10s}, {@code 500ms}, {@code 2m}, {@code 1h}, or ISO-8601 ({@code PT10S}). */
    public static Duration duration(String key, String value) {
        String v = value.trim();
        Matcher m = DURATION.matcher(v);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        }
        try {
            return Duration.parse(v);
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException(key + ": '" + value + "' is not a duration (e.g. 10s, 500ms, 1m)");
        }
    }
}
