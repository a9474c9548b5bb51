-- Statistics rollups (ADR 0004): form 06 reads these instead of scanning
-- dossiers. One row per bucket × reception unit × handling agency × holder
-- unit × procedure × channel, at four grains (a fifth, the dekad, came with 00008): 'd' (bucket 'YYYY-MM-DD') in
-- dossier_rollups_daily; 'm' ('YYYY-MM'), 'y' ('YYYY') and 'a' (all time,
-- bucket '') in dossier_rollups, small and dense for month reports. Days
-- are local to the zone recorded in settings.rollups_zone. Every dossier
-- adds its contribution once per grain; the dossier and import stores keep
-- it in step in the transaction that changes the dossier. Flows count the
-- events of the bucket; open_delta and overdue_delta are stock changes:
-- their sum over the buckets before a day is the number of dossiers open
-- (and open past their due time) at that day's 00:00.
CREATE TABLE dossier_rollups (
    grain            VARCHAR(1) NOT NULL,
    bucket           VARCHAR(10) NOT NULL,
    unit_code        VARCHAR(64) NOT NULL,
    agency_code      VARCHAR(64) NOT NULL,
    holder_unit      VARCHAR(64) NOT NULL,
    procedure_code   VARCHAR(64) NOT NULL,
    channel          VARCHAR(16) NOT NULL,
    received         BIGINT NOT NULL DEFAULT 0,
    resolved_early   BIGINT NOT NULL DEFAULT 0,
    resolved_on_time BIGINT NOT NULL DEFAULT 0,
    resolved_late    BIGINT NOT NULL DEFAULT 0,
    on_spot_resolved BIGINT NOT NULL DEFAULT 0,
    withdrawn        BIGINT NOT NULL DEFAULT 0,
    stopped          BIGINT NOT NULL DEFAULT 0,
    rejected         BIGINT NOT NULL DEFAULT 0,
    open_delta       BIGINT NOT NULL DEFAULT 0,
    overdue_delta    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (grain, bucket, unit_code, agency_code, holder_unit, procedure_code, channel)
);

CREATE TABLE dossier_rollups_daily (
    grain            VARCHAR(1) NOT NULL,
    bucket           VARCHAR(10) NOT NULL,
    unit_code        VARCHAR(64) NOT NULL,
    agency_code      VARCHAR(64) NOT NULL,
    holder_unit      VARCHAR(64) NOT NULL,
    procedure_code   VARCHAR(64) NOT NULL,
    channel          VARCHAR(16) NOT NULL,
    received         BIGINT NOT NULL DEFAULT 0,
    resolved_early   BIGINT NOT NULL DEFAULT 0,
    resolved_on_time BIGINT NOT NULL DEFAULT 0,
    resolved_late    BIGINT NOT NULL DEFAULT 0,
    on_spot_resolved BIGINT NOT NULL DEFAULT 0,
    withdrawn        BIGINT NOT NULL DEFAULT 0,
    stopped          BIGINT NOT NULL DEFAULT 0,
    rejected         BIGINT NOT NULL DEFAULT 0,
    open_delta       BIGINT NOT NULL DEFAULT 0,
    overdue_delta    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (grain, bucket, unit_code, agency_code, holder_unit, procedure_code, channel)
);

-- A database without dossiers has complete (empty) rollups in the default
-- zone; one with dossiers is rolled up by the first start after this
-- migration (repository.BackfillRollups), which records the zone.
INSERT INTO settings (key, value)
SELECT 'rollups_zone', 'Asia/Ho_Chi_Minh' WHERE NOT EXISTS (SELECT 1 FROM dossiers);

-- Hot paths (docs/scaling.md, repository/explain_test.go): the dossier list
-- in its order (first pages and keyset pages read only their rows), and the
-- open dossiers by due time for overdue lists.
CREATE INDEX dossiers_list_order_idx ON dossiers ((COALESCE(received_at, submitted_at)), id);
