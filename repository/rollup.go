package repository

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/stats"
	"github.com/motcua/motcua/domain/worktime"
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
	rcCount
)

// rollupColumns are the counter columns of the rollup tables.
var rollupColumns = [rcCount]string{"received", "resolved_early", "resolved_on_time", "resolved_late",
	"on_spot_resolved", "withdrawn", "stopped", "rejected", "open_delta", "overdue_delta"}

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

// rollupDelta accumulates changes to rollup rows.
type rollupDelta map[rollupKey]*rollupCounts

// dossierFacts are the columns of a dossier its contribution depends on.
type dossierFacts struct {
	UnitCode, AgencyCode, HolderUnit, ProcedureCode, Channel string
	OnSpot                                                   bool
	ReceivedAt, DueAt, ResolvedAt                            *time.Time
	WithdrawnAt, StoppedAt, RejectedAt                       *time.Time
	Timeliness                                               *string
}

// factColumns selects the facts (and the id) of dossier rows.
const factColumns = "id, unit_code, agency_code, holder_unit, procedure_code, channel, on_spot, received_at, due_at, " +
	"resolved_at, timeliness, withdrawn_at, stopped_at, rejected_at"

// factsOf returns the facts of a dossier row.
func factsOf(r *dossierRow) dossierFacts {
	return dossierFacts{UnitCode: r.UnitCode, AgencyCode: r.AgencyCode, HolderUnit: r.HolderUnit,
		ProcedureCode: r.ProcedureCode, Channel: r.Channel, OnSpot: r.OnSpot,
		ReceivedAt: r.ReceivedAt, DueAt: r.DueAt, ResolvedAt: r.ResolvedAt,
		WithdrawnAt: r.WithdrawnAt, StoppedAt: r.StoppedAt, RejectedAt: r.RejectedAt, Timeliness: r.Timeliness}
}

// factsOfDossier returns the facts of d as its stored row holds them
// (factsOf(fromDossier(d)) without encoding the rest of the row).
func factsOfDossier(d *dossier.Dossier) dossierFacts {
	return dossierFacts{UnitCode: d.UnitCode, AgencyCode: d.AgencyCode, HolderUnit: d.HolderUnit,
		ProcedureCode: d.ProcedureCode, Channel: string(d.Channel), OnSpot: d.OnSpot,
		ReceivedAt: utcPtr(d.ReceivedAt), DueAt: utcPtr(d.DueAt), ResolvedAt: utcPtr(d.ResolvedAt),
		WithdrawnAt: utcPtr(d.WithdrawnAt), StoppedAt: utcPtr(d.StoppedAt), RejectedAt: utcPtr(d.RejectedAt),
		Timeliness: nullable(string(d.Timeliness))}
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
func (d rollupDelta) add(f dossierFacts, sign int64, loc *time.Location) {
	put := func(day string, counter int, n int64) {
		k := rollupKey{Unit: f.UnitCode, Agency: f.AgencyCode, Holder: f.HolderUnit, Procedure: f.ProcedureCode, Channel: f.Channel}
		for _, g := range rollupGrains {
			k.Grain, k.Bucket = g, bucketOfDay(g, day)
			c := d[k]
			if c == nil {
				c = &rollupCounts{}
				d[k] = c
			}
			c[counter] += n
		}
	}
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
	if f.ResolvedAt != nil {
		dZ := localDay(*f.ResolvedAt, loc)
		put(dZ, f.timelinessClass(), sign)
		if f.OnSpot {
			put(dZ, rcOnSpotResolved, sign)
		}
	}
	if f.WithdrawnAt != nil {
		put(localDay(*f.WithdrawnAt, loc), rcWithdrawn, sign)
	}
	if f.StoppedAt != nil {
		put(localDay(*f.StoppedAt, loc), rcStopped, sign)
	}
}

// rollupChunk bounds the rows of one upsert: on SQLite 17 parameters a
// row; on PostgreSQL the rows go as 17 arrays, about twice as fast.
const (
	rollupChunk   = 500
	rollupChunkPG = 5000
)

// The rollup tables: day rows apart from the coarse ones (dekad, month,
// year, all time), so that a month report reads a small, dense table.
const (
	rollupsDaily  = "dossier_rollups_daily"
	rollupsCoarse = "dossier_rollups"
)

// rollupTableOf is the table holding the rows of grain g.
func rollupTableOf(g byte) string {
	if g == grainDay {
		return rollupsDaily
	}
	return rollupsCoarse
}

// apply adds d to the rollup tables with one upsert per table and chunk.
// Rows are written in one order (the daily table first, each in key order),
// so concurrent transactions lock them in the same order and cannot
// deadlock on them; rows whose change is zero are not written.
func (d rollupDelta) apply(ctx context.Context, tx *gorm.DB) error {
	keys := make([]rollupKey, 0, len(d))
	for k, c := range d {
		if *c != (rollupCounts{}) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].less(keys[j]) })
	daily := make([]rollupKey, 0, len(keys))
	coarse := make([]rollupKey, 0, len(keys))
	for _, k := range keys {
		if k.Grain == grainDay {
			daily = append(daily, k)
		} else {
			coarse = append(coarse, k)
		}
	}
	upsert, chunk := d.upsertValues, rollupChunk
	if Dialect(tx) == "postgres" {
		upsert, chunk = d.upsertArrays, rollupChunkPG
	}
	for _, part := range []struct {
		table string
		keys  []rollupKey
	}{{rollupsDaily, daily}, {rollupsCoarse, coarse}} {
		for ks := part.keys; len(ks) > 0; {
			n := min(len(ks), chunk)
			if err := upsert(ctx, tx, part.table, ks[:n]); err != nil {
				return translate(err, "số liệu tổng hợp")
			}
			ks = ks[n:]
		}
	}
	return nil
}

