package io.fleetwatch.consumer.internal;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import org.jdbi.v3.core.Handle;
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

    /** Adopts ids a producer named but this database never issued (see {@code fw_adopt_ids} in V1). */
    public static void adoptIds(Handle h, String table, Collection<Long> ids) {
        if (!ids.isEmpty()) {
            h.createQuery("SELECT fw_adopt_ids(:t, :ids)").bind("t", table).bindArray("ids", Long.class, ids)
                    .mapToMap().list();
        }
    }

    public static long micros(Instant t) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, t);
    }

    public static String ts(String column) {
        return String.format(MICROS_TO_TIMESTAMPTZ, column);
    }
}
