package io.fleetwatch.store;

import static io.fleetwatch.store.Stores.instant;
import static io.fleetwatch.store.Stores.utc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetwatch.messages.InventoryDiff;
import io.fleetwatch.messages.InventoryMessage;
import io.fleetwatch.messages.MessageCodec;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Owner of the inventory tables ({@code system_inventory}: the current inventory of each system;
 * {@code inventory_changes}: the history of its changes, with what changed). The consumer's inventory sink decides
 * what a report means (first, unchanged, changed, stale) and writes through here, inside its transaction.
 */
public final class InventoryStore {
    private static final ObjectMapper JSON = MessageCodec.mapper();
    private static final TypeReference<List<InventoryDiff.Change>> CHANGES = new TypeReference<>() {};

    /** A system's current inventory: the last report, when it was collected, and since when it has this content. */
    public record Current(long systemId, String contentHash, Instant collectedAt, Instant changedAt,
                          InventoryMessage inventory) {
        public Current {
            Objects.requireNonNull(inventory, "inventory");
        }
    }

    /** One change of a system's inventory: when, and what changed. */
    public record ChangeRow(long id, long systemId, Instant changedAt, String oldHash, String newHash,
                            List<InventoryDiff.Change> changes) {
        public ChangeRow {
            changes = List.copyOf(changes);
        }
    }

    private final Jdbi jdbi;

    public InventoryStore(Jdbi jdbi) {
        this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
    }

    /** The current inventory, locked until the caller's transaction ends (writers of one system take turns). */
    public Optional<Current> currentForUpdate(long systemId) {
        return current(systemId, " FOR UPDATE");
    }

    public Optional<Current> current(long systemId) {
        return current(systemId, "");
    }

    private Optional<Current> current(long systemId, String lock) {
        return jdbi.withHandle(h -> h.createQuery("SELECT system_id, content_hash, collected_at, changed_at,"
                        + " inventory::text AS inventory FROM system_inventory WHERE system_id = :s" + lock)
                .bind("s", systemId)
                .map((rs, ctx) -> new Current(rs.getLong("system_id"), rs.getString("content_hash"),
                        instant(rs, "collected_at"), instant(rs, "changed_at"), decode(rs.getString("inventory"))))
                .findOne());
    }

    /** The first inventory of a system; false when another writer stored one first. */
    public boolean first(long systemId, InventoryMessage m) {
        return jdbi.withHandle(h -> h.createUpdate("INSERT INTO system_inventory (system_id, content_hash, inventory,"
                        + " collected_at, changed_at) VALUES (:s, :hash, CAST(:inv AS jsonb), :t, :t)"
                        + " ON CONFLICT (system_id) DO NOTHING")
                .bind("s", systemId).bind("hash", m.contentHash()).bind("inv", encode(m)).bind("t", utc(m.collectedAt()))
                .execute()) == 1;
    }

    /** The same content reported again: only the time of the last report moves (never back). */
    public void seenAgain(long systemId, InventoryMessage m) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE system_inventory SET collected_at = greatest(collected_at, :t),"
                        + " inventory = CASE WHEN :t > collected_at THEN CAST(:inv AS jsonb) ELSE inventory END,"
                        + " updated_at = now() WHERE system_id = :s")
                .bind("s", systemId).bind("t", utc(m.collectedAt())).bind("inv", encode(m)).execute());
    }

    /**
     * A new content: the current inventory becomes {@code m} and the change is added to the history; false (nothing
     * written) when this change is on record already (a redelivery).
     */
    public boolean changed(long systemId, String oldHash, InventoryMessage m, List<InventoryDiff.Change> changes) {
        return jdbi.withHandle(h -> {
            String inv = encode(m);
            int added = h.createUpdate("INSERT INTO inventory_changes (system_id, changed_at, old_hash, new_hash,"
                            + " changes, inventory) VALUES (:s, :t, :old, :new, CAST(:changes AS jsonb),"
                            + " CAST(:inv AS jsonb)) ON CONFLICT (system_id, new_hash, changed_at) DO NOTHING")
                    .bind("s", systemId).bind("t", utc(m.collectedAt())).bind("old", oldHash)
                    .bind("new", m.contentHash()).bind("changes", json(changes)).bind("inv", inv).execute();
            if (added == 0) {
                return false;
            }
            h.createUpdate("UPDATE system_inventory SET content_hash = :new, inventory = CAST(:inv AS jsonb),"
                            + " collected_at = :t, changed_at = :t, updated_at = now() WHERE system_id = :s")
                    .bind("s", systemId).bind("new", m.contentHash()).bind("inv", inv).bind("t", utc(m.collectedAt()))
                    .execute();
            return true;
        });
    }

    /** A system's changes, newest first. */
    public List<ChangeRow> changes(long systemId, int limit, int offset) {
        return jdbi.withHandle(h -> h.createQuery("SELECT id, system_id, changed_at, old_hash, new_hash,"
                        + " changes::text AS changes FROM inventory_changes WHERE system_id = :s"
                        + " ORDER BY changed_at DESC, id DESC LIMIT :limit OFFSET :offset")
                .bind("s", systemId).bind("limit", limit).bind("offset", offset)
                .map((rs, ctx) -> new ChangeRow(rs.getLong("id"), rs.getLong("system_id"), instant(rs, "changed_at"),
                        rs.getString("old_hash"), rs.getString("new_hash"), read(rs.getString("changes"), CHANGES)))
                .list());
    }

    private static String encode(InventoryMessage m) {
        return MessageCodec.encodeToString(m);
    }

    private static String json(Object v) {
        try {
            return JSON.writeValueAsString(v);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InventoryMessage decode(String stored) {
        return read(stored, new TypeReference<InventoryMessage>() {});
    }

    private static <T> T read(String stored, TypeReference<T> type) {
        try {
            return JSON.readValue(stored, type);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("stored inventory does not parse", e);
        }
    }
}
