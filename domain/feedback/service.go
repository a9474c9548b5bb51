package feedback

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/user"
	"github.com/motcua/motcua/domain/worktime"
)

// Series numbers feedback codes: a counter per prefix, drawn inside the
// creating transaction (gap-free, never reused).
type Series string

// Store is the persistence feedback needs.
type Store interface {
	// InTx runs fn with a Store bound to one transaction; an error from fn
	// rolls everything back.
	InTx(ctx context.Context, fn func(tx Store) error) error
	// NextNumber returns the next value of the gap-free counter series,
	// from 1. Call it inside InTx: a rollback gives the number back.
	NextNumber(ctx context.Context, series Series) (int64, error)
	// Insert stores a new item and sets its ID. Returns KindConflict if the
	// code exists, KindValidation for a link to an unknown agency or
	// procedure.
	Insert(ctx context.Context, f *Feedback) error
	// AppendHistory adds e to the history of the item feedbackID. History
	// is never updated.
	AppendHistory(ctx context.Context, feedbackID int64, e Entry) error
	// Get returns the item with its history; KindNotFound if no item has code.
	Get(ctx context.Context, code string) (Feedback, error)
	// Update writes f's status, assignment, answer, refusal and publication
	// if its row still has version (else domain.ErrStale), and bumps the
	// version.
	Update(ctx context.Context, f Feedback, version int) error
	// List returns one page of items matching f, newest first (soonest
	// due first, then by ID, when f.DueBy is set), and the total.
	List(ctx context.Context, f Filter) ([]Feedback, int64, error)
	// ListPublished returns one page of published items, most recently
	// published first (newest received first with f.ByReceipt), and the
	// total.
	ListPublished(ctx context.Context, f PublicFilter) ([]Feedback, int64, error)
	// Dossier returns what feedback and ratings need of a dossier;
	// KindNotFound if no dossier has code.
	Dossier(ctx context.Context, code string) (DossierRef, error)
	// LockDossier is Dossier, and holds the dossier until the transaction
	// ends, so that another rating of it waits and then sees this one.
	// Call it inside InTx.
	LockDossier(ctx context.Context, code string) (DossierRef, error)
	// Rated reports whether the dossier dossierID has a rating.
	Rated(ctx context.Context, dossierID int64) (bool, error)
	// InsertRating stores r and sets its ID. A second rating of a dossier
	// is ErrAlreadyRated (KindConflict).
	InsertRating(ctx context.Context, r *Rating) error
}

// Catalog is what feedback reads of the catalog: the agency tree, the
// working calendar, agencies and procedures. catalog.Service implements it.
type Catalog interface {
	Tree(ctx context.Context) (*catalog.Tree, error)
	Calendar(ctx context.Context) (*worktime.Calendar, error)
	Agency(ctx context.Context, code string) (catalog.Agency, error)
	Procedure(ctx context.Context, code string) (catalog.Procedure, error)
	Location() *time.Location
}

// Service runs feedback's rules.
type Service struct {
	store Store
	cat   Catalog
	pins  domain.PinHasher
	now   func() time.Time
	// pinLock counts wrong PINs per feedback code, dossierLock per dossier
	// code for ratings (shared with the dossier lookup: ShareDossierLockout).
	pinLock     *domain.Lockout
	dossierLock *domain.Lockout
}

// NewService returns a feedback service. pins hashes lookup PINs.
func NewService(store Store, cat Catalog, pins domain.PinHasher, now func() time.Time) *Service {
	return &Service{store: store, cat: cat, pins: pins, now: now,
		pinLock: domain.NewLockout(domain.PinLockoutPolicy, now), dossierLock: domain.NewLockout(domain.PinLockoutPolicy, now)}
}

// ShareDossierLockout makes ratings count wrong PINs in l, the dossier
// lookup's count (dossier.Service.PinLockout), so that a code locked there
// is locked for rating too.
func (s *Service) ShareDossierLockout(l *domain.Lockout) { s.dossierLock = l }

// Location is the configured time zone.
func (s *Service) Location() *time.Location { return s.cat.Location() }

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

// CodePrefix is the part of a feedback code before its number:
// "PAKN-{unit}-{yyMMdd}", or "PAKN-{yyMMdd}" without a unit. The PAKN series
// never collides with dossier codes, which start with the unit code.
func CodePrefix(unit string, received time.Time, loc *time.Location) string {
	day := received.In(loc).Format("060102")
	if unit == "" {
		return "PAKN-" + day
	}
	return "PAKN-" + unit + "-" + day
}

