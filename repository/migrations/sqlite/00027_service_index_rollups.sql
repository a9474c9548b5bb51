-- The service index from the statistics rollups (ADR 0008). New counters on
-- both rollup tables: per bucket of the day a dossier was received, those
-- accepted by the national portal at least once (received_synced); per
-- bucket of the later of the days it was received and finished, those
-- finished late by Decision 766's rule (index_finished_late); and the stock
-- delta whose sum over the buckets before a day is the number of dossiers
-- open at that day's midnight and late by the rule then (index_late_delta).
ALTER TABLE dossier_rollups ADD COLUMN received_synced BIGINT NOT NULL DEFAULT 0;
ALTER TABLE dossier_rollups ADD COLUMN index_finished_late BIGINT NOT NULL DEFAULT 0;
ALTER TABLE dossier_rollups ADD COLUMN index_late_delta BIGINT NOT NULL DEFAULT 0;
ALTER TABLE dossier_rollups_daily ADD COLUMN received_synced BIGINT NOT NULL DEFAULT 0;
ALTER TABLE dossier_rollups_daily ADD COLUMN index_finished_late BIGINT NOT NULL DEFAULT 0;
ALTER TABLE dossier_rollups_daily ADD COLUMN index_late_delta BIGINT NOT NULL DEFAULT 0;

-- Any received dossier may count in the new columns: marking the rollups
-- not built makes the next start rebuild them from the dossiers
-- (repository.BackfillRollups). Until then the reports answer by the full
-- scan.
DELETE FROM settings WHERE key = 'rollups_zone' AND EXISTS (SELECT 1 FROM dossiers WHERE received_at IS NOT NULL);
