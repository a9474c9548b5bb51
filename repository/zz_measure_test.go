package repository

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/stats"
	"github.com/motcua/motcua/domain/user"
	"github.com/motcua/motcua/domain/worktime"
)

// TEMPORARY measurement for docs/scaling.md (deleted after use).
func TestZZMeasure(t *testing.T) {
	steps := os.Getenv("ZZ_MEASURE")
	if steps == "" {
		return
	}
	ctx := context.Background()
	db, err := Open(Options{URL: os.Getenv("ZZ_DSN")})
	if err != nil {
		t.Fatal(err)
	}
	if err := Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	var have int64
	db.Raw("SELECT COUNT(*) FROM agencies").Row().Scan(&have)
	loc := worktime.DefaultLocation()
	cat := catalog.NewService(NewCatalogStore(db), loc, time.Now)
	sys := user.Principal{Username: "system", Role: user.RoleAdmin}
	mk := func(a catalog.Agency) {
		if have > 0 {
			return
		}
		if _, err := cat.CreateAgency(ctx, sys, a); err != nil {
			t.Fatal(err)
		}
	}
	mk(catalog.Agency{Code: "P", Name: "Tỉnh", Kind: catalog.KindProvince})
	mk(catalog.Agency{Code: "C", Name: "Trung tâm", Kind: catalog.KindServiceCenter, ParentCode: "P"})
	nDept, nDist, nComm := 18, 9, 12
	if os.Getenv("ZZ_SMALL") != "" {
		nDept, nDist, nComm = 4, 1, 2
	}
	for i := 1; i <= nDept; i++ {
		mk(catalog.Agency{Code: fmt.Sprintf("S%02d", i), Name: "Sở", Kind: catalog.KindDepartment, ParentCode: "P"})
	}
	for i := 1; i <= nDist; i++ {
		h := fmt.Sprintf("H%02d", i)
		mk(catalog.Agency{Code: h, Name: "Huyện", Kind: catalog.KindDistrict, ParentCode: "P"})
		for j := 1; j <= nComm; j++ {
			mk(catalog.Agency{Code: fmt.Sprintf("%sX%02d", h, j), Name: "Xã", Kind: catalog.KindCommune, ParentCode: h})
		}
	}
	proc := func(code, agency string, level catalog.Level, field string) {
		if have > 0 {
			return
		}
		if _, err := cat.CreateProcedure(ctx, sys, catalog.Procedure{Code: code, Name: "TT " + code, Field: field, AgencyCode: agency, Level: level,
			ProcessingTime: worktime.Duration{Value: 5, Unit: worktime.WorkingDays}, OnlineLevel: catalog.OnlineFull, Status: catalog.StatusActive}); err != nil {
			t.Fatal(err)
		}
	}
	nProvProc, nDistProc, nCommProc := 90, 20, 25
	if os.Getenv("ZZ_SMALL") != "" {
		nProvProc, nDistProc, nCommProc = 20, 8, 6
	}
	for i := 0; i < nProvProc; i++ {
		proc(fmt.Sprintf("T%03d", i), fmt.Sprintf("S%02d", 1+i%nDept), catalog.LevelProvince, fmt.Sprintf("F%d", i%12))
	}
	for i := 0; i < nDistProc; i++ {
		proc(fmt.Sprintf("D%03d", i), "H01", catalog.LevelDistrict, fmt.Sprintf("F%d", i%12))
	}
	for i := 0; i < nCommProc; i++ {
		proc(fmt.Sprintf("X%03d", i), "H01X01", catalog.LevelCommune, fmt.Sprintf("F%d", i%12))
	}
	n, _ := strconv.Atoi(os.Getenv("ZZ_N"))
	if n == 0 {
		n = 1000000
	}
	hist := os.Getenv("ZZ_HIST") != ""
	// 365 days ending 2026-03-01 local; desk: 30% centre, 20% districts, 50% communes.
	gen := fmt.Sprintf(`
INSERT INTO dossiers (code, procedure_code, unit_code, agency_code, holder_unit, channel, on_spot, status, status_code,
 applicant_name, applicant_name_folded, applicant_id_number, applicant_id_hash, applicant_phone, applicant_address, documents, pin_hash,
 processing_value, processing_unit, submitted_at, received_at, due_at, appointment_at, resolved_at, outcome, timeliness, returned_at,
 withdrawn_at, stopped_at, version, created_at, updated_at)
SELECT 'G-' || g, x.proc, x.unit, x.agency, x.agency, x.channel, false,
 CASE WHEN x.fate < 0.02 THEN 'withdrawn' WHEN x.fate < 0.03 THEN 'stopped' WHEN x.res < TIMESTAMPTZ '2026-03-01 00:00+07' THEN 'returned' ELSE 'processing' END, 10,
 'Nguyễn Văn Thử', 'nguyen van thu', '001234567890', 'ab0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd', '0912345678',
 'Thôn 3, xã Bản Bo', '[]', 'cd0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd', 5, 'working_days',
 x.recv, x.recv, x.due, x.due,
 CASE WHEN x.fate >= 0.03 AND x.res < TIMESTAMPTZ '2026-03-01 00:00+07' THEN x.res END,
 CASE WHEN x.fate >= 0.03 AND x.res < TIMESTAMPTZ '2026-03-01 00:00+07' THEN 'approved' END,
 CASE WHEN x.fate >= 0.03 AND x.res < TIMESTAMPTZ '2026-03-01 00:00+07' THEN (CASE WHEN x.res > x.due THEN 'late' WHEN x.res::date < x.due::date THEN 'early' ELSE 'on_time' END) END,
 CASE WHEN x.fate >= 0.03 AND x.res < TIMESTAMPTZ '2026-03-01 00:00+07' THEN x.res + interval '1 day' END,
 CASE WHEN x.fate < 0.02 THEN x.recv + interval '2 days' END,
 CASE WHEN x.fate >= 0.02 AND x.fate < 0.03 THEN x.recv + interval '3 days' END,
 1, x.recv, x.recv
FROM generate_series(1, %d) g,
LATERAL (SELECT d.*, d.recv + (d.due - d.recv) * (0.2 + random() * 1.1) AS res FROM (
  SELECT c.*, c.recv + interval '7 days' * (1 + random()) AS due FROM (
  SELECT TIMESTAMPTZ '2025-03-01 00:00+07' + random() * interval '365 days' AS recv, random() AS fate,
    (ARRAY['online','direct','direct','postal'])[1 + (g %% 4)] AS channel,
    CASE WHEN g %% 10 < 3 THEN 'C' WHEN g %% 10 < 5 THEN 'H0' || (1 + (g / 10) %% %d) ELSE 'H0' || (1 + (g / 10) %% %d) || 'X' || lpad((1 + (g / 100) %% %d)::text, 2, '0') END AS unit,
    CASE WHEN g %% 10 < 3 THEN 'T' || lpad(((g / 7) %% %d)::text, 3, '0') WHEN g %% 10 < 5 THEN 'D' || lpad(((g / 7) %% %d)::text, 3, '0') ELSE 'X' || lpad(((g / 7) %% %d)::text, 3, '0') END AS proc,
    g AS gg
  ) c) d) x0,
LATERAL (SELECT x0.*, p.agency_code AS agency FROM procedures p WHERE p.code = x0.proc) x`, n, nDist, nDist, nComm, nProvProc, nDistProc, nCommProc)
	start := time.Now()
	if have > 0 {
		gen = "SELECT 1"
		hist = false
	}
	if err := db.Exec(gen).Error; err != nil {
		t.Fatal(err)
	}
	t.Logf("generated %d dossiers in %v", n, time.Since(start))
	if hist {
		start = time.Now()
		if err := db.Exec(`INSERT INTO dossier_history (dossier_id, action, from_status, to_status, at, by_user, unit, note, details)
SELECT id, 'receive', NULL, 'received', received_at, 'clerk', unit_code, '', '{"channel":"direct","due_at":"2026-03-01T09:00:00+07:00"}' FROM dossiers
UNION ALL SELECT id, 'start', 'received', 'processing', received_at + interval '1 hour', 'officer', agency_code, '', '{"assignee":"officer"}' FROM dossiers
UNION ALL SELECT id, 'resolve', 'processing', 'resolved', resolved_at, 'leader', agency_code, '', '{"outcome":"approved","timeliness":"on_time"}' FROM dossiers WHERE resolved_at IS NOT NULL
UNION ALL SELECT id, 'return', 'resolved', 'returned', returned_at, 'clerk', unit_code, '', NULL FROM dossiers WHERE returned_at IS NOT NULL`).Error; err != nil {
			t.Fatal(err)
		}
		t.Logf("history in %v", time.Since(start))
	}
	start = time.Now()
	if have == 0 || os.Getenv("ZZ_REBUILD") != "" {
		if err := RebuildRollups(ctx, db, loc); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("rebuild rollups in %v", time.Since(start))
	if os.Getenv("ZZ_REBUILD") != "" {
		db.Exec("VACUUM FULL dossier_rollups, dossier_rollups_daily")
	}
	if err := db.Exec("VACUUM ANALYZE").Error; err != nil {
		t.Fatal(err)
	}
	for _, tbl := range []string{"dossiers", "dossier_history", "dossier_rollups", "dossier_rollups_daily"} {
		var heap, idx, total, rows int64
		db.Raw("SELECT pg_relation_size(?::regclass), pg_indexes_size(?::regclass), pg_total_relation_size(?::regclass)", tbl, tbl, tbl).Row().Scan(&heap, &idx, &total)
		db.Raw("SELECT COUNT(*) FROM " + tbl).Row().Scan(&rows)
		t.Logf("%s: %d rows, heap %d MB, indexes %d MB, total %d MB", tbl, rows, heap>>20, idx>>20, total>>20)
	}
	var grains []struct {
		Grain string
		N     int64
	}
	db.Raw("SELECT grain, COUNT(*) AS n FROM dossier_rollups GROUP BY grain UNION ALL SELECT grain, COUNT(*) FROM dossier_rollups_daily GROUP BY grain").Scan(&grains)
	t.Logf("rollup rows by grain: %+v", grains)
	var idxs []struct {
		Name string
		MB   int64
	}
	db.Raw("SELECT indexrelname AS name, pg_relation_size(indexrelid) >> 20 AS mb FROM pg_stat_user_indexes WHERE relname = 'dossiers' ORDER BY 2 DESC").Scan(&idxs)
	t.Logf("dossier indexes: %+v", idxs)

	st := NewStatsStore(db)
	tree, _ := cat.Tree(ctx)
	type probe struct {
		name  string
		p     stats.Period
		units []string
		by    stats.GroupBy
	}
	probes := []probe{
		{"month 2026-01 province by unit", stats.MonthPeriod(2026, 1, 0, loc), nil, stats.ByUnit},
		{"month 2026-01 province by field", stats.MonthPeriod(2026, 1, 0, loc), nil, stats.ByField},
		{"month 2026-02 cut-off 15 province by unit", stats.MonthPeriod(2026, 2, 15, loc), nil, stats.ByUnit},
		{"month 2026-01 one district by procedure", stats.MonthPeriod(2026, 1, 0, loc), tree.Subtree("H03"), stats.ByProcedure},
		{"month 2026-01 centre by agency", stats.MonthPeriod(2026, 1, 0, loc), []string{"C"}, stats.ByAgency},
		{"month 2025-12 province by unit", stats.MonthPeriod(2025, 12, 0, loc), nil, stats.ByUnit},
		{"month 2025-06 province by unit", stats.MonthPeriod(2025, 6, 0, loc), nil, stats.ByUnit},
		{"year 2025 province by level", stats.NewPeriod(worktime.Date{Year: 2025, Month: 3, Day: 1}, worktime.Date{Year: 2026, Month: 2, Day: 28}, loc), nil, stats.ByLevel},
	}
	med := func(f func() error) time.Duration {
		var ds []time.Duration
		for i := 0; i < 7; i++ {
			s := time.Now()
			if err := f(); err != nil {
				t.Fatal(err)
			}
			ds = append(ds, time.Since(s))
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		return ds[3]
	}
	for _, pr := range probes {
		q := queryOf(pr.p, pr.units)
		var got, want []stats.Row
		roll := med(func() (err error) { got, err = st.Form06(ctx, q, pr.by); return })
		scan := med(func() (err error) { want, err = st.Form06FullScan(ctx, q, pr.by); return })
		eq := reflect.DeepEqual(sortedRows(got), sortedRows(want))
		t.Logf("%s: rollups %v, full scan %v, equal %v (%d rows)", pr.name, roll.Round(100*time.Microsecond), scan.Round(time.Millisecond), eq, len(got))
	}
}
