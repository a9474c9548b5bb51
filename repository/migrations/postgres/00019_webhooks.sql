-- Webhook subscriptions (SPEC §13.2) and their deliveries. A subscription's
-- secret is sealed under a key derived from the data key (webhook.SecretBox)
-- and shown in clear only in the answer that creates it. A deleted
-- subscription keeps its row (deleted_at) so that its deliveries stay
-- explained; it answers 404 from then on.
CREATE TABLE webhooks (
    id          VARCHAR(40) PRIMARY KEY,
    url         VARCHAR(2048) NOT NULL,
    events      TEXT NOT NULL,          -- JSON array of types and patterns
    unit_code   VARCHAR(64),
    description VARCHAR(1200) NOT NULL DEFAULT '',
    secret      TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    created_by  VARCHAR(64) NOT NULL,
    deleted_at  TIMESTAMPTZ
);
CREATE INDEX webhooks_created_idx ON webhooks(created_at, id);

-- One row per event and subscription (the dispatch fan-out inserts it once,
-- whatever retries the dispatch job makes). attempt_log is a JSON array of
-- {at, status_code, error, duration_ms}, appended by every attempt.
-- ended_at is set when the delivery becomes succeeded, dead or cancelled:
-- it is kept MOTCUA_DELIVERY_RETENTION_DAYS after that.
CREATE TABLE webhook_deliveries (
    id               VARCHAR(40) PRIMARY KEY,
    webhook_id       VARCHAR(40) NOT NULL REFERENCES webhooks(id),
    event_id         VARCHAR(40) NOT NULL REFERENCES events(id),
    event_type       VARCHAR(64) NOT NULL,
    code             VARCHAR(120) NOT NULL,
    status           VARCHAR(16) NOT NULL CHECK (status IN ('pending', 'succeeded', 'dead', 'cancelled')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_status_code INTEGER,
    last_error       VARCHAR(200),
    next_attempt_at  TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL,
    delivered_at     TIMESTAMPTZ,
    ended_at         TIMESTAMPTZ,
    attempt_log      TEXT NOT NULL DEFAULT '[]'
);
CREATE UNIQUE INDEX webhook_deliveries_event_idx ON webhook_deliveries(event_id, webhook_id);
CREATE INDEX webhook_deliveries_list_idx ON webhook_deliveries(webhook_id, created_at, id);
CREATE INDEX webhook_deliveries_ended_idx ON webhook_deliveries(ended_at);
