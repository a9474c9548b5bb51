package repository

import (
	"context"

	"github.com/motcua/motcua/domain/stats"
)

// The digitisation report (GET /stats/digitisation): from the rollups'
// digitisation counters less the flag lags (rollup_flags.go, ADR 0006), or
// by a full scan of the dossiers and their files.

// earliest is the SQL of the earlier of two instants, either of which may
// be NULL (LEAST ignores NULLs on PostgreSQL but not on SQLite).
func earliest(a, b string) string {
	return "CASE WHEN " + b + " IS NULL OR " + a + " < " + b + " THEN " + a + " ELSE " + b + " END"
}

// firstFile is the SQL of the first upload instant of dossier d's versions
// of kind that satisfy cond.
func firstFile(kind, cond string) string {
	return "(SELECT MIN(v.uploaded_at) FROM dossier_files f JOIN file_versions v ON v.file_id = f.id" +
		" WHERE f.dossier_id = d.id AND f.kind = '" + kind + "'" + cond + ")"
}

// digitisationScan selects, for the dossiers received or resolved in the
// period, when each flag was first set: the dossier's column (what the
// file store records, and what an import carries) or its files' first
// upload, whichever is earlier; payments by the dossier's columns.
var digitisationScan = `SELECT d.received_at, d.resolved_at, d.payable_at, d.paid_online_at,
 ` + earliest("d.component_file_at", firstFile("component", "")) + ` AS cf,
 ` + earliest("d.digitised_at", firstFile("component", " AND v.digitised")) + ` AS dg,
 ` + earliest("d.reused_at", firstFile("component", " AND (v.reused OR v.from_national_db)")) + ` AS ru,
 ` + earliest("d.e_result_at", firstFile("result", "")) + ` AS er
FROM dossiers d`

// receivedInPeriod is form 06's "received in the period", over y.
const receivedInPeriod = "y.received_at >= @start AND y.received_at < @end"

// digitisationColumns are the counted columns of the full scan, over y
// (digitisationScan), flags compared with as_of.
var digitisationColumns = []struct{ name, cond string }{
	{"received", receivedInPeriod},
	{"received_with_files", receivedInPeriod + " AND y.cf < @asof"},
	{"received_digitised", receivedInPeriod + " AND y.dg < @asof"},
	{"received_reused", receivedInPeriod + " AND y.ru < @asof"},
	{"resolved", "y.received_at IS NOT NULL AND y.resolved_at >= @start AND y.resolved_at < @end"},
	{"resolved_with_e_result", "y.received_at IS NOT NULL AND y.resolved_at >= @start AND y.resolved_at < @end AND y.er < @asof"},
	{"resolved_digitised", "y.received_at IS NOT NULL AND y.resolved_at >= @start AND y.resolved_at < @end AND y.er < @asof AND y.dg < @asof"},
	{"payable", receivedInPeriod + " AND y.payable_at < @asof"},
	{"paid_online", receivedInPeriod + " AND y.payable_at < @asof AND y.paid_online_at < @asof"},
}

// digitisationRow is the full scan's answer, a field per column of the
// same snake_case name.
type digitisationRow struct {
	Received            int64
	ReceivedWithFiles   int64
	ReceivedDigitised   int64
	ReceivedReused      int64
	Resolved            int64
	ResolvedWithEResult int64 `gorm:"column:resolved_with_e_result"`
	ResolvedDigitised   int64
	Payable             int64
	PaidOnline          int64
}

