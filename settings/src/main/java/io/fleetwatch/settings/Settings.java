package io.fleetwatch.settings;

import java.util.AbstractMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resolved settings: the values of the {@link Keys} table by environment variable name (a file's settings with the
 * process environment on top, or the environment alone), read typed with {@link #get}. It remembers which keys were
 * read, so a test can prove every key set reaches a component ({@link #unread()}).
 *
 * <p>Other variables (HOME, XDG_CONFIG_HOME) are kept too and read with {@link #variable}. {@link #env()} is the same
 * values as a map, for code still written against {@code Map<String, String>}; reads through it are remembered
 * as well, and {@link #fromEnv} of that map is this object again.
 */
public final class Settings {
    private final Map<String, String> values;
    private final Set<String> read = ConcurrentHashMap.newKeySet();
    private final Map<String, String> view = new View();

    private Settings(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    /** The environment's settings (a {@link #env()} map gives back its own Settings, reads and all). */
    public static Settings fromEnv(Map<String, String> env) {
        if (env instanceof View v) {
            return v.owner();
        }
        Map<String, String> copy = new LinkedHashMap<>();
        env.forEach((k, v) -> {
            if (k != null && v != null) {
                copy.put(k, v);
            }
        });
        return new Settings(copy);
    }

    /** Nothing set: every key at its default. */
    public static Settings empty() {
        return new Settings(Map.of());
    }

    /** A file's settings ({@link Keys#fromConfig}) with the environment on top: a variable that is set wins. */
    public static Settings of(Map<String, String> fromFile, Map<String, String> env) {
        Map<String, String> all = new LinkedHashMap<>(fromFile);
        all.putAll(env);
        return fromEnv(all);
    }

    /** The key's value, or its default (null when it has none); a bad value is an error naming the key. */
    public <T> T get(Key<T> key) {
        String raw = raw(key);
        return raw == null ? key.defaultValue() : key.parse(raw);
    }

    /** The key's value when it is set; empty otherwise (the caller works out the default). */
    public <T> Optional<T> find(Key<T> key) {
        String raw = raw(key);
        return raw == null ? Optional.empty() : Optional.of(key.parse(raw));
    }

    public boolean isSet(Key<?> key) {
        return raw(key) != null;
    }

    /** The text of a key that is set (null otherwise), blank values of non-text keys counting as unset. */
    private String raw(Key<?> key) {
        read.add(key.env());
        String v = values.get(key.env());
        return v == null || key.type().blankIsUnset() && v.isBlank() ? null : v;
    }

    /** A variable outside the table (HOME, XDG_CONFIG_HOME), or null. */
    public String variable(String name) {
        return values.get(name);
    }

    /** The values as an unmodifiable map by variable name; reads of table keys through it are remembered. */
    public Map<String, String> env() {
        return view;
    }

    /** Keys that are set (blank text included). */
    public Set<Key<?>> set() {
        Set<Key<?>> out = new LinkedHashSet<>();
        for (Key<?> k : Keys.ALL) {
            if (values.containsKey(k.env())) {
                out.add(k);
            }
        }
        return out;
    }

    /** Keys that are set but no component has read (yet). */
    public Set<Key<?>> unread() {
        Set<Key<?>> out = set();
        out.removeIf(k -> read.contains(k.env()));
        return out;
    }

    /** The table keys that are set, secrets shown as ***. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Settings[");
        for (Key<?> k : set()) {
            sb.append(sb.length() > 9 ? ", " : "").append(k.env()).append('=')
                    .append(k.secret() ? "***" : values.get(k.env()));
        }
        return sb.append(']').toString();
    }

    private final class View extends AbstractMap<String, String> {
        Settings owner() {
            return Settings.this;
        }

        @Override
        public String get(Object name) {
            note(name);
            return values.get(name);
        }

        @Override
        public boolean containsKey(Object name) {
            note(name);
            return values.containsKey(name);
        }

        @Override
        public Set<Entry<String, String>> entrySet() {
            return values.entrySet();
        }

        private void note(Object name) {
            if (name instanceof String s && Keys.byEnv(s).isPresent()) {
                read.add(s);
            }
        }
    }
}
