package io.fleetwatch.consumer.internal;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.jdbi.v3.core.Jdbi;

/** Array bindings for {@code unnest(...)} inserts, and the one time encoding they use. */
public final class SqlArrays {
    private SqlArrays() {}

    /**
     * SQL that turns a bigint of epoch microseconds back into timestamptz, exactly. Instants travel as microseconds
     * because PostgreSQL keeps microseconds and arrays of them bind without driver-specific types.
     */
    public static final String MICROS_TO_TIMESTAMPTZ = "('epoch'::timestamptz + %s * interval '1 microsecond')";

    public static Jdbi register(Jdbi jdbi) {
        jdbi.registerArrayType(Long.class, "int8");
        jdbi.registerArrayType(Integer.class, "int4");
        jdbi.registerArrayType(Double.class, "float8");
        jdbi.registerArrayType(String.class, "text");
        return jdbi;
    }

    public static long micros(Instant t) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, t);
    }

    public static String ts(String column) {
        return String.format(MICROS_TO_TIMESTAMPTZ, column);
    }
}
