package dossier_test

import (
	"testing"
	"time"

	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/worktime"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	due := at("2026-11-25 16:00")
	tests := []struct {
		resolved string
		want     dossier.Timeliness
	}{
		{"2026-11-23 09:00", dossier.Early},
		{"2026-11-24 23:59", dossier.Early},  // the day before the due day, however late
		{"2026-11-25 00:00", dossier.OnTime}, // the due day itself is not early
		{"2026-11-25 07:00", dossier.OnTime}, // on the due day, before the due time
		{"2026-11-25 16:00", dossier.OnTime}, // exactly at the due time
		{"2026-11-25 16:01", dossier.Late},   // a minute after
		{"2026-11-26 08:00", dossier.Late},   // the next day
		{"2027-01-05 08:00", dossier.Late},   // much later
		{"2026-10-01 08:00", dossier.Early},  // weeks early
		{"2026-11-24 17:00", dossier.Early},  // end of the previous working day
	}
	for _, tt := range tests {
		if got := dossier.Classify(at(tt.resolved), due, hcm); got != tt.want {
			t.Errorf("Classify(%s, due %s) = %s, want %s", tt.resolved, due.Format(time.RFC3339), got, tt.want)
		}
	}
	// Local days decide, not UTC days: 2026-11-25 06:00 local is 2026-11-24 in UTC.
	if got := dossier.Classify(at("2026-11-25 06:00").UTC(), due.UTC(), hcm); got != dossier.OnTime {
		t.Errorf("local-day rule: got %s, want on_time", got)
	}
}

// TestDueAtFridayBeforeTet: received Friday 2026-02-13 16:00, the last
// working afternoon before Tết (14–22 Feb), 3 working days → Wed 25 Feb 16:00.
func TestDueAtFridayBeforeTet(t *testing.T) {
	t.Parallel()
	cal := officialCalendar(t)
	tests := []struct {
		received string
		p        worktime.Duration
		want     string
	}{
		{"2026-02-13 16:00", worktime.Duration{Value: 3, Unit: worktime.WorkingDays}, "2026-02-25 16:00"},
		{"2026-02-13 16:00", worktime.Duration{Value: 1, Unit: worktime.WorkingDays}, "2026-02-23 16:00"},
		{"2026-02-13 16:00", worktime.Duration{Value: 4, Unit: worktime.WorkingHours}, "2026-02-23 10:00"},
		{"2026-02-13 17:30", worktime.Duration{Value: 3, Unit: worktime.WorkingDays}, "2026-02-25 17:00"},
		{"2026-02-13 16:00", worktime.Duration{Value: 10, Unit: worktime.CalendarDays}, "2026-02-23 17:00"},
	}
	for _, tt := range tests {
		if got := cal.DueAt(at(tt.received), tt.p); !got.Equal(at(tt.want)) {
			t.Errorf("DueAt(%s, %+v) = %s, want %s", tt.received, tt.p, got.Format(time.RFC3339), tt.want)
		}
	}
}

func TestDueAfterSupplement(t *testing.T) {
	t.Parallel()
	cal := officialCalendar(t)
	p := worktime.Duration{Value: 5, Unit: worktime.WorkingDays}
	due := at("2026-11-30 09:00")
	tests := []struct {
		name           string
		policy         dossier.SupplementPolicy
		requested, now string
		want           string
	}{
		// Paused Tue 09:00 → Thu 09:00: 2 working days added to the due time.
		{"pause two days", dossier.PolicyPause, "2026-11-24 09:00", "2026-11-26 09:00", "2026-12-02 09:00"},
		// Paused over a weekend: Fri 16:00 → Mon 08:00 is 1 + 1 = 2 working hours.
		{"pause over weekend", dossier.PolicyPause, "2026-11-27 16:00", "2026-11-30 08:00", "2026-11-30 11:00"},
		// Paused outside working time only: nothing added.
		{"pause at night", dossier.PolicyPause, "2026-11-24 18:00", "2026-11-25 06:00", "2026-11-30 09:00"},
		// Restart: the full 5 working days again from the supplement.
		{"restart", dossier.PolicyRestart, "2026-11-24 09:00", "2026-11-26 09:00", "2026-12-03 09:00"},
	}
	for _, tt := range tests {
		got := dossier.DueAfterSupplement(cal, tt.policy, due, at(tt.requested), at(tt.now), p)
		if !got.Equal(at(tt.want)) {
			t.Errorf("%s: got %s, want %s", tt.name, got.In(hcm).Format(time.RFC3339), tt.want)
		}
	}
}

func TestAppointmentAfterDueMoved(t *testing.T) {
	t.Parallel()
	oldDue, newDue := at("2026-11-30 09:00"), at("2026-12-02 09:00")
	tests := []struct {
		name, appointment, want string
	}{
		{"not rescheduled: follows the due time", "2026-11-30 09:00", "2026-12-02 09:00"},
		{"rescheduled beyond the new due: stays", "2026-12-10 17:00", "2026-12-10 17:00"},
		{"rescheduled before the new due: never ends before it", "2026-12-01 17:00", "2026-12-02 09:00"},
	}
	for _, tt := range tests {
		if got := dossier.AppointmentAfterDueMoved(at(tt.appointment), oldDue, newDue); !got.Equal(at(tt.want)) {
			t.Errorf("%s: got %s, want %s", tt.name, got.In(hcm).Format(time.RFC3339), tt.want)
		}
	}
}
