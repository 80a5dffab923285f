package io.fleetwatch.cli;

import io.fleetwatch.jobs.Errors;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fleetwatch}: one launcher for every Fleetwatch component. */
@Command(name = "fleetwatch", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "Fleet monitoring pipeline: scanner, collector, agent, RabbitMQ, PostgreSQL/TimescaleDB, API.",
        footer = {"", "Configuration: a YAML file (-c; values may hold $${VAR} and $${VAR:-default})",
                  "and the environment, which wins: QUEUE_HOST, QUEUE_PORT, QUEUE_USER,",
                  "QUEUE_PASSWORD, QUEUE_URI, QUEUE_HOSTS, DISCOVERY_QUEUE, METRICS_QUEUE, ALERT_QUEUE",
                  "(docs/contract.md), DATABASE_URL and FLEETWATCH_*; every key is in",
                  "fleetwatch.yml.example.", "",
                  "Examples:", "  fleetwatch demo", "  fleetwatch -c /etc/fleetwatch/fleetwatch.yml --validate-only",
                  "  fleetwatch -c /etc/fleetwatch/fleetwatch.yml serve", "  fleetwatch queue-setup",
                  "  fleetwatch db migrate", "  fleetwatch agent --once"})
public final class Main implements Callable<Integer>, ConfigCheck.Parts {
    /**
     * The subcommands, in the order the usage lists them. Added by {@link #commandLine(Map, String...)}, not by the
     * annotation: picocli builds (and, for {@code @Spec}, instantiates) every command it is given, which loaded the
     * classes of all of them, and started logging, for {@code --version}.
     */
    static final List<Class<?>> COMMANDS = List.of(DemoCommand.class, SmokeCommand.class, QueueSetupCommand.class,
            DbCommand.class, ScanCommand.class, AgentCommand.class, CollectCommand.class, ConsumeCommand.class,
            DlqCommand.class, RelayCommand.class, ApiCommand.class, ServeCommand.class, AdminCommand.class,
            BackupCommand.Backup.class, BackupCommand.Restore.class, InspectCommand.class, MaintenanceCommand.class,
            CompletionCommand.class, CommandLine.HelpCommand.class);

    /** Commands that read the whole tree: the usage of every command, the completion script. */
    private static final Set<String> WHOLE_TREE = Set.of("help", "completion");

    /** Where the options of every level land (they are inherited by the subcommands). */
    static final class Globals {
        Path config;
        boolean validateOnly;
        boolean debug;
    }

    private final Globals globals = new Globals();

    @Spec
    CommandSpec spec;

    @Option(names = "--debug", description = "Log Fleetwatch at DEBUG level (wins over log.level).",
            scope = CommandLine.ScopeType.INHERIT)
    void debug(boolean on) {
        globals.debug |= on;
    }

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", scope = CommandLine.ScopeType.INHERIT,
            description = "YAML configuration file (default: $FLEETWATCH_CONFIG; see fleetwatch.yml.example)."
                    + " Environment variables that are set win over the file.")
    void config(Path file) {
        globals.config = file;
    }

    @Option(names = "--validate-only", scope = CommandLine.ScopeType.INHERIT,
            description = "Load and check the configuration (of the command given, or of everything), then exit:"
                    + " 0 when it is valid, 2 with the key and the problem when it is not.")
    void validateOnly(boolean on) {
        globals.validateOnly |= on;
    }

    /** Without a command, {@code --validate-only} checks what {@code serve} would start. */
    @Override
    public List<String> parts(Map<String, String> env) {
        return ConfigCheck.SERVE.parts(env);
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }

    public static void main(String[] args) {
        System.exit(run(System.getenv(), args));
    }

    /** Runs a command line against the given environment; returns the exit code. */
    public static int run(Map<String, String> env, String... args) {
        return commandLine(env, args).execute(args);
    }

    /** The configured command line with every command: exit 2 for bad configuration, 1 for other failures. */
    static CommandLine commandLine(Map<String, String> env) {
        return commandLine(env, (String[]) null);
    }

    /**
     * The configured command line for {@code args}: with only the command they name when they name one (the others
     * cannot be reached from there), with none for a bare {@code --version}, with all of them otherwise (usage,
     * unknown commands and their suggestions, {@code help}, {@code completion}); {@code args} null: all of them.
     * Exit 2 for bad configuration, 1 for other failures, one line on stderr.
     */
    static CommandLine commandLine(Map<String, String> env, String... args) {
        Main main = new Main();
        EnvFactory factory = new EnvFactory(env);
        CommandLine cl = new CommandLine(main, factory);
        for (Class<?> command : commandsFor(args)) {
            cl.addSubcommand(command.getAnnotation(Command.class).name(), new CommandLine(command, factory));
        }
        cl.setExecutionStrategy(parse -> main.execute(parse, env));
        cl.setExecutionExceptionHandler((e, line, parse) -> {
            // One clear line on stderr, no stack trace: bad config and unreachable services are operator errors.
            line.getErr().println("fleetwatch: " + Errors.describe(e));
            return e instanceof IllegalArgumentException ? 2 : 1;
        });
        return cl;
    }

    /**
     * Loads the configuration once the command line is parsed and before any command runs: the file (if any) with
     * the environment over it becomes every command's environment; {@code --validate-only} stops there.
     */
    private int execute(CommandLine.ParseResult parse, Map<String, String> env) {
        Integer help = CommandLine.executeHelpRequest(parse);
        if (help != null) {
            return help;
        }
        PrintWriter err = spec.commandLine().getErr();
        Config config;
        try {
            config = Config.load(globals.config, env);
            Config.debug = globals.debug;
            Config.applyLogLevel(config.env());
            Config.applyLogFormat(config.env());
            for (CommandLine c : parse.asCommandLineList()) {
                if (c.getCommand() instanceof EnvAware aware) {
                    aware.setConfig(config);
                }
            }
            if (globals.validateOnly) {
                Object leaf = parse.asCommandLineList().get(parse.asCommandLineList().size() - 1).getCommand();
                String what = ConfigCheck.check(leaf, config.env());
                spec.commandLine().getOut().println("configuration valid: " + config.describe() + "; checked " + what);
                spec.commandLine().getOut().flush();
                return 0;
            }
        } catch (IllegalArgumentException e) {
            err.println("fleetwatch: " + e.getMessage());
            err.flush();
            return 2;
        }
        return new CommandLine.RunLast().execute(parse);
    }

    /** The subcommands {@code args} can reach (see {@link #commandLine(Map, String...)}). */
    static List<Class<?>> commandsFor(String[] args) {
        if (args == null) {
            return COMMANDS;
        }
        boolean version = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--") || a.startsWith("@")) {
                return COMMANDS;    // end of options, an argument file: let picocli read them with everything
            } else if (a.equals("-h") || a.equals("--help") || a.matches("-[a-zA-Z]*h[a-zA-Z]*")) {
                return COMMANDS;
            } else if (a.equals("-V") || a.equals("--version")) {
                version = true;
            } else if (a.equals("--config") || a.matches("-[a-zA-Z]*c")) {
                i++;                // its value
            } else if (!a.startsWith("-")) {
                for (Class<?> c : COMMANDS) {
                    String name = c.getAnnotation(Command.class).name();
                    if (name.equals(a)) {
                        return WHOLE_TREE.contains(name) ? COMMANDS : List.of(c);
                    }
                }
                return COMMANDS;
            }
        }
        return version ? List.of() : COMMANDS;
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
