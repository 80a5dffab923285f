package io.fleetwatch.cli;

import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fleetwatch}: one launcher for every Fleetwatch component. */
@Command(name = "fleetwatch", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "Fleet monitoring pipeline: scanner, collector, agent, RabbitMQ, PostgreSQL/TimescaleDB, API.",
        subcommands = {QueueSetupCommand.class, DbCommand.class, ScanCommand.class, AgentCommand.class, CollectCommand.class,
                       ConsumeCommand.class,
                       RelayCommand.class, ApiCommand.class, ServeCommand.class, AdminCommand.class,
                       BackupCommand.Backup.class, BackupCommand.Restore.class, InspectCommand.class,
                       CompletionCommand.class,
                       CommandLine.HelpCommand.class},
        footer = {"", "Configuration comes from the environment: QUEUE_HOST, QUEUE_PORT, QUEUE_USER,",
                  "QUEUE_PASSWORD, QUEUE_URI, DISCOVERY_QUEUE, METRICS_QUEUE, ALERT_QUEUE (seed 002),",
                  "DATABASE_URL, and FLEETWATCH_* (see README.md).", "",
                  "Examples:", "  fleetwatch queue-setup", "  fleetwatch db migrate", "  fleetwatch agent --once",
                  "  fleetwatch serve"})
public final class Main {
    @Option(names = "--debug", description = "Log Fleetwatch at DEBUG level.", scope = CommandLine.ScopeType.INHERIT)
    void debug(boolean on) {
        if (on) {
            ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.fleetwatch"))
                    .setLevel(ch.qos.logback.classic.Level.DEBUG);
        }
    }

    public static void main(String[] args) {
        System.exit(run(System.getenv(), args));
    }

    /** Runs a command line against the given environment; returns the exit code. */
    public static int run(Map<String, String> env, String... args) {
        return commandLine(env).execute(args);
    }

    /** The configured command line: exit 2 for bad configuration, 1 for other failures, one line on stderr. */
    static CommandLine commandLine(Map<String, String> env) {
        CommandLine cl = new CommandLine(new Main(), new EnvFactory(env));
        cl.setExecutionExceptionHandler((e, line, parse) -> {
            // One clear line on stderr, no stack trace: bad config and unreachable services are operator errors.
            line.getErr().println("fleetwatch: " + Errors.describe(e));
            return e instanceof IllegalArgumentException ? 2 : 1;
        });
        return cl;
    }

    /** Gives every command the environment it should read (tests pass their own). */
    static final class EnvFactory implements CommandLine.IFactory {
        private final Map<String, String> env;
        private final CommandLine.IFactory fallback = CommandLine.defaultFactory();

        EnvFactory(Map<String, String> env) {
            this.env = env;
        }

        @Override
        public <K> K create(Class<K> cls) throws Exception {
            K k = fallback.create(cls);
            if (k instanceof EnvAware aware) {
                aware.setEnv(env);
            }
            return k;
        }
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"fleetwatch " + (v == null ? "dev" : v)};
        }
    }
}
