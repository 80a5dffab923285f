-- The postgres message transport (QUEUE_TYPE=postgres, docs/contract.md "Implementation Options"): the work queues
-- as one table, claimed with FOR UPDATE SKIP LOCKED, and their dead letters. Owner: io.fleetwatch.transport.PostgresQueue.
-- Plain tables on both engines (no hypertable: rows live seconds, not months).

CREATE TABLE queue_messages (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    queue       text        NOT NULL,
    routing_key text        NOT NULL,
    message_id  text,
    priority    smallint    NOT NULL DEFAULT 0,
    payload     bytea       NOT NULL,
    enqueued_at timestamptz NOT NULL DEFAULT now(),
    -- a claimed message is invisible until then; a consumer that dies leaves it to come back at this time
    visible_at  timestamptz NOT NULL DEFAULT now(),
    attempts    integer     NOT NULL DEFAULT 0
);

-- the claim: the oldest visible messages of one queue, highest priority first
CREATE INDEX queue_messages_claim ON queue_messages (queue, visible_at, priority DESC, id);

CREATE TABLE queue_dead_letters (
    id               bigint      PRIMARY KEY,
    queue            text        NOT NULL,
    routing_key      text        NOT NULL,
    message_id       text,
    payload          bytea       NOT NULL,
    enqueued_at      timestamptz NOT NULL,
    attempts         integer     NOT NULL,
    reason           text        NOT NULL,
    dead_lettered_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX queue_dead_letters_queue ON queue_dead_letters (queue, id);
