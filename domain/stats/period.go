// Package stats computes the province's statistics: report form 06 of
// Circular 01/2020/TT-VPCP (dossiers received, resolved early, on time or
// late, in progress, withdrawn, stopped), online-service figures, citizen
// feedback, the procedure catalogue and satisfaction, for a period and a
// scope of the agency tree. It owns the period and rate arithmetic (integer,
// rounded half-up) and the identities every form-06 row must satisfy; the
// counting itself is the Store's, done with aggregate queries.
package stats

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/worktime"
)

// Years accepted in a period: wide enough for any history, narrow enough
// that every instant formats and compares the same way in both databases.
const (
	MinYear = 1900
	MaxYear = 2999
)

// Period kinds: how a request named its period.
const (
	KindMonth   = "month"
	KindQuarter = "quarter"
	KindHalf    = "half"
	KindYear    = "year"
	KindRange   = "range"
)

// Period is a report period: the local dates From to To (both inclusive) in
// the configured zone, i.e. the half-open instants [Start, End) where Start
// is From at 00:00 and End is the day after To at 00:00. AsOf is the instant
// open items are judged at: End, or now when the period has not ended.
type Period struct {
	// From is the first day of the period.
	From worktime.Date
	// To is the last day of the period (inclusive).
	To worktime.Date
	// Kind is how the period was asked for: KindMonth, KindQuarter,
	// KindHalf, KindYear or KindRange (from and to).
	Kind string
	// Name is the period as asked for ("2026-08", "2026-Q3", "2026-H1",
	// "2026"); "" for a range.
	Name string
	// Start is From at 00:00 in the zone.
	Start time.Time
	// End is the day after To at 00:00 in the zone (exclusive).
	End time.Time
	// AsOf is min(End, now): what is still open (in progress, overdue,
	// carried over, feedback open) is counted at this instant. Zero until
	// the service sets it (At).
	AsOf time.Time
}

// Month is "YYYY-MM" when the period was asked for as a month, else "".
func (p Period) Month() string {
	if p.Kind == KindMonth {
		return p.Name
	}
	return ""
}

// At returns p judged at now: AsOf is End, or now when the period has not
// ended yet.
func (p Period) At(now time.Time) Period {
	p.AsOf = p.End
	if now.Before(p.End) {
		p.AsOf = now
	}
	return p
}

// PeriodInput is a period as a request names it: month=YYYY-MM,
// quarter=YYYY-Qn, half=YYYY-Hn, year=YYYY, or from and to as YYYY-MM-DD.
type PeriodInput struct {
	Month   string
	Quarter string
	Half    string
	Year    string
	From    string
	To      string
}

// NewPeriod returns the period from..to (inclusive local dates) in loc.
func NewPeriod(from, to worktime.Date, loc *time.Location) Period {
	next := to.AddDays(1)
	return Period{
		From:  from,
		To:    to,
		Kind:  KindRange,
		Start: time.Date(from.Year, from.Month, from.Day, 0, 0, 0, 0, loc),
		End:   time.Date(next.Year, next.Month, next.Day, 0, 0, 0, 0, loc),
	}
}

// monthSpan returns the report dates of a month. With cutoffDay 0 or 1 it
// is the calendar month; with a cut-off day d from 2 to 28 (Decree 09/2019
// practice, MOTCUA_REPORT_CUTOFF_DAY) it runs from day d of the previous
// month to day d-1 of the month.
func monthSpan(year int, month time.Month, cutoffDay int) (from, to worktime.Date) {
	if cutoffDay <= 1 {
		from = worktime.Date{Year: year, Month: month, Day: 1}
		to = worktime.Date{Year: year, Month: month + 1, Day: 1}.AddDays(-1)
		return from, to
	}
	from = worktime.Date{Year: year, Month: month - 1, Day: cutoffDay}.AddDays(0)
	to = worktime.Date{Year: year, Month: month, Day: cutoffDay - 1}
	return from, to
}

