-- The hardware and OS inventory of each system (the inventory message, docs/contract.md): the current one, and the
-- history of its changes. Written by the consumer's inventory sink through InventoryStore, read by the API.

-- The latest inventory per system. content_hash covers the inventory without identity and time, so a redelivered or
-- repeated report (same hash) only moves collected_at.
CREATE TABLE system_inventory (
    system_id     bigint PRIMARY KEY REFERENCES systems (id) ON DELETE CASCADE,
    content_hash  text NOT NULL CHECK (content_hash ~ '^[0-9a-f]{64}$'),
    inventory     jsonb NOT NULL,
    collected_at  timestamptz NOT NULL,
    changed_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- One row per change of a system's inventory: what changed (a JSON array of {part, item, kind, before, after}), the
-- inventory after it, and the hashes before and after. At most one row per (system, new content, time): a
-- redelivered change is stored once.
CREATE TABLE inventory_changes (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    system_id     bigint NOT NULL REFERENCES systems (id) ON DELETE CASCADE,
    changed_at    timestamptz NOT NULL,
    old_hash      text NOT NULL,
    new_hash      text NOT NULL,
    changes       jsonb NOT NULL CHECK (jsonb_typeof(changes) = 'array'),
    inventory     jsonb NOT NULL,
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (system_id, new_hash, changed_at)
);
CREATE INDEX inventory_changes_system_idx ON inventory_changes (system_id, changed_at DESC);
