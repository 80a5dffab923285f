package io.fleetwatch.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.postgres.PostgresPlugin;

/**
 * The one {@link Jdbi} setup the owners share, and the encodings their SQL relies on. Owners built on the same
 * {@code Jdbi} join one transaction: a call made inside {@code jdbi.useTransaction(...)} on the same thread reuses
 * that handle, so a caller can write through several owners atomically.
 */
public final class Stores {
    private Stores() {}

    /** Fleetwatch's Jdbi over a pool: the PostgreSQL plugin and the array types the batch statements bind. */
    public static Jdbi jdbi(DataSource dataSource) {
        Jdbi jdbi = Jdbi.create(dataSource).installPlugin(new PostgresPlugin());
        jdbi.registerArrayType(Long.class, "int8");
        jdbi.registerArrayType(Integer.class, "int4");
        jdbi.registerArrayType(Double.class, "float8");
        jdbi.registerArrayType(String.class, "text");
        return jdbi;
    }

    /**
     * SQL that turns a bigint of epoch microseconds back into timestamptz, exactly. Instants travel as microseconds
     * because PostgreSQL keeps microseconds and arrays of them bind without driver-specific types.
     */
    static String ts(String column) {
        return "('epoch'::timestamptz + " + column + " * interval '1 microsecond')";
    }

    static long micros(Instant t) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, t);
    }

    static OffsetDateTime utc(Instant t) {
        return t == null ? null : OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    static Integer nullableInt(ResultSet rs, String column) throws SQLException {
        int v = rs.getInt(column);
        return rs.wasNull() ? null : v;
    }

    static Double nullableDouble(ResultSet rs, String column) throws SQLException {
        double v = rs.getDouble(column);
        return rs.wasNull() ? null : v;
    }

    /** Adopts ids a producer named but this database never issued (see {@code fw_adopt_ids} in V1). */
    static void adoptIds(Handle h, String table, Collection<Long> ids) {
        if (!ids.isEmpty()) {
            h.createQuery("SELECT fw_adopt_ids(:t, :ids)").bind("t", table).bindArray("ids", Long.class, ids)
                    .mapToMap().list();
        }
    }
}
