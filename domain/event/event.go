// Package event describes the events a change of a dossier or a feedback
// item becomes: what receivers elsewhere in the province are told, and what
// citizens' notifications are sent for. It names the event types and holds
// the port the stores record events through; the queue that carries them
// is an adapter's business.
package event

import (
	"context"
	"time"

	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/feedback"
)

// Subject is the kind of item an event is about.
type Subject string

// The subjects.
const (
	SubjectDossier  Subject = "dossier"
	SubjectFeedback Subject = "feedback"
)

// Type is an event type: the subject and the history action (or the
// escalation) joined by a dot.
type Type string

// The escalation types. They have no history action.
const (
	DossierDueSoon  Type = "dossier.due_soon"
	DossierOverdue  Type = "dossier.overdue"
	FeedbackDueSoon Type = "feedback.due_soon"
	FeedbackOverdue Type = "feedback.overdue"
)

// dossierActions are the history actions of a dossier that are events: its
// registration and every step of the lifecycle. Records that move no step
// (a file attached or replaced, a payment recorded at the counter) are
// history for staff, not news for other systems, and have no event type.
var dossierActions = []dossier.Action{
	dossier.ActReceive, dossier.ActSubmit, dossier.ActAccept, dossier.ActReject, dossier.ActStart,
	dossier.ActTransfer, dossier.ActRequestSupplement, dossier.ActSupplement, dossier.ActRequestPayment,
	dossier.ActConfirmPayment, dossier.ActResolve, dossier.ActReturn, dossier.ActWithdraw, dossier.ActStop,
	dossier.ActReschedule,
}

// feedbackActions are the history actions of a feedback item; all are events.
var feedbackActions = []feedback.Action{
	feedback.ActionReceive, feedback.ActionSubmit, feedback.ActionAssign, feedback.ActionAnswer,
	feedback.ActionRefuse, feedback.ActionPublish,
}

// DossierType is the event type of a dossier's history action a, and
// false when a is a record that is no event.
func DossierType(a dossier.Action) (Type, bool) {
	for _, x := range dossierActions {
		if x == a {
			return Type("dossier." + string(a)), true
		}
	}
	return "", false
}

// FeedbackType is the event type of a feedback item's history action a,
// and false for an action that is unknown.
func FeedbackType(a feedback.Action) (Type, bool) {
	for _, x := range feedbackActions {
		if x == a {
			return Type("feedback." + string(a)), true
		}
	}
	return "", false
}

// Types lists every event type, the escalations last. No other type
// exists, so a subscription naming another is refused.
func Types() []Type {
	out := make([]Type, 0, len(dossierActions)+len(feedbackActions)+4)
	for _, a := range dossierActions {
		out = append(out, Type("dossier."+string(a)))
	}
	for _, a := range feedbackActions {
		out = append(out, Type("feedback."+string(a)))
	}
	return append(out, DossierDueSoon, DossierOverdue, FeedbackDueSoon, FeedbackOverdue)
}

// Event is one change of an item, as other systems see it. It carries no
// personal data and no free text (no applicant or sender, no note, reason
// or answer): a receiver that needs more reads the item with its own token.
type Event struct {
	ID         string // opaque and unique, set by Record
	Type       Type
	OccurredAt time.Time // the history entry's time
	Subject    Subject
	Code       string
	Sequence   int64  // 1 for the registration, then +1 per event of the item; set by Record
	Action     string // empty for escalations
	From, To   string // statuses before and after; From is empty at registration
	// FromCode and ToCode are a dossier's status codes 1–10 (0 for
	// feedback, and FromCode 0 when From is empty).
	FromCode, ToCode int
	UnitCode         string // reception unit, or a feedback item's recording unit
	AgencyCode       string
	HolderUnit       string // dossiers only
	ProcedureCode    string
	DueAt            *time.Time
	AppointmentAt    *time.Time // dossiers only
}

// Outbox records events in the transaction of the change they describe,
// so that an event exists exactly when its change committed. Record sets
// e.ID and e.Sequence.
type Outbox interface {
	Record(ctx context.Context, e *Event) error
}

// ForDossier is the event of history entry h of dossier d, d as it is after
// the change; false when h is a record that is no event.
func ForDossier(d dossier.Dossier, h dossier.Entry) (Event, bool) {
	t, ok := DossierType(h.Action)
	if !ok {
		return Event{}, false
	}
	e := Event{Type: t, OccurredAt: h.At, Subject: SubjectDossier, Code: d.Code, Action: string(h.Action),
		From: string(h.From), To: string(h.To), FromCode: h.From.Code(), ToCode: h.To.Code(),
		UnitCode: d.UnitCode, AgencyCode: d.AgencyCode, HolderUnit: d.HolderUnit, ProcedureCode: d.ProcedureCode,
		DueAt: d.DueAt, AppointmentAt: d.AppointmentAt}
	return e, true
}

// ForFeedback is the event of history entry h of feedback item f, f as it
// is after the change; false for an unknown action.
func ForFeedback(f feedback.Feedback, h feedback.Entry) (Event, bool) {
	t, ok := FeedbackType(h.Action)
	if !ok {
		return Event{}, false
	}
	due := f.DueAt
	return Event{Type: t, OccurredAt: h.At, Subject: SubjectFeedback, Code: f.Code, Action: string(h.Action),
		From: string(h.From), To: string(h.To), UnitCode: f.RecordedUnit, AgencyCode: f.AgencyCode,
		ProcedureCode: f.ProcedureCode, DueAt: &due}, true
}
