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
import io.fleetwatch.consumer.runtime.RelayComponent;
import io.fleetwatch.jobs.ScanJobs;
import io.fleetwatch.lifecycle.OpsMetrics;
import io.fleetwatch.sql.Migrator;
import io.fleetwatch.sql.ReadReplica;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
        header = "Run this host's components (serve.components) in one process until SIGTERM.",
        description = {
    "Run this host's share of the pipeline in one process: set up queues and schema, then the components listed in",
    "serve.components (FLEETWATCH_SERVE_COMPONENTS; default all): consumer (with notifier, queue watch and",
    "maintenance), relay (database alerts to RabbitMQ), api, scheduler (scan schedules and API-requested scans), agent.",
    "SIGTERM / Ctrl-C drains and exits 0; SIGHUP reloads log level, notifications, thresholds and scan schedules.",
    "Each component serves its Prometheus /metrics on its own port (consumer 9471, relay 9472, scheduler 9473;",
    "agent off unless agent.metrics.port is set), as when they run as separate units."},
        footer = {"", "Examples:", "  fleetwatch -c /etc/fleetwatch/fleetwatch.yml serve",
                  "  FLEETWATCH_SERVE_COMPONENTS=consumer,relay fleetwatch serve --no-setup"})
final class ServeCommand extends EnvAware implements Callable<Integer>, ConfigCheck.Parts {
    /** Looked up when first used: picocli instantiates every command for the usage, which must not start logging. */
    private static Logger log() {
        return LoggerFactory.getLogger(ServeCommand.class);
    }

    @Option(names = "--no-agent", description = "Do not run the agent on this host.")
    boolean noAgent;

    @Option(names = "--no-setup", description = "Skip queue-setup and db migrate at start.")
    boolean noSetup;

    @Override
    public List<String> parts(Map<String, String> env) {
        return ConfigCheck.SERVE.parts(env);
    }

    @Override
    public Integer call() throws Exception {
        Set<String> parts = Components.serve(env);
        if (noAgent) {
            parts.remove("agent");
        }
        ConfigCheck.check(this, env);    // every component's settings, before anything starts
        List<AutoCloseable> started = new ArrayList<>();
        HikariDataSource ds = Services.database(env, "fleetwatch");
        started.add(ds);
        if (!noSetup) {
            try (Connection c = Services.connect(env, "fleetwatch-setup")) {
                log().info("queue-setup: {}", Topology.fromEnv(env)
                        .declare(c).summary());
            }
            log().info("db migrate: {} applied", Migrator.fromEnv(ds, env).migrate().size());
        }
        // the scheduler's counts outlive the reloads that rebuild its ScanJobs; the fleet's job counts are read at scrape time
        ScanJobs.Counts scans = parts.contains("scheduler") ? new ScanJobs.Counts() : null;
        if (scans != null) {
            // the job service first: the server answers from its start, and a first scrape finds the families
            ScanJobs jobs = Services.scanJobs(env, ds);
            ScanJobs.meter(Components.Exposed.SCHEDULER.serve(env, started), scans, jobs::stats);
        }
        if (parts.contains("consumer")) {
            started.addAll(Components.consumer(config(), ds, ConsumerSettings.fromEnv(env), scans,
                    Components.Exposed.CONSUMER.serve(env, started)));
        } else if (scans != null) {
            started.add(Components.schedulesOnly(config(), ds, scans));
        }
        if (parts.contains("relay")) {
            started.add(RelayComponent.start(env, ds, Components.Exposed.RELAY.serve(env, started)));
        }
        String apiAt = "";
        if (parts.contains("api")) {
            ReadReplica replica = Services.readReplica(env, ds, "fleetwatch-api");
            if (replica != null) {
                started.add(replica);
            }
            ApiSettings apiSettings = ApiSettings.fromEnv(env);
            ApiServer api = ApiServer.start(apiSettings, ds, replica, Clock.systemUTC(), BrokerSettings.fromEnv(env));
            started.add(api);
            Components.reloadCertificateOnHangup(apiSettings, api);
            apiAt = "; API at " + api.uri() + " (GET /api/systems with the bearer token)";
        }
        if (parts.contains("agent")) {
            OpsMetrics agentMetrics = Components.Exposed.AGENT.serve(env, started);
            Agent agent = ThisHost.agent(AgentSettings.fromEnv(env), BrokerSettings.fromEnv(env), env, Clock.systemUTC());
            agent.meter(agentMetrics);
            agent.start();
            started.add(agent);
        }
        log().info("fleetwatch serving {}{}", parts, apiAt);
        Services.runUntilShutdown(started);
        return 0;
    }

}
