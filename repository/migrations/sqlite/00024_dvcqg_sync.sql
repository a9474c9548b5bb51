-- The national portal (DVCQG) sync state of each received dossier (§14.3):
-- one row per dossier, written pending in the transaction of every change
-- while pushing is on. synced_version is the dossier version the portal
-- last accepted (null before the first acceptance), attempts counts the
-- pushes since then. claimed_until is the lease of the process pushing it
-- (SQLite has no SKIP LOCKED; PostgreSQL also claims under it, so a crashed
-- pusher's claim simply expires). claimed_by is the claim's token: only the
-- claimer records the outcome. changes counts the marks: a push claimed at
-- one count and answered at another was overtaken by a change.
CREATE TABLE dvcqg_sync (
    dossier_id      BIGINT PRIMARY KEY REFERENCES dossiers(id) ON DELETE CASCADE,
    status          VARCHAR(16) NOT NULL CHECK (status IN ('pending', 'synced', 'failed')),
    synced_at       TIMESTAMP,
    synced_version  BIGINT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_attempt_at TIMESTAMP,
    next_attempt_at TIMESTAMP,
    last_error      VARCHAR(500),
    claimed_until   TIMESTAMP,
    claimed_by      VARCHAR(40),
    changes         BIGINT NOT NULL DEFAULT 0,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX dvcqg_sync_due_idx ON dvcqg_sync(next_attempt_at) WHERE status = 'pending';
CREATE INDEX dvcqg_sync_status_idx ON dvcqg_sync(status);
