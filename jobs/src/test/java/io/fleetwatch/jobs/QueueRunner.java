package io.fleetwatch.jobs;

import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.sql.Database;
import io.fleetwatch.sql.DatabaseSettings;
import io.fleetwatch.store.Owners;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * A scheduler's queue runner in its own process (started inside a lab's scanner namespace by the tests): claims and
 * runs the queued scan jobs of the database its environment names, as {@code fleetwatch serve} does, until killed.
 */
public final class QueueRunner {
    private QueueRunner() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        HikariDataSource ds = Database.pool(DatabaseSettings.fromEnv(env), "queue-runner");
        Owners owners = Owners.of(ds);
        ScanJobs jobs = new ScanJobs(owners.scans(), name -> BrokerSettings.fromEnv(env).newConnection(name),
                Clock.systemUTC(), ScanJobSettings.fromEnv(env), owners.systems());
        jobs.serveRequests(ScanJobs.policy(env), Duration.ofMillis(200));
        System.out.println("queue runner serving");
        Thread.sleep(Long.MAX_VALUE);
    }
}
