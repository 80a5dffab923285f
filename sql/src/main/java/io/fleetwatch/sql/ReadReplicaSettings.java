package io.fleetwatch.sql;

import io.fleetwatch.settings.Keys;
import io.fleetwatch.settings.Settings;
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
    public static final String ENV_URL = Keys.DATABASE_READ_URL.env();
    public static final String ENV_MAX_LAG = Keys.DATABASE_READ_MAX_LAG_SECONDS.env();
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
    public static Optional<ReadReplicaSettings> from(Settings s) {
        String url = s.get(Keys.DATABASE_READ_URL);
        if (url == null || url.isBlank()) {
            return Optional.empty();
        }
        long seconds = s.get(Keys.DATABASE_READ_MAX_LAG_SECONDS);
        return Optional.of(new ReadReplicaSettings(DatabaseSettings.from(s, Keys.DATABASE_READ_URL),
                Duration.ofSeconds(seconds)));
    }

    public static Optional<ReadReplicaSettings> fromEnv(Map<String, String> env) {
        return from(Settings.fromEnv(env));
    }
}
