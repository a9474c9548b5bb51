// Package webhook holds the rules of webhook subscriptions that need no
// network: which URLs may be registered, which event types and patterns a
// subscription may name, how deliveries are signed, and when a failed
// delivery is tried again. The HTTP side (the client that connects, the
// attempt itself, the sealing of secrets at rest) lives in the top-level
// webhook package, so that this one stays free of I/O.
package webhook

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/feedback"
)

// Delivery statuses, as the delivery log shows them.
const (
	StatusPending   = "pending"
	StatusSucceeded = "succeeded"
	StatusDead      = "dead"
	StatusCancelled = "cancelled"
)

// Limits of a subscription.
const (
	MaxURLLength         = 2048
	MaxEvents            = 50
	MaxDescriptionLength = 300
)

// The escalation event types: they come from the periodic scan, not from a
// history entry.
const (
	TypeDossierDueSoon  = "dossier.due_soon"
	TypeDossierOverdue  = "dossier.overdue"
	TypeFeedbackDueSoon = "feedback.due_soon"
	TypeFeedbackOverdue = "feedback.overdue"
)

// Types lists every event type, dossier ones first. A history entry of
// either kind of item becomes one event named after its action, so the
// list is built from the actions the dossier and feedback packages know:
// a new action there is a new event type here without a second list to
// keep in step.
func Types() []string {
	var out []string
	add := func(prefix string, actions ...string) {
		for _, a := range actions {
			out = append(out, prefix+a)
		}
	}
	add("dossier.", string(dossier.ActReceive), string(dossier.ActSubmit))
	for _, a := range dossier.Actions {
		add("dossier.", string(a))
	}
	for _, a := range dossier.RecordOnlyActions {
		add("dossier.", string(a))
	}
	out = append(out, TypeDossierDueSoon, TypeDossierOverdue)
	add("feedback.", string(feedback.ActionReceive), string(feedback.ActionSubmit))
	for _, a := range feedback.Actions {
		add("feedback.", string(a))
	}
	return append(out, TypeFeedbackDueSoon, TypeFeedbackOverdue)
}

// KnownType reports whether t is one of Types.
func KnownType(t string) bool { return slices.Contains(Types(), t) }

// The patterns a subscription may name besides exact types.
const (
	PatternAll      = "*"
	PatternDossier  = "dossier.*"
	PatternFeedback = "feedback.*"
)

// ValidPattern reports whether p is an event type or one of the patterns.
func ValidPattern(p string) bool {
	return p == PatternAll || p == PatternDossier || p == PatternFeedback || KnownType(p)
}

// Matches reports whether an event of type t goes to a subscription that
// named pattern p. Only the three fixed patterns are wildcards; there is no
// general glob, so "dossier.re*" is not a pattern at all (ValidPattern
// refuses it) rather than a surprising match.
func Matches(p, t string) bool {
	switch p {
	case PatternAll:
		return true
	case PatternDossier:
		return strings.HasPrefix(t, "dossier.")
	case PatternFeedback:
		return strings.HasPrefix(t, "feedback.")
	default:
		return p == t
	}
}

// MatchesAny reports whether t matches one of the patterns.
func MatchesAny(patterns []string, t string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return Matches(p, t) })
}

// NewSubscription is what an administrator asks to register.
type NewSubscription struct {
	URL         string
	Events      []string
	UnitCode    string // optional; whether it names a known agency is the caller's check
	Description string
}

// Validate checks every field of s and returns a KindValidation error
// naming each refused field (url, events, description), or nil. Private
// and loopback targets are refused unless allowPrivate. The unit code is
// only checked for being text: whether the agency exists needs the
// catalogue, which the service consults.
func (s NewSubscription) Validate(allowPrivate bool) error {
	f := domain.FieldErrors{}
	if err := CheckURL(s.URL, allowPrivate); err != nil {
		f.Add("url", err.Error())
	}
	switch {
	case len(s.Events) == 0:
		f.Add("events", "cần ít nhất một loại sự kiện")
	case len(s.Events) > MaxEvents:
		f.Add("events", "tối đa 50 loại sự kiện")
	default:
		for _, e := range s.Events {
			if !ValidPattern(e) {
				f.Add("events", "loại sự kiện không hợp lệ: "+e)
			}
		}
	}
	if domain.CheckText(s.UnitCode, false) != domain.TextOK {
		f.Add("unit_code", "mã đơn vị không hợp lệ")
	}
	if utf8.RuneCountInString(s.Description) > MaxDescriptionLength {
		f.Add("description", "tối đa 300 ký tự")
	} else if domain.CheckText(s.Description, true) != domain.TextOK {
		f.Add("description", "chứa ký tự không hợp lệ")
	}
	return f.Err()
}
