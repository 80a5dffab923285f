package io.fleetwatch.broker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.ShutdownSignalException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A queue or exchange already exists with other arguments than Fleetwatch declares. RabbitMQ refuses to change
 * them in place; the operator must drain and delete it (or align the settings), so we say exactly which and how.
 */
public final class TopologyConflictException extends Exception {
    private static final long serialVersionUID = 1L;

    // e.g. "PRECONDITION_FAILED - inequivalent arg 'x-message-ttl' for queue 'metrics_queue' in vhost '/':
    //       received the value '86400000' of type 'long' but current is none"
    private static final Pattern INEQUIVALENT = Pattern.compile(
            "inequivalent arg '([^']+)' for (queue|exchange) '([^']+)' in vhost '([^']*)': received (.+?) but current is (.+)");

    private final String kind;
    private final String entity;
    private final String argument;

    private TopologyConflictException(String message, String kind, String entity, String argument) {
        super(message);
        this.kind = kind;
        this.entity = entity;
        this.argument = argument;
    }

    public String kind() {
        return kind;
    }

    public String entity() {
        return entity;
    }

    public String argument() {
        return argument;
    }

    static int replyCode(ShutdownSignalException sse) {
        return sse.getReason() instanceof AMQP.Channel.Close close ? close.getReplyCode() : -1;
    }

    static TopologyConflictException from(ShutdownSignalException sse) {
        String text = sse.getReason() instanceof AMQP.Channel.Close close ? close.getReplyText() : sse.getMessage();
        Matcher m = INEQUIVALENT.matcher(text);
        if (!m.find()) {
            return new TopologyConflictException("broker refused the declaration: " + text, "unknown", "unknown", "unknown");
        }
        String arg = m.group(1);
        String kind = m.group(2);
        String name = m.group(3);
        String wanted = m.group(5).replaceFirst("^the value ", "");
        String current = m.group(6).replaceFirst("^the value ", "");
        String message = kind + " '" + name + "' in vhost '" + m.group(4) + "' exists with different settings: "
                + arg + " is " + current + " on the broker, Fleetwatch declares " + wanted
                + ". RabbitMQ cannot change this in place: drain and delete the " + kind
                + ("queue".equals(kind) ? " (rabbitmqctl delete_queue " + name + ")" : " (management UI or HTTP API)")
                + " and run queue-setup again, or set Fleetwatch to match.";
        return new TopologyConflictException(message, kind, name, arg);
    }
}
