package worktime

import (
	"sync"
	"time"
)

// DefaultLocationName is the IANA name of the default location.
const DefaultLocationName = "Asia/Ho_Chi_Minh"

// maxScanDays bounds every search for a working day: after this many
// consecutive days without working time a computation gives up and returns
// its best value instead of looping on.
const maxScanDays = 3*366 + 7

// MaxValue is the largest processing time value DueAt honours; larger values
// are treated as MaxValue so that the arithmetic cannot overflow.
const MaxValue = 100000

// workingDay is the working time of one working day.
const workingDay = 8 * time.Hour

var (
	defaultLocOnce sync.Once
	defaultLoc     *time.Location
)

// DefaultLocation returns Asia/Ho_Chi_Minh, or a fixed UTC+7 zone named
// "+07" when the time zone database is unavailable (Vietnam has kept UTC+7
// without daylight saving time since 1975).
func DefaultLocation() *time.Location {
	defaultLocOnce.Do(func() {
		loc, err := time.LoadLocation(DefaultLocationName)
		if err != nil {
			loc = time.FixedZone("+07", 7*60*60)
		}
		defaultLoc = loc
	})
	return defaultLoc
}

// Calendar answers working-time questions over any number of years. A year
// without a Year entry has Saturdays and Sundays off, no holidays and the
// default sessions. A Calendar is immutable and safe for concurrent use.
type Calendar struct {
	loc   *time.Location
	years map[int]*yearCal
}

// NewCalendar returns a calendar in loc (DefaultLocation when nil) built from
// copies of years. When two entries have the same Year the later one wins.
// Entries are used leniently: dates outside their year are ignored, a date
// that is both a holiday and a working weekend is a holiday, and sessions
// are sorted, merged when they overlap, stripped of invalid ones and default
// to DefaultSessions when none is left; use Year.Validate to reject such
// input instead.
func NewCalendar(loc *time.Location, years ...Year) *Calendar {
	if loc == nil {
		loc = DefaultLocation()
	}
	c := &Calendar{loc: loc, years: make(map[int]*yearCal, len(years))}
	for _, y := range years {
		c.years[y.Year] = newYearCal(y)
	}
	return c
}

// Location returns the location in which the calendar computes and answers.
func (c *Calendar) Location() *time.Location {
	return c.loc
}

func (c *Calendar) year(y int) *yearCal {
	if yc, ok := c.years[y]; ok {
		return yc
	}
	return defaultYear
}

// IsWorkingDay reports whether d is a working day: a weekday that is not a
// holiday, or a Saturday or Sunday listed as a working weekend.
func (c *Calendar) IsWorkingDay(d Date) bool {
	return c.year(d.Year).isWorkingDay(d)
}

// Sessions returns a copy of the working sessions of d's year, whether or
// not d is a working day.
func (c *Calendar) Sessions(d Date) []Session {
	ss := c.year(d.Year).sessions
	return append([]Session(nil), ss...)
}

// day gives the instants of the sessions of one date.
type day struct {
	date     Date
	sessions []Session
	loc      *time.Location
	midnight time.Time
	fixed    bool // the whole day is in one zone period: midnight+clock is exact
}

func (c *Calendar) day(d Date) day {
	dy := day{date: d, sessions: c.year(d.Year).sessions, loc: c.loc}
	dy.midnight = time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, c.loc)
	if h, m, _ := dy.midnight.Clock(); h == 0 && m == 0 {
		_, end := dy.midnight.ZoneBounds()
		dy.fixed = end.IsZero() || !end.Before(dy.midnight.Add(24*time.Hour))
	}
	return dy
}

// at returns the instant of clock cl on the day.
func (dy *day) at(cl Clock) time.Time {
	if dy.fixed {
		return dy.midnight.Add(time.Duration(cl) * time.Minute)
	}
	return time.Date(dy.date.Year, dy.date.Month, dy.date.Day, int(cl)/60, int(cl)%60, 0, 0, dy.loc)
}

// bounds returns the instants of session i and whether it is non-empty
// (a session can collapse around a daylight-saving transition).
func (dy *day) bounds(i int) (start, end time.Time, ok bool) {
	s := dy.sessions[i]
	start, end = dy.at(s.Start), dy.at(s.End)
	return start, end, end.After(start)
}

// NextWorkingInstant returns t (in the calendar's location) if t is inside a
// session [start, end) of a working day, otherwise the start of the next
// session. If no working day is found within about three years it returns t.
func (c *Calendar) NextWorkingInstant(t time.Time) time.Time {
	t = t.In(c.loc)
	d := DateOf(t, c.loc)
	for i := 0; i <= maxScanDays; i++ {
		if c.IsWorkingDay(d) {
			dy := c.day(d)
			for j := range dy.sessions {
				start, end, ok := dy.bounds(j)
				if !ok || !t.Before(end) {
					continue
				}
				if t.Before(start) {
					return start
				}
				return t
			}
		}
		d = d.AddDays(1)
	}
	return t
}

