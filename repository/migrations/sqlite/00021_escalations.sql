-- Escalations (due-time warnings): one row per item, kind and due time the
-- periodic scan found due soon or overdue, written in the transaction that
-- records its event. The unique index is what makes a crossing happen once:
-- later runs, other servers and restarts insert nothing, and a due time
-- moved by a supplement is a new key, so the thresholds apply again.
-- occurred_at is the scan's time (the event's), event_id the event
-- recorded for it. digested_at is set when the staff digest that lists
-- the crossing is enqueued; a crossing whose run stopped before that is
-- listed by the next run's digest.
CREATE TABLE escalations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    subject     VARCHAR(16) NOT NULL CHECK (subject IN ('dossier', 'feedback')),
    code        VARCHAR(120) NOT NULL,
    kind        VARCHAR(16) NOT NULL CHECK (kind IN ('due_soon', 'overdue')),
    due_at      TIMESTAMP NOT NULL,
    event_id    VARCHAR(40) REFERENCES events(id),
    occurred_at TIMESTAMP NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    digested_at TIMESTAMP
);
CREATE UNIQUE INDEX escalations_once_idx ON escalations(subject, code, kind, due_at);
CREATE INDEX escalations_undigested_idx ON escalations(id) WHERE digested_at IS NULL;
