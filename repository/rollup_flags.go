package repository

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
)

// The digitisation counters of the rollups (ADR 0006). The report counts,
// among the dossiers received (or resolved) in a period, those whose flag
// was set before the period's end: a condition on two instants. Each flag
// is counted at the bucket of its base event (the day received, or
// resolved) for every dossier whose flag is set now, whenever it was set;
// the dossiers whose flag's local day is after the base event's are also
// counted in dossier_flag_lags by (base day, flag day). A report over the
// local days [D0, D1) takes the counter summed over the period's buckets
// and subtracts the lag rows with D0 <= base_day < D1 and flag_day >= D1:
// since the period ends at a local midnight, "flag instant < end" is "flag
// day < D1", and a flag on or before its base day (< D1) always is.
//
// The file versions stored in a period are a plain flow: a version and its
// bytes at the upload day, under the dossier's key. A dossier's
// contribution is then a function of its row and of its file versions;
// the latter only matter to the key, which changes on a transfer
// (moveFiles).

// Flags of dossier_flag_lags, one per lagged counter.
const (
	flagFiles             = "files"
	flagDigitised         = "digitised"
	flagReused            = "reused"
	flagPayable           = "payable"
	flagPaidOnline        = "paid_online"
	flagEResult           = "e_result"
	flagResolvedDigitised = "resolved_digitised"
)

// lagFlags names the flag of each lagged counter.
var lagFlags = map[int]string{
	rcWithFiles: flagFiles, rcDigitised: flagDigitised, rcReused: flagReused, rcPayable: flagPayable,
	rcPaidOnline: flagPaidOnline, rcEResult: flagEResult, rcResolvedDigitised: flagResolvedDigitised,
}

// lagKey is one row of dossier_flag_lags.
type lagKey struct {
	BaseDay, FlagDay, Flag string
	Unit, Agency, Holder   string
}

func (k lagKey) less(o lagKey) bool {
	a := [...]string{k.BaseDay, k.FlagDay, k.Flag, k.Unit, k.Agency, k.Holder}
	b := [...]string{o.BaseDay, o.FlagDay, o.Flag, o.Unit, o.Agency, o.Holder}
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// lagColumns are the columns of dossier_flag_lags, its key then the count.
var lagColumns = []string{"base_day", "flag_day", "flag", "unit_code", "agency_code", "holder_unit", "n"}

// flag adds sign times one dossier to counter at the base day, and to the
// lags when the flag's day is after it.
func (d *rollupDelta) flag(f *dossierFacts, counter int, base, flagDay string, sign int64) {
	d.put(f, base, counter, sign)
	if flagDay <= base {
		return
	}
	if d.lags == nil {
		d.lags = map[lagKey]int64{}
	}
	d.lags[lagKey{BaseDay: base, FlagDay: flagDay, Flag: lagFlags[counter],
		Unit: f.UnitCode, Agency: f.AgencyCode, Holder: f.HolderUnit}] += sign
}

// addFlags adds the digitisation flags of a received dossier: dR is the
// day received, dZ the day resolved ("" when not resolved). The flag of
// "paid online among the payable" is set at the later of the two instants,
// and of "resolved digitised with an electronic result" at the later of
// digitised and e-result.
func (d *rollupDelta) addFlags(f *dossierFacts, dR, dZ string, sign int64, loc *time.Location) {
	day := func(t *time.Time) string { return localDay(*t, loc) }
	if f.ComponentFileAt != nil {
		d.flag(f, rcWithFiles, dR, day(f.ComponentFileAt), sign)
	}
	if f.DigitisedAt != nil {
		d.flag(f, rcDigitised, dR, day(f.DigitisedAt), sign)
	}
	if f.ReusedAt != nil {
		d.flag(f, rcReused, dR, day(f.ReusedAt), sign)
	}
	if f.PayableAt != nil {
		d.flag(f, rcPayable, dR, day(f.PayableAt), sign)
		if f.PaidOnlineAt != nil {
			d.flag(f, rcPaidOnline, dR, later(day(f.PayableAt), day(f.PaidOnlineAt)), sign)
		}
	}
	if dZ == "" || f.EResultAt == nil {
		return
	}
	d.flag(f, rcEResult, dZ, day(f.EResultAt), sign)
	if f.DigitisedAt != nil {
		d.flag(f, rcResolvedDigitised, dZ, later(day(f.EResultAt), day(f.DigitisedAt)), sign)
	}
}

// addFile adds sign times one file version of size bytes, uploaded at,
// under f's key.
func (d *rollupDelta) addFile(f *dossierFacts, at time.Time, size, sign int64, loc *time.Location) {
	day := localDay(at, loc)
	d.put(f, day, rcFileVersions, sign)
	d.put(f, day, rcFileBytes, sign*size)
}

// sameKey reports whether two facts of one dossier roll up under the same
// key (a transfer changes the holder).
func sameKey(a, b *dossierFacts) bool {
	return a.UnitCode == b.UnitCode && a.AgencyCode == b.AgencyCode && a.HolderUnit == b.HolderUnit &&
		a.ProcedureCode == b.ProcedureCode && a.Channel == b.Channel
}

// versionFacts is what the rollups need of a stored file version.
type versionFacts struct {
	UploadedAt time.Time
	Size       int64
}

// moveFiles moves the file versions of dossier id from was's key to now's
// when they differ: one indexed read of the dossier's versions, on the
// transaction that holds the dossier's row.
func (d *rollupDelta) moveFiles(ctx context.Context, tx *gorm.DB, id int64, was, now *dossierFacts, loc *time.Location) error {
	if sameKey(was, now) {
		return nil
	}
	var vs []versionFacts
	if err := tx.WithContext(ctx).Raw(`SELECT v.uploaded_at, v.size FROM dossier_files f JOIN file_versions v ON v.file_id = f.id
WHERE f.dossier_id = ?`, id).Scan(&vs).Error; err != nil {
		return translate(err, fileNoun)
	}
	for _, v := range vs {
		d.addFile(was, v.UploadedAt, v.Size, -1, loc)
		d.addFile(now, v.UploadedAt, v.Size, 1, loc)
	}
	return nil
}

// applyLags adds the lag changes of d to dossier_flag_lags, in key order
// (after the rollup tables, as every writer does), one upsert per chunk.
func (d *rollupDelta) applyLags(ctx context.Context, tx *gorm.DB) error {
	keys := make([]lagKey, 0, len(d.lags))
	for k, n := range d.lags {
		if n != 0 {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].less(keys[j]) })
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(lagColumns)), ", ") + ")"
	for len(keys) > 0 {
		n := min(len(keys), rollupChunk)
		var b strings.Builder
		b.WriteString("INSERT INTO " + flagLagsTable + " (" + strings.Join(lagColumns, ", ") + ") VALUES ")
		args := make([]any, 0, n*len(lagColumns))
		for i, k := range keys[:n] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(row)
			args = append(args, k.BaseDay, k.FlagDay, k.Flag, k.Unit, k.Agency, k.Holder, d.lags[k])
		}
		fmt.Fprintf(&b, " ON CONFLICT (%s) DO UPDATE SET n = %s.n + excluded.n",
			strings.Join(lagColumns[:len(lagColumns)-1], ", "), flagLagsTable)
		if err := tx.WithContext(ctx).Exec(b.String(), args...).Error; err != nil {
			return translate(err, "số liệu tổng hợp")
		}
		keys = keys[n:]
	}
	return nil
}

// flagLagsTable holds the lagged flags.
const flagLagsTable = "dossier_flag_lags"