// FormatCode is the code numbered n under prefix: four digits, five after
// 9999 ("PAKN-000.00.20.H99-261123-0001").
func FormatCode(prefix string, n int64) string {
	return fmt.Sprintf("%s-%04d", prefix, n)
}

// Record stores feedback a clerk took by hotline, letter, at the counter or
// from another online system (clerk, admin). The code's unit is the clerk's
// unit. It returns the item and its one-time lookup PIN. An item that names
// an agency is assigned to it from the start (status received).
func (s *Service) Record(ctx context.Context, by user.Principal, in NewFeedback) (Feedback, string, error) {
	if err := by.RequireRole(user.RoleClerk, user.RoleAdmin); err != nil {
		return Feedback{}, "", err
	}
	in.normalize()
	fe := domain.FieldErrors{}
	in.validate(fe)
	if err := s.checkLinks(ctx, fe, in); err != nil {
		return Feedback{}, "", err
	}
	if in.DossierCode != "" && fe["dossier_code"] == "" {
		if _, err := s.store.Dossier(ctx, in.DossierCode); err != nil {
			if domain.KindOf(err) != domain.KindNotFound {
				return Feedback{}, "", err
			}
			fe.Add("dossier_code", "không tồn tại")
		}
	}
	if err := fe.Err(); err != nil {
		return Feedback{}, "", err
	}
	return s.create(ctx, in, by.Unit, by.Unit, ActionReceive, by.Username, "")
}

// Submit stores feedback a citizen sent through the portal (channel online;
// an empty channel means online). A dossier link counts only with the
// dossier's lookup PIN: without it, or when code and PIN do not match, it is
// KindValidation. The code's unit is the root of the agency tree holding the
// named agency, none when no agency is named. It returns the item and its
// one-time lookup PIN.
func (s *Service) Submit(ctx context.Context, in NewFeedback, dossierPin string) (Feedback, string, error) {
	if in.Channel == "" {
		in.Channel = ChannelOnline
	}
	in.normalize()
	dossierPin = strings.TrimSpace(dossierPin)
	fe := domain.FieldErrors{}
	if in.Channel != ChannelOnline {
		fe.Add("channel", "người dân chỉ gửi qua kênh online")
	}
	in.validate(fe)
	if err := s.checkLinks(ctx, fe, in); err != nil {
		return Feedback{}, "", err
	}
	switch {
	case in.DossierCode == "" && dossierPin != "":
		fe.Add("dossier_code", "bắt buộc khi có dossier_pin")
	case in.DossierCode != "" && dossierPin == "":
		fe.Add("dossier_pin", "bắt buộc khi liên kết hồ sơ (mã tra cứu 6 chữ số trên giấy hẹn)")
	case in.DossierCode != "" && !domain.ValidPinFormat(dossierPin):
		fe.Add("dossier_pin", "phải gồm đúng 6 chữ số")
	case in.DossierCode != "" && fe["dossier_code"] == "":
		d, err := s.store.Dossier(ctx, in.DossierCode)
		if err != nil && domain.KindOf(err) != domain.KindNotFound {
			return Feedback{}, "", err
		}
		ok := err == nil && s.pins.Verify(d.Code, dossierPin, d.PinHash)
		if err != nil {
			s.pins.Hash(in.DossierCode, dossierPin) // same work as a real check
		}
		if !ok {
			fe.Add("dossier_code", "không tìm thấy hồ sơ với mã và mã tra cứu này")
		}
	}
	if err := fe.Err(); err != nil {
		return Feedback{}, "", err
	}
	root, err := s.root(ctx, in.AgencyCode)
	if err != nil {
		return Feedback{}, "", err
	}
	return s.create(ctx, in, "", root, ActionSubmit, "", "")
}

