package io.fleetwatch.cli;

import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.consumer.relay.AlertRelay;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "relay", description = {
    "Publish threshold alerts from the database outbox to alerts.{severity} (LISTEN fleetwatch_alerts).",
    "Several relays may run; each alert is claimed by one."})
final class RelayCommand extends EnvAware implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        HikariDataSource ds = Services.database(env, "fleetwatch-relay");
        AlertRelay relay = start(env, ds);
        Services.runUntilShutdown(List.of(ds, relay));
        return 0;
    }

    static AlertRelay start(java.util.Map<String, String> env, HikariDataSource ds) {
        AlertRelay relay = new AlertRelay(ds, BrokerSettings.fromEnv(env), AlertRelay.Settings.defaults(),
                Clock.systemUTC());
        relay.start();
        return relay;
    }
}
