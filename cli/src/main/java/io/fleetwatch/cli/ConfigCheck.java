package io.fleetwatch.cli;

import io.fleetwatch.agent.AgentSettings;
import io.fleetwatch.api.ApiSettings;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.collector.SshSettings;
import io.fleetwatch.consumer.ConsumerSettings;
import io.fleetwatch.consumer.notify.NotifySettings;
import io.fleetwatch.consumer.watch.QueueWatch;
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
            ConsumerSettings.fromEnv(e);
            NotifySettings.channels(e);
            QueueWatch.Thresholds.fromEnv(e);
        });
        PARTS.put("relay", RelayCommand::threads);
        PARTS.put("api", ApiSettings::fromEnv);
        PARTS.put("scheduler", ScheduledScans::fromEnv);
        PARTS.put("scan", ScanCommand::policy);
        PARTS.put("ssh", SshSettings::fromEnv);
        PARTS.put("agent", AgentSettings::fromEnv);
    }

    /** Checks what the command needs; returns the parts checked, for the operator. */
    static String check(Object command, Map<String, String> env) {
        List<String> parts = new ArrayList<>(List.of("broker"));
        if (command instanceof ServeCommand || command instanceof Main) {
            parts.add("database");
            for (String c : ServeCommand.components(env)) {
                parts.add(c);
            }
        } else if (command instanceof ConsumeCommand) {
            parts.addAll(List.of("database", "consumer"));
        } else if (command instanceof RelayCommand) {
            parts.addAll(List.of("database", "relay"));
        } else if (command instanceof ApiCommand) {
            parts.addAll(List.of("database", "api"));
        } else if (command instanceof ScanCommand) {
            parts.addAll(List.of("database", "scan"));
        } else if (command instanceof CollectCommand) {
            parts.add("ssh");
        } else if (command instanceof AgentCommand) {
            parts.add("agent");
        } else {
            parts.add("database");
        }
        for (String p : parts) {
            PARTS.get(p).accept(env);
        }
        return String.join(", ", parts);
    }
}
