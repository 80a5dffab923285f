package io.fleetwatch.jobs;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.broker.Topology;
import io.fleetwatch.messages.DiscoveryMessage;
import io.fleetwatch.messages.MessageCodec;
import io.fleetwatch.sql.Database;
import io.fleetwatch.sql.DatabaseSettings;
import io.fleetwatch.sql.Migrator;
import io.fleetwatch.store.Owners;
import io.fleetwatch.store.ScanStore;
import io.fleetwatch.testing.NetnsLab;
import io.fleetwatch.testing.TestBroker;
import io.fleetwatch.testing.TestDatabase;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real RabbitMQ (a vhost of its own) and PostgreSQL (a fresh database, the engine the run asks for), migrated and
 * declared, and optionally a lab of network namespaces whose scanner namespace reaches those two through relays on its
 * loopback only: queue runners ({@link QueueRunner}) started there sweep 198.18.0.0/24 and nothing else.
 */
final class JobsLab implements AutoCloseable {
    final TestBroker broker;
    final TestDatabase db;
    final Map<String, String> env;
    final HikariDataSource ds;
    final Owners owners;
    NetnsLab lab;
    private final List<Process> runners = new ArrayList<>();

    JobsLab() throws Exception {
        broker = TestBroker.create();
        try {
            db = TestDatabase.create();
            env = new HashMap<>(broker.env());
            env.put("DATABASE_URL", db.jdbcUrl());
            try (var c = BrokerSettings.fromEnv(env).newConnection("test-setup")) {
                Topology.fromEnv(env).declare(c);
            }
            ds = Database.pool(DatabaseSettings.fromEnv(env), "jobs-it");
            Migrator.fromEnv(ds, env).migrate();
            owners = Owners.of(ds);
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    /** The lab: live hosts at these last octets of 198.18.0.0/24; the scanner namespace gets the relays. */
    JobsLab withLab(int... hosts) throws Exception {
        lab = NetnsLab.create(hosts);
        lab.hostNames(Map.of()); // reverse lookups inside ask the namespace's own loopback, never a real resolver
        lab.relayLoopbackPort(Integer.parseInt(env.get("QUEUE_PORT")));
        lab.relayLoopbackPort(Integer.parseInt(db.jdbcUrl().replaceFirst("^jdbc:postgresql://[^:/]+:(\\d+)/.*", "$1")));
        env.put("FLEETWATCH_SCAN_ALLOW", "198.18.0.0/24");
        return this;
    }

    /** The service on this database with {@code settings}, its broker connections to the test vhost. */
    ScanJobs jobs(ScanJobSettings settings) {
        return new ScanJobs(owners.scans(), name -> BrokerSettings.fromEnv(env).newConnection(name), Clock.systemUTC(),
                settings, owners.systems());
    }

    /** A queue runner in its own JVM inside the scanner namespace, with the lab's environment plus {@code extra}. */
    Process startRunner(Map<String, String> extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", lab.scannerNamespace(), "env"));
        Map<String, String> all = new HashMap<>(env);
        all.putAll(extra);
        all.forEach((k, v) -> cmd.add(k + "=" + v));
        cmd.addAll(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), QueueRunner.class.getName()));
        File log = Files.createTempFile(Path.of("target"), "queue-runner-", ".log").toFile();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
        runners.add(p);
        return p;
    }

    /** Kills a runner as the kernel's OOM killer or {@code kill -9} would: no shutdown hook, no unlock, no goodbye. */
    static void killHard(Process runner) throws InterruptedException {
        runner.destroyForcibly(); // SIGKILL; `ip netns exec` and `env` exec'd into the JVM, so this is the JVM
        if (!runner.waitFor(10, TimeUnit.SECONDS)) {
            throw new AssertionError("the runner did not die");
        }
    }

    ScanStore.Scan scan(long id) {
        return owners.scans().find(id).orElseThrow();
    }

    String log(long id) {
        StringBuilder b = new StringBuilder();
        owners.scans().log(id, 10_000).forEach(l -> b.append(l.level()).append(' ').append(l.message()).append('\n'));
        return b.toString();
    }

    /** Takes every message off the discovery queue. */
    List<DiscoveryMessage> drainDiscoveries() throws Exception {
        List<DiscoveryMessage> out = new ArrayList<>();
        try (Connection c = BrokerSettings.fromEnv(env).connectionFactory().newConnection();
             Channel ch = c.createChannel()) {
            for (GetResponse g; (g = ch.basicGet("discovery_queue", true)) != null; ) {
                out.add(MessageCodec.decode(g.getBody(), DiscoveryMessage.class));
            }
        }
        return out;
    }

    @Override
    public void close() {
        for (Process p : runners) {
            p.destroyForcibly();
        }
        if (lab != null) {
            lab.close();
        }
        if (ds != null) {
            ds.close();
        }
        if (db != null) {
            db.close();
        }
        broker.close();
    }
}
