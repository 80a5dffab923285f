package io.fleetwatch.demo;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.qpid.server.SystemLauncher;

/**
 * An AMQP 0-9-1 broker inside this JVM (Apache Qpid Broker-J, in memory), on 127.0.0.1 only, for the demo when no
 * RabbitMQ is reachable. Its virtual host is named "default" and is also the default one, so the default {@code QUEUE_VHOST} "/" works.
 * It is not RabbitMQ: it refuses RabbitMQ's queue arguments (dead-lettering, max-length, overflow), which
 * {@link AdaptingTopology} then leaves out, saying so.
 */
public final class EmbeddedBroker implements AutoCloseable {
    private final SystemLauncher launcher;
    private final int port;

    private EmbeddedBroker(SystemLauncher launcher, int port) {
        this.launcher = launcher;
        this.port = port;
    }

    /** Starts the broker on {@code port} with user guest and the given password; {@code workDir} holds its files. */
    public static EmbeddedBroker start(int port, String password, Path workDir) throws Exception {
        Map<String, Object> attributes = new HashMap<>();
        attributes.put("type", "Memory");
        attributes.put("initialConfigurationLocation",
                EmbeddedBroker.class.getResource("/fleetwatch-qpid.json").toExternalForm());
        attributes.put("startupLoggedToSystemOut", false);
        attributes.put("context", Map.of(
                "fleetwatch.demo.amqp_port", Integer.toString(port),
                "fleetwatch.demo.password", password,
                "qpid.work_dir", workDir.toString(),
                "qpid.home_dir", workDir.toString()));
        SystemLauncher launcher = new SystemLauncher();
        launcher.startup(attributes);
        return new EmbeddedBroker(launcher, port);
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        launcher.shutdown();
    }
}
