package io.fleetwatch.agent;

import io.fleetwatch.settings.Durations;
import io.fleetwatch.settings.Keys;
import io.fleetwatch.settings.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Agent settings from the environment.
 *
 * <ul>
 *   <li>{@code FLEETWATCH_AGENT_INTERVAL}: between samples, e.g. {@code 10s}, {@code 500ms}, {@code 1m} (default 10s;
 *       every duration takes the one format of {@link Durations})</li>
 *   <li>{@code FLEETWATCH_AGENT_STATE_DIR}: sequence number and (later) spool; default
 *       {@code /var/lib/fleetwatch-agent} when writable, else {@code ~/.local/state/fleetwatch-agent}</li>
 *   <li>{@code FLEETWATCH_AGENT_MOUNT}: the mount point whose use is {@code disk_percent} (default {@code /})</li>
 *   <li>{@code FLEETWATCH_AGENT_JITTER} (true): start at a random point within the first interval, so agents started
 *       together (a lab powering on) do not all publish in the same second</li>
 *   <li>{@code FLEETWATCH_AGENT_SPOOL_MAX_MB} (64) and {@code FLEETWATCH_AGENT_SPOOL_MAX_AGE} (7d): bounds of the
 *       on-disk spool that holds samples while the broker is away; past them the oldest are dropped and counted</li>
 *   <li>{@code FLEETWATCH_AGENT_INVENTORY_EVERY} (15m): how often the hardware and OS inventory is read; it is sent
 *       at start and whenever its content changed</li>
 * </ul>
 */
public record AgentSettings(Duration interval, Path stateDir, String mount, long spoolMaxBytes, Duration spoolMaxAge,
                            Duration confirmTimeout, boolean jitter, Duration inventoryEvery) {
    /** The default of {@code FLEETWATCH_AGENT_INVENTORY_EVERY}. */
    public static final Duration INVENTORY_EVERY = Duration.ofMinutes(15);
    public static final String ENV_INTERVAL = Keys.AGENT_INTERVAL.env();
    public static final String ENV_STATE_DIR = Keys.AGENT_STATE_DIR.env();
    public static final String ENV_MOUNT = Keys.AGENT_MOUNT.env();
    public static final String ENV_JITTER = Keys.AGENT_JITTER.env();
    public static final String ENV_SPOOL_MAX_MB = Keys.AGENT_SPOOL_MAX_MB.env();
    public static final String ENV_SPOOL_MAX_AGE = Keys.AGENT_SPOOL_MAX_AGE.env();
    public static final String ENV_INVENTORY_EVERY = Keys.AGENT_INVENTORY_EVERY.env();

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
        // below a second the OSHI reads would be most of the agent's work; a week keeps a change noticed
        if (inventoryEvery.compareTo(Duration.ofSeconds(1)) < 0 || inventoryEvery.compareTo(Duration.ofDays(7)) > 0) {
            throw new IllegalArgumentException(ENV_INVENTORY_EVERY + ": must be between 1s and 7d, not "
                    + inventoryEvery);
        }
    }

    /** Without start jitter (tests, one-off runs). */
    public AgentSettings(Duration interval, Path stateDir, String mount, long spoolMaxBytes, Duration spoolMaxAge,
                         Duration confirmTimeout) {
        this(interval, stateDir, mount, spoolMaxBytes, spoolMaxAge, confirmTimeout, false, INVENTORY_EVERY);
    }

    /** With the default inventory check interval. */
    public AgentSettings(Duration interval, Path stateDir, String mount, long spoolMaxBytes, Duration spoolMaxAge,
                         Duration confirmTimeout, boolean jitter) {
        this(interval, stateDir, mount, spoolMaxBytes, spoolMaxAge, confirmTimeout, jitter, INVENTORY_EVERY);
    }

    /** The same settings with another inventory check interval (tests). */
    public AgentSettings withInventoryEvery(Duration every) {
        return new AgentSettings(interval, stateDir, mount, spoolMaxBytes, spoolMaxAge, confirmTimeout, jitter, every);
    }

    public static AgentSettings from(Settings s) {
        Duration interval = s.get(Keys.AGENT_INTERVAL);
        Path state = s.find(Keys.AGENT_STATE_DIR).orElseGet(AgentSettings::defaultStateDir);
        double maxMb = s.get(Keys.AGENT_SPOOL_MAX_MB); // fractions allowed: small devices, and tests that overflow it
        if (!(maxMb >= 0.0625) || maxMb > 1_000_000) {
            throw Keys.AGENT_SPOOL_MAX_MB.invalid("must be at least 0.0625 (64 KiB) and at most 1000000, not "
                    + s.env().get(ENV_SPOOL_MAX_MB).strip());
        }
        return new AgentSettings(interval, state, s.get(Keys.AGENT_MOUNT), (long) (maxMb * 1024 * 1024),
                s.get(Keys.AGENT_SPOOL_MAX_AGE), Duration.ofSeconds(5), s.get(Keys.AGENT_JITTER),
                s.get(Keys.AGENT_INVENTORY_EVERY));
    }

    public static AgentSettings fromEnv(Map<String, String> env) {
        return from(Settings.fromEnv(env));
    }

    private static Path defaultStateDir() {
        Path system = Path.of("/var/lib/fleetwatch-agent");
        if (Files.isDirectory(system) && Files.isWritable(system)) {
            return system;
        }
        return Path.of(System.getProperty("user.home"), ".local", "state", "fleetwatch-agent");
    }

    /** A duration in the settings' one format ({@link Durations}), the error naming {@code key}. */
    public static Duration duration(String key, String value) {
        return Durations.parse(key, value);
    }
}
