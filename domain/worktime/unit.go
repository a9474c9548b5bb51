package worktime

import "time"

// Unit is the unit of a procedure's processing time.
type Unit string

const (
	// WorkingDays counts working days of 8 working hours each.
	WorkingDays Unit = "working_days"
	// WorkingHours counts working hours.
	WorkingHours Unit = "working_hours"
	// CalendarDays counts calendar days; the due time is the end of the last
	// working session of the resulting (or next working) day.
	CalendarDays Unit = "days"
)

// Valid reports whether u is one of WorkingDays, WorkingHours or CalendarDays.
func (u Unit) Valid() bool {
	switch u {
	case WorkingDays, WorkingHours, CalendarDays:
		return true
	}
	return false
}

// Duration is a procedure's processing time, such as 15 working days.
type Duration struct {
	// Value is the amount of Unit; negative values are treated as 0.
	Value int `json:"value"`
	// Unit is the unit of Value.
	Unit Unit `json:"unit"`
}

// Valid reports whether d has a non-negative value and a valid unit.
func (d Duration) Valid() bool {
	return d.Value >= 0 && d.Unit.Valid()
}

// MaxDueSoonHours is the longest "due soon" horizon in working hours: 90
// working days, as far ahead as anyone plans a warning.
const MaxDueSoonHours = 720

// DueSoonBound is the latest due time that counts as due soon at now with
// a horizon of hours working hours: the instant the calendar reaches after
// adding that much working time to now, the way due times themselves are
// computed (DueAt), so a horizon over lunch, an evening, a weekend or a
// holiday stretches over the time nobody works.
func (c *Calendar) DueSoonBound(now time.Time, hours int) time.Time {
	return c.DueAt(now, Duration{Value: hours, Unit: WorkingHours})
}
