package io.fleetwatch.cli;

import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.consumer.BatchWorker;
import io.fleetwatch.consumer.ConsumerService;
import io.fleetwatch.messages.Routing;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "consume", description = "Consume the discovery, metrics and alert queues into the database.")
final class ConsumeCommand extends EnvAware implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        HikariDataSource ds = Services.database(env, "fleetwatch-consumer");
        ConsumerService consumer = start(env, ds);
        Services.runUntilShutdown(List.of(ds, consumer));
        return 0;
    }

    static ConsumerService start(Map<String, String> env, HikariDataSource ds) throws Exception {
        ConsumerService c = new ConsumerService(BrokerSettings.fromEnv(env), Routing.QueueNames.fromEnv(env), ds,
                BatchWorker.Settings.defaults(), Clock.systemUTC());
        c.start();
        return c;
    }
}
