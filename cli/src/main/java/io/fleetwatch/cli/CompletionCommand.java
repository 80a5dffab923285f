package io.fleetwatch.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Prints a bash/zsh completion script for every command and option (picocli's generator, so it never drifts). */
@Command(name = "completion", mixinStandardHelpOptions = true, description = {
    "Print the bash/zsh completion script.", "", "Example: fleetwatch completion > /etc/bash_completion.d/fleetwatch"})
final class CompletionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        CommandLine root = spec.commandLine().getParent();
        spec.commandLine().getOut().print(AutoComplete.bash("fleetwatch", root));
        return 0;
    }
}
