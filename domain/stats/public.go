package stats

import (
	"time"

	"github.com/motcua/motcua/domain/worktime"
)

// LastClosedMonth is the latest report month (calendar or cut-off month,
// see MonthPeriod) that ended before today: what the public figures show
// as "last month". With a cut-off of 15, on 7 December the month 2026-12
// (15 November to 14 December) is still open, so it is 2026-11.
func LastClosedMonth(now time.Time, cutoffDay int, loc *time.Location) Period {
	today := worktime.DateOf(now, loc)
	// The month after today's calendar month is the latest that can hold
	// today (a cut-off pulls days into the next month); step back from it.
	y, m := today.Year, today.Month+1
	for {
		if m > 12 {
			y, m = y+1, 1
		}
		if m < 1 {
			y, m = y-1, 12
		}
		p := MonthPeriod(y, m, cutoffDay, loc)
		if p.To.Before(today) {
			return p
		}
		m--
	}
}

// YearSoFar is the range from the first day of this year's first report
// month to today, inclusive: the public figures' "year so far".
func YearSoFar(now time.Time, cutoffDay int, loc *time.Location) (from, to worktime.Date) {
	today := worktime.DateOf(now, loc)
	return MonthPeriod(today.Year, time.January, cutoffDay, loc).From, today
}
