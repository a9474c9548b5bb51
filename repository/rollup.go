package repository

import (
	"time"

	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/stats"
)

// Statistics rollups (ADR 0004). Every dossier contributes a few counters
// to the rollup tables, keyed by bucket × reception unit × handling agency ×
// holder unit × procedure × channel, at five grains: the local day ('d',
// "YYYY-MM-DD", in dossier_rollups_daily), dekad ('k', "YYYY-MM-1",
// "YYYY-MM-2", "YYYY-MM-3" for days 1–10, 11–20 and 21 to the month's end),
// month ('m', "YYYY-MM"), year ('y', "YYYY") and all time ('a', "") of each
// event (in dossier_rollups). The contribution is a pure function of the
// dossier's row (add); the stores keep the tables equal to the sum of the
// contributions of all dossiers by applying, in the transaction that writes
// a dossier, the new contribution minus the old one. Report form 06 then
// sums a few buckets a key instead of scanning dossiers:
//
//   - flows (received, resolved by timeliness, withdrawn, stopped,
//     rejected, on-spot resolved) over the coarsest buckets that tile the
//     period (cover): days up to a dekad boundary, dekads up to a month
//     boundary, months up to a year boundary, years, then months, dekads and
//     days again, so a month from a cut-off day (15 Sep – 14 Oct) reads 6 +
//     1 + 1 + 4 buckets a key, and never more than 9 days at the start or
//     10 at the end;
//   - stocks from the *_delta counters: their sum over every bucket before a
//     day D is the number of dossiers open (open_delta) and open past their
//     due time (overdue_delta) at D 00:00, so carried_over is that sum
//     before the period's first day and in progress at the end the sum
//     before the day after its last (or the all-time row minus the buckets
//     from D on, which reads less for recent days), tiled the same way;
//     the stocks at the end are summed as those at the start plus the
//     period's deltas, which the flows read anyway (form06Plan).
//
// Days are local to the zone recorded in settings (rollupsZoneKey); a
// report whose period does not start and end at midnights of that zone is
// answered by the full scan instead. Migration 00008 derived the dekad rows
// of databases rolled up before the grain existed from their day rows.

// Rollup counters, in the column order of rollupColumns.
const (
	rcReceived = iota
	rcResolvedEarly
	rcResolvedOnTime
	rcResolvedLate
	rcOnSpotResolved
	rcWithdrawn
	rcStopped
	rcRejected
	rcOpen
	rcOverdue
	// The digitisation counters (rollup_flags.go): flags counted at the
	// day received or resolved, and the file versions of the upload day.
	rcWithFiles
	rcDigitised
	rcReused
	rcPayable
	rcPaidOnline
	rcEResult
	rcResolvedDigitised
	rcFileVersions
	rcFileBytes
	// The service index counters (rollup_index.go): received and accepted
	// by the national portal, finished late by the 766 rule, and the stock
	// delta of the open dossiers late by it.
	rcReceivedSynced
	rcIndexFinishedLate
	rcIndexLate
	rcCount
)

// rollupColumns are the counter columns of the rollup tables.
var rollupColumns = [rcCount]string{"received", "resolved_early", "resolved_on_time", "resolved_late",
	"on_spot_resolved", "withdrawn", "stopped", "rejected", "open_delta", "overdue_delta",
	"received_with_files", "received_digitised", "received_reused", "payable", "paid_online",
	"resolved_with_e_result", "resolved_digitised", "file_versions", "file_bytes",
	"received_synced", "index_finished_late", "index_late_delta"}

// rollupKeyColumns are the primary key of the rollup tables, in order.
var rollupKeyColumns = []string{"grain", "bucket", "unit_code", "agency_code", "holder_unit", "procedure_code", "channel"}

// Grains of the rollups: a local day, dekad (days 1–10, 11–20, 21–end of
// a month), month or year, and all time (one row a key, bucket "").
const (
	grainDay   = 'd'
	grainDekad = 'k'
	grainMonth = 'm'
	grainYear  = 'y'
	grainAll   = 'a'
)

// rollupGrains are the grains every event is added at.
var rollupGrains = [...]byte{grainDay, grainDekad, grainMonth, grainYear, grainAll}

// bucketOfDay is the bucket of grain g holding the day "YYYY-MM-DD".
func bucketOfDay(g byte, day string) string {
	switch g {
	case grainDay:
		return day
	case grainDekad:
		return dekadOfDay(day)
	case grainMonth:
		return day[:7]
	case grainYear:
		return day[:4]
	}
	return ""
}