// rollupInsert starts the upsert of rollup rows into table.
func rollupInsert(table string) string {
	return "INSERT INTO " + table + " (" + strings.Join(rollupKeyColumns, ", ") + ", " +
		strings.Join(rollupColumns[:], ", ") + ") "
}

// rollupOnConflict adds the counters of a row that exists.
func rollupOnConflict(table string) string {
	set := make([]string, len(rollupColumns))
	for i, c := range rollupColumns {
		set[i] = c + " = " + table + "." + c + " + excluded." + c
	}
	return " ON CONFLICT (" + strings.Join(rollupKeyColumns, ", ") + ") DO UPDATE SET " + strings.Join(set, ", ")
}

// upsertValues writes keys as a multi-row VALUES list (SQLite).
func (d rollupDelta) upsertValues(ctx context.Context, tx *gorm.DB, table string, keys []rollupKey) error {
	var b strings.Builder
	b.WriteString(rollupInsert(table) + "VALUES ")
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(rollupKeyColumns)+rcCount), ", ") + ")"
	args := make([]any, 0, len(keys)*(len(rollupKeyColumns)+rcCount))
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
		args = append(args, string(k.Grain), k.Bucket, k.Unit, k.Agency, k.Holder, k.Procedure, k.Channel)
		for _, v := range d[k] {
			args = append(args, v)
		}
	}
	b.WriteString(rollupOnConflict(table))
	return tx.WithContext(ctx).Exec(b.String(), args...).Error
}

// upsertArraysSQL unnests one array per column into each table (PostgreSQL).
var upsertArraysSQL = func() map[string]string {
	out := map[string]string{}
	for _, table := range []string{rollupsDaily, rollupsCoarse} {
		var b strings.Builder
		b.WriteString(rollupInsert(table) + "SELECT * FROM unnest(")
		for i := range rollupKeyColumns {
			fmt.Fprintf(&b, "$%d::varchar[], ", i+1)
		}
		for i := range rollupColumns {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "$%d::bigint[]", len(rollupKeyColumns)+i+1)
		}
		out[table] = b.String() + ")" + rollupOnConflict(table)
	}
	return out
}()

// upsertArrays writes keys as one array per column (PostgreSQL): one
// short statement whatever the rows, parsed and bound in no time. It goes
// straight to tx's connection, since GORM would expand the arrays.
func (d rollupDelta) upsertArrays(ctx context.Context, tx *gorm.DB, table string, keys []rollupKey) error {
	var key [7][]string
	var num [rcCount][]int64
	for i := range key {
		key[i] = make([]string, 0, len(keys))
	}
	for i := range num {
		num[i] = make([]int64, 0, len(keys))
	}
	for _, k := range keys {
		for i, v := range [7]string{string(k.Grain), k.Bucket, k.Unit, k.Agency, k.Holder, k.Procedure, k.Channel} {
			key[i] = append(key[i], v)
		}
		for i, v := range d[k] {
			num[i] = append(num[i], v)
		}
	}
	args := make([]any, 0, len(key)+len(num))
	for _, a := range key {
		args = append(args, a)
	}
	for _, a := range num {
		args = append(args, a)
	}
	_, err := tx.Statement.ConnPool.ExecContext(ctx, upsertArraysSQL[table], args...)
	return err
}

