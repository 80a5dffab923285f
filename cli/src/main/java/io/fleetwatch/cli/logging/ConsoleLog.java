package io.fleetwatch.cli.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.status.NopStatusListener;

/**
 * The shipped logging configuration, built in code (found by logback through {@code META-INF/services}): logback's
 * XML configuration loaded about a thousand classes (its Joran model, the JDK's XML parser) and a third of a short
 * command's CPU. Console on stderr, text by default or {@code FLEETWATCH_LOG_FORMAT=json} ({@link JsonLineEncoder});
 * Fleetwatch's loggers at {@code FLEETWATCH_LOG_LEVEL} (INFO), Flyway at INFO without its per-call
 * "Environment"/"Database" lines, every other library at WARN. A {@code logback-test.xml} or {@code logback.xml} on
 * the class path, or {@code -Dlogback.configurationFile}, wins (tests, the benchmarks).
 */
public final class ConsoleLog extends ContextAwareBase implements Configurator {
    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSX} %-5level [%thread] %logger{30} - %msg%n";

    @Override
    public ExecutionStatus configure(LoggerContext ctx) {
        if (System.getProperty("logback.configurationFile") != null || resource("logback-test.xml")
                || resource("logback.xml")) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        // logback's own start-up chatter stays quiet, as it did with the XML configuration
        NopStatusListener nop = new NopStatusListener();
        ctx.getStatusManager().add(nop);
        String format = setting("FLEETWATCH_LOG_FORMAT", "text");
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        if (format.equals("text") || format.equals("json")) {
            // another value gets no appender here; the command refuses it at start, naming the key
            root.addAppender(appender(ctx, format));
        }
        ctx.getLogger("io.fleetwatch").setLevel(Level.toLevel(setting("FLEETWATCH_LOG_LEVEL", "INFO"), Level.DEBUG));
        ctx.getLogger("org.flywaydb").setLevel(Level.INFO);
        // "Environment: default" and "Database: URL (version)" at every Flyway call: chatter around db status's
        // table; migrate's own progress (validated, migrating to version N) stays at INFO
        ctx.getLogger("org.flywaydb.core.FlywayExecutor").setLevel(Level.WARN);
        ctx.getLogger("org.hibernate.validator").setLevel(Level.WARN);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** The console appender of {@code format} ("text" or "json"), named after it, started, on stderr. */
    public static ConsoleAppender<ILoggingEvent> appender(LoggerContext ctx, String format) {
        Encoder<ILoggingEvent> encoder;
        if (format.equals("json")) {
            encoder = new JsonLineEncoder();
        } else {
            PatternLayoutEncoder pattern = new PatternLayoutEncoder();
            pattern.setPattern(PATTERN);
            encoder = pattern;
        }
        encoder.setContext(ctx);
        encoder.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(ctx);
        console.setName(format);
        console.setTarget("System.err");
        console.setEncoder(encoder);
        console.start();
        return console;
    }

    /** As logback's {@code ${NAME:-default}} read it: a system property, else the environment, else the default. */
    private static String setting(String name, String otherwise) {
        String v = System.getProperty(name, System.getenv(name));
        return v == null || v.isEmpty() ? otherwise : v;
    }

    private static boolean resource(String name) {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        return (cl != null ? cl : ConsoleLog.class.getClassLoader()).getResource(name) != null;
    }
}
