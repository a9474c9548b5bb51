package webhook

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/user"
)

// Subscription is a registered webhook, without its secret.
type Subscription struct {
	ID          string
	URL         string
	Events      []string
	UnitCode    string // empty: events of every unit
	Description string
	CreatedAt   time.Time
	CreatedBy   string
}

// Attempt is one try of a delivery, as its log keeps it.
type Attempt struct {
	At         time.Time
	StatusCode int    // 0 without an HTTP answer
	Error      string // empty when delivered
	DurationMS int64
}

// Delivery is one event sent (or to be sent) to one subscription.
type Delivery struct {
	ID             string
	SubscriptionID string
	EventID        string
	EventType      string
	Code           string
	Status         string
	Attempts       int
	LastStatusCode int // 0 without an HTTP answer
	LastError      string
	NextAttemptAt  *time.Time // nil once final
	CreatedAt      time.Time
	DeliveredAt    *time.Time
	Log            []Attempt
}

// Delivery statuses a filter may name.
var deliveryStatuses = []string{StatusPending, StatusSucceeded, StatusDead, StatusCancelled}

// DeliveryFilter narrows a subscription's delivery log.
type DeliveryFilter struct {
	Status  string
	EventID string
	Code    string
	Page    domain.Page
}

// Store keeps subscriptions and their deliveries.
type Store interface {
	// Create stores s with its secret (the store seals it).
	Create(ctx context.Context, s Subscription, secret string) error
	// List returns the live subscriptions, oldest first; units, when not
	// nil, keeps those whose unit is one of them.
	List(ctx context.Context, units []string, p domain.Page) ([]Subscription, int64, error)
	// Get returns a live subscription, KindNotFound for an unknown or
	// deleted one.
	Get(ctx context.Context, id string) (Subscription, error)
	// Delete marks the subscription deleted at and cancels its pending
	// deliveries, in one transaction.
	Delete(ctx context.Context, id string, at time.Time) error
	// Deliveries returns a subscription's deliveries, newest first.
	Deliveries(ctx context.Context, id string, f DeliveryFilter) ([]Delivery, int64, error)
	// Redeliver makes a succeeded or dead delivery pending again and
	// enqueues a new round of attempts; KindConflict when it is pending
	// (or cancelled: its subscription is gone), KindNotFound when it is
	// not one of the subscription's.
	Redeliver(ctx context.Context, id, deliveryID string, at time.Time) error
}

// Units is what the service needs of the agency tree.
type Units interface {
	Has(code string) bool
	Within(unit, ancestor string) bool
	Subtree(code string) []string
}

// Service manages webhook subscriptions for administrators. A province
// administrator manages every subscription; an administrator of a unit
// only those restricted to that unit or below, since a subscription
// without a unit would send them other units' events.
type Service struct {
	store        Store
	units        func(ctx context.Context) (Units, error)
	allowPrivate bool
	now          func() time.Time
}

// NewService returns the service over store; allowPrivate lets
// subscriptions name loopback and private targets (tests, closed networks).
func NewService(store Store, units func(ctx context.Context) (Units, error), allowPrivate bool, now func() time.Time) *Service {
	return &Service{store: store, units: units, allowPrivate: allowPrivate, now: now}
}

// NewID returns a random id with the prefix.
func NewID(prefix string) (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("webhook id: %w", err)
	}
	return prefix + hex.EncodeToString(b), nil
}

func admin(by user.Principal) error {
	if by.Role != user.RoleAdmin {
		return domain.ErrForbidden
	}
	return nil
}

// Create registers a subscription and returns it with its secret, which
// is shown this once.
func (s *Service) Create(ctx context.Context, by user.Principal, in NewSubscription) (Subscription, string, error) {
	if err := admin(by); err != nil {
		return Subscription{}, "", err
	}
	if in.UnitCode == "" {
		in.UnitCode = by.Unit
	}
	if err := in.Validate(s.allowPrivate); err != nil {
		return Subscription{}, "", err
	}
	if in.UnitCode != "" {
		u, err := s.units(ctx)
		if err != nil {
			return Subscription{}, "", err
		}
		if !u.Has(in.UnitCode) || (by.Unit != "" && !u.Within(in.UnitCode, by.Unit)) {
			return Subscription{}, "", domain.FieldErrors{"unit_code": "không phải đơn vị trong phạm vi quản lý"}.Err()
		}
	}
	id, err := NewID("wh_")
	if err != nil {
		return Subscription{}, "", err
	}
	secret, err := NewSecret()
	if err != nil {
		return Subscription{}, "", err
	}
	sub := Subscription{ID: id, URL: in.URL, Events: in.Events, UnitCode: in.UnitCode, Description: in.Description,
		CreatedAt: s.now(), CreatedBy: by.Username}
	if err := s.store.Create(ctx, sub, secret); err != nil {
		return Subscription{}, "", err
	}
	return sub, secret, nil
}

// scope is the units by's subscriptions may have: nil for a province
// administrator (all), else by's unit and those below it.
func (s *Service) scope(ctx context.Context, by user.Principal) ([]string, error) {
	if by.Unit == "" {
		return nil, nil
	}
	u, err := s.units(ctx)
	if err != nil {
		return nil, err
	}
	return u.Subtree(by.Unit), nil
}

// List returns the subscriptions by manages.
func (s *Service) List(ctx context.Context, by user.Principal, p domain.Page) ([]Subscription, int64, error) {
	if err := admin(by); err != nil {
		return nil, 0, err
	}
	units, err := s.scope(ctx, by)
	if err != nil {
		return nil, 0, err
	}
	return s.store.List(ctx, units, p)
}

// Get returns one subscription by manages; KindNotFound otherwise.
func (s *Service) Get(ctx context.Context, by user.Principal, id string) (Subscription, error) {
	if err := admin(by); err != nil {
		return Subscription{}, err
	}
	sub, err := s.store.Get(ctx, id)
	if err != nil {
		return Subscription{}, err
	}
	if by.Unit != "" {
		u, err := s.units(ctx)
		if err != nil {
			return Subscription{}, err
		}
		if sub.UnitCode == "" || !u.Within(sub.UnitCode, by.Unit) {
			return Subscription{}, domain.NotFound("webhook")
		}
	}
	return sub, nil
}

// Delete removes a subscription: no attempt is made after it and its
// pending deliveries are cancelled.
func (s *Service) Delete(ctx context.Context, by user.Principal, id string) error {
	if _, err := s.Get(ctx, by, id); err != nil {
		return err
	}
	return s.store.Delete(ctx, id, s.now())
}

// Deliveries returns a subscription's delivery log, newest first.
func (s *Service) Deliveries(ctx context.Context, by user.Principal, id string, f DeliveryFilter) ([]Delivery, int64, error) {
	if f.Status != "" {
		known := false
		for _, st := range deliveryStatuses {
			known = known || st == f.Status
		}
		if !known {
			return nil, 0, domain.FieldErrors{"status": "phải là pending, succeeded, dead hoặc cancelled"}.Err()
		}
	}
	if _, err := s.Get(ctx, by, id); err != nil {
		return nil, 0, err
	}
	return s.store.Deliveries(ctx, id, f)
}

// Redeliver sends a succeeded or dead delivery again: a new round of
// attempts with the same body and event id, the log kept.
func (s *Service) Redeliver(ctx context.Context, by user.Principal, id, deliveryID string) error {
	if _, err := s.Get(ctx, by, id); err != nil {
		return err
	}
	return s.store.Redeliver(ctx, id, deliveryID, s.now())
}