// ---- the zone of the rollups

// rollupsZoneKey is the settings key naming the zone the rollups are
// bucketed in; absent, the rollups are not built yet (a database that had
// dossiers before they existed) and reports scan.
const rollupsZoneKey = "rollups_zone"

// zones maps the names of the zones rollups were built in to their
// locations, for zones time.LoadLocation cannot find by name (fixed ones).
var zones sync.Map

func init() { zones.Store(worktime.DefaultLocation().String(), worktime.DefaultLocation()) }

// zoneByName returns the location called name.
func zoneByName(name string) (*time.Location, error) {
	if l, ok := zones.Load(name); ok {
		return l.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("rollups zone %q: %w", name, err)
	}
	return loc, nil
}

// readRollupsZone returns the zone the rollups are built in, ok false when
// they are not built.
func readRollupsZone(ctx context.Context, db *gorm.DB) (loc *time.Location, ok bool, err error) {
	var rows []settingRow
	if err := db.WithContext(ctx).Where("key = ?", rollupsZoneKey).Limit(1).Find(&rows).Error; err != nil {
		return nil, false, translate(err, "cấu hình")
	}
	if len(rows) == 0 {
		return nil, false, nil
	}
	loc, err = zoneByName(rows[0].Value)
	if err != nil {
		return nil, false, err
	}
	return loc, true, nil
}

// rollupZone caches, for a store, the zone its rollup writes bucket days
// in. Until the rollups are built (BackfillRollups) writes use the default
// zone; the build recomputes everything anyway.
type rollupZone struct {
	mu  sync.Mutex
	loc *time.Location
}

func (z *rollupZone) get(ctx context.Context, db *gorm.DB) (*time.Location, error) {
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.loc != nil {
		return z.loc, nil
	}
	loc, ok, err := readRollupsZone(ctx, db)
	if err != nil {
		return nil, err
	}
	if !ok {
		return worktime.DefaultLocation(), nil
	}
	z.loc = loc
	return loc, nil
}

// rollupsLocation is the zone rollup writes in tx bucket days in (the
// default zone until the rollups are built).
func rollupsLocation(ctx context.Context, tx *gorm.DB) (*time.Location, error) {
	return (&rollupZone{}).get(ctx, tx)
}

// ---- building the rollups from the dossiers

// backfillBatch is how many dossiers one read of a rebuild takes, and
// backfillFlush how many rollup rows it accumulates before writing them.
const (
	backfillBatch = 5000
	backfillFlush = 50000
)

// BackfillRollups builds the statistics rollups from the dossiers when they
// are not built in loc yet: once after the migration that adds them to a
// database holding dossiers, and again if MOTCUA_TIMEZONE changes. It
// reports whether it rebuilt. Run it at start-up, before serving.
func BackfillRollups(ctx context.Context, db *gorm.DB, loc *time.Location) (bool, error) {
	zones.Store(loc.String(), loc)
	var rebuilt bool
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		have, ok, err := readRollupsZone(ctx, tx)
		if err != nil {
			return err
		}
		if ok && have.String() == loc.String() {
			return nil
		}
		rebuilt = true
		return rebuildRollups(ctx, tx, loc)
	})
	if err != nil {
		return false, fmt.Errorf("backfill rollups: %w", err)
	}
	return rebuilt, nil
}

// RebuildRollups recomputes the statistics rollups from the dossiers, in
// loc, whatever their state: for operators after a manual repair, and for
// tests that write dossier rows directly.
func RebuildRollups(ctx context.Context, db *gorm.DB, loc *time.Location) error {
	zones.Store(loc.String(), loc)
	if err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return rebuildRollups(ctx, tx, loc) }); err != nil {
		return fmt.Errorf("rebuild rollups: %w", err)
	}
	return nil
}