// monthsPeriod is the report period of the months first..last of year: from
// the first day of first's report month to the last day of last's, so with a
// cut-off of 15 year 2026 runs from 2025-12-15 to 2026-12-14.
func monthsPeriod(year int, first, last time.Month, cutoffDay int, loc *time.Location, kind, name string) Period {
	from, _ := monthSpan(year, first, cutoffDay)
	_, to := monthSpan(year, last, cutoffDay)
	p := NewPeriod(from, to, loc)
	p.Kind, p.Name = kind, name
	return p
}

// MonthPeriod returns the report period of a month (see monthSpan): with a
// cut-off of 15, month 2021-08 is 2021-07-15 to 2021-08-14.
func MonthPeriod(year int, month time.Month, cutoffDay int, loc *time.Location) Period {
	return monthsPeriod(year, month, month, cutoffDay, loc, KindMonth, fmt.Sprintf("%04d-%02d", year, int(month)))
}

// QuarterPeriod returns the report period of quarter q (1–4) of year.
func QuarterPeriod(year, q int, cutoffDay int, loc *time.Location) Period {
	first := time.Month(3*(q-1) + 1)
	return monthsPeriod(year, first, first+2, cutoffDay, loc, KindQuarter, fmt.Sprintf("%04d-Q%d", year, q))
}

// HalfPeriod returns the report period of half h (1–2) of year.
func HalfPeriod(year, h int, cutoffDay int, loc *time.Location) Period {
	first := time.Month(6*(h-1) + 1)
	return monthsPeriod(year, first, first+5, cutoffDay, loc, KindHalf, fmt.Sprintf("%04d-H%d", year, h))
}

// YearPeriod returns the report period of year.
func YearPeriod(year int, cutoffDay int, loc *time.Location) Period {
	return monthsPeriod(year, time.January, time.December, cutoffDay, loc, KindYear, fmt.Sprintf("%04d", year))
}

// ParsePeriod reads a period from a request: one of month=YYYY-MM,
// quarter=YYYY-Qn, half=YYYY-Hn or year=YYYY (each shaped by cutoffDay, see
// MonthPeriod), or from and to, inclusive dates. Returns KindValidation
// naming the offending parameter when the period is missing, ambiguous,
// malformed or reversed.
func ParsePeriod(in PeriodInput, cutoffDay int, loc *time.Location) (Period, error) {
	fe := domain.FieldErrors{}
	named := []struct{ key, val string }{
		{"month", strings.TrimSpace(in.Month)}, {"quarter", strings.TrimSpace(in.Quarter)},
		{"half", strings.TrimSpace(in.Half)}, {"year", strings.TrimSpace(in.Year)},
	}
	in.From, in.To = strings.TrimSpace(in.From), strings.TrimSpace(in.To)
	var given []string
	for _, n := range named {
		if n.val != "" {
			given = append(given, n.key)
		}
	}
	if in.From != "" || in.To != "" {
		given = append(given, "from")
	}
	if len(given) > 1 {
		fe.Add(given[0], "chỉ dùng một kỳ báo cáo: month, quarter, half, year hoặc from/to")
		return Period{}, fe.Err()
	}
	if len(given) == 0 {
		fe.Add("month", "cần kỳ báo cáo: month=YYYY-MM, quarter=YYYY-Qn, half=YYYY-Hn, year=YYYY hoặc from và to (YYYY-MM-DD)")
		return Period{}, fe.Err()
	}
	switch given[0] {
	case "month":
		y, m, ok := parseMonth(named[0].val)
		if !ok {
			fe.Add("month", "phải có dạng YYYY-MM")
			return Period{}, fe.Err()
		}
		return MonthPeriod(y, m, cutoffDay, loc), nil
	case "quarter":
		y, q, ok := parsePart(named[1].val, 'Q', 4)
		if !ok {
			fe.Add("quarter", "phải có dạng YYYY-Qn (n từ 1 đến 4)")
			return Period{}, fe.Err()
		}
		return QuarterPeriod(y, q, cutoffDay, loc), nil
	case "half":
		y, h, ok := parsePart(named[2].val, 'H', 2)
		if !ok {
			fe.Add("half", "phải có dạng YYYY-H1 hoặc YYYY-H2")
			return Period{}, fe.Err()
		}
		return HalfPeriod(y, h, cutoffDay, loc), nil
	case "year":
		y, ok := parseYear(named[3].val)
		if !ok {
			fe.Add("year", "phải có dạng YYYY")
			return Period{}, fe.Err()
		}
		return YearPeriod(y, cutoffDay, loc), nil
	}
	from, okFrom := parseDay(in.From)
	to, okTo := parseDay(in.To)
	switch {
	case in.From == "":
		fe.Add("from", "bắt buộc khi có to")
	case !okFrom:
		fe.Add("from", "phải là ngày hợp lệ dạng YYYY-MM-DD")
	}
	switch {
	case in.To == "":
		fe.Add("to", "bắt buộc khi có from")
	case !okTo:
		fe.Add("to", "phải là ngày hợp lệ dạng YYYY-MM-DD")
	}
	if err := fe.Err(); err != nil {
		return Period{}, err
	}
	if to.Before(from) {
		fe.Add("to", "không được trước from")
		return Period{}, fe.Err()
	}
	return NewPeriod(from, to, loc), nil
}