// create numbers and stores a new item received now; codeUnit names the
// series, recordedUnit the clerk's unit (empty for citizens).
func (s *Service) create(ctx context.Context, in NewFeedback, recordedUnit, codeUnit string, a Action, by, note string) (Feedback, string, error) {
	pin, err := domain.NewPin()
	if err != nil {
		return Feedback{}, "", err
	}
	cal, err := s.cat.Calendar(ctx)
	if err != nil {
		return Feedback{}, "", err
	}
	now := s.now().UTC()
	prefix := CodePrefix(codeUnit, now, s.cat.Location())
	var f Feedback
	err = s.store.InTx(ctx, func(tx Store) error {
		code, err := nextCode(ctx, tx, prefix)
		if err != nil {
			return err
		}
		f = newItem(in, code, recordedUnit, now, cal)
		f.PinHash = s.pins.Hash(code, pin)
		return insert(ctx, tx, &f, Entry{Action: a, To: f.Status, At: now, By: by, Unit: recordedUnit, Note: note})
	})
	if err != nil {
		return Feedback{}, "", err
	}
	return f, pin, nil
}

// nextCode draws the next code under prefix from its series. Call it
// inside InTx: a rollback gives the number back.
func nextCode(ctx context.Context, tx Store, prefix string) (string, error) {
	n, err := tx.NextNumber(ctx, Series("feedback|"+prefix))
	if err != nil {
		return "", err
	}
	return FormatCode(prefix, n), nil
}

// insert stores the new item f and its first history entry first, and
// fills f's history.
func insert(ctx context.Context, tx Store, f *Feedback, first Entry) error {
	if err := tx.Insert(ctx, f); err != nil {
		return err
	}
	if err := tx.AppendHistory(ctx, f.ID, first); err != nil {
		return err
	}
	f.History = []Entry{first}
	return nil
}

// newItem is the item in received at received, with its deadlines.
func newItem(in NewFeedback, code, recordedUnit string, received time.Time, cal *worktime.Calendar) Feedback {
	received = received.UTC()
	return Feedback{
		Code: code, Channel: in.Channel, Category: in.Category, Title: in.Title, Content: in.Content, Sender: in.Sender,
		DossierCode: in.DossierCode, AgencyCode: in.AgencyCode, ProcedureCode: in.ProcedureCode, RecordedUnit: recordedUnit,
		Notify: in.Notify, Status: StatusReceived, ReceivedAt: received,
		DueAt:       cal.DueAt(received, AnswerTime).UTC(),
		RefuseDueAt: cal.DueAt(received, RefuseTime).UTC(),
		Version:     1, CreatedAt: received, UpdatedAt: received,
	}
}

// checkLinks records in fe a named agency that does not exist or is closed,
// and a named procedure that does not exist.
func (s *Service) checkLinks(ctx context.Context, fe domain.FieldErrors, in NewFeedback) error {
	if in.AgencyCode != "" && fe["agency_code"] == "" {
		if err := s.checkAgency(ctx, fe, "agency_code", in.AgencyCode); err != nil {
			return err
		}
	}
	if in.ProcedureCode != "" && fe["procedure_code"] == "" {
		if _, err := s.cat.Procedure(ctx, in.ProcedureCode); err != nil {
			if domain.KindOf(err) != domain.KindNotFound {
				return err
			}
			fe.Add("procedure_code", "không tồn tại")
		}
	}
	return nil
}

func (s *Service) checkAgency(ctx context.Context, fe domain.FieldErrors, field, code string) error {
	a, err := s.cat.Agency(ctx, code)
	switch {
	case domain.KindOf(err) == domain.KindNotFound:
		fe.Add(field, "không tồn tại")
	case err != nil:
		return err
	case a.Closed:
		fe.Add(field, "đơn vị đã ngừng hoạt động")
	}
	return nil
}

// root returns the root of the agency tree that holds code ("" for "").
func (s *Service) root(ctx context.Context, code string) (string, error) {
	for i := 0; code != "" && i < 64; i++ {
		a, err := s.cat.Agency(ctx, code)
		if err != nil {
			return "", err
		}
		if a.ParentCode == "" {
			return a.Code, nil
		}
		code = a.ParentCode
	}
	return code, nil
}

// ActionInput is a request to move a feedback item.
type ActionInput struct {
	Action     Action
	AgencyCode string // assign: the agency to handle it
	Answer     string // answer
	Reason     string // refuse
	Note       string
	// PublicTitle, PublicContent and PublicAnswer (publish, optional) are
	// the texts to publish instead of the item's own; redacted too.
	PublicTitle   *string
	PublicContent *string
	PublicAnswer  *string
	// Version, when not zero, must equal the item's version (else KindConflict).
	Version int
}

