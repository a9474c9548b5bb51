package worktime

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Date is a civil date without a time zone.
type Date struct {
	// Year is the year, such as 2026.
	Year int
	// Month is the month of the year.
	Month time.Month
	// Day is the day of the month, starting at 1.
	Day int
}

// dateLayout is the textual form of a Date.
const dateLayout = "2006-01-02"

// ParseDate parses a date in the form "2006-01-02".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return Date{}, fmt.Errorf("worktime: invalid date %q: want YYYY-MM-DD", s)
	}
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}, nil
}

// MustParseDate is like ParseDate but panics on error; it is meant for
// constants in tests and seed code.
func MustParseDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// String returns the date in the form "2006-01-02".
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// DateOf returns the civil date of t in loc; a nil loc means t's own location.
func DateOf(t time.Time, loc *time.Location) Date {
	if loc != nil {
		t = t.In(loc)
	}
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// AddDays returns the date n days after d (before d when n is negative).
func (d Date) AddDays(n int) Date {
	return dateFromOrdinal(d.ordinal() + n)
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday {
	// 1970-01-01, ordinal 0, was a Thursday.
	return time.Weekday(floorMod(d.ordinal()+int(time.Thursday), 7))
}

// Valid reports whether d is a real calendar date in years 1 to 9999.
func (d Date) Valid() bool {
	if d.Year < 1 || d.Year > 9999 || d.Month < time.January || d.Month > time.December || d.Day < 1 {
		return false
	}
	return dateFromOrdinal(d.ordinal()) == d
}

// Compare returns -1, 0 or +1 as d is before, equal to or after o.
func (d Date) Compare(o Date) int {
	a, b := d.ordinal(), o.ordinal()
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Before reports whether d is before o.
func (d Date) Before(o Date) bool { return d.Compare(o) < 0 }

// After reports whether d is after o.
func (d Date) After(o Date) bool { return d.Compare(o) > 0 }

// IsWeekend reports whether d is a Saturday or a Sunday.
func (d Date) IsWeekend() bool {
	wd := d.Weekday()
	return wd == time.Saturday || wd == time.Sunday
}

// MarshalText encodes d as "2006-01-02", so that d is a JSON string.
func (d Date) MarshalText() ([]byte, error) {
	return []byte(d.String()), nil
}

// UnmarshalText decodes a date in the form "2006-01-02".
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// ordinal returns the number of days from 1970-01-01 to d (proleptic
// Gregorian calendar; out-of-range months and days are normalised).
func (d Date) ordinal() int {
	y, m := d.Year, int(d.Month)
	// Normalise the month so that AddDays on odd values still works.
	y += floorDiv(m-1, 12)
	m = floorMod(m-1, 12) + 1
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d.Day - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// dateFromOrdinal is the inverse of Date.ordinal.
func dateFromOrdinal(z int) Date {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if mp >= 10 {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return Date{Year: y, Month: time.Month(m), Day: day}
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int) int {
	return a - floorDiv(a, b)*b
}

// Clock is a time of day in minutes since midnight; valid values are 0
// (00:00) to 1439 (23:59).
type Clock int

// minutesPerDay is the number of minutes in a day; no Clock reaches it.
const minutesPerDay = 24 * 60

// ParseClock parses a time of day in the form "07:00" (two-digit hour 00-23,
// two-digit minute 00-59); "24:00" is invalid.
func ParseClock(s string) (Clock, error) {
	bad := fmt.Errorf("worktime: invalid clock %q: want HH:MM between 00:00 and 23:59", s)
	if len(s) != 5 || s[2] != ':' {
		return 0, bad
	}
	for _, i := range []int{0, 1, 3, 4} {
		if s[i] < '0' || s[i] > '9' {
			return 0, bad
		}
	}
	h := int(s[0]-'0')*10 + int(s[1]-'0')
	m := int(s[3]-'0')*10 + int(s[4]-'0')
	if h > 23 || m > 59 {
		return 0, bad
	}
	return Clock(h*60 + m), nil
}

// NewClock returns the Clock of hour h and minute m; it does not validate.
func NewClock(h, m int) Clock {
	return Clock(h*60 + m)
}

// Valid reports whether c is between 00:00 and 23:59.
func (c Clock) Valid() bool {
	return c >= 0 && c < minutesPerDay
}

// String returns c in the form "07:00".
func (c Clock) String() string {
	return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60)
}

// MarshalText encodes c as "07:00", so that c is a JSON string.
func (c Clock) MarshalText() ([]byte, error) {
	if !c.Valid() {
		return nil, fmt.Errorf("worktime: invalid clock %d", int(c))
	}
	return []byte(c.String()), nil
}

// UnmarshalText decodes a time of day in the form "07:00".
func (c *Clock) UnmarshalText(b []byte) error {
	v, err := ParseClock(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// Session is a working session of a day, from Start (inclusive) to End.
type Session struct {
	// Start is the first minute of the session.
	Start Clock
	// End is the end of the session, excluded from working time but still
	// "in session" for InSession.
	End Clock
}

// Length returns the working time of the session, 0 if it is empty or
// inverted.
func (s Session) Length() time.Duration {
	if s.End <= s.Start {
		return 0
	}
	return time.Duration(s.End-s.Start) * time.Minute
}

// String returns the session in the form "07:00-11:30".
func (s Session) String() string {
	return s.Start.String() + "-" + s.End.String()
}

// MarshalJSON encodes the session as ["07:00","11:30"], the shape of the
// calendars' working_hours.
func (s Session) MarshalJSON() ([]byte, error) {
	a, err := s.Start.MarshalText()
	if err != nil {
		return nil, err
	}
	b, err := s.End.MarshalText()
	if err != nil {
		return nil, err
	}
	return json.Marshal([2]string{string(a), string(b)})
}

// UnmarshalJSON decodes a session from ["07:00","11:30"] or from
// {"start":"07:00","end":"11:30"}.
func (s *Session) UnmarshalJSON(b []byte) error {
	var pair []Clock
	if err := json.Unmarshal(b, &pair); err == nil {
		if len(pair) != 2 {
			return errors.New("worktime: a session needs exactly two clocks [start, end]")
		}
		*s = Session{Start: pair[0], End: pair[1]}
		return nil
	}
	var obj struct {
		Start *Clock `json:"start"`
		End   *Clock `json:"end"`
	}
	if err := json.Unmarshal(b, &obj); err != nil {
		return fmt.Errorf("worktime: invalid session %s: %w", b, err)
	}
	if obj.Start == nil || obj.End == nil {
		return errors.New("worktime: a session needs start and end")
	}
	*s = Session{Start: *obj.Start, End: *obj.End}
	return nil
}

// DefaultSessions returns the default working sessions, 07:00-11:30 and
// 13:30-17:00, as a new slice.
func DefaultSessions() []Session {
	return []Session{
		{Start: NewClock(7, 0), End: NewClock(11, 30)},
		{Start: NewClock(13, 30), End: NewClock(17, 0)},
	}
}
