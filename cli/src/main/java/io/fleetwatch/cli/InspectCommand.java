package io.fleetwatch.cli;

import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.store.Owners;
import java.io.PrintWriter;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fleetwatch inspect system|scan|alert ID}: one row of the database, every column, for an operator at a shell. */
@Command(name = "inspect", mixinStandardHelpOptions = true, description = {
    "Show one system, scan or alert with every stored field.", "",
    "Examples:", "  fleetwatch inspect system 12", "  fleetwatch inspect alert 7"})
final class InspectCommand extends EnvAware implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "KIND", description = "system, scan or alert")
    String kind;

    @Parameters(index = "1", paramLabel = "ID")
    long id;

    @Override
    public Integer call() throws Exception {
        if (!kind.equals("system") && !kind.equals("scan") && !kind.equals("alert")) {
            throw new IllegalArgumentException("KIND: must be system, scan or alert, not '" + kind + "'");
        }
        Optional<Map<String, Object>> row;
        try (HikariDataSource ds = Services.database(env, "fleetwatch-inspect")) {
            Owners owners = Owners.of(ds);
            row = switch (kind) {
                case "system" -> owners.systems().inspect(id);
                case "scan" -> owners.scans().inspect(id);
                default -> owners.alerts().inspect(id);
            };
        }
        if (row.isEmpty()) {
            spec.commandLine().getErr().println("fleetwatch: no " + kind + " with id " + id);
            return 1;
        }
        PrintWriter out = spec.commandLine().getOut();
        row.get().forEach((column, v) -> out.printf("%-16s %s%n", column, v == null ? "-" : v));
        return 0;
    }
}
