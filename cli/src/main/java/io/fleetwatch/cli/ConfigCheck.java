package io.fleetwatch.cli;

import io.fleetwatch.agent.AgentSettings;
import io.fleetwatch.api.ApiSettings;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.collector.SshSettings;
import io.fleetwatch.consumer.runtime.ConsumerComponent;
import io.fleetwatch.consumer.runtime.RelayComponent;
import io.fleetwatch.jobs.ScanJobs;
import io.fleetwatch.sql.DatabaseSettings;
import io.fleetwatch.sql.ReadReplicaSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code --validate-only}: builds the settings of every component the command would start, exactly as the command
 * does at start, so a bad value fails here with the same message (the key and the problem) and nothing is started.
 */
final class ConfigCheck {
    private ConfigCheck() {}

    /** What a command starts: the parts whose settings it builds, after the broker's (default: the database). */
    interface Parts {
        List<String> parts(Map<String, String> env);
    }

    /** {@code serve}, and the launcher without a command: the database and this host's serve components. */
    static final Parts SERVE = env -> {
        List<String> parts = new ArrayList<>(List.of("database"));
        parts.addAll(Components.serve(env));
        return parts;
    };

    private static final Map<String, Consumer<Map<String, String>>> PARTS = new LinkedHashMap<>();

    static {
        PARTS.put("broker", e -> {
            BrokerSettings b = BrokerSettings.fromEnv(e);
            b.connectionFactory();   // loads TLS material, if configured
            io.fleetwatch.broker.Topology.fromEnv(e);   // queue names and type
        });
        PARTS.put("database", e -> {
            DatabaseSettings.fromEnv(e);
            ReadReplicaSettings.fromEnv(e);
        });
        PARTS.put("consumer", e -> {
            ConsumerComponent.check(e);
            io.fleetwatch.sql.Retention.fromEnv(e);   // the consumer runs the maintenance job
            Components.Exposed.CONSUMER.port(e);
        });
        PARTS.put("relay", e -> {
            RelayComponent.threads(e);
            Components.Exposed.RELAY.port(e);
        });
        PARTS.put("api", ApiSettings::fromEnv);
        PARTS.put("scheduler", e -> {
            ScanJobs.schedules(e);
            io.fleetwatch.jobs.ScanJobSettings.fromEnv(e);
            Components.Exposed.SCHEDULER.port(e);
        });
        PARTS.put("scan", e -> {
            ScanJobs.policy(e);
            io.fleetwatch.jobs.ScanJobSettings.fromEnv(e);
        });
        PARTS.put("ssh", e -> {
            SshSettings.fromEnv(e);
            Components.Exposed.COLLECTOR.port(e);
        });
        PARTS.put("agent", e -> {
            AgentSettings.fromEnv(e);
            Components.Exposed.AGENT.port(e);
        });
    }

    /** Checks what the command needs; returns the parts checked, for the operator. */
    static String check(Object command, Map<String, String> env) {
        List<String> parts = new ArrayList<>(List.of("broker"));
        parts.addAll(command instanceof Parts p ? p.parts(env) : List.of("database"));
        for (String p : parts) {
            PARTS.get(p).accept(env);
        }
        return String.join(", ", parts);
    }
}