// dekadOfDay is the dekad bucket of the day "YYYY-MM-DD": "YYYY-MM-1" for
// days 1–10, "YYYY-MM-2" for 11–20, "YYYY-MM-3" for 21 to the month's end
// (migration 00008 computes the same from the day buckets in SQL).
func dekadOfDay(day string) string {
	switch dd := day[8:10]; {
	case dd <= "10":
		return day[:8] + "1"
	case dd <= "20":
		return day[:8] + "2"
	}
	return day[:8] + "3"
}

// rollupKey is one rollup row.
type rollupKey struct {
	Grain                                    byte
	Bucket                                   string
	Unit, Agency, Holder, Procedure, Channel string
}

func (k rollupKey) less(o rollupKey) bool {
	a := [...]string{string(k.Grain), k.Bucket, k.Unit, k.Agency, k.Holder, k.Procedure, k.Channel}
	b := [...]string{string(o.Grain), o.Bucket, o.Unit, o.Agency, o.Holder, o.Procedure, o.Channel}
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// rollupCounts are the counters of one rollup row.
type rollupCounts [rcCount]int64

// rollupDelta accumulates changes to rollup rows and to the flag lags
// (rollup_flags.go). Its zero value is empty and ready to use.
type rollupDelta struct {
	rows map[rollupKey]*rollupCounts
	lags map[lagKey]int64
}

// size is the number of rows d would write.
func (d *rollupDelta) size() int { return len(d.rows) + len(d.lags) }

// put adds n to counter of f's key in the buckets of day at every grain.
func (d *rollupDelta) put(f *dossierFacts, day string, counter int, n int64) {
	if d.rows == nil {
		d.rows = map[rollupKey]*rollupCounts{}
	}
	k := rollupKey{Unit: f.UnitCode, Agency: f.AgencyCode, Holder: f.HolderUnit, Procedure: f.ProcedureCode, Channel: f.Channel}
	for _, g := range rollupGrains {
		k.Grain, k.Bucket = g, bucketOfDay(g, day)
		c := d.rows[k]
		if c == nil {
			c = &rollupCounts{}
			d.rows[k] = c
		}
		c[counter] += n
	}
}

// dossierFacts are the columns of a dossier its contribution depends on.
type dossierFacts struct {
	UnitCode, AgencyCode, HolderUnit, ProcedureCode, Channel string
	OnSpot                                                   bool
	ReceivedAt, DueAt, ResolvedAt                            *time.Time
	WithdrawnAt, StoppedAt, RejectedAt                       *time.Time
	Timeliness                                               *string
	// The first instants of the digitisation flags: set by the file store
	// (component file, digitised, reused, electronic result) and by the
	// dossier service (payable, paid online).
	ComponentFileAt, DigitisedAt, ReusedAt, EResultAt *time.Time
	PayableAt, PaidOnlineAt                           *time.Time
	// The service index's inputs kept outside the row: the supplement
	// requests (dossier_supplements, oldest first) and whether the national
	// portal accepted the dossier once (dvcqg_sync.synced_at).
	Supplements []stats.Supplement
	Synced      bool
}

// factColumns selects the facts (and the id) of dossier rows.
const factColumns = "id, unit_code, agency_code, holder_unit, procedure_code, channel, on_spot, received_at, due_at, " +
	"resolved_at, timeliness, withdrawn_at, stopped_at, rejected_at, " +
	"component_file_at, digitised_at, reused_at, e_result_at, payable_at, paid_online_at"

// factsOf returns the facts of a dossier row.
func factsOf(r *dossierRow) dossierFacts {
	return dossierFacts{UnitCode: r.UnitCode, AgencyCode: r.AgencyCode, HolderUnit: r.HolderUnit,
		ProcedureCode: r.ProcedureCode, Channel: r.Channel, OnSpot: r.OnSpot,
		ReceivedAt: r.ReceivedAt, DueAt: r.DueAt, ResolvedAt: r.ResolvedAt,
		WithdrawnAt: r.WithdrawnAt, StoppedAt: r.StoppedAt, RejectedAt: r.RejectedAt, Timeliness: r.Timeliness,
		ComponentFileAt: r.ComponentFileAt, DigitisedAt: r.DigitisedAt, ReusedAt: r.ReusedAt, EResultAt: r.EResultAt,
		PayableAt: r.PayableAt, PaidOnlineAt: r.PaidOnlineAt}
}

// factsOfDossier returns the facts of d as its stored row holds them
// (factsOf(fromDossier(d)) without encoding the rest of the row).
func factsOfDossier(d *dossier.Dossier) dossierFacts {
	return dossierFacts{UnitCode: d.UnitCode, AgencyCode: d.AgencyCode, HolderUnit: d.HolderUnit,
		ProcedureCode: d.ProcedureCode, Channel: string(d.Channel), OnSpot: d.OnSpot,
		ReceivedAt: utcPtr(d.ReceivedAt), DueAt: utcPtr(d.DueAt), ResolvedAt: utcPtr(d.ResolvedAt),
		WithdrawnAt: utcPtr(d.WithdrawnAt), StoppedAt: utcPtr(d.StoppedAt), RejectedAt: utcPtr(d.RejectedAt),
		Timeliness:      nullable(string(d.Timeliness)),
		ComponentFileAt: utcPtr(d.ComponentFileAt), DigitisedAt: utcPtr(d.DigitisedAt), ReusedAt: utcPtr(d.ReusedAt),
		EResultAt: utcPtr(d.EResultAt), PayableAt: utcPtr(d.PayableAt), PaidOnlineAt: utcPtr(d.PaidOnlineAt)}
}

// timelinessClass is the counter a resolved dossier goes to, as the full
// scan classifies it: the stored timeliness, or late when resolved after
// its due time and on time otherwise; anything but early and late is on time.
func (f *dossierFacts) timelinessClass() int {
	t := ""
	switch {
	case f.Timeliness != nil:
		t = *f.Timeliness
	case f.DueAt != nil && f.ResolvedAt.After(*f.DueAt):
		t = "late"
	}
	switch t {
	case "early":
		return rcResolvedEarly
	case "late":
		return rcResolvedLate
	}
	return rcResolvedOnTime
}

// finishedAt is when the dossier stopped being in progress, as the full
// scan's COALESCE(resolved_at, withdrawn_at, stopped_at).
func (f *dossierFacts) finishedAt() *time.Time {
	switch {
	case f.ResolvedAt != nil:
		return f.ResolvedAt
	case f.WithdrawnAt != nil:
		return f.WithdrawnAt
	}
	return f.StoppedAt
}

// localDay is the rollup day of t in loc.
func localDay(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("2006-01-02")
}

// later is the later of two "YYYY-MM-DD" days.
func later(a, b string) string {
	if a > b {
		return a
	}
	return b
}

// add adds sign times f's contribution to d, with days local to loc.
//
// With dR the day received, dF the day finished and dD the day due, a
// period [D0, D1) of local days sees the dossier
//   - received when D0 <= dR < D1, resolved (…) when the event's day is in
//     it, like the full scan's instants since the bounds are midnights;
//   - open at D (carried over at D0, in progress at D1) when dR < D and
//     not dF < D... i.e. dF >= D: open_delta is +1 at dR and -1 at
//     max(dF, dR), whose sum over the days before D is exactly that;
//   - overdue at D when it is open at D and dD < D: overdue_delta is +1 at
//     s = max(dR, dD) and -1 at max(dF, s).
//
// The digitisation flags are added by addFlags (rollup_flags.go).
func (d *rollupDelta) add(f dossierFacts, sign int64, loc *time.Location) {
	put := func(day string, counter int, n int64) { d.put(&f, day, counter, n) }
	if f.RejectedAt != nil {
		put(localDay(*f.RejectedAt, loc), rcRejected, sign)
	}
	if f.ReceivedAt == nil {
		return // submitted, rejected or withdrawn before acceptance: never received
	}
	dR := localDay(*f.ReceivedAt, loc)
	put(dR, rcReceived, sign)
	put(dR, rcOpen, sign)
	fin := f.finishedAt()
	var dF string
	if fin != nil {
		dF = localDay(*fin, loc)
		put(later(dF, dR), rcOpen, -sign)
	}
	if f.DueAt != nil {
		s := later(dR, localDay(*f.DueAt, loc))
		put(s, rcOverdue, sign)
		if fin != nil {
			put(later(dF, s), rcOverdue, -sign)
		}
	}
	dZ := ""
	if f.ResolvedAt != nil {
		dZ = localDay(*f.ResolvedAt, loc)
		put(dZ, f.timelinessClass(), sign)
		if f.OnSpot {
			put(dZ, rcOnSpotResolved, sign)
		}
	}
	d.addFlags(&f, dR, dZ, sign, loc)
	d.addIndex(&f, dR, sign, loc)
	if f.WithdrawnAt != nil {
		put(localDay(*f.WithdrawnAt, loc), rcWithdrawn, sign)
	}
	if f.StoppedAt != nil {
		put(localDay(*f.StoppedAt, loc), rcStopped, sign)
	}
}
