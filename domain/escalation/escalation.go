// Package escalation warns staff about items close to or past their due
// time: a scan, run on a schedule by one server, finds the dossiers and
// feedback items whose due time is near (due soon) or gone (overdue),
// records each such crossing once as an event, and tells the people
// responsible in one digest each per run. The stores do the recording;
// this package holds the rules of the window and the run.
package escalation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/event"
	"github.com/motcua/motcua/domain/feedback"
	"github.com/motcua/motcua/domain/worktime"
)

// Kind is the threshold an item crossed.
type Kind string

// The kinds.
const (
	DueSoon Kind = "due_soon"
	Overdue Kind = "overdue"
)

// Window is one run's view of time: an item is overdue when its due time is
// at or before Now, and due soon when it is after Now and at or before
// Bound. It is the window of the lists' due_within_hours filter, so the
// scan warns about exactly the items that filter lists.
type Window struct {
	Now, Bound time.Time
}

// NewWindow is the window at now with a due-soon horizon of hours working
// hours on cal (worktime.Calendar.DueSoonBound).
func NewWindow(cal *worktime.Calendar, now time.Time, hours int) Window {
	return Window{Now: now.UTC(), Bound: cal.DueSoonBound(now, hours).UTC()}
}

// Classify is the kind of an item due at due, and false when it is neither
// due soon nor overdue.
func (w Window) Classify(due time.Time) (Kind, bool) {
	switch {
	case !due.After(w.Now):
		return Overdue, true
	case !due.After(w.Bound):
		return DueSoon, true
	}
	return "", false
}

// Type is the event type of a crossing of kind k by an item of subject.
func Type(subject event.Subject, k Kind) event.Type {
	switch {
	case subject == event.SubjectDossier && k == DueSoon:
		return event.DossierDueSoon
	case subject == event.SubjectDossier:
		return event.DossierOverdue
	case k == DueSoon:
		return event.FeedbackDueSoon
	default:
		return event.FeedbackOverdue
	}
}

// DossierEvent is the event of dossier d crossing k at at: no action, the
// status before and after both the current one, the dossier's fields as
// the history's events have them.
func DossierEvent(d dossier.Dossier, k Kind, at time.Time) event.Event {
	return event.Event{Type: Type(event.SubjectDossier, k), OccurredAt: at, Subject: event.SubjectDossier, Code: d.Code,
		From: string(d.Status), To: string(d.Status), FromCode: d.Status.Code(), ToCode: d.Status.Code(),
		UnitCode: d.UnitCode, AgencyCode: d.AgencyCode, HolderUnit: d.HolderUnit, ProcedureCode: d.ProcedureCode,
		DueAt: d.DueAt, AppointmentAt: d.AppointmentAt}
}

// FeedbackEvent is the event of feedback item f crossing k at at.
func FeedbackEvent(f feedback.Feedback, k Kind, at time.Time) event.Event {
	due := f.DueAt
	return event.Event{Type: Type(event.SubjectFeedback, k), OccurredAt: at, Subject: event.SubjectFeedback, Code: f.Code,
		From: string(f.Status), To: string(f.Status), UnitCode: f.RecordedUnit, AgencyCode: f.AgencyCode,
		ProcedureCode: f.ProcedureCode, DueAt: &due}
}

// Crossing is one item found past a threshold and recorded.
type Crossing struct {
	Subject event.Subject
	Code    string
	Kind    Kind
	DueAt   time.Time
	EventID string
}

// Type is the crossing's event type.
func (c Crossing) Type() event.Type { return Type(c.Subject, c.Kind) }

// Item is a crossing as a staff digest lists it: what the item is, never
// who it is about.
type Item struct {
	Subject       event.Subject
	Code          string
	Kind          Kind
	DueAt         time.Time // the due time that was crossed
	ProcedureCode string    // empty for feedback that names none
	ProcedureName string
}

// Store records crossings.
type Store interface {
	// Escalate finds at most limit items that w puts past a threshold and
	// that have no crossing of that kind for their due time yet, and
	// records a crossing and its event for each, in one transaction with
	// each item's row locked. When it found fewer than limit (the scan is
	// through), the same transaction also enqueues the staff digests of
	// every crossing not yet in one (those of earlier batches, and of a run
	// that stopped half-way), and done is true.
	Escalate(ctx context.Context, w Window, limit int) (crossings []Crossing, done bool, err error)
}

// Service runs the scan.
type Service struct {
	store    Store
	calendar func(context.Context) (*worktime.Calendar, error)
	hours    int
	now      func() time.Time
	// Batch bounds the items of one transaction; MaxBatches the
	// transactions of one run, so that a run over a backlog ends and the
	// next one goes on.
	Batch, MaxBatches int
}

// Default bounds of a run: 200 items a transaction, at most 50
// transactions (10,000 items) a run.
const (
	DefaultBatch      = 200
	DefaultMaxBatches = 50
)

// NewService returns a scan over store with a due-soon horizon of hours
// working hours on the calendar cal returns, at the time now returns.
func NewService(store Store, cal func(context.Context) (*worktime.Calendar, error), hours int, now func() time.Time) *Service {
	return &Service{store: store, calendar: cal, hours: hours, now: now, Batch: DefaultBatch, MaxBatches: DefaultMaxBatches}
}

// Run scans once, in batches, and returns the crossings committed: all of
// them when err is nil, those of the batches before the failing one
// otherwise.
func (s *Service) Run(ctx context.Context) ([]Crossing, error) {
	if s.hours < 1 || s.hours > worktime.MaxDueSoonHours {
		return nil, errors.New("escalation: due-soon horizon out of range")
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return nil, fmt.Errorf("escalation: load calendar: %w", err)
	}
	w := NewWindow(cal, s.now(), s.hours)
	var all []Crossing
	for range max(s.MaxBatches, 1) {
		cs, done, err := s.store.Escalate(ctx, w, max(s.Batch, 1))
		if err != nil {
			return all, fmt.Errorf("escalation: %w", err)
		}
		all = append(all, cs...)
		if done {
			break
		}
	}
	return all, nil
}
