package io.fleetwatch.settings;

import java.util.Objects;
import java.util.Optional;

/**
 * One setting: its path in {@code fleetwatch.yml} ({@code broker.host}; none for a setting only the environment
 * gives), its environment variable ({@code QUEUE_HOST}), its type, its default (as text, as an operator writes it;
 * none where the component works it out), whether it is a secret, and one line saying what it does. The keys are
 * the constants of {@link Keys}; a component reads them through {@link Settings#get}.
 */
public final class Key<T> {
    private final String path;
    private final String env;
    private final Type<T> type;
    private final String defaultText;
    private final boolean secret;
    private final String listSeparator;
    private final String description;

    Key(String path, String env, Type<T> type, String defaultText, boolean secret, String listSeparator,
        String description) {
        this.path = path;
        this.env = Objects.requireNonNull(env, "env");
        this.type = Objects.requireNonNull(type, "type");
        this.defaultText = defaultText;
        this.secret = secret;
        this.listSeparator = listSeparator;
        this.description = Objects.requireNonNull(description, "description");
        if (defaultText != null) {
            parse(defaultText);     // a default that does not parse is a mistake in the table
        }
    }

    /** The path in the YAML file, empty for a setting the environment alone gives. */
    public Optional<String> path() {
        return Optional.ofNullable(path);
    }

    /** The environment variable; also the name errors use (the components' messages always have). */
    public String env() {
        return env;
    }

    public Type<T> type() {
        return type;
    }

    /** The default as text; empty when there is none or the component works it out (the description says how). */
    public Optional<String> defaultText() {
        return Optional.ofNullable(defaultText);
    }

    public boolean secret() {
        return secret;
    }

    /** For a key the YAML file gives as a list: what joins the items into the variable's value. */
    public Optional<String> listSeparator() {
        return Optional.ofNullable(listSeparator);
    }

    public String description() {
        return description;
    }

    /** The value of {@code raw}; a bad value is an error naming the key. */
    public T parse(String raw) {
        try {
            return type.parse(raw);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(env + ": " + e.getMessage(), e);
        }
    }

    /** The default, or null when there is none. */
    public T defaultValue() {
        return defaultText == null ? null : type.parse(defaultText);
    }

    /** An error about this key's value: {@code KEY: message}, the form every settings error takes. */
    public IllegalArgumentException invalid(String message) {
        return new IllegalArgumentException(env + ": " + message);
    }

    Key<T> asSecret() {
        return new Key<>(path, env, type, defaultText, true, listSeparator, description);
    }

    Key<T> joinedBy(String separator) {
        return new Key<>(path, env, type, defaultText, secret, separator, description);
    }

    @Override
    public String toString() {
        return env;
    }
}
