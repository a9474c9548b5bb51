-- The supplement requests of each dossier, for the service index's on-time
-- rule (§14.4, docs/adr/0008-service-index.md): one row per request, n
-- counting them from 1; due_at is the dossier's statutory due time when it
-- was made (what a later supply moves), supplied_at when the applicant
-- supplied (null while waiting, and for a dossier that ended waiting).
-- DossierStore.Update writes them with the action that requests or
-- supplies.
CREATE TABLE dossier_supplements (
    dossier_id   BIGINT NOT NULL REFERENCES dossiers(id) ON DELETE CASCADE,
    n            INTEGER NOT NULL,
    requested_at TIMESTAMP NOT NULL,
    due_at       TIMESTAMP,
    supplied_at  TIMESTAMP,
    PRIMARY KEY (dossier_id, n)
);
-- The requests made before this migration, from the history: each request
-- supplied by the first supply after it; the due time of those still open
-- is the dossier's (nothing has moved it since), that of the others is not
-- in the history and stays unknown.
INSERT INTO dossier_supplements (dossier_id, n, requested_at, supplied_at)
SELECT h.dossier_id, ROW_NUMBER() OVER (PARTITION BY h.dossier_id ORDER BY h.at, h.id), h.at,
    (SELECT MIN(s.at) FROM dossier_history s
     WHERE s.dossier_id = h.dossier_id AND s.action = 'supplement' AND s.id > h.id)
FROM dossier_history h WHERE h.action = 'request_supplement';
UPDATE dossier_supplements SET due_at = (SELECT d.due_at FROM dossiers d WHERE d.id = dossier_supplements.dossier_id)
WHERE supplied_at IS NULL;
-- The service index reads the dossiers of a period (received in it, or
-- received before and finished in it or not at all) by index ranges.
CREATE INDEX dossiers_finished_idx ON dossiers((COALESCE(resolved_at, withdrawn_at, stopped_at)));
