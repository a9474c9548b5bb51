package repository

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/dvcqg"
	"github.com/motcua/motcua/domain/stats"
)

// indexPeriods are the ended periods the rollup tests ask for: the months
// around the generated cases and one spanning two of them.
func indexPeriods() []stats.Period {
	two := stats.MonthPeriod(2021, 8, 0, statsLoc)
	sep := stats.MonthPeriod(2021, 9, 0, statsLoc)
	two.To, two.End = sep.To, sep.End
	return []stats.Period{stats.MonthPeriod(2021, 7, 0, statsLoc), stats.MonthPeriod(2021, 8, 0, statsLoc),
		stats.MonthPeriod(2021, 9, 0, statsLoc), two}
}

// checkIndexRollups compares, for every period and scope, the rollups'
// answer with the full scan's; it returns the province's August figures.
func checkIndexRollups(t *testing.T, st *StatsStore) stats.IndexCounts {
	t.Helper()
	ctx := context.Background()
	if ok, err := st.useRollups(ctx, queryOf(indexPeriods()[1], nil)); err != nil || !ok {
		t.Fatalf("rollups not usable: %v %v", ok, err)
	}
	var aug stats.IndexCounts
	for i, p := range indexPeriods() {
		for _, scope := range [][]string{nil, {"D", "X"}, {"J"}} {
			q := queryOf(p, scope)
			q.AsOf = q.End
			got, err := st.ServiceIndex(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			want, err := st.ServiceIndexFullScan(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("%s–%s, scope %v:\n rollups   %+v\n full scan %+v", p.From, p.To, scope, got, want)
			}
			if i == 1 && scope == nil {
				aug = want
			}
		}
	}
	return aug
}

// TestServiceIndexRollupsMatchFullScan: over 1,500 random dossiers (every
// end state, zero to three supplement requests, synced or not, linked
// feedback and ratings), the rollups rebuilt from the dossiers answer the
// service index's counts exactly as the full scan, which itself matches
// the pure 766 rule.
func TestServiceIndexRollupsMatchFullScan(t *testing.T) {
	t.Parallel()
	db, st := statsFixture(t)
	cases := genIndexCases(rand.New(rand.NewPCG(766, 2027)), 1500)
	insertIndexCases(t, db, cases)
	if err := RebuildRollups(context.Background(), db, statsLoc); err != nil {
		t.Fatal(err)
	}
	aug := checkIndexRollups(t, st)
	p := indexPeriods()[1]
	w := want766(cases, p.Start, p.End, p.End, nil)
	aug.ActiveProcedures, aug.OnlineProcedures, aug.OnlineProceduresUsed = 0, 0, 0
	aug.FeedbackHandled, aug.FeedbackHandledOnTime, aug.FeedbackReceived, aug.FeedbackOverdue = 0, 0, 0, 0
	if aug != w {
		t.Errorf("August:\n full scan %+v\n the rule %+v", aug, w)
	}
	if w.Population < 300 || w.OnTime == 0 || w.OnTime == w.Population || w.Complained == w.Population-w.OnTime || w.ReceivedSynced == 0 {
		t.Errorf("the cases do not exercise the index: %+v", w)
	}
}

// TestServiceIndexRollupsFollowWrites: dossiers registered, asked for a
// supplement (once, twice), supplied, resolved late and on time, withdrawn
// while waiting, transferred, and accepted by the national portal keep the
// rollups equal to a rebuild from the dossiers, and their answer equal to
// the full scan's after every step.
func TestServiceIndexRollupsFollowWrites(t *testing.T) {
	t.Parallel()
	db, st := statsFixture(t)
	ctx := context.Background()
	if err := RebuildRollups(ctx, db, statsLoc); err != nil {
		t.Fatal(err)
	}
	store := NewDossierStore(db, testSealer(t))
	check := func(step string) {
		t.Helper()
		kept, err := RollupSnapshot(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		checkIndexRollups(t, st)
		if err := RebuildRollups(ctx, db, statsLoc); err != nil {
			t.Fatal(err)
		}
		built, err := RollupSnapshot(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(kept, built) {
			t.Fatalf("%s: the rollups kept differ from a rebuild:\n kept  %v\n built %v", step, kept, built)
		}
	}
	ds := make([]dossier.Dossier, 4)
	for i := range ds {
		ds[i] = indexTestDossier("W-" + string(rune('1'+i)))
		if i == 3 {
			ds[i].Channel = dossier.Online
		}
		if err := store.Create(ctx, &ds[i]); err != nil {
			t.Fatal(err)
		}
	}
	check("registered")
	update := func(step string, i int, mut func(d *dossier.Dossier)) {
		t.Helper()
		mut(&ds[i])
		if err := store.Update(ctx, &ds[i]); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		check(step)
	}
	h := func(d, hh int) time.Time { return local(8, d, hh, 0).UTC() }
	ptr := func(t time.Time) *time.Time { return &t }
	// 0: asked on the 3rd, supplied on the 12th (due moved), asked again
	// on the 30th and still waiting at the month's end, resolved in September.
	update("request", 0, func(d *dossier.Dossier) {
		d.Status, d.SupplementRequestedAt, d.UpdatedAt = dossier.SupplementRequested, ptr(h(3, 9)), h(3, 9)
	})
	update("supply", 0, func(d *dossier.Dossier) {
		d.Status, d.SupplementRequestedAt, d.DueAt, d.UpdatedAt = dossier.Processing, nil, ptr(d.DueAt.Add(9*24*time.Hour)), h(12, 9)
	})
	update("request again", 0, func(d *dossier.Dossier) {
		d.Status, d.SupplementRequestedAt, d.UpdatedAt = dossier.SupplementRequested, ptr(h(30, 9)), h(30, 9)
	})
	update("supply in September", 0, func(d *dossier.Dossier) {
		d.Status, d.SupplementRequestedAt, d.UpdatedAt = dossier.Processing, nil, local(9, 2, 9, 0).UTC()
	})
	update("resolve in September", 0, func(d *dossier.Dossier) {
		d.Status, d.ResolvedAt, d.UpdatedAt = dossier.Resolved, ptr(local(9, 3, 9, 0).UTC()), local(9, 3, 9, 0).UTC()
	})
	// 1: resolved on time in August; 2: transferred, then withdrawn while waiting.
	update("resolve on time", 1, func(d *dossier.Dossier) {
		d.Status, d.ResolvedAt, d.Timeliness, d.UpdatedAt = dossier.Resolved, ptr(h(6, 9)), dossier.OnTime, h(6, 9)
	})
	update("transfer", 2, func(d *dossier.Dossier) { d.HolderUnit, d.UpdatedAt = "D", h(4, 9) })
	update("request before the due time", 2, func(d *dossier.Dossier) {
		d.Status, d.SupplementRequestedAt, d.UpdatedAt = dossier.SupplementRequested, ptr(h(5, 9)), h(5, 9)
	})
	update("withdraw while waiting", 2, func(d *dossier.Dossier) {
		d.Status, d.SupplementRequestedAt, d.WithdrawnAt, d.UpdatedAt = dossier.Withdrawn, nil, ptr(h(25, 9)), h(25, 9)
	})
	// 3 (online): accepted by the national portal.
	if err := UseDVCQGPush(db, func() time.Time { return h(28, 9) }); err != nil {
		t.Fatal(err)
	}
	update("marked for the portal", 3, func(d *dossier.Dossier) { d.Note, d.UpdatedAt = "x", h(26, 9) })
	sync := NewDVCQGSyncStore(db, testSealer(t))
	claims, err := sync.Claim(ctx, h(28, 9), time.Minute, 10)
	if err != nil || len(claims) == 0 {
		t.Fatalf("claim: %v %v", claims, err)
	}
	for _, c := range claims {
		if _, err := sync.Record(ctx, c, dvcqg.Pushed{At: h(28, 10), Outcome: dvcqg.Accepted, Version: ds[3].Version}); err != nil {
			t.Fatal(err)
		}
	}
	check("accepted")
	p := indexPeriods()[1]
	q := queryOf(p, nil)
	q.AsOf = q.End
	got, err := st.ServiceIndex(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if got.ReceivedSynced == 0 || got.ReceivedOnlineSynced == 0 || got.OnTime == got.Population || got.OnTime == 0 {
		t.Errorf("the steps do not exercise the index: %+v", got)
	}
}