// rebuildRollups replaces the rollups by the contributions of every
// dossier, reading them in id order in batches, and records loc. On
// PostgreSQL it first blocks writers of dossiers until tx ends, so no
// change slips between the read and the write.
func rebuildRollups(ctx context.Context, tx *gorm.DB, loc *time.Location) error {
	tx = tx.WithContext(ctx)
	if Dialect(tx) == "postgres" {
		if err := tx.Exec("LOCK TABLE dossiers IN SHARE MODE").Error; err != nil {
			return translate(err, "số liệu tổng hợp")
		}
	}
	for _, table := range []string{rollupsDaily, rollupsCoarse} {
		if err := tx.Exec("DELETE FROM " + table).Error; err != nil {
			return translate(err, "số liệu tổng hợp")
		}
	}
	delta := rollupDelta{}
	var last int64
	for {
		var rows []dossierRow
		if err := tx.Table("dossiers").Select(factColumns).Where("id > ?", last).Order("id").Limit(backfillBatch).Find(&rows).Error; err != nil {
			return translate(err, dossierNoun)
		}
		for i := range rows {
			delta.add(factsOf(&rows[i]), 1, loc)
		}
		if len(delta) >= backfillFlush || len(rows) < backfillBatch {
			if err := delta.apply(ctx, tx); err != nil {
				return err
			}
			delta = rollupDelta{}
		}
		if len(rows) < backfillBatch {
			break
		}
		last = rows[len(rows)-1].ID
	}
	r := settingRow{Key: rollupsZoneKey, Value: loc.String()}
	err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "key"}}, DoUpdates: clause.AssignmentColumns([]string{"value"})}).Create(&r).Error
	return translate(err, "cấu hình")
}

// ---- reading the rollups

// bucketRange is the buckets [From, To) of one grain.
type bucketRange struct {
	Grain    byte
	From, To string
}

// signedRange is a bucket range added (Sign 1) or taken away (Sign -1).
type signedRange struct {
	bucketRange
	Sign int64
}

func signed(sign int64, rs []bucketRange) []signedRange {
	out := make([]signedRange, len(rs))
	for i, r := range rs {
		out[i] = signedRange{r, sign}
	}
	return out
}

func monthOf(d worktime.Date) string { return d.String()[:7] }
func yearOf(d worktime.Date) string  { return d.String()[:4] }

// bucketOf is the bucket of grain g holding the day d.
func bucketOf(g byte, d worktime.Date) string { return bucketOfDay(g, d.String()) }

// firstOfDekad, firstOfMonth and firstOfYear floor a date; nextDekad,
// nextMonth and nextYear are the first days of the following dekad, month
// and year.
func firstOfDekad(d worktime.Date) worktime.Date {
	switch {
	case d.Day > 20:
		d.Day = 21
	case d.Day > 10:
		d.Day = 11
	default:
		d.Day = 1
	}
	return d
}
func firstOfMonth(d worktime.Date) worktime.Date {
	return worktime.Date{Year: d.Year, Month: d.Month, Day: 1}
}
func firstOfYear(d worktime.Date) worktime.Date {
	return worktime.Date{Year: d.Year, Month: time.January, Day: 1}
}
func nextDekad(d worktime.Date) worktime.Date {
	switch {
	case d.Day > 20:
		return nextMonth(d)
	case d.Day > 10:
		d.Day = 21
	default:
		d.Day = 11
	}
	return d
}
func nextMonth(d worktime.Date) worktime.Date {
	return worktime.Date{Year: d.Year, Month: d.Month + 1, Day: 1}.AddDays(0)
}
func nextYear(d worktime.Date) worktime.Date {
	return worktime.Date{Year: d.Year + 1, Month: time.January, Day: 1}
}

// ceilDekad, ceilMonth and ceilYear are the first boundary of a dekad,
// month or year on or after d.
func ceilDekad(d worktime.Date) worktime.Date {
	if firstOfDekad(d) == d {
		return d
	}
	return nextDekad(d)
}
func ceilMonth(d worktime.Date) worktime.Date {
	if d.Day == 1 {
		return d
	}
	return nextMonth(d)
}
func ceilYear(d worktime.Date) worktime.Date {
	if d.Day == 1 && d.Month == time.January {
		return d
	}
	return nextYear(d)
}

func minDate(a, b worktime.Date) worktime.Date {
	if a.Before(b) {
		return a
	}
	return b
}

