package dvcqg

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/user"
	"github.com/motcua/motcua/domain/worktime"
)

// SyncStatus is a dossier's sync state with the portal (docs/domain.md,
// "Syncing dossiers to the national portal").
type SyncStatus string

// The sync states.
const (
	// NotSynced: the push is off, the dossier was never received, or it
	// has not changed since the push was turned on.
	NotSynced SyncStatus = "not_synced"
	// Pending: a change the portal has not accepted yet.
	Pending SyncStatus = "pending"
	// Synced: the portal accepted the dossier's current version.
	Synced SyncStatus = "synced"
	// Failed: the portal refused it, or the retries ran out.
	Failed SyncStatus = "failed"
)

// ParseSyncStatus reads a status filter; ok false for an unknown one.
func ParseSyncStatus(s string) (SyncStatus, bool) {
	switch st := SyncStatus(s); st {
	case NotSynced, Pending, Synced, Failed:
		return st, true
	}
	return "", false
}

// Sync is a dossier's sync state (dvcqg_sync on the dossier's answer).
type Sync struct {
	Status SyncStatus
	// SyncedAt is the last acceptance; SyncedVersion the dossier version
	// the portal accepted then (both nil if never).
	SyncedAt      *time.Time
	SyncedVersion *int
	// Attempts counts the pushes since the last acceptance.
	Attempts      int
	LastAttemptAt *time.Time
	// NextAttemptAt is when a pending dossier is due (nil otherwise).
	NextAttemptAt *time.Time
	// LastError is the last refusal or failure (MaxErrorLength characters
	// at most, never the credentials), nil after an acceptance.
	LastError *string
}

// MaxErrorLength is the longest LastError, in characters.
const MaxErrorLength = 500

// notSynced is the state of every dossier while the push is off.
var notSynced = Sync{Status: NotSynced}

// SyncItem is one line of the sync list.
type SyncItem struct {
	Code       string
	ReceivedAt time.Time
	Sync       Sync
}

// SyncQuery selects a page of the sync list: received dossiers, newest
// receipt first, in the units (nil: all), received in [From, To) when set,
// in Status when set.
type SyncQuery struct {
	Units    []string
	From, To *time.Time
	Status   SyncStatus
	Page     domain.Page
}

// SyncStore keeps the sync states.
type SyncStore interface {
	// SyncOf returns the state of dossier id; Status NotSynced when it
	// has none.
	SyncOf(ctx context.Context, dossierID int64) (Sync, error)
	// SyncList returns the page q selects and the count of the whole list.
	SyncList(ctx context.Context, q SyncQuery) ([]SyncItem, int64, error)
	// Requeue makes dossier id pending, due at at, attempts 0.
	Requeue(ctx context.Context, dossierID int64, at time.Time) (Sync, error)
	// PushDossier returns dossier id with its history, as it is now.
	PushDossier(ctx context.Context, id int64) (dossier.Dossier, error)
}

// ErrPushOff answers a re-queue while the push is off.
var ErrPushOff = &domain.Error{Kind: domain.KindIntegrationDisabled,
	Message: "Chưa bật đồng bộ lên Cổng Dịch vụ công quốc gia (MOTCUA_DVCQG_URL)"}

// UseSync gives s the sync states; on says whether the push is on (while
// it is off every dossier is NotSynced and nothing is queued).
func (s *Service) UseSync(st SyncStore, on bool, now func() time.Time) {
	if now == nil {
		now = time.Now
	}
	s.sync, s.pushOn, s.now = st, on, now
}

// PushOn reports whether the push is on.
func (s *Service) PushOn() bool { return s != nil && s.pushOn && s.sync != nil }

// SyncState returns d's sync state: NotSynced while the push is off or
// for a dossier never received.
func (s *Service) SyncState(ctx context.Context, d dossier.Dossier) (Sync, error) {
	if !s.PushOn() || d.ReceivedAt == nil {
		return notSynced, nil
	}
	st, err := s.sync.SyncOf(ctx, d.ID)
	if err != nil {
		return Sync{}, fmt.Errorf("dvcqg sync of %s: %w", d.Code, err)
	}
	return st, nil
}

// SyncListRequest is the sync list's query: the receipt period (both
// dates YYYY-MM-DD, inclusive local days, or both RFC 3339 instants,
// [from, to); either may be left out), the state, the unit narrowing the
// caller's scope, the page.
type SyncListRequest struct {
	ReceivedFrom, ReceivedTo string
	Status                   string
	UnitCode                 string
	Page                     domain.Page
}

// SyncList returns a page of the received dossiers in by's scope with
// their sync states: ErrForbidden for a role other than admin and viewer
// or a unit outside the scope, KindValidation for a malformed period, an
// unknown status or unit.
func (s *Service) SyncList(ctx context.Context, by user.Principal, req SyncListRequest) ([]SyncItem, int64, error) {
	if err := by.RequireRole(roles...); err != nil {
		return nil, 0, err
	}
	fe := domain.FieldErrors{}
	q := SyncQuery{Page: req.Page}
	if v := strings.TrimSpace(req.Status); v != "" {
		st, ok := ParseSyncStatus(v)
		if !ok {
			fe.Add("status", "phải là not_synced, pending, synced hoặc failed")
		}
		q.Status = st
	}
	from, to := strings.TrimSpace(req.ReceivedFrom), strings.TrimSpace(req.ReceivedTo)
	if from != "" || to != "" {
		start, end, ok := s.bounds(fe, "received_from", "received_to", from, to)
		if ok {
			q.From, q.To = start, end
		}
	}
	units, err := s.scope(ctx, by, req.UnitCode, fe)
	if err != nil {
		return nil, 0, err
	}
	if err := fe.Err(); err != nil {
		return nil, 0, err
	}
	q.Units = units
	if !s.PushOn() {
		// Every dossier is not_synced: the list is the received dossiers.
		if q.Status != "" && q.Status != NotSynced {
			return nil, 0, nil
		}
		q.Status = ""
		items, total, err := s.list(ctx, q)
		for i := range items {
			items[i].Sync = notSynced
		}
		return items, total, err
	}
	return s.list(ctx, q)
}

