-- The payments of a dossier: fees (phí), charges (lệ phí) and other
-- financial obligations (nghĩa vụ tài chính). A payment is requested by the
-- request_payment action and paid by confirm_payment, or recorded as paid at
-- the counter; an open request is cancelled when the dossier is withdrawn or
-- stopped. Rows are never deleted.
CREATE TABLE payments (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    dossier_id     BIGINT NOT NULL REFERENCES dossiers(id),
    amount         BIGINT NOT NULL,
    kind           VARCHAR(16) NOT NULL,
    status         VARCHAR(16) NOT NULL,
    method         VARCHAR(16),
    receipt_number VARCHAR(400),
    note           TEXT NOT NULL DEFAULT '',
    requested_at   TIMESTAMP,
    requested_by   VARCHAR(64),
    paid_at        TIMESTAMP,
    recorded_at    TIMESTAMP,
    recorded_by    VARCHAR(64),
    cancelled_at   TIMESTAMP
);
CREATE INDEX payments_dossier_idx ON payments(dossier_id, id);

-- What the payments make of the dossier: the sum paid, whether one payment
-- was online and since when; whether it carries a financial obligation (the
-- procedure's fee at registration, or a payment not cancelled) and since
-- when. The fee at registration is kept so that a cancelled request does not
-- hide it. component_file_at and reused_at are the first instants the
-- dossier had a component file, and one flagged reused or from a national
-- database: with digitised_at and e_result_at they let a period's report
-- count a dossier as it stood at the period's end.
ALTER TABLE dossiers ADD COLUMN paid_total BIGINT NOT NULL DEFAULT 0;
ALTER TABLE dossiers ADD COLUMN paid_online BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE dossiers ADD COLUMN paid_online_at TIMESTAMP;
ALTER TABLE dossiers ADD COLUMN registered_fee BIGINT NOT NULL DEFAULT 0;
ALTER TABLE dossiers ADD COLUMN payable_at TIMESTAMP;
ALTER TABLE dossiers ADD COLUMN component_file_at TIMESTAMP;
ALTER TABLE dossiers ADD COLUMN reused_at TIMESTAMP;

UPDATE dossiers SET component_file_at = (
    SELECT MIN(v.uploaded_at) FROM dossier_files f JOIN file_versions v ON v.file_id = f.id
    WHERE f.dossier_id = dossiers.id AND f.kind = 'component');
UPDATE dossiers SET reused_at = (
    SELECT MIN(v.uploaded_at) FROM dossier_files f JOIN file_versions v ON v.file_id = f.id
    WHERE f.dossier_id = dossiers.id AND f.kind = 'component' AND (v.reused OR v.from_national_db));
