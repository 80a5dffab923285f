package io.fleetwatch.transport;

import java.nio.charset.StandardCharsets;

/** A dead letter as a transport keeps it: the work queue it came from, why it was refused, and its body. */
public record DeadLetter(String sourceQueue, String routingKey, String reason, byte[] body) {
    public DeadLetter {
        if (body == null) {
            throw new IllegalArgumentException("a dead letter has a body");
        }
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
