-- The files of a dossier: its scanned or electronic papers (kind
-- component) and its electronic results (kind result). A file has versions;
-- a version is never changed or deleted (a wrong scan is corrected by a new
-- version), so both tables only grow. The bytes live in the blob store,
-- keyed by sha256; these rows are their metadata.
CREATE TABLE dossier_files (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    dossier_id     BIGINT NOT NULL REFERENCES dossiers(id),
    kind           VARCHAR(16) NOT NULL,
    component_id   BIGINT REFERENCES procedure_components(id),
    version        INTEGER NOT NULL,
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX dossier_files_dossier_idx ON dossier_files(dossier_id, id);

CREATE TABLE file_versions (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    file_id          BIGINT NOT NULL REFERENCES dossier_files(id),
    version          INTEGER NOT NULL,
    name             VARCHAR(1020) NOT NULL,
    content_type     VARCHAR(100) NOT NULL,
    size             BIGINT NOT NULL,
    sha256           CHAR(64) NOT NULL,
    digitised        BOOLEAN NOT NULL,
    reused           BOOLEAN NOT NULL,
    from_national_db BOOLEAN NOT NULL,
    uploaded_at      TIMESTAMP NOT NULL,
    uploaded_by      VARCHAR(64) NOT NULL,
    UNIQUE (file_id, version)
);
CREATE INDEX file_versions_uploaded_idx ON file_versions(uploaded_at);

CREATE TRIGGER file_versions_no_update BEFORE UPDATE ON file_versions
BEGIN
    SELECT RAISE(ABORT, 'file_versions is append-only');
END;
CREATE TRIGGER file_versions_no_delete BEFORE DELETE ON file_versions
BEGIN
    SELECT RAISE(ABORT, 'file_versions is append-only');
END;

-- What the files make of the dossier, and since when: it has a digitised
-- component (digitised), an electronic result (e_result). The instants let a
-- period's report count a dossier as it stood at the period's end.
ALTER TABLE dossiers ADD COLUMN digitised BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE dossiers ADD COLUMN digitised_at TIMESTAMP;
ALTER TABLE dossiers ADD COLUMN e_result BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE dossiers ADD COLUMN e_result_at TIMESTAMP;