func (s *Service) list(ctx context.Context, q SyncQuery) ([]SyncItem, int64, error) {
	if s.sync == nil {
		return nil, 0, nil
	}
	items, total, err := s.sync.SyncList(ctx, q)
	if err != nil {
		return nil, 0, fmt.Errorf("dvcqg sync list: %w", err)
	}
	return items, total, nil
}

// Requeue makes dossier code pending, due at once, attempts 0:
// ErrForbidden for a role other than admin, ErrPushOff while the push is
// off, KindNotFound for an unknown code or one outside by's scope,
// ErrNotReceived for a dossier never received.
func (s *Service) Requeue(ctx context.Context, by user.Principal, code string) (Sync, error) {
	if err := by.RequireRole(user.RoleAdmin); err != nil {
		return Sync{}, err
	}
	if !s.PushOn() {
		return Sync{}, ErrPushOff
	}
	d, err := s.dossiers.Get(ctx, by, code)
	if err != nil {
		return Sync{}, err
	}
	if d.ReceivedAt == nil {
		return Sync{}, ErrNotReceived
	}
	st, err := s.sync.Requeue(ctx, d.ID, s.now().UTC())
	if err != nil {
		return Sync{}, fmt.Errorf("dvcqg requeue: %w", err)
	}
	return st, nil
}

// PushPayload returns the payload of dossier id as it is now, and the
// version it was built at (the push worker's read).
func (s *Service) PushPayload(ctx context.Context, id int64) (HoSo, int, error) {
	if s.sync == nil {
		return HoSo{}, 0, ErrPushOff
	}
	d, err := s.sync.PushDossier(ctx, id)
	if err != nil {
		return HoSo{}, 0, err
	}
	fs, ps, err := s.store.Attachments(ctx, []int64{d.ID})
	if err != nil {
		return HoSo{}, 0, fmt.Errorf("dvcqg attachments: %w", err)
	}
	h, err := s.newBuilder().payload(ctx, d, fs[d.ID], ps[d.ID])
	return h, d.Version, err
}

// scope is the units of by's scope narrowed by unit (nil: all).
func (s *Service) scope(ctx context.Context, by user.Principal, unit string, fe domain.FieldErrors) ([]string, error) {
	tree, err := s.cat.Tree(ctx)
	if err != nil {
		return nil, fmt.Errorf("dvcqg tree: %w", err)
	}
	unit = strings.TrimSpace(unit)
	switch {
	case unit != "" && !tree.Has(unit):
		fe.Add("unit_code", "đơn vị không tồn tại")
		return nil, nil
	case unit != "":
		if !by.InScope(tree, unit) {
			return nil, &domain.Error{Kind: domain.KindForbidden, Message: "Đơn vị nằm ngoài phạm vi của bạn"}
		}
		return tree.Subtree(unit), nil
	case by.SeesAll():
		return nil, nil
	default:
		return tree.Subtree(by.Unit), nil
	}
}

// bounds reads an optional period, either end left out: dates YYYY-MM-DD
// (inclusive local days) or RFC 3339 instants ([from, to)), both ends of
// one form. ok is false when fe got an error.
func (s *Service) bounds(fe domain.FieldErrors, fromKey, toKey, from, to string) (*time.Time, *time.Time, bool) {
	const form = "phải là ngày YYYY-MM-DD hoặc thời điểm RFC 3339"
	read := func(key, v string, end bool) (*time.Time, bool, bool) { // instant, is a date, ok
		if v == "" {
			return nil, false, true
		}
		if d, err := worktime.ParseDate(v); err == nil {
			if end {
				d = d.AddDays(1)
			}
			t := startOf(d, s.loc)
			return &t, true, true
		}
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			u := t.UTC()
			return &u, false, true
		}
		fe.Add(key, form)
		return nil, false, false
	}
	start, fromDate, okF := read(fromKey, from, false)
	end, toDate, okT := read(toKey, to, true)
	if !okF || !okT {
		return nil, nil, false
	}
	if start != nil && end != nil {
		if fromDate != toDate {
			fe.Add(toKey, "phải cùng dạng với "+fromKey+": cả hai là ngày YYYY-MM-DD hoặc cả hai là thời điểm RFC 3339")
			return nil, nil, false
		}
		if end.Before(*start) || (fromDate && !end.After(*start)) {
			fe.Add(toKey, "không được trước "+fromKey)
			return nil, nil, false
		}
	}
	return start, end, true
}

// Claim is a due dossier a push worker holds: only the holder of Token
// records the push's outcome. Changes is the count of marks at the claim;
// Accepted says the portal accepted the dossier before (it goes to update).
type Claim struct {
	DossierID int64
	Token     string
	Changes   int64
	Accepted  bool
}

// Pushed is the outcome of one push of a claimed dossier: Accepted,
// Retry or Refused, at At, of the payload built at Version; Error is the
// text kept for anything but an acceptance (ErrorText). A Retry waits
// Backoff(RetryBase, attempts) and becomes Failed at MaxAttempts.
type Pushed struct {
	Outcome     Outcome
	Version     int
	At          time.Time
	Error       string
	RetryBase   time.Duration
	MaxAttempts int
}
