package io.fleetwatch.consumer;

import io.fleetwatch.messages.MetricsMessage;
import io.fleetwatch.store.MetricStore;
import io.fleetwatch.store.SystemStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Jdbi;

/**
 * Stores metrics messages: resolves each to a system (its {@code system_id}, or the agent's {@code host_id}, which
 * creates the system on first sight), then inserts the batch ({@link MetricStore#insert}, a COPY).
 * {@code (system_id, collected_at)} is unique, so a redelivered sample is skipped, not duplicated.
 */
public final class MetricsSink implements Sink<MetricsMessage> {
    /** How stale {@code systems.last_seen} may get for a host that keeps reporting. */
    public static final Duration LAST_SEEN_EVERY = Duration.ofMinutes(1);

    /** A host already resolved: its system id, and the hostname and last_seen last written for it. */
    private record Known(long id, String hostname, String ipAddress, Instant lastSeenWritten) {}

    private final Jdbi jdbi;
    private final SystemStore systems;
    private final MetricStore metrics;
    private final Map<String, Known> known = new ConcurrentHashMap<>();
    // Entries learnt inside a transaction only become known once it commits.
    private final Map<String, Known> pendingCache = new HashMap<>();

    /** {@code jdbi} from {@link io.fleetwatch.store.Stores#jdbi}: the owners write in this sink's transaction. */
    public MetricsSink(Jdbi jdbi) {
        this.jdbi = jdbi;
        this.systems = new SystemStore(jdbi);
        this.metrics = new MetricStore(jdbi);
    }

    @Override
    public synchronized void write(List<MetricsMessage> batch) throws Exception {
        pendingCache.clear();
        try {
            jdbi.useTransaction(h -> {
                Map<String, Long> byHost = upsertAgentHosts(batch);
                try {
                    systems.markSeen(batch.stream().filter(m -> m.systemId() != null)
                            .map(m -> new SystemStore.NamedSystem(m.systemId(), m.hostId(), m.collectedAt())).toList());
                } catch (SystemStore.IdCollision e) {
                    throw new Sink.Rejected(e.getMessage());
                }
                metrics.insert(batch, byHost);
            });
        } catch (Exception e) {
            // A cached id may be what failed (a system deleted meanwhile): resolve afresh on the retry.
            known.clear();
            throw e;
        }
        known.putAll(pendingCache);
    }

    /**
     * Resolves the agent hosts of the batch to system ids. Known ids come from a cache; {@code last_seen} and the
     * hostname are written at most once per {@link #LAST_SEEN_EVERY} per host (rewriting a thousand system rows on
     * every batch would cost as much as the samples themselves).
     */
    private Map<String, Long> upsertAgentHosts(List<MetricsMessage> batch) {
        TreeMap<String, MetricsMessage> latest = new TreeMap<>();
        for (MetricsMessage m : batch) {
            if (m.systemId() == null) {
                latest.merge(m.hostId(), m, (a, b) -> a.collectedAt().isAfter(b.collectedAt()) ? a : b);
            }
        }
        Map<String, Long> ids = new HashMap<>();
        List<SystemStore.AgentHost> stale = new ArrayList<>();
        for (MetricsMessage m : latest.values()) {
            Known k = known.get(m.hostId());
            if (k != null && Objects.equals(k.hostname, m.hostname()) && Objects.equals(k.ipAddress, m.ipAddress())
                    && m.collectedAt().isBefore(k.lastSeenWritten.plus(LAST_SEEN_EVERY))) {
                ids.put(m.hostId(), k.id);
                continue;
            }
            stale.add(new SystemStore.AgentHost(m.hostId(), m.hostname(), m.ipAddress(), m.macAddress(),
                    m.collectedAt()));
        }
        Map<String, Long> written = systems.resolveAgentHosts(stale);
        ids.putAll(written);
        for (Map.Entry<String, Long> e : written.entrySet()) {
            MetricsMessage m = latest.get(e.getKey());
            pendingCache.put(e.getKey(), new Known(e.getValue(), m.hostname(), m.ipAddress(), m.collectedAt()));
        }
        return ids;
    }
}
