package io.fleetwatch.cli;

import java.sql.Timestamp;
import java.time.Instant;

/** How the commands print stored values, kept as they have always looked. */
final class Printing {
    private Printing() {}

    /**
     * A {@code timestamptz} as JDBC's {@link Timestamp} prints it (local time, {@code 2026-12-06 18:20:00.123456}):
     * the form {@code scan status} and {@code inspect} have always shown; null stays null.
     */
    static Object timestamp(Instant at) {
        return at == null ? null : Timestamp.from(at);
    }
}
