package io.fleetwatch.sql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/** The connection pool every database user of Fleetwatch shares. */
public final class Database {
    private Database() {}

    public static HikariDataSource pool(DatabaseSettings settings, String name) {
        return new HikariDataSource(config(settings, name));
    }

    static HikariConfig config(DatabaseSettings settings, String name) {
        HikariConfig c = new HikariConfig();
        c.setPoolName(name);
        c.setJdbcUrl(settings.jdbcUrl());
        if (settings.user() != null) {
            c.setUsername(settings.user());
        }
        if (settings.password() != null) {
            c.setPassword(settings.password());
        }
        c.setMaximumPoolSize(settings.poolSize());
        c.setMinimumIdle(1);
        // Start even while the database is down: workers retry and /readyz reports it, instead of a crash loop.
        c.setInitializationFailTimeout(-1);
        c.setConnectionTimeout(5_000);
        c.addDataSourceProperty("ApplicationName", name);
        c.addDataSourceProperty("reWriteBatchedInserts", "true");
        return c;
    }
}