// cover tiles the local days [lo, hi) with the coarsest buckets that fit,
// in at most seven ranges: days up to the first dekad boundary, dekads up
// to the first month boundary, months up to the first year boundary, whole
// years, then months, dekads and days again. A month from a cut-off day, 15
// Sep – 14 Oct, is days 15–20 Sep, dekad Sep-3, dekad Oct-1, days 11–14 Oct.
func cover(lo, hi worktime.Date) []bucketRange {
	var out []bucketRange
	cur := lo
	// take adds the buckets of grain g from cur to end (both boundaries of
	// g), if any.
	take := func(g byte, end worktime.Date) {
		if cur.Before(end) {
			out = append(out, bucketRange{g, bucketOf(g, cur), bucketOf(g, end)})
			cur = end
		}
	}
	take(grainDay, minDate(hi, ceilDekad(cur)))
	take(grainDekad, minDate(firstOfDekad(hi), ceilMonth(cur)))
	take(grainMonth, minDate(firstOfMonth(hi), ceilYear(cur)))
	take(grainYear, firstOfYear(hi))
	take(grainMonth, firstOfMonth(hi))
	take(grainDekad, firstOfDekad(hi))
	take(grainDay, hi)
	return out
}

// beginning is before any dossier, and farFuture after any.
var (
	beginning = worktime.Date{Year: 1, Month: time.January, Day: 1}
	farFuture = worktime.Date{Year: 9999, Month: time.January, Day: 1}
)

// before tiles every local day before d: whole years, then the months of
// d's year, the dekads of d's month, then the days of d's dekad.
func before(d worktime.Date) []bucketRange { return cover(beginning, d) }

// stockMode is how stocks at a day are summed: automatically the cheaper
// of the two, or always one (tests exercise both).
type stockMode int

const (
	stocksAuto   stockMode = iota
	stocksPrefix           // the buckets before the day
	stocksSuffix           // all time minus the buckets from the day on
)

// dataSpan is the first year and the last month the rollups hold.
type dataSpan struct{ firstYear, lastMonth string }

// stockBefore returns the signed buckets whose sum is a stock at d 00:00:
// the buckets before d, or the all-time row minus the buckets from d on.
// Rollups hold little past today (only due times to come), so for a recent
// d the second reads a few buckets a key where the first reads every year
// of history, up to eleven months, two dekads and nine days. Automatically
// it takes the side with fewer buckets that may hold rows, not counting
// those of free (read anyway: the period's flows).
func stockBefore(d worktime.Date, span dataSpan, mode stockMode, free []bucketRange) []signedRange {
	prefix := signed(1, before(d))
	suffix := append([]signedRange{{bucketRange{grainAll, "", "~"}, 1}}, signed(-1, cover(d, farFuture))...)
	suffix = append(suffix, signedRange{bucketRange{grainYear, yearOf(farFuture), "~"}, -1})
	switch mode {
	case stocksPrefix:
		return prefix
	case stocksSuffix:
		return suffix
	}
	if span.lastMonth == "" { // empty rollups
		return prefix
	}
	if span.cost(suffix, free) < span.cost(prefix, free) {
		return suffix
	}
	return prefix
}

// cost counts the buckets of rs that may hold rows (from the first year to
// the last month of the rollups), but those of free.
func (sp dataSpan) cost(rs []signedRange, free []bucketRange) int {
	n := 0
	for _, r := range rs {
		if r.Grain == grainAll {
			n++
			continue
		}
		// The first bucket of the span's first year, and the month of a bucket.
		first := map[byte]string{grainDay: "-01-01", grainDekad: "-01-1", grainMonth: "-01", grainYear: ""}[r.Grain]
		for b := max(r.From, sp.firstYear+first); b < r.To && b[:min(len(b), 7)] <= sp.lastMonth; b = nextBucket(r.Grain, b) {
			if !inRanges(free, r.Grain, b) {
				n++
			}
		}
	}
	return n
}

// inRanges reports whether bucket b of grain g is in one of rs.
func inRanges(rs []bucketRange, g byte, b string) bool {
	for _, r := range rs {
		if r.Grain == g && r.From <= b && b < r.To {
			return true
		}
	}
	return false
}

