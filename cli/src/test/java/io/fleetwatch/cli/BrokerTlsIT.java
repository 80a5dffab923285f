package io.fleetwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.testing.Await;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * AMQPS with mutual TLS against a real RabbitMQ: the test starts its own node (own name, data directory and ports,
 * a TLS-only listener on 127.0.0.1 with {@code verify_peer} and {@code fail_if_no_peer_cert}) with a CA, server and
 * client certificates that it generates with openssl. Fleetwatch connects with the CA and client certificate, runs
 * queue-setup through the CLI and round-trips a message; without a client certificate, or trusting another CA, the
 * connection is refused.
 */
class BrokerTlsIT {
    static final Path RABBIT = Path.of("/usr/lib/rabbitmq/bin/rabbitmq-server");
    static Path dir;
    static Process node;
    static int port;
    static int managementPort;

    @BeforeAll
    static void startTlsNode() throws Exception {
        assumeTrue(Files.isExecutable(RABBIT) && Files.isExecutable(Path.of("/usr/bin/openssl")),
                "needs Debian's rabbitmq-server and openssl (scripts/services installs them)");
        dir = Files.createTempDirectory("fleetwatch-tls");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        certs(dir);
        port = io.fleetwatch.testing.Ports.free();
        int dist = io.fleetwatch.testing.Ports.free();
        managementPort = io.fleetwatch.testing.Ports.free();
        Files.writeString(dir.resolve("rabbitmq.conf"), String.join("\n",
                "listeners.tcp = none",
                "listeners.ssl.1 = 127.0.0.1:" + port,
                "listeners.ssl.2 = 127.0.0.2:" + port,   // loopback too, but a name the certificate does not hold
                "ssl_options.cacertfile = " + dir.resolve("ca.pem"),
                "ssl_options.certfile = " + dir.resolve("server.pem"),
                "ssl_options.keyfile = " + dir.resolve("server.key"),
                "ssl_options.verify = verify_peer",
                "ssl_options.fail_if_no_peer_cert = true",
                "loopback_users = none",
                // the management API over HTTPS only (plain HTTP on a loopback port of its own, unused)
                "management.tcp.ip = 127.0.0.1",
                "management.tcp.port = " + io.fleetwatch.testing.Ports.free(),
                "management.ssl.ip = 127.0.0.1",
                "management.ssl.port = " + managementPort,
                "management.ssl.cacertfile = " + dir.resolve("ca.pem"),
                "management.ssl.certfile = " + dir.resolve("server.pem"),
                "management.ssl.keyfile = " + dir.resolve("server.key"), ""));
        Files.writeString(dir.resolve("enabled_plugins"), "[rabbitmq_management].\n");
        String name = "fwtls" + ProcessHandle.current().pid();
        ProcessBuilder pb = new ProcessBuilder(RABBIT.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("node.log").toFile());
        Map<String, String> e = pb.environment();
        e.put("RABBITMQ_NODENAME", name + "@localhost");
        e.put("RABBITMQ_CONFIG_FILE", dir.resolve("rabbitmq.conf").toString());
        e.put("RABBITMQ_ENABLED_PLUGINS_FILE", dir.resolve("enabled_plugins").toString());
        e.put("RABBITMQ_MNESIA_BASE", dir.resolve("mnesia").toString());
        e.put("RABBITMQ_LOG_BASE", dir.resolve("log").toString());
        e.put("RABBITMQ_PID_FILE", dir.resolve("node.pid").toString());
        e.put("RABBITMQ_DIST_PORT", Integer.toString(dist));
        e.put("RABBITMQ_NODE_PORT", Integer.toString(io.fleetwatch.testing.Ports.free())); // unused (TCP listener off), but must not clash
        e.put("RABBITMQ_ADVANCED_CONFIG_FILE", dir.resolve("advanced.config").toString());
        node = pb.start();
        Await.until(Duration.ofSeconds(90), "TLS node listening on 127.0.0.1:" + port, () -> {
            if (!node.isAlive()) {
                throw new AssertionError("rabbitmq-server exited: " + Files.readString(dir.resolve("node.log")));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return true;
            } catch (IOException notYet) {
                return false;
            }
        });
    }

    @AfterAll
    static void stopTlsNode() throws Exception {
        if (node != null) {
            node.destroy();     // SIGTERM: the Erlang VM shuts the node down
            if (!node.waitFor(60, TimeUnit.SECONDS)) {
                node.destroyForcibly();
            }
            ProcessHandle.allProcesses().filter(p -> p.info().arguments().map(a -> String.join(" ", a)
                    .contains(dir.toString())).orElse(false)).forEach(ProcessHandle::destroyForcibly);
        }
    }

    Map<String, String> env(boolean clientCert, String ca) {
        Map<String, String> env = new HashMap<>(Map.of("QUEUE_URI", "amqps://guest:guest@127.0.0.1:" + port + "/",
                "QUEUE_TLS_CA_FILE", dir.resolve(ca).toString()));
        if (clientCert) {
            env.put("QUEUE_TLS_CERT_FILE", dir.resolve("client.pem").toString());
            env.put("QUEUE_TLS_KEY_FILE", dir.resolve("client.key").toString());
        }
        return env;
    }

