package io.fleetwatch.transport;

import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.broker.RabbitTransport;
import io.fleetwatch.broker.Topology;
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
        };
    }
}