// nextBucket is the bucket of grain g after b ("~", after every bucket,
// when b is not one).
func nextBucket(g byte, b string) string {
	switch g {
	case grainDay:
		d, err := worktime.ParseDate(b)
		if err != nil {
			return "~"
		}
		return d.AddDays(1).String()
	case grainDekad:
		return nextDekadOf(b)
	case grainMonth:
		return nextMonthOf(b)
	case grainYear:
		y, err := strconv.Atoi(b)
		if err != nil {
			return "~"
		}
		return fmt.Sprintf("%04d", y+1)
	}
	return "~"
}

// nextMonthOf is the month after "YYYY-MM".
func nextMonthOf(m string) string {
	d, err := worktime.ParseDate(m + "-01")
	if err != nil {
		return "~"
	}
	return monthOf(nextMonth(d))
}

// nextDekadOf is the dekad after "YYYY-MM-N".
func nextDekadOf(k string) string {
	if len(k) != 9 {
		return "~"
	}
	switch k[8] {
	case '1':
		return k[:8] + "2"
	case '2':
		return k[:8] + "3"
	}
	return nextMonthOf(k[:7]) + "-1"
}

// span reads the first year and the last month of the rollups (two index
// probes).
func (s *StatsStore) span(ctx context.Context) (dataSpan, error) {
	var rows []struct {
		Which  string
		Bucket string
	}
	err := s.db.WithContext(ctx).Raw(`SELECT 'first' AS which, bucket FROM (SELECT bucket FROM dossier_rollups WHERE grain = 'y' ORDER BY bucket LIMIT 1) f
UNION ALL SELECT 'last' AS which, bucket FROM (SELECT bucket FROM dossier_rollups WHERE grain = 'm' ORDER BY bucket DESC LIMIT 1) l`).Scan(&rows).Error
	if err != nil {
		return dataSpan{}, translate(err, "thống kê hồ sơ")
	}
	var sp dataSpan
	for _, r := range rows {
		if r.Which == "first" {
			sp.firstYear = r.Bucket
		} else {
			sp.lastMonth = r.Bucket
		}
	}
	return sp, nil
}

// rollupPlan is what a statistics query sums: disjoint bucket ranges
// (atoms), each summed once per group, and for every role (flows of the
// period, stocks at its start, stocks at its end) the sign each atom counts
// with.
type rollupPlan struct {
	atoms []bucketRange
	coef  [][]int64 // coef[role][atom]
}

// planRollups splits the ranges of every role into the coarsest disjoint
// atoms, per grain, and keeps those some role counts.
func planRollups(roles ...[]signedRange) rollupPlan {
	bounds := map[byte][]string{}
	for _, rs := range roles {
		for _, r := range rs {
			bounds[r.Grain] = append(bounds[r.Grain], r.From, r.To)
		}
	}
	var p rollupPlan
	grains := make([]byte, 0, len(bounds))
	for g := range bounds {
		grains = append(grains, g)
	}
	sort.Slice(grains, func(i, j int) bool { return grains[i] < grains[j] })
	var cand []bucketRange
	for _, g := range grains {
		b := bounds[g]
		sort.Strings(b)
		for i := 0; i+1 < len(b); i++ {
			if b[i] != b[i+1] {
				cand = append(cand, bucketRange{g, b[i], b[i+1]})
			}
		}
	}
	coef := make([][]int64, len(roles))
	for i, rs := range roles {
		coef[i] = make([]int64, len(cand))
		for _, r := range rs {
			for j, a := range cand {
				if a.Grain == r.Grain && a.From >= r.From && a.To <= r.To {
					coef[i][j] += r.Sign
				}
			}
		}
	}
	p.coef = make([][]int64, len(roles))
	for j, a := range cand {
		used := false
		for i := range roles {
			used = used || coef[i][j] != 0
		}
		if !used {
			continue
		}
		p.atoms = append(p.atoms, a)
		for i := range roles {
			p.coef[i] = append(p.coef[i], coef[i][j])
		}
	}
	return p
}

// rollupSums are the sums of one atom for one group.
type rollupSums struct {
	Part                                        int
	Grp                                         string
	Received, ReceivedOnline                    int64
	ResolvedEarly, ResolvedOnTime, ResolvedLate int64
	OnSpotResolved, Withdrawn, Stopped          int64
	Rejected, OpenDelta, OverdueDelta           int64
}