// DigitisationFullScan answers Digitisation with one scan of the dossiers
// received or resolved in the period (and their files) and one of the file
// versions stored in it. It is the reference the rollups are tested
// against, and their fallback.
func (s *StatsStore) DigitisationFullScan(ctx context.Context, q stats.Query) (stats.DigitisationCounts, error) {
	sql := "SELECT "
	for i, c := range digitisationColumns {
		if i > 0 {
			sql += ",\n "
		}
		sql += "COUNT(CASE WHEN " + c.cond + " THEN 1 END) AS " + c.name
	}
	sql += "\nFROM (" + digitisationScan + "\nWHERE ((d.received_at >= @start AND d.received_at < @end)" +
		" OR (d.received_at IS NOT NULL AND d.resolved_at >= @start AND d.resolved_at < @end)) AND " + dossierScope(q) + ") y"
	var r digitisationRow
	if err := raw(s.db.WithContext(ctx), sql, q).Scan(&r).Error; err != nil {
		return stats.DigitisationCounts{}, translate(err, "thống kê số hóa")
	}
	var f struct {
		FileVersions int64
		FileBytes    int64
	}
	if err := raw(s.db.WithContext(ctx), `SELECT COUNT(*) AS file_versions, CAST(COALESCE(SUM(v.size), 0) AS BIGINT) AS file_bytes
FROM file_versions v JOIN dossier_files f ON f.id = v.file_id JOIN dossiers d ON d.id = f.dossier_id
WHERE v.uploaded_at >= @start AND v.uploaded_at < @end AND `+dossierScope(q), q).Scan(&f).Error; err != nil {
		return stats.DigitisationCounts{}, translate(err, "thống kê số hóa")
	}
	return stats.DigitisationCounts{Received: r.Received, ReceivedWithFiles: r.ReceivedWithFiles,
		ReceivedDigitised: r.ReceivedDigitised, ReceivedReused: r.ReceivedReused, Resolved: r.Resolved,
		ResolvedWithEResult: r.ResolvedWithEResult, ResolvedDigitised: r.ResolvedDigitised, Payable: r.Payable,
		PaidOnline: r.PaidOnline, FileVersions: f.FileVersions, FileBytes: f.FileBytes}, nil
}

// Digitisation implements stats.Store from the rollups: the counters of
// the buckets tiling the period, less the lags of the dossiers received or
// resolved in it whose flag came on or after the day after its last. It
// answers exactly what DigitisationFullScan answers, falling back to it as
// Form06 does (rollups not built, a period in another zone, a period that
// has not ended).
func (s *StatsStore) Digitisation(ctx context.Context, q stats.Query) (stats.DigitisationCounts, error) {
	if !asOf(q).Equal(q.End.UTC()) {
		return s.DigitisationFullScan(ctx, q)
	}
	ok, err := s.useRollups(ctx, q)
	if err != nil {
		return stats.DigitisationCounts{}, err
	}
	if !ok {
		return s.DigitisationFullScan(ctx, q)
	}
	sums, err := s.sumRollups(ctx, q, "", "", planRollups(signed(1, cover(q.From, q.To.AddDays(1)))))
	if err != nil {
		return stats.DigitisationCounts{}, err
	}
	var f rollupSums
	if x := sums[0][""]; x != nil {
		f = *x
	}
	lags, err := s.flagLags(ctx, q)
	if err != nil {
		return stats.DigitisationCounts{}, err
	}
	return stats.DigitisationCounts{
		Received:            f.Received,
		ReceivedWithFiles:   f.ReceivedWithFiles - lags[flagFiles],
		ReceivedDigitised:   f.ReceivedDigitised - lags[flagDigitised],
		ReceivedReused:      f.ReceivedReused - lags[flagReused],
		Resolved:            f.ResolvedEarly + f.ResolvedOnTime + f.ResolvedLate,
		ResolvedWithEResult: f.ResolvedWithEResult - lags[flagEResult],
		ResolvedDigitised:   f.ResolvedDigitised - lags[flagResolvedDigitised],
		Payable:             f.Payable - lags[flagPayable],
		PaidOnline:          f.PaidOnline - lags[flagPaidOnline],
		FileVersions:        f.FileVersions,
		FileBytes:           f.FileBytes,
	}, nil
}

// flagLags sums, per flag, the lags of q's scope whose base day is in the
// period and whose flag day is on or after the day after its last: one
// range of the primary key (or of the flag-day index, for a recent period).
func (s *StatsStore) flagLags(ctx context.Context, q stats.Query) (map[string]int64, error) {
	var rows []struct {
		Flag string
		N    int64
	}
	args := map[string]any{"units": q.Units, "d0": q.From.String(), "d1": q.To.AddDays(1).String()}
	sql := `SELECT fl.flag AS flag, CAST(COALESCE(SUM(fl.n), 0) AS BIGINT) AS n FROM ` + flagLagsTable + ` fl
WHERE fl.base_day >= @d0 AND fl.base_day < @d1 AND fl.flag_day >= @d1 AND ` + inScope(q, "fl.unit_code", "fl.agency_code", "fl.holder_unit") + `
GROUP BY fl.flag`
	if err := s.db.WithContext(ctx).Raw(sql, args).Scan(&rows).Error; err != nil {
		return nil, translate(err, "thống kê số hóa")
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.Flag] = r.N
	}
	return out, nil
}
