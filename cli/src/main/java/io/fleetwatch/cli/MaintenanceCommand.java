package io.fleetwatch.cli;

import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.store.MaintenanceModeStore;
import io.fleetwatch.store.Stores;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fleetwatch maintenance on|off|status}: the whole system's maintenance mode (logic in MaintenanceModeStore). */
@Command(name = "maintenance", mixinStandardHelpOptions = true, description = {
    "Maintenance mode for the whole system: while on, consumers take no new messages (they wait in the queues,",
    "within a few seconds) and the API refuses writes with 503; the web page shows a banner.", "",
    "Examples:", "  fleetwatch maintenance on --reason \"database upgrade\"", "  fleetwatch maintenance off",
    "  fleetwatch maintenance status"})
final class MaintenanceCommand extends EnvAware implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ACTION", description = "on, off or status")
    String action;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why (shown by the API and on the page).")
    String reason;

    @Override
    public Integer call() throws Exception {
        if (!action.equals("on") && !action.equals("off") && !action.equals("status")) {
            throw new IllegalArgumentException("ACTION: must be on, off or status, not '" + action + "'");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (HikariDataSource ds = Services.database(env, "fleetwatch-maintenance")) {
            MaintenanceModeStore store = new MaintenanceModeStore(Stores.jdbi(ds));
            MaintenanceModeStore.Mode m = action.equals("status") ? store.current()
                    : store.set(action.equals("on"), reason, System.getProperty("user.name"),
                            Clock.systemUTC().instant());
            out.println("maintenance mode: " + (m.enabled() ? "on" : "off") + " since " + m.since()
                    + (m.setBy() == null ? "" : " (by " + m.setBy() + ")") + (m.reason() == null ? "" : ": " + m.reason()));
        }
        return 0;
    }
}
