package escalation_test

import (
	"testing"
	"time"

	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/escalation"
	"github.com/motcua/motcua/domain/event"
	"github.com/motcua/motcua/domain/worktime"
)

var loc = time.FixedZone("ICT", 7*3600)

// TestClassify: at or before now is overdue, after now and by the bound
// due soon, later nothing.
func TestClassify(t *testing.T) {
	// Monday 10:00; 4 working hours on the default sessions (07:00–11:30,
	// 13:30–17:00) end at 16:00, over lunch.
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, loc)
	w := escalation.NewWindow(worktime.NewCalendar(loc), now, 4)
	if want := time.Date(2026, 11, 23, 16, 0, 0, 0, loc); !w.Bound.Equal(want) {
		t.Fatalf("bound %v, want %v", w.Bound, want)
	}
	for _, tt := range []struct {
		due  time.Time
		want escalation.Kind
		ok   bool
	}{
		{now.Add(-24 * time.Hour), escalation.Overdue, true},
		{now, escalation.Overdue, true},
		{now.Add(time.Microsecond), escalation.DueSoon, true},
		{w.Bound, escalation.DueSoon, true},
		{w.Bound.Add(time.Microsecond), "", false},
	} {
		if k, ok := w.Classify(tt.due); k != tt.want || ok != tt.ok {
			t.Errorf("Classify(%v) = %q %v, want %q %v", tt.due, k, ok, tt.want, tt.ok)
		}
	}
}

// TestDossierEvent: an escalation has no action, the same status before
// and after, and the dossier's fields.
func TestDossierEvent(t *testing.T) {
	due := time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)
	at := due.Add(-time.Hour)
	e := escalation.DossierEvent(dossier.Dossier{Code: "X", Status: dossier.AwaitingPayment, HolderUnit: "U", UnitCode: "C",
		AgencyCode: "A", ProcedureCode: "P", DueAt: &due, AppointmentAt: &due}, escalation.DueSoon, at)
	if e.Type != event.DossierDueSoon || e.Action != "" || e.From != "awaiting_payment" || e.To != e.From ||
		e.FromCode != 6 || e.ToCode != 6 || e.HolderUnit != "U" || !e.DueAt.Equal(due) || !e.OccurredAt.Equal(at) {
		t.Fatalf("%+v", e)
	}
	if got := escalation.Type(event.SubjectFeedback, escalation.Overdue); got != event.FeedbackOverdue {
		t.Fatalf("feedback overdue type %s", got)
	}
}
