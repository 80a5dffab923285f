package io.fleetwatch.api;

import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.api.HealthController.Check;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.store.AlertStore;
import io.fleetwatch.store.MetricStore;
import io.fleetwatch.store.Stores;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.jdbi.v3.core.ConnectionFactory;
import org.jdbi.v3.core.Jdbi;

/**
 * The probes' checks, run in the background so that a probe never waits on a dependency: the database (over one
 * connection of its own with short timeouts, never the shared pool, whose 5 s connection timeout a probe would
 * otherwise wait out) every {@link #DATABASE_EVERY}, the broker every {@link #BROKER_EVERY} (at most one AMQP
 * connection per interval however often the probes come). A probe reads the last result; a check that has not
 * answered within {@link #ANSWER_WITHIN} counts as down (a hung server), and the first probe after start waits at
 * most that long for the first result.
 */
final class HealthChecks implements AutoCloseable {
    static final Duration DATABASE_EVERY = Duration.ofSeconds(2);
    static final Duration BROKER_EVERY = Duration.ofSeconds(5);
    static final Duration ANSWER_WITHIN = Duration.ofMillis(700);

    /** The database part: reachable and migrated, and the alert relay's state read over the same connection. */
    record Database(Check database, Check relay) {}

    private final Part<Database> database;
    private final Part<Check> broker;
    private final ScheduledExecutorService runner;
    private final HealthConnection connection;

    HealthChecks(DataSource pool, BrokerSettings brokerSettings) {
        this.connection = new HealthConnection(pool);
        Jdbi jdbi = Stores.jdbi(connection);
        MetricStore metrics = new MetricStore(jdbi);
        AlertStore alerts = new AlertStore(jdbi);
        this.database = new Part<>("database", () -> {
            try {
                if (metrics.storageEngine().isEmpty()) {
                    return new Database(new Check("down", "database not migrated (run fleetwatch db migrate)"),
                            new Check("unknown", "database not migrated"));
                }
                return new Database(Check.UP, relayCheck(alerts));
            } catch (RuntimeException e) {
                connection.discard();
                return new Database(new Check("down", "database unavailable"), new Check("unknown", "database unavailable"));
            }
        }, t -> new Database(new Check("down", "database unavailable: no answer within " + t.toMillis() + " ms"),
                new Check("unknown", "database unavailable")));
        this.broker = new Part<>("broker", () -> brokerCheck(brokerSettings),
                t -> new Check("down", "broker " + brokerSettings.describe() + " unreachable: no answer within "
                        + t.toMillis() + " ms"));
        // two threads: a hung database check must not hold up the broker's, nor the other way round
        this.runner = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "fleetwatch-health");
            t.setDaemon(true);
            return t;
        });
        runner.scheduleWithFixedDelay(database::run, 0, DATABASE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        if (brokerSettings != null) {
            runner.scheduleWithFixedDelay(broker::run, 0, BROKER_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    Database database() {
        return database.current();
    }

    Check broker(boolean configured) {
        return configured ? broker.current() : new Check("unknown", "no broker configured for the API");
    }

    private static Check relayCheck(AlertStore alerts) {
        Optional<Duration> waited = alerts.outboxWait();
        if (waited.isPresent() && waited.get().compareTo(HealthController.RELAY_STALE) > 0) {
            return new Check("down", "an alert has waited " + waited.get().toSeconds() + " s in the outbox; is a"
                    + " relay running (fleetwatch relay) and can it reach the broker?");
        }
        return Check.UP;
    }

    private static Check brokerCheck(BrokerSettings broker) {
        var cf = broker.connectionFactory();
        cf.setConnectionTimeout(1_000);
        cf.setHandshakeTimeout(1_000);
        cf.setAutomaticRecoveryEnabled(false);
        try (var c = cf.newConnection(broker.addresses(), "fleetwatch-healthz")) {   // up while any node answers
            return Check.UP;
        } catch (Exception e) {
            return new Check("down", "broker " + broker.describe() + " unreachable: "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
    }

    @Override
    public void close() {
        runner.shutdownNow();
        connection.discard();
    }

    /** One dependency's last result and the check in flight. */
    private static final class Part<T> {
        private final String name;
        private final Supplier<T> check;
        private final java.util.function.Function<Duration, T> overdue;
        private T last;
        private long inFlightSince;   // System.nanoTime() of the running check's start, 0 when none runs

        Part(String name, Supplier<T> check, java.util.function.Function<Duration, T> overdue) {
            this.name = name;
            this.check = check;
            this.overdue = overdue;
        }

        void run() {
            synchronized (this) {
                inFlightSince = System.nanoTime();
            }
            T result;
            try {
                result = check.get();
            } catch (RuntimeException e) {
                result = overdue.apply(Duration.ZERO);   // never reached: each check catches its own failures
            }
            synchronized (this) {
                last = result;
                inFlightSince = 0;
                notifyAll();
            }
        }

        synchronized T current() {
            long deadline = System.nanoTime() + ANSWER_WITHIN.toNanos();
            while (true) {
                long now = System.nanoTime();
                if (inFlightSince != 0 && now - inFlightSince > ANSWER_WITHIN.toNanos()) {
                    return overdue.apply(ANSWER_WITHIN);   // running for too long: the server hangs
                }
                if (last != null) {
                    return last;
                }
                if (now >= deadline) {
                    return overdue.apply(ANSWER_WITHIN);
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, Math.min(deadline - now, 50_000_000L));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return overdue.apply(ANSWER_WITHIN);
                }
            }
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * The health checks' own connection, held open between checks and dropped when one fails: with a pool built
     * from {@link HikariDataSource}, a direct connection to the same server with short timeouts (connect 1 s, reads
     * 2 s, statements 500 ms), outside the pool; with any other data source, that data source's connections.
     */
    static final class HealthConnection implements ConnectionFactory {
        private final DataSource fallback;
        private final String url;
        private final Properties properties = new Properties();
        private volatile Connection held;

        HealthConnection(DataSource pool) {
            if (pool instanceof HikariDataSource h && h.getJdbcUrl() != null) {
                this.fallback = null;
                this.url = h.getJdbcUrl();
                if (h.getUsername() != null) {
                    properties.setProperty("user", h.getUsername());
                }
                if (h.getPassword() != null) {
                    properties.setProperty("password", h.getPassword());
                }
                h.getDataSourceProperties().forEach((k, v) -> properties.setProperty(k.toString(), v.toString()));
                properties.setProperty("connectTimeout", "1");
                properties.setProperty("socketTimeout", "2");
                properties.setProperty("loginTimeout", "2");
                properties.setProperty("options", "-c statement_timeout=500");
                properties.setProperty("ApplicationName", "fleetwatch-api-health");
            } else {
                this.fallback = pool;
                this.url = null;
            }
        }

        @Override
        public synchronized Connection openConnection() throws SQLException {
            if (fallback != null) {
                return fallback.getConnection();
            }
            if (held == null || held.isClosed()) {
                held = DriverManager.getConnection(url, properties);
            }
            return held;
        }

        @Override
        public void closeConnection(Connection c) throws SQLException {
            if (fallback != null) {
                c.close();
            }   // the held one stays open for the next check
        }

        /** Closes the held connection (without waiting on a connect in progress: that one is closed by its check). */
        void discard() {
            Connection c = held;
            held = null;
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // it was broken already
                }
            }
        }
    }
}
