-- Citizen feedback (phản ánh, kiến nghị), its append-only history, and the
-- satisfaction ratings of returned dossiers.
CREATE TABLE feedback (
    id             BIGSERIAL PRIMARY KEY,
    code           VARCHAR(120) NOT NULL UNIQUE,
    channel        VARCHAR(16) NOT NULL,
    category       VARCHAR(16) NOT NULL,
    title          VARCHAR(1200) NOT NULL,
    content        TEXT NOT NULL,
    sender_name    VARCHAR(1200),
    sender_phone   VARCHAR(40),
    sender_email   VARCHAR(300),
    sender_address VARCHAR(1200),
    dossier_code   VARCHAR(120),
    agency_code    VARCHAR(64) REFERENCES agencies(code),
    procedure_code VARCHAR(64) REFERENCES procedures(code),
    recorded_unit  VARCHAR(64) REFERENCES agencies(code),
    status         VARCHAR(16) NOT NULL,
    published      BOOLEAN NOT NULL DEFAULT FALSE,
    answer         TEXT,
    refusal_reason TEXT,
    received_at    TIMESTAMPTZ NOT NULL,
    due_at         TIMESTAMPTZ NOT NULL,
    refuse_due_at  TIMESTAMPTZ NOT NULL,
    answered_at    TIMESTAMPTZ,
    refused_at     TIMESTAMPTZ,
    published_at   TIMESTAMPTZ,
    pin_hash       VARCHAR(128),
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX feedback_received_idx ON feedback(received_at);
CREATE INDEX feedback_status_due_idx ON feedback(status, due_at);
CREATE INDEX feedback_agency_idx ON feedback(agency_code);
CREATE INDEX feedback_recorded_unit_idx ON feedback(recorded_unit);
CREATE INDEX feedback_dossier_idx ON feedback(dossier_code);
CREATE INDEX feedback_published_idx ON feedback(published, published_at);

CREATE TABLE feedback_history (
    id          BIGSERIAL PRIMARY KEY,
    feedback_id BIGINT NOT NULL REFERENCES feedback(id),
    action      VARCHAR(16) NOT NULL,
    from_status VARCHAR(16),
    to_status   VARCHAR(16) NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    by_user     VARCHAR(64),
    unit        VARCHAR(64),
    note        TEXT
);
CREATE INDEX feedback_history_feedback_idx ON feedback_history(feedback_id, id);

-- History is append-only: no row is ever edited or deleted.
CREATE FUNCTION feedback_history_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'feedback_history is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER feedback_history_no_change BEFORE UPDATE OR DELETE ON feedback_history
    FOR EACH ROW EXECUTE FUNCTION feedback_history_append_only();
CREATE TRIGGER feedback_history_no_truncate BEFORE TRUNCATE ON feedback_history
    FOR EACH STATEMENT EXECUTE FUNCTION feedback_history_append_only();

-- One rating per dossier (UNIQUE dossier_id). Unit, agency and procedure are
-- copied from the dossier so statistics need no join.
CREATE TABLE ratings (
    id             BIGSERIAL PRIMARY KEY,
    dossier_id     BIGINT NOT NULL UNIQUE REFERENCES dossiers(id),
    dossier_code   VARCHAR(120) NOT NULL,
    score          INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment        TEXT NOT NULL DEFAULT '',
    feedback_code  VARCHAR(120) REFERENCES feedback(code),
    unit_code      VARCHAR(64) NOT NULL,
    agency_code    VARCHAR(64) NOT NULL,
    procedure_code VARCHAR(64) NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX ratings_created_idx ON ratings(created_at);
CREATE INDEX ratings_unit_idx ON ratings(unit_code, created_at);
CREATE INDEX ratings_agency_idx ON ratings(agency_code, created_at);
