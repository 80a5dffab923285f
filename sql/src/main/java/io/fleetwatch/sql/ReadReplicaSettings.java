package io.fleetwatch.sql;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A streaming replica for the readers (the API): {@code DATABASE_READ_URL}, in the forms {@code DATABASE_URL} takes
 * ({@code DATABASE_PASSWORD} and {@code DATABASE_POOL_SIZE} serve it too), and {@code DATABASE_READ_MAX_LAG_SECONDS}
 * (default 30): a replica further behind the primary than this, or not answering, is not read from. Writers never
 * use it.
 */
public record ReadReplicaSettings(DatabaseSettings replica, Duration maxLag) {
    public static final String ENV_URL = "DATABASE_READ_URL";
    public static final String ENV_MAX_LAG = "DATABASE_READ_MAX_LAG_SECONDS";
    static final int DEFAULT_MAX_LAG_SECONDS = 30;
    /** The largest bound (a day): beyond it a replica is a backup, not a place to read the fleet's state from. */
    public static final int MAX_MAX_LAG_SECONDS = 86_400;

    public ReadReplicaSettings {
        if (replica == null) {
            throw new IllegalArgumentException(ENV_URL + ": not set");
        }
        if (maxLag == null || maxLag.toSeconds() < 1 || maxLag.toSeconds() > MAX_MAX_LAG_SECONDS) {
            throw new IllegalArgumentException(ENV_MAX_LAG + ": must be 1.." + MAX_MAX_LAG_SECONDS + " seconds, not "
                    + (maxLag == null ? "none" : maxLag.toSeconds()));
        }
    }

    /** Empty when {@code DATABASE_READ_URL} is unset or blank: everything reads from the primary. */
    public static Optional<ReadReplicaSettings> fromEnv(Map<String, String> env) {
        String url = env.get(ENV_URL);
        if (url == null || url.isBlank()) {
            return Optional.empty();
        }
        String raw = env.getOrDefault(ENV_MAX_LAG, Integer.toString(DEFAULT_MAX_LAG_SECONDS)).trim();
        long seconds;
        try {
            seconds = Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(ENV_MAX_LAG + ": '" + raw + "' is not a number of seconds");
        }
        return Optional.of(new ReadReplicaSettings(DatabaseSettings.fromEnv(env, ENV_URL), Duration.ofSeconds(seconds)));
    }
}
