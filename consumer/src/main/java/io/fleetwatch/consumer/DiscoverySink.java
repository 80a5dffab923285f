package io.fleetwatch.consumer;

import io.fleetwatch.messages.DiscoveryMessage;
import io.fleetwatch.store.SystemStore;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/**
 * Upserts discovered hosts into {@code systems} ({@link SystemStore#discovered}): one row per MAC when the MAC is
 * known (on-link scans), else per IP among MAC-less rows, in one statement per batch. Departments and scans named by
 * id but unknown here are adopted as placeholder rows.
 */
public final class DiscoverySink implements Sink<DiscoveryMessage> {
    private final Jdbi jdbi;
    private final SystemStore systems;

    public DiscoverySink(Jdbi jdbi) {
        this.jdbi = jdbi;
        this.systems = new SystemStore(jdbi);
    }

    @Override
    public void write(List<DiscoveryMessage> batch) {
        jdbi.useTransaction(h -> systems.discovered(batch));
    }
}
