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

// Period is a report period: the local dates From to To (both inclusive) in
// the configured zone, i.e. the half-open instants [Start, End) where Start
// is From at 00:00 and End is the day after To at 00:00.
type Period struct {
	// From is the first day of the period.
	From worktime.Date
	// To is the last day of the period (inclusive).
	To worktime.Date
	// Month is "YYYY-MM" when the period was asked for as a month, else "".
	Month string
	// Start is From at 00:00 in the zone.
	Start time.Time
	// End is the day after To at 00:00 in the zone (exclusive).
	End time.Time
}

// PeriodInput is a period as a request names it: month=YYYY-MM, or from and
// to as YYYY-MM-DD.
type PeriodInput struct {
	Month string
	From  string
	To    string
}

// NewPeriod returns the period from..to (inclusive local dates) in loc.
func NewPeriod(from, to worktime.Date, loc *time.Location) Period {
	next := to.AddDays(1)
	return Period{
		From:  from,
		To:    to,
		Start: time.Date(from.Year, from.Month, from.Day, 0, 0, 0, 0, loc),
		End:   time.Date(next.Year, next.Month, next.Day, 0, 0, 0, 0, loc),
	}
}

// MonthPeriod returns the report period of a month. With cutoffDay 0 or 1 it
// is the calendar month; with a cut-off day d from 2 to 28 (Decree 09/2019
// practice, MOTCUA_REPORT_CUTOFF_DAY) it runs from day d of the previous
// month to day d-1 of the month: with 15, month 2021-08 is 2021-07-15 to
// 2021-08-14.
func MonthPeriod(year int, month time.Month, cutoffDay int, loc *time.Location) Period {
	var from, to worktime.Date
	if cutoffDay <= 1 {
		from = worktime.Date{Year: year, Month: month, Day: 1}
		to = worktime.Date{Year: year, Month: month + 1, Day: 1}.AddDays(-1)
	} else {
		from = worktime.Date{Year: year, Month: month - 1, Day: cutoffDay}.AddDays(0)
		to = worktime.Date{Year: year, Month: month, Day: cutoffDay - 1}
	}
	p := NewPeriod(from, to, loc)
	p.Month = fmt.Sprintf("%04d-%02d", year, int(month))
	return p
}

// ParsePeriod reads a period from a request: month=YYYY-MM (shaped by
// cutoffDay, see MonthPeriod), or from and to, inclusive dates. Returns
// KindValidation naming the offending parameter when the period is missing,
// ambiguous, malformed or reversed.
func ParsePeriod(in PeriodInput, cutoffDay int, loc *time.Location) (Period, error) {
	fe := domain.FieldErrors{}
	in.Month, in.From, in.To = strings.TrimSpace(in.Month), strings.TrimSpace(in.From), strings.TrimSpace(in.To)
	switch {
	case in.Month != "" && (in.From != "" || in.To != ""):
		fe.Add("month", "không dùng cùng lúc với from/to")
		return Period{}, fe.Err()
	case in.Month != "":
		y, m, ok := parseMonth(in.Month)
		if !ok {
			fe.Add("month", "phải có dạng YYYY-MM")
			return Period{}, fe.Err()
		}
		return MonthPeriod(y, m, cutoffDay, loc), nil
	case in.From == "" && in.To == "":
		fe.Add("month", "cần kỳ báo cáo: month=YYYY-MM hoặc from và to (YYYY-MM-DD)")
		return Period{}, fe.Err()
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
// (từ ngày 01/08/2021 đến ngày 31/08/2021)" or "Từ ngày … đến ngày …".
func (p Period) Label() string {
	rng := "từ ngày " + dmy(p.From) + " đến ngày " + dmy(p.To)
	if p.Month != "" {
		return "Tháng " + p.Month[5:] + "/" + p.Month[:4] + " (" + rng + ")"
	}
	return "Từ ngày " + dmy(p.From) + " đến ngày " + dmy(p.To)
}

func dmy(d worktime.Date) string {
	return fmt.Sprintf("%02d/%02d/%04d", d.Day, int(d.Month), d.Year)
}
