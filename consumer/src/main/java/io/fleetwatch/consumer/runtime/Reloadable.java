package io.fleetwatch.consumer.runtime;

import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** A part of a long-running process that {@link HotReload} may restart with new settings, without a restart. */
public interface Reloadable extends AutoCloseable {
    /** True for the keys whose change restarts this part. */
    boolean reads(String key);

    /** Builds the settings this part would run with, throwing {@link IllegalArgumentException} naming the key. */
    void check(Map<String, String> env);

    /** Stops what runs (if anything) and starts with {@code env}; returns what was applied, for the reload's log line. */
    String restart(Map<String, String> env) throws Exception;

    @Override
    void close();

    @FunctionalInterface
    interface Restart {
        String restart(Map<String, String> env) throws Exception;
    }

    /** A part made of its pieces (for a part whose module does not know this interface). */
    static Reloadable of(Predicate<String> keys, Consumer<Map<String, String>> check, Restart restart, Runnable close) {
        return new Reloadable() {
            @Override
            public boolean reads(String key) {
                return keys.test(key);
            }

            @Override
            public void check(Map<String, String> env) {
                check.accept(env);
            }

            @Override
            public String restart(Map<String, String> env) throws Exception {
                return restart.restart(env);
            }

            @Override
            public void close() {
                close.run();
            }
        };
    }
}
