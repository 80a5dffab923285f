package io.fleetwatch.broker;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.fleetwatch.settings.Keys;
import io.fleetwatch.settings.Settings;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * Where the broker is and how to log in: {@code QUEUE_HOST}, {@code QUEUE_PORT}, {@code QUEUE_USER},
 * {@code QUEUE_PASSWORD}, or one AMQP URI in {@code QUEUE_URI} ({@code amqp://user:pass@host:port/vhost}).
 * A cluster's nodes go in {@code QUEUE_HOSTS} ({@code host1:port1,host2:port2}), which wins over the host and port
 * of either form: {@link #newConnection} connects to any live one and recovers onto another when its node dies.
 * {@code host} and {@code port} are the first node (the management API's default host).
 *
 * <p>{@link #toString()} never shows the password.
 */
public record BrokerSettings(String host, int port, String user, String password, String virtualHost,
                             int managementPort, BrokerTls tls, List<Address> addresses) {

    public static final String ENV_HOST = Keys.BROKER_HOST.env();
    public static final String ENV_HOSTS = Keys.BROKER_HOSTS.env();
    public static final String ENV_PORT = Keys.BROKER_PORT.env();
    public static final String ENV_USER = Keys.BROKER_USER.env();
    public static final String ENV_PASSWORD = Keys.BROKER_PASSWORD.env();
    public static final String ENV_VHOST = Keys.BROKER_VHOST.env();
    public static final String ENV_URI = Keys.BROKER_URI.env();
    public static final String ENV_MANAGEMENT_PORT = Keys.BROKER_MANAGEMENT_PORT.env();

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
        addresses = addresses == null || addresses.isEmpty() ? List.of(new Address(host, port)) : List.copyOf(addresses);
        if (!addresses.get(0).getHost().equals(host) || addresses.get(0).getPort() != port) {
            throw new IllegalArgumentException(ENV_HOSTS + ": the first node must be host:port (" + host + ":" + port + ")");
        }
    }

    /** One node. */
    public BrokerSettings(String host, int port, String user, String password, String virtualHost, int managementPort,
                          BrokerTls tls) {
        this(host, port, user, password, virtualHost, managementPort, tls, List.of());
    }

    /** One node, plain AMQP. */
    public BrokerSettings(String host, int port, String user, String password, String virtualHost, int managementPort) {
        this(host, port, user, password, virtualHost, managementPort, BrokerTls.OFF);
    }

    /** Defaults (docs/contract.md): localhost:5672, guest/guest (which RabbitMQ accepts from loopback only). */
    public static BrokerSettings from(Settings s) {
        if (!s.get(Keys.BROKER_ENABLED)) {
            // the contract's QUEUE_ENABLED=false (producers writing straight to the database) is not built yet
            throw new IllegalArgumentException(Keys.BROKER_ENABLED.env() + "=false (writing straight to the database,"
                    + " without RabbitMQ) is not supported yet: unset " + Keys.BROKER_ENABLED.env() + " or set it to true");
        }
        String uri = s.get(Keys.BROKER_URI);
        int mgmt = s.get(Keys.BROKER_MANAGEMENT_PORT);
        BrokerSettings one;
        if (uri != null && !uri.isBlank()) {
            one = fromUri(uri, mgmt, s);
        } else {
            BrokerTls tls = BrokerTls.from(s, false);
            one = new BrokerSettings(s.get(Keys.BROKER_HOST), s.find(Keys.BROKER_PORT).orElse(tls.enabled() ? 5671 : 5672),
                    s.get(Keys.BROKER_USER), s.get(Keys.BROKER_PASSWORD), s.get(Keys.BROKER_VHOST), mgmt, tls);
        }
        String hosts = s.get(Keys.BROKER_HOSTS);
        return hosts == null || hosts.isBlank() ? one : one.withAddresses(parseHosts(hosts, one.port()));
    }

    public static BrokerSettings fromEnv(Map<String, String> env) {
        return from(Settings.fromEnv(env));
    }

    /** {@code host[:port],...}; a node without a port takes {@code defaultPort} (QUEUE_PORT, or the URI's). */
    static List<Address> parseHosts(String value, int defaultPort) {
        List<Address> out = new ArrayList<>();
        for (String item : value.split(",", -1)) {   // -1: a trailing comma is an empty host, not nothing
            String h = item.strip();
            int colon = h.lastIndexOf(':');
            // [v6]:port or host:port; a bare IPv6 address has more than one colon and no brackets
            boolean hasPort = colon > 0 && (h.startsWith("[") ? h.indexOf(']') == colon - 1 : h.indexOf(':') == colon);
            String name = hasPort ? h.substring(0, colon) : h;
            name = name.startsWith("[") && name.endsWith("]") ? name.substring(1, name.length() - 1) : name;
            if (name.isEmpty()) {
                throw new IllegalArgumentException(ENV_HOSTS + ": empty host in '" + value + "' (expected host1:port1,host2:port2)");
            }
            int port = hasPort ? parsePort(ENV_HOSTS, h.substring(colon + 1)) : defaultPort;
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException(ENV_HOSTS + ": " + port + " is not a TCP port");
            }
            out.add(new Address(name, port));
        }
        return List.copyOf(out);
    }

    static BrokerSettings fromUri(String uri, int managementPort) {
        return fromUri(uri, managementPort, Settings.empty());
    }

    static BrokerSettings fromUri(String uri, int managementPort, Settings s) {
        try {
            URI u = new URI(uri);
            if (!"amqp".equals(u.getScheme()) && !"amqps".equals(u.getScheme())) {
                throw new IllegalArgumentException(ENV_URI + ": scheme must be amqp or amqps, not '" + u.getScheme() + "'");
            }
            BrokerTls tls = BrokerTls.from(s, "amqps".equals(u.getScheme()));
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
        return new BrokerSettings(host, port, user, password, vhost, managementPort, tls, addresses);
    }

    /** The same login on these nodes; the first becomes host and port. */
    public BrokerSettings withAddresses(List<Address> nodes) {
        return new BrokerSettings(nodes.get(0).getHost(), nodes.get(0).getPort(), user, password, virtualHost,
                managementPort, tls, nodes);
    }

    /**
     * A connection to any live node of {@link #addresses()}; the client shuffles the list on every attempt (so a
     * fleet spreads over the cluster) and, with automatic recovery, reconnects to another node when this one dies.
     */
    public Connection newConnection(String name) throws IOException, TimeoutException {
        return connectionFactory().newConnection(addresses, name);
    }

    /** As {@link #newConnection(String)}, recovering after {@code recoveryDelays} instead of the fixed 2 s interval. */
    public Connection newConnection(String name, com.rabbitmq.client.RecoveryDelayHandler recoveryDelays)
            throws IOException, TimeoutException {
        ConnectionFactory cf = connectionFactory();
        cf.setRecoveryDelayHandler(recoveryDelays);
        return cf.newConnection(addresses, name);
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
        StringBuilder nodes = new StringBuilder();
        for (Address a : addresses) {
            nodes.append(nodes.isEmpty() ? "" : ",").append(a.getHost()).append(':').append(a.getPort());
        }
        return (tls.enabled() ? "amqps://" : "amqp://") + user + "@" + nodes + "/" + ("/".equals(virtualHost) ? "" : virtualHost);
    }

    @Override
    public String toString() {
        return "BrokerSettings[" + describe() + ", password=***]";
    }
}
