package io.fleetwatch.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.fleetwatch.cli.config.ConfigLoader;
import io.fleetwatch.settings.Keys;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * The configuration a command runs with: the YAML file (or none) and the process environment, and the effective
 * environment made of both. {@link #reload()} reads the same sources again (SIGHUP).
 */
record Config(Path file, Map<String, String> processEnv, Map<String, String> env, int fileKeys, int overridden) {
    static final String ENV_FILE = Keys.CONFIG_FILE.env();
    static final String ENV_LOG_LEVEL = Keys.LOG_LEVEL.env();

    static Config load(Path file, Map<String, String> processEnv) {
        Path f = file;
        if (f == null && processEnv.get(ENV_FILE) != null && !processEnv.get(ENV_FILE).isBlank()) {
            f = Path.of(processEnv.get(ENV_FILE));
        }
        if (f == null) {
            return new Config(null, processEnv, processEnv, 0, 0);
        }
        ConfigLoader.Loaded l = ConfigLoader.load(f, processEnv);
        if (!l.overridden().isEmpty()) {
            LoggerFactory.getLogger(Config.class).info("environment overrides {} of {}: {}", l.overridden().size(), f,
                    l.overridden());
        }
        return new Config(f, processEnv, l.env(), l.fromFile().size(), l.overridden().size());
    }

    Config reload() {
        return load(file, processEnv);
    }

    String describe() {
        return file == null ? "environment only (no -c file)"
                : file + " (" + fileKeys + " setting(s) from the file, " + overridden + " overridden by the environment)";
    }

    static final String ENV_LOG_FORMAT = Keys.LOG_FORMAT.env();

    /**
     * {@code log.format} from the file: logback has already read FLEETWATCH_LOG_FORMAT from the process environment
     * when the file is read, so a different format swaps the console appender here ({@code ConsoleLog}'s).
     */
    static void applyLogFormat(Map<String, String> env) {
        String want = env.getOrDefault(ENV_LOG_FORMAT, "text").strip();
        if (!want.equals("text") && !want.equals("json")) {
            throw new IllegalArgumentException(ENV_LOG_FORMAT + ": '" + want + "' is not a log format (text, json)");
        }
        if (!(LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext ctx)) {
            return;
        }
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        if (root.getAppender(want) != null || root.getAppender("text") == null && root.getAppender("json") == null) {
            return;     // already so, or a test's own logback configuration
        }
        var console = io.fleetwatch.cli.logging.ConsoleLog.appender(ctx, want);
        root.detachAndStopAllAppenders();
        root.addAppender(console);
    }

    /** {@code --debug} was given: it wins over log.level, also across reloads (the logger is per process anyway). */
    static volatile boolean debug;

    /** {@code log.level} / FLEETWATCH_LOG_LEVEL for Fleetwatch's own loggers; {@code --debug} wins. Returns the level. */
    static String applyLogLevel(Map<String, String> env) {
        Level level = checkLogLevel(env);
        Logger logger = (Logger) LoggerFactory.getLogger("io.fleetwatch");
        if (level == null) {
            return logger.getEffectiveLevel().toString();
        }
        logger.setLevel(level);
        return level.toString();
    }

    /** The level {@link #applyLogLevel} would set, null when none is configured; a bad one names the key. */
    static Level checkLogLevel(Map<String, String> env) {
        String want = debug ? "DEBUG" : env.get(ENV_LOG_LEVEL);
        if (want == null || want.isBlank()) {
            return null;
        }
        Level level = Level.toLevel(want.strip(), null);
        if (level == null) {
            throw new IllegalArgumentException(ENV_LOG_LEVEL + ": '" + want + "' is not a log level (TRACE, DEBUG, INFO, WARN, ERROR, OFF)");
        }
        return level;
    }
}
