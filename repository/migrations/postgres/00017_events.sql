-- The outbox: one row per change of a dossier or a feedback item that
-- other systems and citizens are told about, written in the transaction of
-- the change together with the queue job that dispatches it (ADR 0007).
-- body is the event's JSON, serialised once so that every delivery of it
-- sends the same bytes. sequence counts the events of one item from 1
-- without gaps. dispatched_at is set once the dispatch job has fanned the
-- event out. Rows are never deleted or changed, but for dispatched_at.
-- The webhook subscriptions, deliveries, notifications and escalations get
-- their own tables with the parts that use them.
CREATE TABLE events (
    id            VARCHAR(40) PRIMARY KEY,
    subject       VARCHAR(16) NOT NULL CHECK (subject IN ('dossier', 'feedback')),
    code          VARCHAR(120) NOT NULL,
    sequence      BIGINT NOT NULL,
    type          VARCHAR(64) NOT NULL,
    action        VARCHAR(32),
    body          TEXT NOT NULL,
    occurred_at   TIMESTAMPTZ NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    dispatched_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX events_item_sequence_idx ON events(subject, code, sequence);
