package repository

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/stats"
	"github.com/motcua/motcua/domain/worktime"
)

// indexCase is one generated dossier of TestServiceIndexMatchesThe766Rule:
// its row, its supplement requests, and its sync, feedback and rating.
type indexCase struct {
	spec     dossierSpec
	d        stats.IndexDossier
	synced   bool
	feedback *time.Time // a linked feedback item received then
	rating   int
	ratedAt  time.Time
}

// genIndexCases makes n random dossiers around August 2021: every end
// state, before, in and after the month, with zero to three supplement
// requests (supplied or not, before or after the month's end).
func genIndexCases(r *rand.Rand, n int) []indexCase {
	base := local(6, 1, 0, 0)
	span := local(10, 1, 0, 0).Sub(base)
	rnd := func(from time.Time, max time.Duration) time.Time {
		return from.Add(time.Duration(r.Int64N(int64(max/time.Minute))) * time.Minute)
	}
	procs := []string{"pJ1", "pJ2", "pD", "pX"}
	agency := map[string]string{"pJ1": "J", "pJ2": "J", "pD": "D", "pX": "X"}
	out := make([]indexCase, n)
	for i := range out {
		c := &out[i]
		p := procs[r.IntN(len(procs))]
		c.spec = dossierSpec{proc: p, unit: []string{"C", "D", "X"}[r.IntN(3)], agency: agency[p],
			channel: []string{"online", "direct", "postal"}[r.IntN(3)]}
		rec := rnd(base, span)
		c.spec.received = at(rec)
		if r.IntN(10) > 0 {
			c.spec.due = at(rnd(rec.Add(time.Hour), 30*24*time.Hour))
		}
		c.d = stats.IndexDossier{ReceivedAt: c.spec.received, DueAt: c.spec.due}
		// Supplement requests, each after the last, the due time moved by each supply.
		t := rec
		due := c.spec.due
		ended := false
		for k := r.IntN(4); k > 0 && !ended; k-- {
			req := rnd(t.Add(time.Minute), 10*24*time.Hour)
			s := stats.Supplement{RequestedAt: req, DueAt: due}
			if r.IntN(4) > 0 {
				sup := rnd(req.Add(time.Minute), 10*24*time.Hour)
				s.SuppliedAt = &sup
				t = sup
				if due != nil {
					due = at(due.Add(sup.Sub(req)))
				}
			} else {
				ended = true
				t = req
			}
			c.d.Supplements = append(c.d.Supplements, s)
		}
		c.d.DueAt, c.spec.due = due, due
		if !ended || r.IntN(2) == 0 {
			end := at(rnd(t.Add(time.Minute), 40*24*time.Hour))
			switch k := r.IntN(10); {
			case k < 6 && !ended:
				c.spec.resolved, c.d.ResolvedAt = end, end
				c.spec.timeliness = "on_time"
				if due != nil && end.After(*due) {
					c.spec.timeliness = "late"
				}
			case k < 8:
				c.spec.withdrawn, c.d.WithdrawnAt = end, end
			case k < 9:
				c.spec.stopped, c.d.StoppedAt = end, end
			}
		}
		c.synced = r.IntN(2) == 0
		if r.IntN(8) == 0 {
			c.feedback = at(rnd(rec, 60*24*time.Hour))
		}
		if r.IntN(5) == 0 {
			c.rating, c.ratedAt = 1+r.IntN(5), rnd(rec, 60*24*time.Hour)
		}
	}
	return out
}

