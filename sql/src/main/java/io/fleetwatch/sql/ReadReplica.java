package io.fleetwatch.sql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.slf4j.LoggerFactory;

/**
 * Reads from a streaming replica while it answers and is within {@link ReadReplicaSettings#maxLag()} of the primary,
 * from the primary otherwise ({@link #reads()}). A background check decides (every {@link #CHECK_EVERY}, each look
 * bounded by {@link #CHECK_TIMEOUT}), so requests never wait on it; a request that cannot get a replica connection
 * (at most {@link #CONNECT_TIMEOUT}) marks it down and is served by the primary.
 */
public final class ReadReplica implements AutoCloseable {
    static final Duration CHECK_EVERY = Duration.ofSeconds(1);
    static final Duration CHECK_TIMEOUT = Duration.ofSeconds(2);
    static final Duration CONNECT_TIMEOUT = Duration.ofMillis(500);
    private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(ReadReplica.class);

    public enum State { UP, LAGGING, DOWN }

    /** What the last check found; lag is null when not measured (replica down, or primary unreachable). */
    public record Status(State state, Double lagSeconds, Long lagBytes, String reason, Instant checkedAt) {
        public boolean serving() {
            return state == State.UP;
        }
    }

    private final DataSource primary;
    private final HikariDataSource replica;
    private final ReadReplicaSettings settings;
    private final String name;
    private final Clock clock;
    private final ReplayLag history;
    private final ScheduledExecutorService checker;
    private final LongAdder fromReplica = new LongAdder();
    private final LongAdder fromPrimary = new LongAdder();
    private final DataSource reads = new Routing();
    private volatile Status status;
    private Connection checkConnection; // the checker's own: a pool would hide a dead replica behind its timeout