func parseYear(s string) (int, bool) {
	if len(s) != 4 || !digits(s) {
		return 0, false
	}
	y, err := strconv.Atoi(s)
	if err != nil || y < MinYear || y > MaxYear {
		return 0, false
	}
	return y, true
}

// parsePart reads "YYYY-<letter>n" with n from 1 to max (the letter in
// either case).
func parsePart(s string, letter byte, max int) (int, int, bool) {
	if len(s) != 7 || s[4] != '-' || (s[5] != letter && s[5] != letter+'a'-'A') || s[6] < '1' || s[6] > byte('0'+max) {
		return 0, 0, false
	}
	y, ok := parseYear(s[:4])
	return y, int(s[6] - '0'), ok
}

func parseMonth(s string) (int, time.Month, bool) {
	if len(s) != 7 || s[4] != '-' {
		return 0, 0, false
	}
	y, err1 := strconv.Atoi(s[:4])
	m, err2 := strconv.Atoi(s[5:])
	if err1 != nil || err2 != nil || !digits(s[:4]) || !digits(s[5:]) || m < 1 || m > 12 || y < MinYear || y > MaxYear {
		return 0, 0, false
	}
	return y, time.Month(m), true
}

func parseDay(s string) (worktime.Date, bool) {
	if len(s) != 10 || !digits(s[:4]) || !digits(s[5:7]) || !digits(s[8:]) {
		return worktime.Date{}, false
	}
	d, err := worktime.ParseDate(s)
	if err != nil || d.Year < MinYear || d.Year > MaxYear {
		return worktime.Date{}, false
	}
	return d, true
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// Contains reports whether t lies in [Start, End).
func (p Period) Contains(t time.Time) bool {
	return !t.Before(p.Start) && t.Before(p.End)
}

// Label is the period in Vietnamese, for report headings: "Tháng 08/2021
// (từ ngày 01/08/2021 đến ngày 31/08/2021)", "Quý III/2021 (…)", "6 tháng
// đầu năm 2021 (…)", "Năm 2021 (…)" or "Từ ngày … đến ngày …".
func (p Period) Label() string {
	rng := "từ ngày " + dmy(p.From) + " đến ngày " + dmy(p.To)
	switch p.Kind {
	case KindMonth:
		return "Tháng " + p.Name[5:] + "/" + p.Name[:4] + " (" + rng + ")"
	case KindQuarter:
		return "Quý " + [...]string{"I", "II", "III", "IV"}[p.Name[6]-'1'] + "/" + p.Name[:4] + " (" + rng + ")"
	case KindHalf:
		half := "đầu"
		if p.Name[6] == '2' {
			half = "cuối"
		}
		return "6 tháng " + half + " năm " + p.Name[:4] + " (" + rng + ")"
	case KindYear:
		return "Năm " + p.Name + " (" + rng + ")"
	}
	return "Từ ngày " + dmy(p.From) + " đến ngày " + dmy(p.To)
}

func dmy(d worktime.Date) string {
	return fmt.Sprintf("%02d/%02d/%04d", d.Day, int(d.Month), d.Year)
}
