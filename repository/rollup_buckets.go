package repository

import (
	"fmt"
	"strconv"
	"time"

	"github.com/motcua/motcua/domain/worktime"
)

// The bucket arithmetic of the rollups: the coarsest buckets tiling a
// range of days (cover), and how stocks before a day are summed
// (stockBefore). Pure functions of dates.

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
