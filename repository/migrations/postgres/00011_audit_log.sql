-- The audit trail: who did what, when and from where. Rows are only added.
-- UPDATE and TRUNCATE are refused; DELETE is refused unless the row is
-- older than the retention kept in settings under audit_retention_days
-- (0 or missing: keep forever), measured on the database's own clock, so
-- the purge can remove old rows and nothing else can remove young ones.
CREATE TABLE audit_log (
    id      BIGSERIAL PRIMARY KEY,
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

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    days INTEGER;
BEGIN
    IF TG_OP = 'DELETE' THEN
        SELECT CAST(value AS INTEGER) INTO days FROM settings WHERE key = 'audit_retention_days';
        IF days IS NOT NULL AND days > 0
           AND OLD.at < (now() AT TIME ZONE 'UTC') - make_interval(days => days) THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
