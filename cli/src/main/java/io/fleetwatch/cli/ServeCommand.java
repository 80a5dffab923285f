package io.fleetwatch.cli;

import com.rabbitmq.client.Connection;
import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.agent.Agent;
import io.fleetwatch.agent.AgentSettings;
import io.fleetwatch.agent.ThisHost;
import io.fleetwatch.api.ApiServer;
import io.fleetwatch.api.ApiSettings;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.broker.Topology;
import io.fleetwatch.consumer.ConsumerSettings;
import io.fleetwatch.consumer.notify.Channel;
import io.fleetwatch.consumer.notify.NotifySettings;
import io.fleetwatch.messages.Routing;
import io.fleetwatch.sql.Migrator;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true, description = {
    "Run this host's share of the pipeline in one process: set up queues and schema, then the consumer,",
    "notifier, maintenance job, alert relay, scheduled scans (FLEETWATCH_SCAN_SCHEDULES), API and agent.",
    "Stops cleanly on SIGTERM / Ctrl-C."})
final class ServeCommand extends EnvAware implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    @Option(names = "--no-agent", description = "Do not run the agent on this host.")
    boolean noAgent;

    @Option(names = "--no-setup", description = "Skip queue-setup and db migrate at start.")
    boolean noSetup;

    @Override
    public Integer call() throws Exception {
        ApiSettings apiSettings = ApiSettings.fromEnv(env);    // validate all settings before starting anything
        AgentSettings agentSettings = AgentSettings.fromEnv(env);
        BrokerSettings broker = BrokerSettings.fromEnv(env);
        ConsumerSettings consumerSettings = ConsumerSettings.fromEnv(env);
        List<Channel> channels = NotifySettings.channels(env);
        List<io.fleetwatch.scanner.ScanSchedule> schedules = ScheduledScans.fromEnv(env);
        List<AutoCloseable> started = new ArrayList<>();
        HikariDataSource ds = Services.database(env, "fleetwatch");
        started.add(ds);
        if (!noSetup) {
            try (Connection c = Services.connect(env, "fleetwatch-setup")) {
                LOG.info("queue-setup: {}", new Topology(Routing.QueueNames.fromEnv(env), Topology.Limits.defaults())
                        .declare(c).summary());
            }
            LOG.info("db migrate: {} applied", Migrator.fromEnv(ds, env).migrate().size());
        }
        started.addAll(ConsumeCommand.start(env, ds, consumerSettings, channels));
        started.addAll(RelayCommand.start(env, ds));
        if (!schedules.isEmpty()) {
            started.add(ScheduledScans.start(env, ds, schedules));
        }
        started.add(ScheduledScans.startRequested(env, ds, java.time.Duration.ofSeconds(5))); // POST /api/scans
        ApiServer api = ApiServer.start(apiSettings, ds, Clock.systemUTC(), io.fleetwatch.broker.BrokerSettings.fromEnv(env));
        started.add(api);
        if (!noAgent) {
            Agent agent = ThisHost.agent(agentSettings, broker, env, Clock.systemUTC());
            agent.start();
            started.add(agent);
        }
        LOG.info("fleetwatch serving: API at {} (GET /api/systems with the bearer token)", api.uri());
        Services.runUntilShutdown(started);
        return 0;
    }
}
