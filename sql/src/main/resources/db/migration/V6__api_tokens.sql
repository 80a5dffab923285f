-- API bearer tokens made by `fleetwatch admin create-token`: only a SHA-256 digest is kept (the token is shown once),
-- with the role it grants. viewer: read-only; admin: also writes (acknowledge, silence, rules, scans).
CREATE TABLE api_tokens (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9._@-]{1,64}$'),
    role          text NOT NULL CHECK (role IN ('viewer', 'admin')),
    token_sha256  bytea NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    revoked_at    timestamptz
);