// insertIndexCases writes the cases' rows: dossiers, supplement requests,
// sync states, linked feedback and ratings.
func insertIndexCases(t testing.TB, db *gorm.DB, cases []indexCase) {
	t.Helper()
	specs := make([]dossierSpec, len(cases))
	for i, c := range cases {
		specs[i] = c.spec
	}
	ids := insertDossiers(t.(*testing.T), db, specs)
	var sups, syncs, fbs, ratings []map[string]any
	for i, c := range cases {
		for n, s := range c.d.Supplements {
			sups = append(sups, map[string]any{"dossier_id": ids[i], "n": n + 1, "requested_at": s.RequestedAt.UTC(),
				"due_at": utcOrNil(s.DueAt), "supplied_at": utcOrNil(s.SuppliedAt)})
		}
		if c.synced {
			syncs = append(syncs, map[string]any{"dossier_id": ids[i], "status": "synced", "synced_at": c.spec.received.UTC(),
				"synced_version": 1, "attempts": 0, "updated_at": c.spec.received.UTC()})
		}
		code := fmt.Sprintf("d%04d", i+1)
		if c.feedback != nil {
			fbs = append(fbs, map[string]any{"code": "F-" + code, "channel": "hotline", "category": "procedure", "title": "T",
				"content": "C", "dossier_code": code, "status": "received", "received_at": c.feedback.UTC(),
				"due_at": c.feedback.Add(300 * time.Hour).UTC(), "refuse_due_at": c.feedback.Add(48 * time.Hour).UTC(),
				"created_at": c.feedback.UTC(), "updated_at": c.feedback.UTC()})
		}
		if c.rating > 0 {
			ratings = append(ratings, map[string]any{"dossier_id": ids[i], "dossier_code": code, "score": c.rating,
				"unit_code": c.spec.unit, "agency_code": c.spec.agency, "procedure_code": c.spec.proc, "created_at": c.ratedAt.UTC()})
		}
	}
	for _, batch := range []struct {
		table string
		rows  []map[string]any
	}{{"dossier_supplements", sups}, {"dvcqg_sync", syncs}, {"feedback", fbs}, {"ratings", ratings}} {
		if len(batch.rows) == 0 {
			continue
		}
		if err := db.Table(batch.table).CreateInBatches(batch.rows, 200).Error; err != nil {
			t.Fatalf("%s: %v", batch.table, err)
		}
	}
}

// want766 counts what the store must answer for [start, end) at asof with
// stats.OnTime766, the reference; scope nil is the province.
func want766(cases []indexCase, start, end, asof time.Time, scope map[string]bool) stats.IndexCounts {
	var w stats.IndexCounts
	for _, c := range cases {
		if scope != nil && !scope[c.spec.unit] && !scope[c.spec.agency] {
			continue
		}
		if !stats.InIndexPopulation(c.d, start, end) {
			continue
		}
		w.Population++
		ok := stats.OnTime766(c.d, asof)
		if ok {
			w.OnTime++
		}
		if !ok || (c.feedback != nil && c.feedback.Before(asof)) || (c.rating > 0 && c.rating <= 2 && c.ratedAt.Before(asof)) {
			w.Complained++
		}
		if !c.spec.received.Before(start) && c.spec.received.Before(end) {
			w.Received++
			if c.spec.channel == "online" {
				w.ReceivedOnline++
			}
			if c.synced {
				w.ReceivedSynced++
				if c.spec.channel == "online" {
					w.ReceivedOnlineSynced++
				}
			}
		}
	}
	return w
}

