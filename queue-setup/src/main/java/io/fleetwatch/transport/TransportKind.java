package io.fleetwatch.transport;

import io.fleetwatch.settings.Keys;
import io.fleetwatch.settings.Settings;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The message transports of the contract (docs/contract.md, "Configuration"), chosen by {@code QUEUE_TYPE}. */
public enum TransportKind {
    RABBITMQ, POSTGRES, REDIS;

    public static final String ENV = Keys.BROKER_TYPE.env();

    /** The kind the settings name; an unknown one fails at start, naming the key and the known kinds. */
    public static TransportKind from(Settings s) {
        String v = s.get(Keys.BROKER_TYPE).strip();
        for (TransportKind k : values()) {
            if (k.key().equals(v)) {
                return k;
            }
        }
        throw new IllegalArgumentException(ENV + " (" + Keys.BROKER_TYPE.path().orElse("") + "): '" + v
                + "' is not a transport (" + Arrays.stream(values()).map(TransportKind::key)
                .collect(Collectors.joining(", ")) + ")");
    }

    public static TransportKind fromEnv(java.util.Map<String, String> env) {
        return from(Settings.fromEnv(env));
    }

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
