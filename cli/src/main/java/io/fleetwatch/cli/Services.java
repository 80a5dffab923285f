package io.fleetwatch.cli;

import io.fleetwatch.broker.RabbitTransport;
import io.fleetwatch.broker.Topology;
import io.fleetwatch.settings.Settings;
import io.fleetwatch.transport.Transport;
import io.fleetwatch.transport.TransportKind;
import io.fleetwatch.transport.Transports;
import com.rabbitmq.client.Connection;
import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.jobs.Errors;
import io.fleetwatch.jobs.ScanJobs;
import io.fleetwatch.lifecycle.Signals;
import io.fleetwatch.sql.Database;
import io.fleetwatch.sql.DatabaseSettings;
import io.fleetwatch.sql.ReadReplica;
import io.fleetwatch.sql.ReadReplicaSettings;
import io.fleetwatch.store.Owners;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;

/** Shared plumbing of the commands: connections with operator-friendly errors, and run-until-SIGTERM. */
final class Services {
    private Services() {}

    static Connection connect(Map<String, String> env, String name) {
        BrokerSettings b = BrokerSettings.fromEnv(env);
        try {
            return b.newConnection(name);
        } catch (IOException | TimeoutException e) {
            Throwable root = Errors.root(e);
            throw new IllegalStateException("cannot connect to RabbitMQ at " + b.describe() + ": "
                    + (root.getMessage() != null ? root.getMessage() : root.toString()), e);
        }
    }

    /** The scan-job service on {@code ds}, opening its broker connections as {@link #connect} does. */
    static ScanJobs scanJobs(Map<String, String> env, HikariDataSource ds) {
        Owners owners = Owners.of(ds);
        return ScanJobs.on(owners.scans(), name -> transport(env, ds, name), Clock.systemUTC(),
                io.fleetwatch.jobs.ScanJobSettings.fromEnv(env), owners.systems());
    }

    /** The transport {@code QUEUE_TYPE} chooses: RabbitMQ connected as {@link #connect} does, or the queue table on {@code ds}. */
    static Transport transport(Map<String, String> env, HikariDataSource ds, String name) throws Exception {
        Settings s = Settings.fromEnv(env);
        return TransportKind.from(s) == TransportKind.RABBITMQ
                ? new RabbitTransport(connect(env, name), Topology.from(s), "rabbitmq " + BrokerSettings.from(s).describe())
                : Transports.open(s, () -> ds, name);
    }

    static HikariDataSource database(Map<String, String> env, String name) {
        return Database.pool(DatabaseSettings.fromEnv(env), name);
    }

    /** The read replica ({@code DATABASE_READ_URL}) for a reader of {@code primary}, or null when none is configured. */
    static ReadReplica readReplica(Map<String, String> env, DataSource primary, String name) {
        return ReadReplicaSettings.fromEnv(env).map(s -> ReadReplica.start(primary, s, name, Clock.systemUTC()))
                .orElse(null);
    }

    /**
     * Blocks until SIGTERM or SIGINT, then closes the services in reverse start order, each finishing its work in hand,
     * and returns (the process then exits 0).
     */
    static void runUntilShutdown(List<AutoCloseable> started) throws InterruptedException {
        String signal = Signals.awaitStop();
        org.slf4j.LoggerFactory.getLogger(Services.class).info("{}: draining and stopping", signal);
        closeAll(started);
    }

    /** Closes the services in reverse start order; one that fails to stop does not keep the others running. */
    static void closeAll(List<AutoCloseable> started) {
        List<AutoCloseable> order = new ArrayList<>(started);
        Collections.reverse(order);
        for (AutoCloseable c : order) {
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("fleetwatch: error while stopping: " + Errors.describe(e));
            }
        }
    }
}
