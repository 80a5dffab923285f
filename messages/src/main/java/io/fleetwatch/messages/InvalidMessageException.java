package io.fleetwatch.messages;

/**
 * A message that cannot be parsed or breaks the contract. Its message is the reason given in the DLQ header, with
 * control characters escaped (see {@link Reasons}).
 */
public final class InvalidMessageException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidMessageException(String reason, Throwable cause) {
        super(Reasons.of(reason), cause);
    }

    public InvalidMessageException(String reason) {
        super(Reasons.of(reason));
    }
}
