package io.fleetwatch.transport;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * A long-running producer's publisher: opens its transport and publisher on first use, and again after either was
 * lost or a publish was not confirmed ({@link #drop}). Not thread-safe, as {@link Publisher}.
 */
public final class Publishing implements AutoCloseable {

    private final Transport.Opener opener;
    private final String appId;
    private final Duration confirmTimeout;
    private final Clock clock;
    private Transport transport;
    private Publisher publisher;

    public Publishing(Transport.Opener opener, String appId, Duration confirmTimeout, Clock clock) {
        this.opener = opener;
        this.appId = appId;
        this.confirmTimeout = confirmTimeout;
        this.clock = clock;
    }

    /** Publishes with confirmation; a failure to open the transport is an {@link IOException} or timeout. */
    public void publishAll(List<Publisher.Outgoing> batch)
            throws Publisher.NotConfirmedException, IOException, TimeoutException {
        if (publisher == null || !publisher.isOpen()) {
            drop();
            transport = opener.open();
            publisher = transport.publisher(appId, confirmTimeout, clock);
        }
        publisher.publishAll(batch);
    }

    /** Forgets the publisher and its transport; the next publish opens new ones. */
    public void drop() {
        if (publisher != null) {
            publisher.close();
            publisher = null;
        }
        if (transport != null) {
            transport.close();
            transport = null;
        }
    }

    @Override
    public void close() {
        drop();
    }
}
