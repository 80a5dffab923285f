package io.fleetwatch.cli;

import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.consumer.ConsumerSettings;
import io.fleetwatch.consumer.notify.NotifySettings;
import io.fleetwatch.lifecycle.OpsMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "consume", mixinStandardHelpOptions = true,
        header = "Store the three queues in the database; notifications, queue watch and maintenance.",
        description = {
    "Consume the discovery, metrics and alert queues into the database, deliver alert notifications",
    "(FLEETWATCH_WEBHOOK_URL, SMTP_*), run the metrics maintenance job and the queue-backlog watch",
    "(one instance at a time each, by advisory lock).",
    "Env: FLEETWATCH_CONSUMER_BATCH_SIZE (1000), FLEETWATCH_CONSUMER_FLUSH_MS (100),",
    "FLEETWATCH_CONSUMER_WORKERS (1 per queue)."})
final class ConsumeCommand extends EnvAware implements Callable<Integer>, ConfigCheck.Parts {
    @Override
    public List<String> parts(Map<String, String> env) {
        return List.of("database", "consumer");
    }

    @Override
    public Integer call() throws Exception {
        ConsumerSettings settings = ConsumerSettings.fromEnv(env); // validate before connecting
        NotifySettings.channels(env);
        HikariDataSource ds = Services.database(env, "fleetwatch-consumer");
        List<AutoCloseable> started = new ArrayList<>();
        started.add(ds);
        OpsMetrics metrics = Components.Exposed.CONSUMER.serve(env, started);
        started.addAll(Components.consumer(config(), ds, settings, null, metrics));
        Services.runUntilShutdown(started);
        return 0;
    }
}
