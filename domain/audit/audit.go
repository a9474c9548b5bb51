// Package audit keeps the audit trail: who did what, when and from where.
// Entries are only ever added; the database refuses to change them and to
// delete any younger than the retention (docs/domain.md, "Audit trail").
package audit

import (
	"context"
	"time"

	"github.com/motcua/motcua/domain"
)

// Action is what an entry records.
type Action string

// The actions the trail records.
const (
	LoginSucceeded   Action = "auth.login"
	LoginFailed      Action = "auth.login_failed"
	PasswordChanged  Action = "auth.password"
	UserCreated      Action = "user.create"
	UserUpdated      Action = "user.update"
	UserRoleChanged  Action = "user.role"
	UserDisabled     Action = "user.disable"
	UserEnabled      Action = "user.enable"
	UserPasswordSet  Action = "user.password"
	AgencyCreated    Action = "agency.create"
	AgencyUpdated    Action = "agency.update"
	ProcedureCreated Action = "procedure.create"
	ProcedureUpdated Action = "procedure.update"
	ProcedurePublish Action = "procedure.publication"
	CalendarChanged  Action = "calendar.update"
	ImportRun        Action = "import.run"
	Exported         Action = "export.download"
	DossierRead      Action = "dossier.read"
	DossierPaperRead Action = "dossier.paper"
	FeedbackRead     Action = "feedback.read"
	DataKeyRotated   Action = "data_key.rotate"
	WebhookCreated   Action = "webhook.create"
	WebhookDeleted   Action = "webhook.delete"
	WebhookRetried   Action = "webhook.redeliver"
	DVCQGRequeued    Action = "dvcqg.requeue"
)

// Actions lists every action, for validating a filter.
var Actions = []Action{LoginSucceeded, LoginFailed, PasswordChanged, UserCreated, UserUpdated,
	UserRoleChanged, UserDisabled, UserEnabled, UserPasswordSet, AgencyCreated, AgencyUpdated,
	ProcedureCreated, ProcedureUpdated, ProcedurePublish, CalendarChanged, ImportRun, Exported,
	DossierRead, DossierPaperRead, FeedbackRead, DataKeyRotated, WebhookCreated, WebhookDeleted, WebhookRetried,
	DVCQGRequeued}

// Valid reports whether a is one of Actions.
func (a Action) Valid() bool {
	for _, x := range Actions {
		if a == x {
			return true
		}
	}
	return false
}

// Entry is one line of the trail. Actor is the username (as typed, for a
// failed login); Subject names what was acted on (a username, a code, a
// year, a route); IP is the client address as the server sees it (behind
// trusted proxies only, the forwarded one). Detail is short and never
// carries a password or personal data.
type Entry struct {
	ID      int64
	At      time.Time
	Actor   string
	Role    string
	Action  Action
	Subject string
	IP      string
	Detail  string
}

// Filter narrows List. Empty fields do not filter; From is inclusive, To
// exclusive.
type Filter struct {
	Actor  string
	Action Action
	From   time.Time
	To     time.Time
	After  *domain.Cursor
	Page   domain.Page
}

// Store keeps entries. Implementations refuse to change or delete them
// except through Purge.
type Store interface {
	// Append adds entries in one statement, giving each its ID.
	Append(ctx context.Context, entries []Entry) error
	// List answers entries newest first (by At, then ID), after f.After.
	List(ctx context.Context, f Filter) ([]Entry, error)
	// SetRetention keeps the retention the database enforces (0 = keep all).
	SetRetention(ctx context.Context, days int) error
	// Purge deletes the entries older than before and reports how many.
	Purge(ctx context.Context, before time.Time) (int64, error)
}

// CursorAfter is the cursor that continues a list after e.
func CursorAfter(e Entry) domain.Cursor { return domain.Cursor{At: e.At.UTC(), ID: e.ID} }