func (r *rollupSums) add(c int64, o rollupSums) {
	r.Received += c * o.Received
	r.ReceivedOnline += c * o.ReceivedOnline
	r.ResolvedEarly += c * o.ResolvedEarly
	r.ResolvedOnTime += c * o.ResolvedOnTime
	r.ResolvedLate += c * o.ResolvedLate
	r.OnSpotResolved += c * o.OnSpotResolved
	r.Withdrawn += c * o.Withdrawn
	r.Stopped += c * o.Stopped
	r.Rejected += c * o.Rejected
	r.OpenDelta += c * o.OpenDelta
	r.OverdueDelta += c * o.OverdueDelta
}

// rollupSumColumns are the sums every atom query selects.
var rollupSumColumns = func() string {
	cols := []string{"CAST(COALESCE(SUM(CASE WHEN r.channel = 'online' THEN r.received ELSE 0 END), 0) AS BIGINT) AS received_online"}
	for _, c := range rollupColumns {
		cols = append(cols, "CAST(COALESCE(SUM(r."+c+"), 0) AS BIGINT) AS "+c)
	}
	return strings.Join(cols, ", ")
}()

// sumRollups sums the rollups of q's scope per group (grp, with join to
// reach it) for each role of plan: result[role][group].
func (s *StatsStore) sumRollups(ctx context.Context, q stats.Query, grp, join string, plan rollupPlan) ([]map[string]*rollupSums, error) {
	out := make([]map[string]*rollupSums, len(plan.coef))
	for i := range out {
		out[i] = map[string]*rollupSums{}
	}
	if len(plan.atoms) == 0 {
		return out, nil
	}
	args := map[string]any{"units": q.Units}
	scope := inScope(q, "r.unit_code", "r.agency_code", "r.holder_unit")
	parts := make([]string, len(plan.atoms))
	for i, a := range plan.atoms {
		lo, hi := fmt.Sprintf("lo%d", i), fmt.Sprintf("hi%d", i)
		args[lo], args[hi] = a.From, a.To
		parts[i] = fmt.Sprintf("SELECT %d AS part, %s AS grp, %s\nFROM "+rollupTableOf(a.Grain)+" r%s\nWHERE r.grain = '%c' AND r.bucket >= @%s AND r.bucket < @%s AND %s\nGROUP BY %s",
			i, grp, rollupSumColumns, join, a.Grain, lo, hi, scope, grp)
	}
	var rows []rollupSums
	if err := s.db.WithContext(ctx).Raw(strings.Join(parts, "\nUNION ALL\n"), args).Scan(&rows).Error; err != nil {
		return nil, translate(err, "thống kê hồ sơ")
	}
	for _, r := range rows {
		for role, coef := range plan.coef {
			c := coef[r.Part]
			if c == 0 {
				continue
			}
			acc := out[role][r.Grp]
			if acc == nil {
				acc = &rollupSums{Grp: r.Grp}
				out[role][r.Grp] = acc
			}
			acc.add(c, r)
		}
	}
	return out, nil
}

// rollupGroups are the group expressions of form 06 over rollups, and the
// join that reaches field and level.
var rollupGroups = map[stats.GroupBy]struct{ expr, join string }{
	stats.ByUnit:      {"r.unit_code", ""},
	stats.ByAgency:    {"r.agency_code", ""},
	stats.ByProcedure: {"r.procedure_code", ""},
	stats.ByField:     {"COALESCE(p.field, '')", " LEFT JOIN procedures p ON p.code = r.procedure_code"},
	stats.ByLevel:     {"COALESCE(p.level, '')", " LEFT JOIN procedures p ON p.code = r.procedure_code"},
	stats.ByChannel:   {"r.channel", ""},
}

// useRollups reports whether q can be answered from the rollups: they are
// built, and q's period starts and ends at midnights of their zone.
func (s *StatsStore) useRollups(ctx context.Context, q stats.Query) (bool, error) {
	loc, ok, err := readRollupsZone(ctx, s.db)
	if err != nil || !ok {
		return false, err
	}
	midnight := func(d worktime.Date) time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc) }
	return q.Start.Equal(midnight(q.From)) && q.End.Equal(midnight(q.To.AddDays(1))), nil
}

