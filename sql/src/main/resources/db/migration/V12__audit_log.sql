-- Every admin write through the API (a request other than GET/HEAD/OPTIONS made with an admin token): who (the
-- token's name), what (method, path, the target's id, a short summary of the body with secrets left out), from where,
-- when, and the answer's status. Written by the API after it answers; read by admins at GET /api/audit.
CREATE TABLE audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text NOT NULL,
    method      text NOT NULL,
    path        text NOT NULL,
    target_id   text,
    summary     text,
    client      text,
    status      integer NOT NULL CHECK (status BETWEEN 100 AND 599)
);

CREATE INDEX audit_log_at ON audit_log (at);
