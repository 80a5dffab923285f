package io.fleetwatch.messages;

/** Version of the message schema; seed 002 messages carry none and are version 1. */
public final class SchemaVersion {
    private SchemaVersion() {}

    public static final int CURRENT = 1;

    static int check(Integer version) {
        if (version == null) {
            return CURRENT;
        }
        if (version < 1) {
            throw new IllegalArgumentException("schema_version must be >= 1, not " + version);
        }
        return version;
    }
}
