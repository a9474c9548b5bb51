-- Idempotency keys (docs/openapi.yaml, Idempotency-Key): the first answer to a POST that carried an
-- Idempotency-Key, kept 24 hours per caller (owner: "user:NAME" for staff,
-- "ip:ADDRESS" for public endpoints). fingerprint is a keyed hash of the
-- request (method, path, query and body); body is the answer, encrypted.
-- state is 'in_progress' while the first request runs (claim identifies it),
-- then 'done'. Rows older than 24 hours count as absent and are swept.
CREATE TABLE idempotency_keys (
    owner        VARCHAR(200) NOT NULL,
    idem_key     VARCHAR(200) NOT NULL,
    fingerprint  VARCHAR(64) NOT NULL,
    state        VARCHAR(16) NOT NULL,
    claim        VARCHAR(32) NOT NULL,
    status       INTEGER NOT NULL DEFAULT 0,
    content_type VARCHAR(200) NOT NULL DEFAULT '',
    body         BYTEA,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (owner, idem_key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys(created_at);