// InSession reports whether start <= t <= end for some session of a working
// day; the end of a session counts as inside.
func (c *Calendar) InSession(t time.Time) bool {
	t = t.In(c.loc)
	d := DateOf(t, c.loc)
	if !c.IsWorkingDay(d) {
		return false
	}
	dy := c.day(d)
	for j := range dy.sessions {
		start, end, ok := dy.bounds(j)
		if ok && !t.Before(start) && !t.After(end) {
			return true
		}
	}
	return false
}

// AddWorking adds d of working time starting at t, session by session, and
// returns the instant where it runs out, in the calendar's location. A count
// that runs out exactly at a session's end returns that end. When d <= 0 it
// returns t if InSession(t), else NextWorkingInstant(t). If the calendar has
// no working time for about three years in a row it stops and returns the
// last instant reached.
func (c *Calendar) AddWorking(t time.Time, d time.Duration) time.Time {
	t = t.In(c.loc)
	if d <= 0 {
		if c.InSession(t) {
			return t
		}
		return c.NextWorkingInstant(t)
	}
	rem := d
	last := t
	date := DateOf(t, c.loc)
	for idle := 0; idle <= maxScanDays; {
		worked := false
		if c.IsWorkingDay(date) {
			dy := c.day(date)
			for j := range dy.sessions {
				start, end, ok := dy.bounds(j)
				if !ok || !t.Before(end) {
					continue
				}
				from := start
				if t.After(start) {
					from = t
				}
				avail := end.Sub(from)
				if rem <= avail {
					return from.Add(rem)
				}
				rem -= avail
				last = end
				worked = true
			}
		}
		if worked {
			idle = 0
		} else {
			idle++
		}
		date = date.AddDays(1)
	}
	return last
}

// WorkingBetween returns the working time inside [a, b), 0 if b is not after
// a.
func (c *Calendar) WorkingBetween(a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	a, b = a.In(c.loc), b.In(c.loc)
	var sum time.Duration
	last := DateOf(b, c.loc)
	for d := DateOf(a, c.loc); !d.After(last); d = d.AddDays(1) {
		if !c.IsWorkingDay(d) {
			continue
		}
		dy := c.day(d)
		for j := range dy.sessions {
			start, end, ok := dy.bounds(j)
			if !ok {
				continue
			}
			if a.After(start) {
				start = a
			}
			if b.Before(end) {
				end = b
			}
			if end.After(start) {
				sum += end.Sub(start)
			}
		}
	}
	return sum
}

// DueAt returns the due time, in the calendar's location, of an application
// received at received with processing time p:
//
//   - WorkingDays N: N×8h of working time added from the next working
//     instant (AddWorking); an invalid or empty unit is treated as
//     WorkingDays.
//   - WorkingHours H: H hours of working time added the same way.
//   - CalendarDays N: the end of the last session of the receipt date + N,
//     or of the next working day when that date is not a working day. The
//     due time is never before the receipt: with N = 0 and a receipt after
//     the day's last session, it is the next working day's end.
//
// With N = 0 a working unit is due at NextWorkingInstant(received). Negative
// values count as 0 and values above MaxValue as MaxValue.
func (c *Calendar) DueAt(received time.Time, p Duration) time.Time {
	v := p.Value
	if v < 0 {
		v = 0
	}
	if v > MaxValue {
		v = MaxValue
	}
	switch p.Unit {
	case CalendarDays:
		return c.dueCalendarDays(received, v)
	case WorkingHours:
		if v == 0 {
			return c.NextWorkingInstant(received)
		}
		return c.AddWorking(received, time.Duration(v)*time.Hour)
	default:
		if v == 0 {
			return c.NextWorkingInstant(received)
		}
		return c.AddWorking(received, time.Duration(v)*workingDay)
	}
}

// lastEnd returns the end of the last non-empty session of d.
func (c *Calendar) lastEnd(d Date) (time.Time, bool) {
	dy := c.day(d)
	for j := len(dy.sessions) - 1; j >= 0; j-- {
		if _, end, ok := dy.bounds(j); ok {
			return end, true
		}
	}
	return time.Time{}, false
}

func (c *Calendar) dueCalendarDays(received time.Time, n int) time.Time {
	received = received.In(c.loc)
	target := DateOf(received, c.loc).AddDays(n)
	d := target
	for i := 0; i <= maxScanDays; i++ {
		if c.IsWorkingDay(d) {
			if end, ok := c.lastEnd(d); ok && !end.Before(received) {
				return end
			}
		}
		d = d.AddDays(1)
	}
	if end, ok := c.lastEnd(target); ok && !end.Before(received) {
		return end
	}
	return received
}
