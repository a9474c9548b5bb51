package event

import (
	"context"
	"time"

	"github.com/motcua/motcua/domain/user"
)

// Record is an event as kept: its JSON body, written once when the change
// committed, and what was sent to the citizen for it.
type Record struct {
	ID           string
	Subject      Subject
	Code         string
	Sequence     int64
	Type         Type
	Body         []byte // the event's JSON, the same bytes every delivery sends
	DispatchedAt *time.Time
	// Notifications are the messages sent to the applicant or sender for
	// the event; none until citizens' notifications exist.
	Notifications []Notification
}

// Notification is one message to a citizen about an event.
type Notification struct {
	Channel   string // email or sms
	To        string // masked address
	Status    string // pending, sent, logged or dead
	Attempts  int
	LastError string
	SentAt    *time.Time
}

// Store reads the events kept.
type Store interface {
	// List returns the events of the item subject/code by sequence, none
	// for an unknown item.
	List(ctx context.Context, subject Subject, code string) ([]Record, error)
}

// ScopeCheck returns nil when the item code lies in by's scope, and an
// error of kind KindNotFound when it is unknown or outside it.
type ScopeCheck func(ctx context.Context, by user.Principal, code string) error

// Service lists items' events to the staff who may see the items.
type Service struct {
	store  Store
	scopes map[Subject]ScopeCheck
}

// NewService returns the events of store, a dossier's shown to whom
// dossierScope admits and a feedback item's to whom feedbackScope admits.
func NewService(store Store, dossierScope, feedbackScope ScopeCheck) *Service {
	return &Service{store: store, scopes: map[Subject]ScopeCheck{
		SubjectDossier: dossierScope, SubjectFeedback: feedbackScope}}
}

// List returns the events of the item subject/code by sequence. Returns
// KindNotFound for an unknown item or one outside by's scope, as the item's
// own read does.
func (s *Service) List(ctx context.Context, by user.Principal, subject Subject, code string) ([]Record, error) {
	if err := s.scopes[subject](ctx, by, code); err != nil {
		return nil, err
	}
	return s.store.List(ctx, subject, code)
}
