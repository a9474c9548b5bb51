package repository

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/stats"
	"github.com/motcua/motcua/domain/user"
)

// indexBenchWorld writes n dossiers received in August 2021 (and a tenth
// as many carried over from July) with a tenth of them asking for a
// supplement, a third synced, some linked feedback, in bulk, and returns
// the statistics service over them.
func indexBenchWorld(tb testing.TB, n int) (*gorm.DB, *stats.Service) {
	tb.Helper()
	ctx := context.Background()
	db := OpenTest(tb)
	cs := NewCatalogStore(db)
	for _, a := range []catalog.Agency{testAgency("P", ""), testAgency("C", "P"), testAgency("J", "P"), testAgency("D", "P"), testAgency("X", "D")} {
		if err := cs.CreateAgency(ctx, a); err != nil {
			tb.Fatal(err)
		}
	}
	procs := []string{"pJ1", "pJ2", "pD", "pX"}
	agency := map[string]string{"pJ1": "J", "pJ2": "J", "pD": "D", "pX": "X"}
	for _, code := range procs {
		p := testProcedure(code, agency[code])
		if code == "pX" {
			p.OnlineLevel = catalog.OnlinePartial
		}
		if err := cs.CreateProcedure(ctx, p); err != nil {
			tb.Fatal(err)
		}
	}
	r := rand.New(rand.NewPCG(766, uint64(n)))
	start := local(8, 1, 0, 0)
	month := local(9, 1, 0, 0).Sub(start)
	total := n + n/10
	created := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	err := db.Transaction(func(tx *gorm.DB) error {
		const batch = 1000
		for lo := 0; lo < total; lo += batch {
			var ds, sups, syncs, fbs []map[string]any
			for i := lo; i < min(lo+batch, total); i++ {
				id := int64(i + 1)
				p := procs[r.IntN(len(procs))]
				rec := start.Add(time.Duration(r.Int64N(int64(month))))
				if i >= n { // carried over from July
					rec = rec.AddDate(0, -1, 0)
				}
				due := rec.Add(time.Duration(24+r.IntN(400)) * time.Hour)
				var resolved any
				status := "processing"
				if r.IntN(10) < 7 {
					x := rec.Add(time.Duration(float64(due.Sub(rec)) * (0.2 + r.Float64()))).UTC()
					resolved, status = x, "resolved"
				}
				code := fmt.Sprintf("B-%07d", id)
				ds = append(ds, map[string]any{"id": id, "code": code, "procedure_code": p, "unit_code": "C", "agency_code": agency[p],
					"holder_unit": agency[p], "channel": []string{"direct", "online", "postal"}[r.IntN(3)], "on_spot": false,
					"status": status, "status_code": 4, "applicant_name": "Người nộp", "pin_hash": "x", "processing_value": 5,
					"processing_unit": "working_days", "submitted_at": rec.UTC(), "received_at": rec.UTC(), "due_at": due.UTC(),
					"appointment_at": due.UTC(), "resolved_at": resolved, "created_at": created, "updated_at": created})
				if r.IntN(10) == 0 {
					req := rec.Add(time.Duration(1+r.IntN(48)) * time.Hour)
					sup := req.Add(time.Duration(1+r.IntN(96)) * time.Hour).UTC()
					sups = append(sups, map[string]any{"dossier_id": id, "n": 1, "requested_at": req.UTC(), "due_at": due.UTC(), "supplied_at": sup})
				}
				if r.IntN(3) == 0 {
					syncs = append(syncs, map[string]any{"dossier_id": id, "status": "synced", "synced_at": rec.UTC(),
						"synced_version": 1, "attempts": 0, "updated_at": rec.UTC()})
				}
				if r.IntN(200) == 0 {
					at := rec.Add(48 * time.Hour).UTC()
					fbs = append(fbs, map[string]any{"code": "F-" + code, "channel": "hotline", "category": "procedure", "title": "T",
						"content": "C", "dossier_code": code, "recorded_unit": "C", "status": "received", "received_at": at,
						"due_at": at.Add(300 * time.Hour), "refuse_due_at": at.Add(48 * time.Hour), "created_at": at, "updated_at": at})
				}
			}
			for _, t := range []struct {
				table string
				rows  []map[string]any
			}{{"dossiers", ds}, {"dossier_supplements", sups}, {"dvcqg_sync", syncs}, {"feedback", fbs}} {
				if len(t.rows) == 0 {
					continue
				}
				if err := tx.Table(t.table).CreateInBatches(t.rows, 250).Error; err != nil {
					return fmt.Errorf("%s: %w", t.table, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	if err := RebuildRollups(ctx, db, statsLoc); err != nil {
		tb.Fatal(err)
	}
	if err := db.Exec("ANALYZE").Error; err != nil {
		tb.Fatal(err)
	}
	cat := catalog.NewService(NewCatalogStore(db), statsLoc, time.Now)
	return db, stats.NewService(NewStatsStore(db), cat, statsLoc, 0, nil)
}

// BenchmarkServiceIndex answers GET /stats/service-index's figures for
// August 2021 through the statistics service: the aggregate statement, the
// feedback and catalogue reads, the digitisation rollups and the resolved
// dossiers' working times. MOTCUA_BENCH_INDEX_DOSSIERS sets the month's
// dossiers (default 20,000); run it on PostgreSQL with
//
//	bash .ci/with-postgres go test -run '^$' -bench '^BenchmarkServiceIndex$' -benchtime 5x ./repository/
//
// service is the whole answer; aggregate its counts (from the rollups),
// full scan the same counts by the aggregate statement over the dossiers
// (the floor it is compared with), resolved the read of the resolved
// dossiers for 2.2 (the rest is the working-time arithmetic of 2.2 and the
// digitisation rollups).
func BenchmarkServiceIndex(b *testing.B) {
	n := 20000
	if v, err := strconv.Atoi(os.Getenv("MOTCUA_BENCH_INDEX_DOSSIERS")); err == nil && v > 0 {
		n = v
	}
	db, svc := indexBenchWorld(b, n)
	viewer := user.Principal{Username: "viewer", Role: user.RoleViewer}
	req := stats.Request{Period: stats.PeriodInput{Month: "2021-08"}}
	ctx := context.Background()
	p := stats.MonthPeriod(2021, 8, 0, statsLoc)
	q := queryOf(p, nil)
	q.AsOf = q.End
	st := NewStatsStore(db)
	// The whole answer, then its two dossier reads alone.
	b.Run("service", func(b *testing.B) {
		for b.Loop() {
			r, err := svc.ServiceIndex(ctx, viewer, req)
			if err != nil {
				b.Fatal(err)
			}
			if r.Indicators[4].Rate.Denominator < int64(n) {
				b.Fatalf("2.1's population %d, want at least %d", r.Indicators[4].Rate.Denominator, n)
			}
		}
		b.ReportMetric(float64(n), "dossiers")
	})
	b.Run("aggregate", func(b *testing.B) {
		for b.Loop() {
			if _, err := st.ServiceIndex(ctx, q); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("full scan", func(b *testing.B) {
		for b.Loop() {
			if _, err := st.ServiceIndexFullScan(ctx, q); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("resolved", func(b *testing.B) {
		for b.Loop() {
			if err := st.ResolvedSpans(ctx, q, func(stats.ResolvedSpan) error { return nil }); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestServiceIndexUsesIndexes: over the explain world (24,000 dossiers over
// fifteen months), the index's counts come from the rollups, reading
// dossiers only by key for the complained ones (never a sequential scan on
// PostgreSQL); the resolved dossiers of 2.2 are read by index ranges, and
// the history never; the plans are logged (-v) for both engines.
func TestServiceIndexUsesIndexes(t *testing.T) {
	if testing.Short() {
		t.Skip("query plans over a generated province: run without -short")
	}
	w, _ := explainWorld(t)
	rec := newRecorder(t, w.db)
	st := NewStatsStore(w.db)
	ctx := context.Background()
	pg := Dialect(w.db) == "postgres"
	for _, units := range [][]string{nil, w.tree.Subtree("D")} {
		p := stats.MonthPeriod(2026, 2, 0, w.loc)
		q := queryOf(p, units)
		q.AsOf = q.End
		// The counts: from the rollups, the dossiers read only by key for
		// the complained ones (driven by feedback and ratings).
		rolled := false
		for _, s := range rec.record(t, func() error {
			_, err := st.ServiceIndex(ctx, q)
			return err
		}) {
			rolled = rolled || strings.Contains(s.SQL, "dossier_rollups")
			if strings.Contains(s.SQL, "dossiers") && !strings.Contains(s.SQL, "JOIN dossiers d2 ON d2.code = f.dossier_code") {
				t.Errorf("scope %v: the service index's counts read the dossiers:\n%s", units, s.SQL)
			}
			if pg {
				if _, summary := explainPG(t, w.db, s); strings.Contains(summary, "Seq Scan dossiers") {
					t.Errorf("scope %v: the complaints scan the dossiers:\n%s\nplan: %s", units, s.SQL, summary)
				}
			}
		}
		if !rolled {
			t.Errorf("scope %v: the service index did not read the rollups", units)
		}
		for _, s := range rec.record(t, func() error {
			return st.ResolvedSpans(ctx, q, func(stats.ResolvedSpan) error { return nil })
		}) {
			if !pg {
				t.Logf("scope %v: %s", units, strings.Join(explainSQLite(t, w.db, s), "; "))
				continue
			}
			_, summary := explainPG(t, w.db, s)
			t.Logf("scope %v: %s", units, summary)
			if strings.Contains(summary, "Seq Scan dossiers") || strings.Contains(summary, "dossier_history") {
				t.Errorf("scope %v: the statement scans dossiers or reads the history:\n%s\nplan: %s", units, s.SQL, summary)
			}
		}
	}
}
