package io.fleetwatch.cli;

import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.consumer.runtime.RelayComponent;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "relay", mixinStandardHelpOptions = true, description = {
    "Publish threshold alerts from the database outbox to alerts.{severity} (LISTEN fleetwatch_alerts).",
    "Several relays may run; each alert is claimed by one."})
final class RelayCommand extends EnvAware implements Callable<Integer>, ConfigCheck.Parts {
    @Override
    public List<String> parts(Map<String, String> env) {
        return List.of("database", "relay");
    }

    @Override
    public Integer call() throws Exception {
        HikariDataSource ds = Services.database(env, "fleetwatch-relay");
        List<AutoCloseable> started = new java.util.ArrayList<>();
        started.add(ds);
        started.add(RelayComponent.start(env, ds, Components.Exposed.RELAY.serve(env, started)));
        Services.runUntilShutdown(started);
        return 0;
    }
}
