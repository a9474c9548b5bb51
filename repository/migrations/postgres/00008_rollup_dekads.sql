-- Dekad grain of the statistics rollups (ADR 0004): 'k' rows in
-- dossier_rollups, bucket 'YYYY-MM-1', 'YYYY-MM-2', 'YYYY-MM-3' for the local
-- days 1–10, 11–20 and 21 to the end of the month, so that a period that
-- starts or ends inside a month (a month from a report cut-off day) reads
-- dekad rows and at most 9 + 10 day rows a key instead of ~30. From now on
-- the stores add every event at this grain too (repository/rollup.go). A
-- database rolled up before it gets its dekad rows here, summed from its day
-- rows (same keys, same zone), so it answers like a fresh one. Instances of
-- the previous version must be stopped first: they would not write the
-- dekad rows of their changes. A database not rolled up yet (no
-- settings.rollups_zone) is rebuilt whole by BackfillRollups as before.
INSERT INTO dossier_rollups (grain, bucket, unit_code, agency_code, holder_unit, procedure_code, channel,
    received, resolved_early, resolved_on_time, resolved_late, on_spot_resolved,
    withdrawn, stopped, rejected, open_delta, overdue_delta)
SELECT 'k', dekad, unit_code, agency_code, holder_unit, procedure_code, channel,
    CAST(SUM(received) AS BIGINT), CAST(SUM(resolved_early) AS BIGINT), CAST(SUM(resolved_on_time) AS BIGINT),
    CAST(SUM(resolved_late) AS BIGINT), CAST(SUM(on_spot_resolved) AS BIGINT), CAST(SUM(withdrawn) AS BIGINT),
    CAST(SUM(stopped) AS BIGINT), CAST(SUM(rejected) AS BIGINT), CAST(SUM(open_delta) AS BIGINT),
    CAST(SUM(overdue_delta) AS BIGINT)
FROM (
    SELECT SUBSTR(bucket, 1, 8) || CASE WHEN SUBSTR(bucket, 9, 2) <= '10' THEN '1'
                                        WHEN SUBSTR(bucket, 9, 2) <= '20' THEN '2'
                                        ELSE '3' END AS dekad,
           unit_code, agency_code, holder_unit, procedure_code, channel,
           received, resolved_early, resolved_on_time, resolved_late, on_spot_resolved,
           withdrawn, stopped, rejected, open_delta, overdue_delta
    FROM dossier_rollups_daily
    WHERE grain = 'd'
) days
GROUP BY dekad, unit_code, agency_code, holder_unit, procedure_code, channel;
