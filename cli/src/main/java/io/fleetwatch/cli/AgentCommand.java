package io.fleetwatch.cli;

import io.fleetwatch.agent.Agent;
import io.fleetwatch.agent.AgentSettings;
import io.fleetwatch.agent.ThisHost;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.messages.MessageCodec;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "agent", mixinStandardHelpOptions = true, description = {"Collect this host's eight metrics every interval and publish them.",
    "Env: FLEETWATCH_AGENT_INTERVAL (10s), FLEETWATCH_AGENT_STATE_DIR, FLEETWATCH_AGENT_MOUNT (/)."})
final class AgentCommand extends EnvAware implements Callable<Integer>, ConfigCheck.Parts {
    @Override
    public List<String> parts(Map<String, String> env) {
        return List.of("agent");
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--once", description = "Print one sample as JSON (over one second) and exit; publishes nothing.")
    boolean once;

    @Option(names = "--inventory", description = "Print this host's hardware and OS inventory as JSON and exit;"
            + " publishes nothing.")
    boolean inventory;

    @Override
    public Integer call() throws Exception {
        if (inventory) {
            spec.commandLine().getOut().println(MessageCodec.encodeToString(ThisHost.inventory()));
            return 0;
        }
        AgentSettings settings = AgentSettings.fromEnv(env);
        if (once) {
            spec.commandLine().getOut().println(MessageCodec.encodeToString(ThisHost.once(settings, env)));
            return 0;
        }
        List<AutoCloseable> started = new java.util.ArrayList<>();
        io.fleetwatch.lifecycle.OpsMetrics metrics = Components.Exposed.AGENT.serve(env, started);
        Agent agent = start(settings, BrokerSettings.fromEnv(env));
        agent.meter(metrics);
        started.add(agent);
        Services.runUntilShutdown(started);
        return 0;
    }

    Agent start(AgentSettings settings, BrokerSettings broker) {
        Agent agent = ThisHost.agent(settings, broker, env, Clock.systemUTC());
        agent.start();
        return agent;
    }
}
