-- The audit trail: who did what, when and from where. Rows are only added.
-- UPDATE is refused; DELETE is refused unless the row is older than the
-- retention kept in settings under audit_retention_days (0 or missing:
-- keep forever), measured on the database's own clock, so the purge can
-- remove old rows and nothing else can remove young ones. Times are kept
-- as UTC text, which orders like strftime's.
CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      TIMESTAMP NOT NULL,
    actor   VARCHAR(64) NOT NULL,
    role    VARCHAR(16) NOT NULL,
    action  VARCHAR(32) NOT NULL,
    subject VARCHAR(200) NOT NULL,
    ip      VARCHAR(64) NOT NULL,
    detail  VARCHAR(200) NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at, id);
CREATE INDEX audit_log_actor ON audit_log (actor, at);
CREATE INDEX audit_log_action ON audit_log (action, at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN NOT (
    COALESCE((SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'audit_retention_days'), 0) > 0
    AND OLD.at < strftime('%Y-%m-%d %H:%M:%S', 'now',
        '-' || (SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'audit_retention_days') || ' days')
)
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