// TestServiceIndexMatchesThe766Rule: the store's full scan
// counts 2.1's population, on-time dossiers, 5.4's complaints and the
// sync figures of 1.4 and 3.3 exactly as the pure functions do, for 1,500
// random dossiers, for August 2021 at its end and in the middle of it,
// for the province and for a scope.
func TestServiceIndexMatchesThe766Rule(t *testing.T) {
	t.Parallel()
	db, st := statsFixture(t)
	cases := genIndexCases(rand.New(rand.NewPCG(766, 2022)), 1500)
	insertIndexCases(t, db, cases)
	ctx := context.Background()
	start, end := local(8, 1, 0, 0), local(9, 1, 0, 0)
	for _, asof := range []time.Time{end, local(8, 17, 13, 30)} {
		for _, scope := range [][]string{nil, {"D", "X"}} {
			q := stats.Query{Start: start.UTC(), End: end.UTC(), AsOf: asof.UTC(),
				From: worktime.DateOf(start, statsLoc), To: worktime.DateOf(end.Add(-time.Hour), statsLoc), Units: scope}
			got, err := st.ServiceIndexFullScan(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			var in map[string]bool
			if scope != nil {
				in = map[string]bool{}
				for _, u := range scope {
					in[u] = true
				}
			}
			w := want766(cases, start, end, asof, in)
			got.ActiveProcedures, got.OnlineProcedures, got.OnlineProceduresUsed = 0, 0, 0
			got.FeedbackHandled, got.FeedbackHandledOnTime, got.FeedbackReceived, got.FeedbackOverdue = 0, 0, 0, 0
			if got != w {
				t.Errorf("as of %v, scope %v:\n got  %+v\n want %+v", asof, scope, got, w)
			}
			if w.Population < 300 || w.OnTime == 0 || w.OnTime == w.Population || w.Complained == w.Population-w.OnTime {
				t.Errorf("the cases do not exercise the rule: %+v", w)
			}
		}
	}
}

// TestServiceIndexRecordsSupplements: the dossier store adds a row with the
// due time at a request and closes it at the supply; a dossier that was
// waiting without a row gets one when supplied; a withdrawal leaves the
// row open.
func TestServiceIndexRecordsSupplements(t *testing.T) {
	t.Parallel()
	db, _ := statsFixture(t)
	ctx := context.Background()
	store := NewDossierStore(db, testSealer(t))
	d := indexTestDossier("X-1")
	if err := store.Create(ctx, &d); err != nil {
		t.Fatal(err)
	}
	step := func(mut func(d *dossier.Dossier)) {
		t.Helper()
		mut(&d)
		if err := store.Update(ctx, &d); err != nil {
			t.Fatal(err)
		}
	}
	rows := func() []supplementRow {
		t.Helper()
		var out []supplementRow
		if err := db.Where("dossier_id = ?", d.ID).Order("n").Find(&out).Error; err != nil {
			t.Fatal(err)
		}
		return out
	}
	due0 := d.DueAt.UTC()
	req1 := d.ReceivedAt.Add(time.Hour).UTC()
	step(func(d *dossier.Dossier) {
		d.Status, d.SupplementRequestedAt, d.UpdatedAt = dossier.SupplementRequested, &req1, req1
	})
	sup1 := req1.Add(48 * time.Hour)
	due1 := due0.Add(48 * time.Hour)
	step(func(d *dossier.Dossier) {
		d.Status, d.SupplementRequestedAt, d.DueAt, d.UpdatedAt = dossier.Processing, nil, &due1, sup1
	})
	req2 := sup1.Add(time.Hour)
	step(func(d *dossier.Dossier) {
		d.Status, d.SupplementRequestedAt, d.UpdatedAt = dossier.SupplementRequested, &req2, req2
	})
	wd := req2.Add(time.Hour)
	step(func(d *dossier.Dossier) {
		d.Status, d.SupplementRequestedAt, d.WithdrawnAt, d.UpdatedAt = dossier.Withdrawn, nil, &wd, wd
	})
	got := rows()
	if len(got) != 2 || !got[0].RequestedAt.Equal(req1) || !got[0].DueAt.Equal(due0) || got[0].SuppliedAt == nil ||
		!got[0].SuppliedAt.Equal(sup1) || !got[1].RequestedAt.Equal(req2) || !got[1].DueAt.Equal(due1) || got[1].SuppliedAt != nil {
		t.Fatalf("rows %+v", got)
	}

	// Waiting without a row (as from before the table): the supply records it.
	e := indexTestDossier("X-2")
	e.Status, e.SupplementRequestedAt = dossier.SupplementRequested, &req1
	if err := store.Create(ctx, &e); err != nil {
		t.Fatal(err)
	}
	d = e
	step(func(d *dossier.Dossier) {
		d.Status, d.SupplementRequestedAt, d.DueAt, d.UpdatedAt = dossier.Processing, nil, &due1, sup1
	})
	got = rows()
	if len(got) != 1 || !got[0].RequestedAt.Equal(req1) || !got[0].DueAt.Equal(due0) || !got[0].SuppliedAt.Equal(sup1) {
		t.Fatalf("rows %+v", got)
	}
}

// indexTestDossier is a dossier of the stats fixture received on 2 August
// 2021, due five working days later.
func indexTestDossier(code string) dossier.Dossier {
	rec := local(8, 2, 9, 0).UTC()
	due := local(8, 9, 9, 0).UTC()
	return dossier.Dossier{Code: code, ProcedureCode: "pJ1", UnitCode: "C", AgencyCode: "J", HolderUnit: "J",
		Channel: dossier.Direct, Status: dossier.Processing, Applicant: dossier.Applicant{Name: "Lò Văn Bổ"},
		PinHash: "x", ProcessingTime: worktime.Duration{Value: 5, Unit: worktime.WorkingDays}, SubmittedAt: rec,
		ReceivedAt: &rec, DueAt: &due, AppointmentAt: &due, Version: 1, CreatedAt: rec, UpdatedAt: rec}
}
