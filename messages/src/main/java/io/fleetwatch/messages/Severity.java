package io.fleetwatch.messages;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Alert severity; its wire name is the last part of the routing key {@code alerts.{severity}}. */
public enum Severity {
    INFO, WARNING, CRITICAL;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Severity fromWire(String value) {
        if (value != null) {
            for (Severity s : values()) {
                if (s.wireName().equals(value)) {
                    return s;
                }
            }
        }
        throw new IllegalArgumentException("severity must be one of info, warning, critical, not '" + value + "'");
    }

    /** AMQP priority for the alert queue (declared with x-max-priority): critical alerts jump the backlog. */
    public int priority() {
        return switch (this) {
            case INFO -> 1;
            case WARNING -> 5;
            case CRITICAL -> 9;
        };
    }
}
