package io.fleetwatch.consumer.notify;

/** A way to tell people about an alert (webhook, e-mail). Throws when delivery failed and should be retried. */
public interface Channel {
    String name();

    void send(Notice notice) throws Exception;
}
