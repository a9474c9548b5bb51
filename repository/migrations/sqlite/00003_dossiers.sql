-- Dossiers (hồ sơ) and their append-only history. All times are UTC.
CREATE TABLE dossiers (
    id                      INTEGER PRIMARY KEY AUTOINCREMENT,
    code                    VARCHAR(120) NOT NULL UNIQUE,
    procedure_code          VARCHAR(64) NOT NULL REFERENCES procedures(code),
    unit_code               VARCHAR(64) NOT NULL REFERENCES agencies(code),
    agency_code             VARCHAR(64) NOT NULL REFERENCES agencies(code),
    holder_unit             VARCHAR(64) NOT NULL REFERENCES agencies(code),
    assignee                VARCHAR(64) NOT NULL DEFAULT '',
    channel                 VARCHAR(16) NOT NULL,
    on_spot                 BOOLEAN NOT NULL DEFAULT FALSE,
    status                  VARCHAR(32) NOT NULL,
    status_code             INTEGER NOT NULL,
    applicant_name          VARCHAR(1200) NOT NULL,
    applicant_name_folded   VARCHAR(1200) NOT NULL DEFAULT '',
    applicant_id_number     VARCHAR(32) NOT NULL DEFAULT '',
    applicant_id_hash       VARCHAR(64) NOT NULL DEFAULT '',
    applicant_phone         VARCHAR(32) NOT NULL DEFAULT '',
    applicant_email         VARCHAR(254) NOT NULL DEFAULT '',
    applicant_address       VARCHAR(1200) NOT NULL DEFAULT '',
    applicant_organization  VARCHAR(1200) NOT NULL DEFAULT '',
    documents               TEXT NOT NULL DEFAULT '[]',
    note                    TEXT NOT NULL DEFAULT '',
    pin_hash                VARCHAR(64) NOT NULL,
    processing_value        INTEGER NOT NULL,
    processing_unit         VARCHAR(16) NOT NULL,
    submitted_at            TIMESTAMP NOT NULL,
    received_at             TIMESTAMP,
    due_at                  TIMESTAMP,
    appointment_at          TIMESTAMP,
    supplement_requested_at TIMESTAMP,
    payment_amount          BIGINT,
    resolved_at             TIMESTAMP,
    outcome                 VARCHAR(16),
    timeliness              VARCHAR(16),
    returned_at             TIMESTAMP,
    withdrawn_at            TIMESTAMP,
    stopped_at              TIMESTAMP,
    rejected_at             TIMESTAMP,
    version                 INTEGER NOT NULL DEFAULT 1,
    created_at              TIMESTAMP NOT NULL,
    updated_at              TIMESTAMP NOT NULL
);
CREATE INDEX dossiers_unit_received_idx ON dossiers(unit_code, received_at);
CREATE INDEX dossiers_agency_received_idx ON dossiers(agency_code, received_at);
CREATE INDEX dossiers_holder_idx ON dossiers(holder_unit);
CREATE INDEX dossiers_status_idx ON dossiers(status);
CREATE INDEX dossiers_due_idx ON dossiers(due_at);
CREATE INDEX dossiers_resolved_idx ON dossiers(resolved_at);
CREATE INDEX dossiers_received_idx ON dossiers(received_at);
CREATE INDEX dossiers_procedure_idx ON dossiers(procedure_code);

CREATE TABLE dossier_history (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    dossier_id  BIGINT NOT NULL REFERENCES dossiers(id),
    action      VARCHAR(32) NOT NULL,
    from_status VARCHAR(32),
    to_status   VARCHAR(32) NOT NULL,
    at          TIMESTAMP NOT NULL,
    by_user     VARCHAR(64) NOT NULL,
    unit        VARCHAR(64) NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    details     TEXT
);
CREATE INDEX dossier_history_dossier_idx ON dossier_history(dossier_id, id);

-- History is append-only: no UPDATE or DELETE, whoever asks.
CREATE TRIGGER dossier_history_no_update BEFORE UPDATE ON dossier_history
BEGIN
    SELECT RAISE(ABORT, 'dossier_history is append-only');
END;
CREATE TRIGGER dossier_history_no_delete BEFORE DELETE ON dossier_history
BEGIN
    SELECT RAISE(ABORT, 'dossier_history is append-only');
END;
