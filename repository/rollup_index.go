package repository

import (
	"context"
	"sort"
	"time"

	"gorm.io/gorm"

	"github.com/motcua/motcua/domain/stats"
)

// The service index counters of the rollups (ADR 0008). For a period of
// local days [D0, D1) that has ended (as_of is D1's midnight), form 06's
// population splits in two:
//
//   - the dossiers finished before D1 and counted at the later of the days
//     received and finished, in [D0, D1): their verdict by the 766 rule is
//     fixed at the finish (only a supply moves the due time, and none comes
//     after it), so index_finished_late counts them once, at that bucket;
//   - the dossiers open at D1 (the open_delta stock): their verdict at a
//     midnight D depends on D only through comparisons "instant < D" of the
//     dossier's own instants (receipt, finish, requests, supplies, due
//     times), so it is constant between the days after those instants.
//     index_late_delta adds, at each such day c, the change of "open and
//     late at the midnight after c", computed with stats.OnTime766 itself;
//     its sum over the buckets before D is then exactly the open dossiers
//     late at D.
//
// received_synced counts at the day received the dossiers the national
// portal accepted once (the flag the full scan reads, whenever it was set).

// indexDossier is f as the 766 rule reads it.
func (f *dossierFacts) indexDossier() stats.IndexDossier {
	return stats.IndexDossier{ReceivedAt: f.ReceivedAt, DueAt: f.DueAt, ResolvedAt: f.ResolvedAt,
		WithdrawnAt: f.WithdrawnAt, StoppedAt: f.StoppedAt, Supplements: f.Supplements}
}

// nextMidnight is the midnight that ends the local day "YYYY-MM-DD".
func nextMidnight(day string, loc *time.Location) time.Time {
	t, _ := time.ParseInLocation("2006-01-02", day, loc)
	return time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, loc)
}

// addIndex adds sign times the service index contribution of received f
// (dR its day received).
func (d *rollupDelta) addIndex(f *dossierFacts, dR string, sign int64, loc *time.Location) {
	if f.Synced {
		d.put(f, dR, rcReceivedSynced, sign)
	}
	x := f.indexDossier()
	dF := ""
	if fin := f.finishedAt(); fin != nil {
		dF = localDay(*fin, loc)
		if !stats.OnTime766(x, nextMidnight(dF, loc)) {
			d.put(f, later(dR, dF), rcIndexFinishedLate, sign)
		}
	}
	days := map[string]bool{dR: true}
	mark := func(t *time.Time) {
		if t != nil {
			days[localDay(*t, loc)] = true
		}
	}
	if dF != "" {
		days[dF] = true
	}
	mark(f.DueAt)
	for i := range f.Supplements {
		s := &f.Supplements[i]
		mark(&s.RequestedAt)
		mark(s.SuppliedAt)
		mark(s.DueAt)
	}
	sorted := make([]string, 0, len(days))
	for c := range days {
		sorted = append(sorted, c)
	}
	sort.Strings(sorted)
	var prev int64
	for _, c := range sorted {
		var g int64
		// Open at the midnight after c: received by then and not finished.
		if dR <= c && (dF == "" || dF > c) && !stats.OnTime766(x, nextMidnight(c, loc)) {
			g = 1
		}
		if g != prev {
			d.put(f, c, rcIndexLate, sign*(g-prev))
			prev = g
		}
	}
}

// indexInputs reads the supplement requests and the sync flag of the
// dossiers whose ids are in [lo, hi], for the rollups.
func indexInputs(ctx context.Context, tx *gorm.DB, lo, hi int64) (map[int64][]stats.Supplement, map[int64]bool, error) {
	var sups []supplementRow
	if err := tx.WithContext(ctx).Where("dossier_id >= ? AND dossier_id <= ?", lo, hi).Order("dossier_id, n").Find(&sups).Error; err != nil {
		return nil, nil, translate(err, dossierNoun)
	}
	out := map[int64][]stats.Supplement{}
	for _, s := range sups {
		out[s.DossierID] = append(out[s.DossierID], s.asDomain())
	}
	var synced []int64
	if err := tx.WithContext(ctx).Model(&dvcqgSyncRow{}).Where("dossier_id >= ? AND dossier_id <= ? AND synced_at IS NOT NULL", lo, hi).
		Pluck("dossier_id", &synced).Error; err != nil {
		return nil, nil, translate(err, dvcqgNoun)
	}
	sy := make(map[int64]bool, len(synced))
	for _, id := range synced {
		sy[id] = true
	}
	return out, sy, nil
}

// asDomain is the request as the 766 rule reads it.
func (r supplementRow) asDomain() stats.Supplement {
	return stats.Supplement{RequestedAt: r.RequestedAt.UTC(), DueAt: utcPtr(r.DueAt), SuppliedAt: utcPtr(r.SuppliedAt)}
}