    private ReadReplica(DataSource primary, ReadReplicaSettings settings, String name, Clock clock) {
        this.primary = primary;
        this.settings = settings;
        this.name = name;
        this.clock = clock;
        this.history = new ReplayLag(settings.maxLag().plus(CHECK_EVERY.multipliedBy(3)));
        this.status = new Status(State.DOWN, null, null, "not checked yet", clock.instant());
        HikariConfig c = Database.config(settings.replica(), name + "-replica");
        c.setConnectionTimeout(CONNECT_TIMEOUT.toMillis());
        c.setReadOnly(true);
        this.replica = new HikariDataSource(c);
        this.checker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name + "-replica-check");
            t.setDaemon(true);
            return t;
        });
    }

    /** Checks once (so the first requests already know), then every {@link #CHECK_EVERY}. */
    public static ReadReplica start(DataSource primary, ReadReplicaSettings settings, String name, Clock clock) {
        ReadReplica r = new ReadReplica(primary, settings, name, clock);
        r.checker.submit(r::checkOrDown);
        r.checker.scheduleWithFixedDelay(r::checkOrDown, CHECK_EVERY.toMillis(), CHECK_EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
        try {
            r.checker.submit(() -> { }).get(CHECK_TIMEOUT.multipliedBy(3).toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // the first check is slow (an unreachable host): it goes on in the background, reads use the primary
        }
        return r;
    }

    /** Connections for reads: the replica's while it is up and close behind, else the primary's. */
    public DataSource reads() {
        return reads;
    }

    public Status status() {
        return status;
    }

    public ReadReplicaSettings settings() {
        return settings;
    }

    /** Read connections handed out since start, from the replica and from the primary. */
    public long fromReplica() {
        return fromReplica.sum();
    }

    public long fromPrimary() {
        return fromPrimary.sum();
    }

    /** A check that throws would end the schedule: the replica is down until one succeeds. */
    private void checkOrDown() {
        try {
            check();
        } catch (RuntimeException e) {
            closeCheckConnection();
            set(new Status(State.DOWN, null, null, "check failed: " + e, clock.instant()));
        }
    }

    void check() {
        Instant now = clock.instant();
        Long primaryLsn = null;
        try (Connection c = primary.getConnection(); Statement s = c.createStatement()) {
            s.setQueryTimeout((int) CHECK_TIMEOUT.toSeconds());
            try (ResultSet rs = s.executeQuery("SELECT pg_current_wal_lsn()::text")) {
                rs.next();
                primaryLsn = ReplayLag.lsn(rs.getString(1));
                history.primaryAt(now, primaryLsn);
            }
        } catch (SQLException | RuntimeException e) {
            // the primary is unreachable: the replica still serves, its lag unmeasured
        }
        boolean inRecovery;
        String replay;
        try {
            if (checkConnection == null || checkConnection.isClosed()) {
                checkConnection = openCheckConnection();
            }
            try (Statement s = checkConnection.createStatement();
                 ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text")) {
                rs.next();
                inRecovery = rs.getBoolean(1);
                replay = rs.getString(2);
            }
        } catch (SQLException e) {
            closeCheckConnection();
            set(new Status(State.DOWN, null, null, "unreachable: " + describe(e), now));
            return;
        }
        if (!inRecovery) {
            // promoted (or never a replica): it has everything it has, and nothing it is missing can arrive
            set(new Status(State.UP, 0.0, 0L, "not in recovery (a primary)", now));
        } else if (replay == null) {
            set(new Status(State.DOWN, null, null, "not replaying WAL", now));
        } else if (primaryLsn == null) {
            set(new Status(State.UP, null, null, "primary unreachable: lag not measured", now));
        } else {
            long replayLsn = ReplayLag.lsn(replay);
            long bytes = Math.max(0, primaryLsn - replayLsn);
            Duration lag = history.lag(now, replayLsn);
            if (lag == null) {
                double atLeast = seconds(history.span(now));
                set(new Status(State.LAGGING, atLeast, bytes, "behind every primary position of the last " + atLeast
                        + " s", now));
            } else if (lag.compareTo(settings.maxLag()) > 0) {
                set(new Status(State.LAGGING, seconds(lag), bytes, "lag beyond " + settings.maxLag().toSeconds() + " s",
                        now));
            } else {
                set(new Status(State.UP, seconds(lag), bytes, null, now));
            }
        }
    }

    private void set(Status next) {
        Status before = status;
        if (next.serving() && !before.serving() && !poolReady()) {
            // The check's own connection answers, but the pool may still be in its reconnect back-off (up to 5 s
            // after a long outage): requests would wait its timeout and fall back. Serve once it hands one out.
            next = new Status(State.DOWN, next.lagSeconds(), next.lagBytes(), "answers; reconnecting the pool",
                    next.checkedAt());
        }
        status = next;
        if (before.state() != next.state()) {
            if (next.serving()) {
                LOG.info("{}: reads from the replica {} again", name, settings.replica().jdbcUrl());
            } else {
                LOG.warn("{}: reads from the primary: the replica {} is {} ({})", name, settings.replica().jdbcUrl(),
                        next.state().name().toLowerCase(java.util.Locale.ROOT), next.reason());
            }
        }
    }

    private boolean poolReady() {
        try (Connection c = replica.getConnection()) {
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    private Connection openCheckConnection() throws SQLException {
        Properties p = new Properties();
        DatabaseSettings r = settings.replica();
        if (r.user() != null) {
            p.setProperty("user", r.user());
        }
        if (r.password() != null) {
            p.setProperty("password", r.password());
        }
        // pgjdbc's timeouts are in seconds; the socket one also ends a query on a replica that stopped answering
        p.setProperty("connectTimeout", Long.toString(CHECK_TIMEOUT.toSeconds()));
        p.setProperty("socketTimeout", Long.toString(CHECK_TIMEOUT.toSeconds()));
        p.setProperty("ApplicationName", name + "-replica-check");
        return DriverManager.getConnection(r.jdbcUrl(), p);
    }

    private void closeCheckConnection() {
        if (checkConnection != null) {
            try {
                checkConnection.close();
            } catch (SQLException e) {
                // already broken
            }
            checkConnection = null;
        }
    }

    private static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }

    /** The driver's message names host and port, never the password. */
    private static String describe(SQLException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    @Override
    public void close() {
        checker.shutdownNow();
        try {
            checker.awaitTermination(CHECK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeCheckConnection();
        replica.close();
    }

    private final class Routing implements DataSource {
        @Override
        public Connection getConnection() throws SQLException {
            if (status.serving()) {
                try {
                    Connection c = replica.getConnection();
                    fromReplica.increment();
                    return c;
                } catch (SQLException e) {
                    // a pool holding connections is busy, not down: this read takes the primary, the check judges
                    var pool = replica.getHikariPoolMXBean();
                    if (pool == null || pool.getTotalConnections() == 0) {
                        set(new Status(State.DOWN, null, null, "no connection: " + describe(e), clock.instant()));
                    }
                }
            }
            fromPrimary.increment();
            return primary.getConnection();
        }

        @Override
        public Connection getConnection(String user, String password) throws SQLException {
            throw new SQLFeatureNotSupportedException("reads use the configured users");
        }

        @Override
        public PrintWriter getLogWriter() throws SQLException {
            return primary.getLogWriter();
        }

        @Override
        public void setLogWriter(PrintWriter out) throws SQLException {
            primary.setLogWriter(out);
        }

        @Override
        public void setLoginTimeout(int seconds) throws SQLException {
            primary.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() throws SQLException {
            return primary.getLoginTimeout();
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            return primary.getParentLogger();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }
}
