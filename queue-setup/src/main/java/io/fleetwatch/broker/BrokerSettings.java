package io.fleetwatch.broker;

import com.rabbitmq.client.ConnectionFactory;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Where the broker is and how to log in: {@code QUEUE_HOST}, {@code QUEUE_PORT}, {@code QUEUE_USER},
 * {@code QUEUE_PASSWORD}, or one AMQP URI in {@code QUEUE_URI} ({@code amqp://user:pass@host:port/vhost}).
 *
 * <p>{@link #toString()} never shows the password.
 */
public record BrokerSettings(String host, int port, String user, String password, String virtualHost,
                             int managementPort, BrokerTls tls) {

    public static final String ENV_HOST = "QUEUE_HOST";
    public static final String ENV_PORT = "QUEUE_PORT";
    public static final String ENV_USER = "QUEUE_USER";
    public static final String ENV_PASSWORD = "QUEUE_PASSWORD";
    public static final String ENV_VHOST = "QUEUE_VHOST";
    public static final String ENV_URI = "QUEUE_URI";
    public static final String ENV_MANAGEMENT_PORT = "QUEUE_MANAGEMENT_PORT";

    public BrokerSettings {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException(ENV_HOST + ": broker host is empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(ENV_PORT + ": " + port + " is not a TCP port");
        }
        if (user == null || user.isEmpty()) {
            throw new IllegalArgumentException(ENV_USER + ": broker user is empty");
        }
        password = password == null ? "" : password;
        virtualHost = virtualHost == null || virtualHost.isEmpty() ? "/" : virtualHost;
        tls = tls == null ? BrokerTls.OFF : tls;
    }

    /** Plain AMQP. */
    public BrokerSettings(String host, int port, String user, String password, String virtualHost, int managementPort) {
        this(host, port, user, password, virtualHost, managementPort, BrokerTls.OFF);
    }

    /** Defaults (docs/contract.md): localhost:5672, guest/guest (which RabbitMQ accepts from loopback only). */
    public static BrokerSettings fromEnv(Map<String, String> env) {
        String uri = env.get(ENV_URI);
        int mgmt = parsePort(ENV_MANAGEMENT_PORT, env.getOrDefault(ENV_MANAGEMENT_PORT, "15672"));
        if (uri != null && !uri.isBlank()) {
            return fromUri(uri, mgmt, env);
        }
        BrokerTls tls = BrokerTls.fromEnv(env, false);
        return new BrokerSettings(
                env.getOrDefault(ENV_HOST, "localhost"),
                parsePort(ENV_PORT, env.getOrDefault(ENV_PORT, tls.enabled() ? "5671" : "5672")),
                env.getOrDefault(ENV_USER, "guest"),
                env.getOrDefault(ENV_PASSWORD, "guest"),
                env.getOrDefault(ENV_VHOST, "/"),
                mgmt, tls);
    }

    static BrokerSettings fromUri(String uri, int managementPort) {
        return fromUri(uri, managementPort, Map.of());
    }

    static BrokerSettings fromUri(String uri, int managementPort, Map<String, String> env) {
        try {
            URI u = new URI(uri);
            if (!"amqp".equals(u.getScheme()) && !"amqps".equals(u.getScheme())) {
                throw new IllegalArgumentException(ENV_URI + ": scheme must be amqp or amqps, not '" + u.getScheme() + "'");
            }
            BrokerTls tls = BrokerTls.fromEnv(env, "amqps".equals(u.getScheme()));
            String user = "guest";
            String pass = "guest";
            if (u.getRawUserInfo() != null) {
                String[] parts = u.getRawUserInfo().split(":", 2);
                user = decode(parts[0]);
                pass = parts.length > 1 ? decode(parts[1]) : "";
            }
            String path = u.getRawPath();
            String vhost = path == null || path.length() <= 1 ? "/" : decode(path.substring(1));
            return new BrokerSettings(u.getHost(), u.getPort() >= 0 ? u.getPort() : tls.enabled() ? 5671 : 5672, user, pass,
                    vhost, managementPort, tls);
        } catch (URISyntaxException e) {
            // The URI may hold a password: say where it is wrong, not what it is.
            throw new IllegalArgumentException(ENV_URI + ": not a valid AMQP URI (position " + e.getIndex() + ")");
        }
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static int parsePort(String key, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": '" + value + "' is not a port number");
        }
    }

    public BrokerSettings withVirtualHost(String vhost) {
        return new BrokerSettings(host, port, user, password, vhost, managementPort, tls);
    }

    /**
     * A connection factory with automatic connection and topology recovery, and a heartbeat so a dead broker is
     * noticed within a minute rather than at the next TCP timeout.
     */
    public ConnectionFactory connectionFactory() {
        ConnectionFactory cf = new ConnectionFactory();
        cf.setHost(host);
        cf.setPort(port);
        cf.setUsername(user);
        cf.setPassword(password);
        cf.setVirtualHost(virtualHost);
        cf.setAutomaticRecoveryEnabled(true);
        cf.setTopologyRecoveryEnabled(true);
        cf.setNetworkRecoveryInterval(2_000);
        cf.setRequestedHeartbeat(20);
        cf.setConnectionTimeout(10_000);
        if (tls.enabled()) {
            cf.useSslProtocol(tls.sslContext());   // amqp-client 5.2x+ also turns hostname verification on here
            if (!tls.verifyHostname()) {
                // The blocking-IO socket set-up without the hostname check (the chain is still verified).
                cf.setSocketConfigurator(com.rabbitmq.client.SocketConfigurators.defaultConfigurator());
            }
        }
        return cf;
    }

    /** For logs and errors. */
    public String describe() {
        return (tls.enabled() ? "amqps://" : "amqp://") + user + "@" + host + ":" + port + "/" + ("/".equals(virtualHost) ? "" : virtualHost);
    }

    @Override
    public String toString() {
        return "BrokerSettings[" + describe() + ", password=***]";
    }
}
