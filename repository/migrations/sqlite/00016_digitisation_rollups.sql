-- Digitisation, electronic results and online payment from the statistics
-- rollups (ADR 0006, beside ADR 0004's form 06). New counters on both rollup
-- tables: per bucket of the day a dossier was received, those received
-- with a component file, with a digitised one, with a reused one (or from a
-- national database), with a financial obligation, and of those paid
-- online; per bucket of the day it was resolved, those resolved with an
-- electronic result, and with a digitised component as well; per bucket of
-- the upload day, the file versions stored and their bytes. A flag counts
-- at the base event's day for every dossier whose flag is set now.
ALTER TABLE dossier_rollups ADD COLUMN received_with_files BIGINT NOT NULL DEFAULT 0;
ALTER TABLE dossier_rollups ADD COLUMN received_digitised BIGINT NOT NULL DEFAULT 0;
ALTER TABLE dossier_rollups ADD COLUMN received_reused BIGINT NOT NULL DEFAULT 0;
ALTER TABLE dossier_rollups ADD COLUMN payable BIGINT NOT NULL DEFAULT 0;
ALTER TABLE dossier_rollups ADD COLUMN paid_online BIGINT NOT NULL DEFAULT 0;
ALTER TABLE dossier_rollups ADD COLUMN resolved_with_e_result BIGINT NOT NULL DEFAULT 0;
ALTER TABLE dossier_rollups ADD COLUMN resolved_digitised BIGINT NOT NULL DEFAULT 0;
ALTER TABLE dossier_rollups ADD COLUMN file_versions BIGINT NOT NULL DEFAULT 0;
ALTER TABLE dossier_rollups ADD COLUMN file_bytes BIGINT NOT NULL DEFAULT 0;
ALTER TABLE dossier_rollups_daily ADD COLUMN received_with_files BIGINT NOT NULL DEFAULT 0;
ALTER TABLE dossier_rollups_daily ADD COLUMN received_digitised BIGINT NOT NULL DEFAULT 0;
ALTER TABLE dossier_rollups_daily ADD COLUMN received_reused BIGINT NOT NULL DEFAULT 0;
ALTER TABLE dossier_rollups_daily ADD COLUMN payable BIGINT NOT NULL DEFAULT 0;
ALTER TABLE dossier_rollups_daily ADD COLUMN paid_online BIGINT NOT NULL DEFAULT 0;
ALTER TABLE dossier_rollups_daily ADD COLUMN resolved_with_e_result BIGINT NOT NULL DEFAULT 0;
ALTER TABLE dossier_rollups_daily ADD COLUMN resolved_digitised BIGINT NOT NULL DEFAULT 0;
ALTER TABLE dossier_rollups_daily ADD COLUMN file_versions BIGINT NOT NULL DEFAULT 0;
ALTER TABLE dossier_rollups_daily ADD COLUMN file_bytes BIGINT NOT NULL DEFAULT 0;

-- The correction of those counters: the dossiers whose flag's local day
-- (flag_day) is after the base event's (base_day), counted by key. A report
-- over the days [D0, D1) subtracts the rows with base_day in it and
-- flag_day >= D1: flagged only after the period's end. A flag on or before
-- its base day can never be, so it has no row here. Key columns are those
-- of the scope rule (reception unit, handling agency, holder).
CREATE TABLE dossier_flag_lags (
    base_day    VARCHAR(10) NOT NULL,
    flag_day    VARCHAR(10) NOT NULL,
    flag        VARCHAR(24) NOT NULL,
    unit_code   VARCHAR(64) NOT NULL,
    agency_code VARCHAR(64) NOT NULL,
    holder_unit VARCHAR(64) NOT NULL,
    n           BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (base_day, flag_day, flag, unit_code, agency_code, holder_unit)
);
-- A report on a recent period reads the few rows flagged since its end.
CREATE INDEX dossier_flag_lags_flag_day_idx ON dossier_flag_lags (flag_day, base_day);

-- A database whose dossiers already carry flags or files has rollups
-- without them: marking the rollups not built makes the next start rebuild
-- them (repository.BackfillRollups) in the configured zone. Until then the
-- reports answer by the full scan. Any other database's rollups are
-- complete as they are.
DELETE FROM settings WHERE key = 'rollups_zone' AND (
    EXISTS (SELECT 1 FROM file_versions)
    OR EXISTS (SELECT 1 FROM dossiers WHERE digitised_at IS NOT NULL OR e_result_at IS NOT NULL
        OR component_file_at IS NOT NULL OR reused_at IS NOT NULL OR payable_at IS NOT NULL OR paid_online_at IS NOT NULL));