// Form06 implements stats.Store from the rollups: the flows of the buckets
// tiling the period, carried over and in progress from the stock deltas
// before its first day and before the day after its last. It answers
// exactly what Form06FullScan answers, falling back to it when the rollups
// cannot (not built yet, or a period in another zone) and for a period that
// has not ended: the rollups hold stocks at midnights, and such a period is
// judged at now (as_of), which the full scan answers exactly.
func (s *StatsStore) Form06(ctx context.Context, q stats.Query, by stats.GroupBy) ([]stats.Row, error) {
	if !asOf(q).Equal(q.End.UTC()) {
		return s.Form06FullScan(ctx, q, by)
	}
	ok, err := s.useRollups(ctx, q)
	if err != nil {
		return nil, err
	}
	if !ok {
		return s.Form06FullScan(ctx, q, by)
	}
	return s.form06Rollups(ctx, q, by)
}

// Roles of a form-06 plan.
const (
	roleFlow = iota
	roleStart
	roleEnd
)

// form06Plan is what form 06 sums for q's period: the flows of the buckets
// tiling it (roleFlow), the stocks before its first day (roleStart) and
// before the day after its last (roleEnd). The stocks at the end are those
// at the start plus the period's stock deltas, so they read no bucket the
// start and the flows do not.
func form06Plan(q stats.Query, span dataSpan, mode stockMode) rollupPlan {
	flows := cover(q.From, q.To.AddDays(1))
	start := stockBefore(q.From, span, mode, flows)
	end := append(append([]signedRange(nil), start...), signed(1, flows)...)
	return planRollups(signed(1, flows), start, end)
}

func (s *StatsStore) form06Rollups(ctx context.Context, q stats.Query, by stats.GroupBy) ([]stats.Row, error) {
	g, ok := rollupGroups[by]
	if !ok {
		return nil, fmt.Errorf("form 06: unknown grouping %q", by)
	}
	span, err := s.span(ctx)
	if err != nil {
		return nil, err
	}
	sums, err := s.sumRollups(ctx, q, g.expr, g.join, form06Plan(q, span, s.stocks))
	if err != nil {
		return nil, err
	}
	groups := map[string]bool{}
	for _, m := range sums {
		for k := range m {
			groups[k] = true
		}
	}
	out := make([]stats.Row, 0, len(groups))
	for grp := range groups {
		var f, s0, s1 rollupSums
		if x := sums[roleFlow][grp]; x != nil {
			f = *x
		}
		if x := sums[roleStart][grp]; x != nil {
			s0 = *x
		}
		if x := sums[roleEnd][grp]; x != nil {
			s1 = *x
		}
		c := stats.Counts{
			CarriedOver: s0.OpenDelta, ReceivedOnline: f.ReceivedOnline, ReceivedDirectPostal: f.Received - f.ReceivedOnline,
			ResolvedTotal: f.ResolvedEarly + f.ResolvedOnTime + f.ResolvedLate,
			ResolvedEarly: f.ResolvedEarly, ResolvedOnTime: f.ResolvedOnTime, ResolvedLate: f.ResolvedLate,
			InProgressWithin: s1.OpenDelta - s1.OverdueDelta, InProgressOverdue: s1.OverdueDelta,
			Withdrawn: f.Withdrawn, Stopped: f.Stopped, Rejected: f.Rejected, OnSpotResolved: f.OnSpotResolved,
		}
		// A key whose dossiers all finished before the period, or moved to
		// another holder, sums to nothing: the full scan has no such group.
		if c == (stats.Counts{}) {
			continue
		}
		out = append(out, stats.Row{Group: grp, Counts: c})
	}
	return out, nil
}

// onlineLevelCount is the dossiers received in a period at one online level.
type onlineLevelCount struct {
	Level   string
	Total   int64
	OnlineN int64
}

// onlineRollups counts the dossiers received in q's period per online
// level of their procedure, from the rollups.
func (s *StatsStore) onlineRollups(ctx context.Context, q stats.Query) ([]onlineLevelCount, error) {
	plan := planRollups(signed(1, cover(q.From, q.To.AddDays(1))))
	sums, err := s.sumRollups(ctx, q, "p.online_level", " JOIN procedures p ON p.code = r.procedure_code", plan)
	if err != nil {
		return nil, err
	}
	var out []onlineLevelCount
	for level, x := range sums[0] {
		if x.Received != 0 || x.ReceivedOnline != 0 {
			out = append(out, onlineLevelCount{Level: level, Total: x.Received, OnlineN: x.ReceivedOnline})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Level < out[j].Level })
	return out, nil
}
