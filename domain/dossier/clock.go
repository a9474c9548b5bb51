package dossier

import (
	"time"

	"github.com/motcua/motcua/domain/worktime"
)

// SupplementPolicy says what a supplement does to the due time (docs/domain.md,
// MOTCUA_SUPPLEMENT_POLICY).
type SupplementPolicy string

// The supplement policies.
const (
	// PolicyPause adds the working time spent waiting for the applicant to
	// the due time (the default).
	PolicyPause SupplementPolicy = "pause"
	// PolicyRestart runs the full processing time again from the supplement.
	PolicyRestart SupplementPolicy = "restart"
)

// Valid reports whether p is a known policy.
func (p SupplementPolicy) Valid() bool { return p == PolicyPause || p == PolicyRestart }

// Classify returns the timeliness of a dossier resolved at resolved with the
// statutory due time due, judged on local calendar days of loc: early when
// resolved on a day before the due day, on time when on the due day at or
// before the due time, late when after the due time. A rescheduled
// appointment plays no part.
func Classify(resolved, due time.Time, loc *time.Location) Timeliness {
	if resolved.After(due) {
		return Late
	}
	if worktime.DateOf(resolved, loc).Before(worktime.DateOf(due, loc)) {
		return Early
	}
	return OnTime
}

// DueAfterSupplement returns the due time of a dossier supplemented at now
// whose supplement was requested at requested and which was due at due:
// under PolicyPause the working time between request and supplement is
// added to due; under PolicyRestart the full processing time p runs again
// from now.
func DueAfterSupplement(cal *worktime.Calendar, policy SupplementPolicy, due, requested, now time.Time, p worktime.Duration) time.Time {
	if policy == PolicyRestart {
		return cal.DueAt(now, p)
	}
	paused := cal.WorkingBetween(requested, now)
	if paused <= 0 {
		return due
	}
	return cal.AddWorking(due, paused)
}

// AppointmentAfterDueMoved returns the appointment once the due time moved
// from oldDue to newDue (after a supplement). An appointment that was the due
// time (never rescheduled) follows it; a rescheduled one stays, but never
// ends before the new due time.
func AppointmentAfterDueMoved(appointment, oldDue, newDue time.Time) time.Time {
	if appointment.Equal(oldDue) || appointment.Before(newDue) {
		return newDue
	}
	return appointment
}
