package io.fleetwatch.cli;

import com.rabbitmq.client.Connection;
import io.fleetwatch.broker.Topology;
import io.fleetwatch.broker.TopologyConflictException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "queue-setup", mixinStandardHelpOptions = true, description = {
    "Declare the RabbitMQ exchanges, queues, bindings and dead-letter queues (idempotent).",
    "A queue that exists with other arguments is left alone and reported (exit 3)."})
final class QueueSetupCommand extends EnvAware implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Option(names = "--print-definitions", description = {"Print the topology as a RabbitMQ",
        "definitions document (for the management UI's import) instead of declaring it."})
    boolean printDefinitions;

    @Override
    public Integer call() throws Exception {
        Topology topology = Topology.fromEnv(env);
        if (printDefinitions) {
            spec.commandLine().getOut().println(io.fleetwatch.messages.MessageCodec.mapper().writerWithDefaultPrettyPrinter()
                    .writeValueAsString(topology.definitions()));
            return 0;
        }
        try (Connection c = Services.connect(env, "fleetwatch-queue-setup")) {
            Topology.Report r = topology.declare(c);
            spec.commandLine().getOut().println("queue-setup: " + r.summary());
            return 0;
        } catch (TopologyConflictException e) {
            spec.commandLine().getErr().println("fleetwatch: " + e.getMessage());
            return 3;
        }
    }
}
