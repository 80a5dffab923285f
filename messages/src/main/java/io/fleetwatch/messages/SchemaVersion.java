package io.fleetwatch.messages;

/**
 * Version of the message schema (docs/contract.md); a message without one is version 1. Every version up to
 * {@link #CURRENT} is accepted (each added optional fields only); a higher version means a change this reader cannot
 * interpret: it is refused (dead-lettered, to be replayed by an upgraded consumer) rather than stored half understood.
 */
public final class SchemaVersion {
    private SchemaVersion() {}

    /** 2: the metrics of the catalog beyond the first eight, and {@code filesystems}; all optional. */
    public static final int CURRENT = 2;

    static int check(Integer version) {
        if (version == null) {
            return CURRENT;
        }
        if (version < 1) {
            throw new IllegalArgumentException("schema_version must be >= 1, not " + version);
        }
        if (version > CURRENT) {
            throw new IllegalArgumentException("schema_version " + version + " is newer than this reader understands ("
                    + CURRENT + "); upgrade the consumer and replay the dead-letter queue");
        }
        return version;
    }
}