    @Test
    void mutualTlsConnectsDeclaresTheTopologyAndCarriesMessages() throws Exception {
        Map<String, String> env = env(true, "ca.pem");
        assertThat(Main.run(env, "queue-setup")).isZero();
        BrokerSettings b = BrokerSettings.fromEnv(env);
        assertThat(b.describe()).startsWith("amqps://guest@127.0.0.1:" + port);
        try (Connection c = b.connectionFactory().newConnection("tls-it"); Channel ch = c.createChannel()) {
            ch.confirmSelect();
            ch.basicPublish(io.fleetwatch.messages.Routing.EXCHANGE, "discovery.new", null,
                    "{\"over\":\"tls\"}".getBytes(StandardCharsets.UTF_8));
            ch.waitForConfirmsOrDie(10_000);
            GetResponse r = ch.basicGet("discovery_queue", true);
            assertThat(new String(r.getBody(), StandardCharsets.UTF_8)).isEqualTo("{\"over\":\"tls\"}");
        }
    }

    @Test
    void withoutAClientCertificateOrWithAnotherCaTheConnectionIsRefused() {
        assertThatThrownBy(() -> BrokerSettings.fromEnv(env(false, "ca.pem")).connectionFactory().newConnection("no-cert"))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> BrokerSettings.fromEnv(env(true, "other-ca.pem")).connectionFactory().newConnection("bad-ca"))
                .hasStackTraceContaining("PKIX path");
        // The CLI says so in one line and exits 1.
        assertThat(Main.run(env(true, "other-ca.pem"), "queue-setup")).isEqualTo(1);
    }

    @Test
    void theManagementApiOverHttpsIsVerifiedAgainstTheBrokersCa() throws Exception {
        Map<String, String> env = env(true, "ca.pem");
        env.put("QUEUE_MANAGEMENT_URL", "https://127.0.0.1:" + managementPort);
        Await.until(Duration.ofSeconds(60), "management API up", () -> {
            try {
                return Management.call(env, "GET", "/api/overview", null).contains("rabbitmq_version");
            } catch (IOException notYet) {
                return false;
            }
        });
        // what backup uses: the definitions of the virtual host
        assertThat(Management.call(env, "GET", "/api/definitions/%2F", null)).contains("\"queues\"");
        Map<String, String> otherCa = env(true, "other-ca.pem");
        otherCa.put("QUEUE_MANAGEMENT_URL", "https://127.0.0.1:" + managementPort);
        assertThatThrownBy(() -> Management.call(otherCa, "GET", "/api/overview", null))
                .hasStackTraceContaining("PKIX path");
    }

    @Test
    void theHostNameIsChecked() {
        // The server certificate names 127.0.0.1 and localhost; the node also listens on 127.0.0.2.
        Map<String, String> env = env(true, "ca.pem");
        env.put("QUEUE_URI", "amqps://guest:guest@127.0.0.2:" + port + "/");
        assertThatThrownBy(() -> BrokerSettings.fromEnv(env).connectionFactory().newConnection("wrong-name"))
                .hasStackTraceContaining("127.0.0.2");
        env.put("QUEUE_TLS_VERIFY_HOSTNAME", "false");   // the same certificate and CA, the name check off
        assertThat(Main.run(env, "queue-setup")).isZero();
        env.put("QUEUE_URI", "amqps://guest:guest@localhost:" + port + "/");
        env.put("QUEUE_TLS_VERIFY_HOSTNAME", "true");    // a name the certificate holds
        assertThat(Main.run(env, "queue-setup")).isZero();
    }

    static void certs(Path d) throws Exception {
        openssl(d, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
                "-subj", "/CN=Fleetwatch test CA");
        openssl(d, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other-ca.key", "-out", "other-ca.pem",
                "-days", "2", "-subj", "/CN=Some other CA");
        for (String who : List.of("server", "client")) {
            openssl(d, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", who + ".key");
            openssl(d, "req", "-new", "-key", who + ".key", "-out", who + ".csr", "-subj", "/CN=fleetwatch-" + who);
            Files.writeString(d.resolve(who + ".ext"), who.equals("server")
                    ? "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n"
                    : "extendedKeyUsage=clientAuth\n");
            openssl(d, "x509", "-req", "-in", who + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                    "-out", who + ".pem", "-days", "2", "-extfile", who + ".ext");
            Files.setPosixFilePermissions(d.resolve(who + ".key"), PosixFilePermissions.fromString("rw-------"));
        }
    }

    static void openssl(Path d, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(d.toFile()).redirectErrorStream(true)
                .redirectOutput(new File(d.toFile(), "openssl.log")).start();
        assertThat(p.waitFor()).as("openssl " + String.join(" ", args)).isZero();
    }
}
