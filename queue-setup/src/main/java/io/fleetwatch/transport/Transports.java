package io.fleetwatch.transport;

import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.broker.RabbitTransport;
import io.fleetwatch.broker.Topology;
import io.fleetwatch.settings.Keys;
import io.fleetwatch.settings.Settings;
import java.io.IOException;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import javax.sql.DataSource;

/** Opens the transport the settings choose ({@value TransportKind#ENV}); the one place that knows them all. */
public final class Transports {
    private Transports() {}

    /**
     * {@code database}: the pool of Fleetwatch's database, asked for only by the postgres transport (a component
     * without one cannot use it). {@code connectionName}: how a RabbitMQ connection shows in the management UI.
     */
    public static Transport open(Settings s, Supplier<DataSource> database, String connectionName)
            throws IOException, TimeoutException {
        return switch (TransportKind.from(s)) {
            case RABBITMQ -> RabbitTransport.connect(BrokerSettings.from(s), Topology.from(s), connectionName);
            case POSTGRES -> new PostgresTransport(database.get(), Topology.queueNames(s),
                    PostgresTransport.Timing.defaults());
            case REDIS -> new RedisTransport(redisUri(s), STREAM_PREFIX, Topology.queueNames(s),
                    Topology.Limits.defaults(), PostgresTransport.Timing.defaults());
        };
    }

    /** Streams of the redis transport are named {@code fleetwatch:<queue>}, apart from anything else in that Redis. */
    public static final String STREAM_PREFIX = "fleetwatch:";

    /** The transport's settings, checked without connecting (for {@code --validate-only}). */
    public static TransportKind check(Settings s) {
        TransportKind k = TransportKind.from(s);
        redisUri(s);
        return k;
    }

    public static TransportKind checkEnv(java.util.Map<String, String> env) {
        return check(Settings.fromEnv(env));
    }

    private static java.net.URI redisUri(Settings s) {
        String v = s.get(Keys.BROKER_REDIS_URL).strip();
        try {
            java.net.URI u = new java.net.URI(v);
            if (!("redis".equals(u.getScheme()) || "rediss".equals(u.getScheme())) || u.getHost() == null) {
                throw new java.net.URISyntaxException(v, "not redis://host:port");
            }
            return u;
        } catch (java.net.URISyntaxException e) {
            // the value may hold a password: name the key, not the value
            throw new IllegalArgumentException(Keys.BROKER_REDIS_URL.env() + " (" + Keys.BROKER_REDIS_URL.path().orElse("")
                    + "): must be redis://[user:password@]host:port[/db]");
        }
    }
}
