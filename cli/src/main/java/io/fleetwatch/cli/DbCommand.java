package io.fleetwatch.cli;

import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.sql.Migrator;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "db", mixinStandardHelpOptions = true, description = "Database schema: migrate, status.",
        subcommands = {DbCommand.Migrate.class, DbCommand.Status.class})
final class DbCommand {

    @Command(name = "migrate", mixinStandardHelpOptions = true, description = {"Apply pending migrations (Flyway).",
        "FLEETWATCH_TIMESCALEDB=auto|require|off picks the metrics storage (default auto)."})
    static final class Migrate extends EnvAware implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (HikariDataSource ds = Services.database(env, "fleetwatch-db")) {
                List<String> applied = Migrator.fromEnv(ds, env).migrate();
                PrintWriter out = spec.commandLine().getOut();
                applied.forEach(out::println);
                out.println("db migrate: " + (applied.isEmpty() ? "schema is up to date" : applied.size() + " applied"));
                return 0;
            }
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Show every migration with its state, and the metrics storage in use.")
    static final class Status extends EnvAware implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            try (HikariDataSource ds = Services.database(env, "fleetwatch-db")) {
                Migrator.Report r = Migrator.fromEnv(ds, env).report();
                r.lines().forEach(spec.commandLine().getOut()::println);
                return r.pending() == 0 ? 0 : 4;
            }
        }
    }
}