// Act applies in to the item code for by: scope (KindNotFound), role
// (KindForbidden), state (KindInvalidTransition), fields (KindValidation),
// then the change and its history entry in one transaction. It returns the
// item as it now stands, with its history (viewers, who may not act, never
// get here).
func (s *Service) Act(ctx context.Context, by user.Principal, code string, in ActionInput) (Feedback, error) {
	if !in.Action.Known() {
		return Feedback{}, domain.FieldErrors{"action": "phải là assign, answer, refuse hoặc publish"}.Err()
	}
	f, err := s.store.Get(ctx, code)
	if err != nil {
		if domain.KindOf(err) == domain.KindNotFound {
			return Feedback{}, ErrNotFound
		}
		return Feedback{}, err
	}
	t, err := s.cat.Tree(ctx)
	if err != nil {
		return Feedback{}, err
	}
	if err := Authorize(by, t, f, in.Action); err != nil {
		return Feedback{}, err
	}
	to, err := Next(f.Status, f.Published, in.Action)
	if err != nil {
		return Feedback{}, err
	}
	in.AgencyCode = strings.TrimSpace(in.AgencyCode)
	fe := domain.FieldErrors{}
	checkText(fe, "note", in.Note, false, MaxTextLen)
	switch in.Action {
	case ActionAssign:
		if in.AgencyCode == "" {
			fe.Add("agency_code", "bắt buộc")
		} else if err := s.checkAgency(ctx, fe, "agency_code", in.AgencyCode); err != nil {
			return Feedback{}, err
		}
	case ActionAnswer:
		checkText(fe, "answer", in.Answer, true, MaxTextLen)
	case ActionRefuse:
		checkText(fe, "reason", in.Reason, true, MaxTextLen)
	}
	for _, p := range []struct {
		field string
		v     *string
		max   int
	}{{"public_title", in.PublicTitle, MaxTitleLen}, {"public_content", in.PublicContent, MaxTextLen}, {"public_answer", in.PublicAnswer, MaxTextLen}} {
		switch {
		case p.v == nil:
		case in.Action != ActionPublish:
			fe.Add(p.field, "chỉ dùng với publish")
		default:
			*p.v = strings.TrimSpace(*p.v)
			checkText(fe, p.field, *p.v, false, p.max)
		}
	}
	if err := fe.Err(); err != nil {
		return Feedback{}, err
	}
	if in.Version != 0 && in.Version != f.Version {
		return Feedback{}, domain.ErrStale
	}
	now := s.now().UTC()
	e := Entry{Action: in.Action, From: f.Status, To: to, At: now, By: by.Username, Unit: by.Unit, Note: in.Note}
	switch in.Action {
	case ActionAssign:
		f.AgencyCode = in.AgencyCode
		if e.Note == "" {
			e.Note = "Giao " + in.AgencyCode
		}
	case ActionAnswer:
		f.Answer, f.AnsweredAt = in.Answer, &now
	case ActionRefuse:
		f.RefusalReason, f.RefusedAt = in.Reason, &now
		if e.Note == "" {
			e.Note = in.Reason
		}
	case ActionPublish:
		f.Published, f.PublishedAt = true, &now
		if in.PublicTitle != nil {
			f.PublicTitle = *in.PublicTitle
		}
		if in.PublicContent != nil {
			f.PublicContent = *in.PublicContent
		}
		if in.PublicAnswer != nil {
			f.PublicAnswer = *in.PublicAnswer
		}
	}
	version := f.Version
	f.Status, f.UpdatedAt = to, now
	err = s.store.InTx(ctx, func(tx Store) error {
		if err := tx.Update(ctx, f, version); err != nil {
			return err
		}
		return tx.AppendHistory(ctx, f.ID, e)
	})
	if err != nil {
		return Feedback{}, err
	}
	// The actor sees the result even when it left their scope (an item
	// reassigned to an agency outside it).
	return s.store.Get(ctx, code)
}

// Get returns one item with its history, if it lies in by's scope (else
// KindNotFound). Viewers see the sender masked.
func (s *Service) Get(ctx context.Context, by user.Principal, code string) (Feedback, error) {
	f, err := s.store.Get(ctx, code)
	if err != nil {
		if domain.KindOf(err) == domain.KindNotFound {
			return Feedback{}, ErrNotFound
		}
		return Feedback{}, err
	}
	t, err := s.cat.Tree(ctx)
	if err != nil {
		return Feedback{}, err
	}
	if !InScope(by, t, f) {
		return Feedback{}, ErrNotFound
	}
	if by.Is(user.RoleViewer) {
		f = f.Masked()
	}
	return f, nil
}
