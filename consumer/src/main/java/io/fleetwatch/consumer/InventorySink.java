package io.fleetwatch.consumer;

import io.fleetwatch.messages.InventoryDiff;
import io.fleetwatch.messages.InventoryMessage;
import io.fleetwatch.messages.Severity;
import io.fleetwatch.store.AlertStore;
import io.fleetwatch.store.InventoryStore;
import io.fleetwatch.store.SystemStore;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;

/**
 * Stores inventory messages: resolves each to its system like the metrics (by {@code system_id}, else the agent's
 * {@code host_id}, creating the system on first sight), then compares it with the system's current inventory
 * ({@link InventoryStore}). The first one is stored; the same content again only moves {@code collected_at}
 * (redelivery and the agent's periodic report change nothing else); a new content becomes current, is added to the
 * history with what changed, and raises an {@code inventory_changed} info alert through the alert outbox (so it
 * reaches the alert exchange and the notifications like any other alert). A report older than the current one with
 * other content (a late redelivery) is left out. One transaction per batch.
 */
public final class InventorySink implements Sink<InventoryMessage> {
    /** The alert type of a change. */
    public static final String ALERT_TYPE = "inventory_changed";

    private final Jdbi jdbi;
    private final SystemStore systems;
    private final InventoryStore inventory;
    private final AlertStore alerts;

    public InventorySink(Jdbi jdbi) {
        this.jdbi = jdbi;
        this.systems = new SystemStore(jdbi);
        this.inventory = new InventoryStore(jdbi);
        this.alerts = new AlertStore(jdbi);
    }

    @Override
    public void write(List<InventoryMessage> batch) {
        jdbi.useTransaction(h -> {
            Map<String, Long> byHost = systems.resolveAgentHosts(batch.stream().filter(m -> m.systemId() == null)
                    .collect(Collectors.toMap(InventoryMessage::hostId, m -> new SystemStore.AgentHost(m.hostId(),
                            m.hostname(), m.ipAddress(), m.macAddress(), m.collectedAt()), (a, b) ->
                            a.seenAt().isAfter(b.seenAt()) ? a : b)).values());
            try {
                systems.markSeen(batch.stream().filter(m -> m.systemId() != null)
                        .map(m -> new SystemStore.NamedSystem(m.systemId(), m.hostId(), m.collectedAt())).toList());
            } catch (SystemStore.IdCollision e) {
                throw new Sink.Rejected(e.getMessage());
            }
            // oldest first, so a batch holding two reports of one host applies them in order
            for (InventoryMessage m : batch.stream().sorted(Comparator.comparing(InventoryMessage::collectedAt))
                    .toList()) {
                apply(m.systemId() != null ? m.systemId() : byHost.get(m.hostId()), m);
            }
        });
    }

    private void apply(long systemId, InventoryMessage m) {
        Optional<InventoryStore.Current> current = inventory.currentForUpdate(systemId);
        if (current.isEmpty()) {
            inventory.first(systemId, m);
            return;
        }
        InventoryStore.Current c = current.get();
        if (c.contentHash().equals(m.contentHash())) {
            inventory.seenAgain(systemId, m);
            return;
        }
        if (!m.collectedAt().isAfter(c.collectedAt())) {
            return; // older than what is current: a late redelivery of a past state
        }
        List<InventoryDiff.Change> changes = InventoryDiff.between(c.inventory(), m);
        if (inventory.changed(systemId, c.contentHash(), m, changes)) {
            alerts.raise(new AlertStore.Event(systemId, ALERT_TYPE, Severity.INFO.wireName(), "firing",
                    changes.size(), 0, m.collectedAt()));
        }
    }
}
