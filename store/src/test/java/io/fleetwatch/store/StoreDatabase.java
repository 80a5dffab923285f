package io.fleetwatch.store;

import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.sql.Database;
import io.fleetwatch.sql.DatabaseSettings;
import io.fleetwatch.sql.Migrator;
import io.fleetwatch.testing.TestDatabase;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/** A fresh migrated database (the engine the run asks for) with the Jdbi the owners share; dropped on close. */
final class StoreDatabase implements AutoCloseable {
    final TestDatabase db;
    final HikariDataSource ds;
    final Jdbi jdbi;

    StoreDatabase(String name) {
        db = TestDatabase.create();
        ds = Database.pool(DatabaseSettings.fromEnv(Map.of("DATABASE_URL", db.jdbcUrl())), name);
        new Migrator(ds, "auto").migrate();
        jdbi = Stores.jdbi(ds);
    }

    void sql(String statement) {
        jdbi.useHandle(h -> h.execute(statement));
    }

    long count(String query) {
        return jdbi.withHandle(h -> h.createQuery(query).mapTo(Long.class).one());
    }

    @Override
    public void close() {
        ds.close();
        db.close();
    }
}
