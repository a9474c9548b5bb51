package dossier

import (
	"context"
	"fmt"
	"time"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/user"
	"github.com/motcua/motcua/domain/worktime"
)

// Store is the persistence the dossier service needs.
type Store interface {
	// InTx runs fn with a Store bound to one transaction; an error from fn
	// rolls everything back (inside a request's transaction, such as an
	// idempotent request's, the request's writes with it: callers return
	// the error).
	InTx(ctx context.Context, fn func(tx Store) error) error
	// CreateNumbered inserts d (Version 1) numbered with the next value of
	// the gap-free counter series (from 1) and sets its ID: number(n) sets
	// d's code, and what derives from it, before the row is written. Call
	// it inside InTx: a rollback gives the number back. The counter stays
	// taken until the transaction ends and every registration of the
	// unit's day waits behind it, so the store takes it as late as it can.
	// Returns KindConflict if the code exists.
	CreateNumbered(ctx context.Context, d *Dossier, series string, number func(n int64)) error
	// Create inserts d (Version 1) and sets its ID. Returns KindConflict if
	// the code exists.
	Create(ctx context.Context, d *Dossier) error
	// Update writes every mutable field of d if its row still has
	// d.Version, and then increments d.Version. Returns KindConflict
	// (domain.ErrStale) if the row changed meanwhile.
	Update(ctx context.Context, d *Dossier) error
	// AppendHistory inserts e and sets its ID. History is never updated.
	AppendHistory(ctx context.Context, e *Entry) error
	// ByCode returns KindNotFound if no dossier has code. History is not loaded.
	ByCode(ctx context.Context, code string) (Dossier, error)
	// History returns the entries of a dossier, oldest first.
	History(ctx context.Context, dossierID int64) ([]Entry, error)
	// PublicByCode is ByCode for the citizen's lookup, the hottest read:
	// it fills only ID, Code, Status, Applicant.Name, ApplicantIDHash,
	// PinHash, ProcedureCode, UnitCode, AgencyCode, ReceivedAt,
	// AppointmentAt, ResolvedAt, ReturnedAt, Outcome, PaymentAmount and EResult,
	// leaves the other fields zero, and says whether a citizen rating of
	// the dossier exists and what its stages are, all in one read.
	PublicByCode(ctx context.Context, code string) (PublicRecord, error)
	// List returns one page of the dossiers q selects, newest received (or
	// submitted) first, and the number of all it selects.
	List(ctx context.Context, q Query) ([]Dossier, int64, error)
	PaymentStore
}

// Catalog is what the dossier service reads from the catalog: the agency
// tree, the working calendar, procedures and agencies. *catalog.Service
// implements it.
type Catalog interface {
	Tree(ctx context.Context) (*catalog.Tree, error)
	Calendar(ctx context.Context) (*worktime.Calendar, error)
	Procedure(ctx context.Context, code string) (catalog.Procedure, error)
	Agency(ctx context.Context, code string) (catalog.Agency, error)
	// CachedProcedure and CachedAgency may answer from a cache at most a
	// short while old (catalog.CacheTTL; at once after a change made
	// through the same service): registration reads them for every dossier.
	CachedProcedure(ctx context.Context, code string) (catalog.Procedure, error)
	CachedAgency(ctx context.Context, code string) (catalog.Agency, error)
	// ProcedureName and AgencyName answer from a cache where they can (the
	// citizen's lookup is the hottest path). KindNotFound for unknown codes.
	ProcedureName(ctx context.Context, code string) (string, error)
	AgencyName(ctx context.Context, code string) (string, error)
	Location() *time.Location
}

// Service runs the dossier rules: registration, the state machine, the
// clock, scope, lists and the citizen's lookup.
type Service struct {
	store   Store
	cat     Catalog
	pins    domain.PinHasher
	policy  SupplementPolicy
	now     func() time.Time
	pinLock *domain.Lockout
	names   StaffNames
}

// StaffNames gives staff members' full names (*user.Service does).
type StaffNames interface {
	DisplayName(ctx context.Context, username string) (string, error)
}

// UseStaffNames lets registrations answer with the receiving clerk's name;
// without it the answer carries the username.
func (s *Service) UseStaffNames(n StaffNames) { s.names = n }

// NewService returns a dossier service. pins keys the lookup pin and ID
// number hashes; policy is the supplement policy (PolicyPause when empty).
func NewService(store Store, cat Catalog, pins domain.PinHasher, policy SupplementPolicy, now func() time.Time) *Service {
	if !policy.Valid() {
		policy = PolicyPause
	}
	return &Service{store: store, cat: cat, pins: pins, policy: policy, now: now,
		pinLock: domain.NewLockout(domain.PinLockoutPolicy, now)}
}

// PinLockout is the count of wrong PINs and ID numbers per dossier code
// (domain.PinLockoutPolicy); the rating of a dossier shares it.
func (s *Service) PinLockout() *domain.Lockout { return s.pinLock }

// Location is the configured time zone.
func (s *Service) Location() *time.Location { return s.cat.Location() }

// idHashContext separates ID number hashes from pin hashes under one key.
const idHashContext = "applicant-id-number"

// HashIDNumber returns the keyed hash of a (normalised) ID number, "" for none.
func (s *Service) HashIDNumber(id string) string {
	id = NormalizeIDNumber(id)
	if id == "" {
		return ""
	}
	return s.pins.Hash(idHashContext, id)
}

var errNotFound = domain.NotFound("hồ sơ")

// Register records a dossier received at by's unit (clerk): direct and
// postal dossiers are received at once and their clock starts; online ones
// are submitted and wait for accept. The answer carries the one-time pin.
// Returns ErrForbidden for other roles; KindValidation for bad fields, a
// unit that is closed, an unknown or abolished procedure, or an on-spot
// request for a procedure not on the on-spot list.
func (s *Service) Register(ctx context.Context, by user.Principal, in NewDossier) (Registered, error) {
	if err := by.RequireRole(user.RoleClerk); err != nil {
		return Registered{}, err
	}
	in.normalize()
	fe := domain.FieldErrors{}
	in.validate(fe)
	if by.Unit == "" {
		fe.Add("unit_code", "tài khoản chưa gắn với đơn vị tiếp nhận")
	}
	if err := fe.Err(); err != nil {
		return Registered{}, err
	}
	unit, err := s.cat.CachedAgency(ctx, by.Unit)
	if err != nil {
		if domain.KindOf(err) == domain.KindNotFound {
			return Registered{}, domain.FieldErrors{"unit_code": "đơn vị tiếp nhận không tồn tại"}.Err()
		}
		return Registered{}, fmt.Errorf("load unit: %w", err)
	}
	if unit.Closed {
		return Registered{}, domain.FieldErrors{"unit_code": "đơn vị tiếp nhận đã ngừng hoạt động, không nhận hồ sơ mới"}.Err()
	}
	proc, err := s.cat.CachedProcedure(ctx, in.ProcedureCode)
	if err != nil {
		if domain.KindOf(err) == domain.KindNotFound {
			return Registered{}, domain.FieldErrors{"procedure_code": "thủ tục không tồn tại"}.Err()
		}
		return Registered{}, fmt.Errorf("load procedure: %w", err)
	}
	if proc.Status == catalog.StatusAbolished {
		return Registered{}, domain.FieldErrors{"procedure_code": "thủ tục đã bị bãi bỏ"}.Err()
	}
	if in.OnSpot && !proc.OnSpotEligible {
		return Registered{}, domain.FieldErrors{"on_spot": "thủ tục không thuộc danh mục giải quyết tại chỗ"}.Err()
	}
	agency, err := s.cat.CachedAgency(ctx, proc.AgencyCode)
	if err != nil {
		return Registered{}, fmt.Errorf("load handling agency: %w", err)
	}
	if agency.Closed {
		return Registered{}, domain.FieldErrors{"procedure_code": "cơ quan giải quyết thủ tục đã ngừng hoạt động"}.Err()
	}
	cal, err := s.cat.Calendar(ctx)
	if err != nil {
		return Registered{}, fmt.Errorf("load calendar: %w", err)
	}
	pin, err := domain.NewPin()
	if err != nil {
		return Registered{}, err
	}
	now := s.now().UTC()
	d := Dossier{
		ProcedureCode: proc.Code, UnitCode: unit.Code, AgencyCode: proc.AgencyCode, HolderUnit: proc.AgencyCode,
		Channel: in.Channel, OnSpot: in.OnSpot, Applicant: in.Applicant, ApplicantIDHash: s.HashIDNumber(in.Applicant.IDNumber),
		Documents: in.Documents, Note: in.Note, Notify: in.Notify, ProcessingTime: proc.ProcessingTime,
		SubmittedAt: now, Version: 1, CreatedAt: now, UpdatedAt: now, RegisteredFee: proc.Fee,
	}
	if proc.Fee > 0 {
		d.PayableAt = ptr(now)
	}
	first := Entry{At: now, By: by.Username, Unit: by.Unit}
	if in.Channel == Online {
		d.Status, first.Action = Submitted, ActSubmit
	} else {
		d.Status, first.Action = Received, ActReceive
		receive(&d, cal, now)
	}
	first.To = d.Status
	first.Details = map[string]any{"channel": string(d.Channel)}
	if d.OnSpot {
		first.Details["on_spot"] = true
	}
	// The receiving officer's name is read before the transaction, which
	// holds the unit's day counter from its first statement to its commit.
	receiverName := s.receiverName(ctx, by)
	day := worktime.DateOf(now, s.cat.Location())
	err = s.store.InTx(ctx, func(tx Store) error {
		if err := tx.CreateNumbered(ctx, &d, Series(unit.Code, day), func(n int64) {
			d.Code = FormatCode(unit.Code, day, n)
			d.PinHash = s.pins.Hash(d.Code, pin)
		}); err != nil {
			return err
		}
		first.DossierID = d.ID
		return tx.AppendHistory(ctx, &first)
	})
	if err != nil {
		return Registered{}, fmt.Errorf("register dossier: %w", err)
	}
	d.History = []Entry{first}
	out := Registered{Dossier: d, Pin: pin, ProcedureName: proc.Name, UnitName: unit.Name, AgencyName: agency.Name,
		Fee: proc.Fee}
	out.ReceivedByName = receiverName
	return out, nil
}

// receiverName is the full name the receipt prints for by: the principal's
// own when it was loaded with one, else the staff directory's, else the
// username.
func (s *Service) receiverName(ctx context.Context, by user.Principal) string {
	if by.Name != "" {
		return by.Name
	}
	if s.names != nil {
		if n, err := s.names.DisplayName(ctx, by.Username); err == nil && n != "" {
			return n
		}
	}
	return by.Username
}

// receive starts the clock of d at now: received, due and appointment.
func receive(d *Dossier, cal *worktime.Calendar, now time.Time) {
	due := cal.DueAt(now, d.ProcessingTime).UTC()
	d.ReceivedAt, d.DueAt, d.AppointmentAt = ptr(now), ptr(due), ptr(due)
}

func ptr[T any](v T) *T { return &v }

// load returns the dossier code if it lies within by's scope (its reception
// unit, handling agency or current holder is by's unit or below it), and
// the agency tree. Out of scope is the same KindNotFound as a missing code.
func (s *Service) load(ctx context.Context, by user.Principal, code string) (Dossier, *catalog.Tree, error) {
	if code == "" || len(code) > 120 {
		return Dossier{}, nil, errNotFound
	}
	d, err := s.store.ByCode(ctx, code)
	if err != nil {
		if domain.KindOf(err) == domain.KindNotFound {
			return Dossier{}, nil, errNotFound
		}
		return Dossier{}, nil, fmt.Errorf("load dossier: %w", err)
	}
	tree, err := s.cat.Tree(ctx)
	if err != nil {
		return Dossier{}, nil, fmt.Errorf("load tree: %w", err)
	}
	if !by.InScope(tree, d.UnitCode, d.AgencyCode, d.HolderUnit) {
		return Dossier{}, nil, errNotFound
	}
	return d, tree, nil
}

// InScope returns the dossier code, without its history, when by's scope
// holds it: what another area (its files) checks before acting on it.
// Returns KindNotFound for an unknown code or one outside the scope.
func (s *Service) InScope(ctx context.Context, by user.Principal, code string) (Dossier, error) {
	d, _, err := s.load(ctx, by, code)
	return d, err
}

// Get returns a dossier with its history to staff whose scope holds it.
// Returns KindNotFound for an unknown code or one outside the scope.
func (s *Service) Get(ctx context.Context, by user.Principal, code string) (Dossier, error) {
	d, _, err := s.load(ctx, by, code)
	if err != nil {
		return Dossier{}, err
	}
	if d.History, err = s.store.History(ctx, d.ID); err != nil {
		return Dossier{}, fmt.Errorf("load history: %w", err)
	}
	return d, nil
}

// Act applies one action of docs/domain.md to the dossier code and appends its
// history entry in the same transaction. Returns KindValidation for bad or
// missing fields (an unknown action included), KindNotFound for an unknown
// code or one outside by's scope (nothing changes), ErrForbidden for a role
// that may not take the action, KindInvalidTransition for a move the state
// machine does not allow, and KindConflict when in.Version is not the
// current version or another change won the race.
func (s *Service) Act(ctx context.Context, by user.Principal, code string, in ActionInput) (Dossier, error) {
	now := s.now().UTC()
	newDue, pay, err := in.validate(now)
	if err != nil {
		return Dossier{}, err
	}
	d, tree, err := s.load(ctx, by, code)
	if err != nil {
		return Dossier{}, err
	}
	if in.Version != nil && *in.Version != d.Version {
		return Dossier{}, domain.ErrStale
	}
	from := d.Status
	to, err := Next(from, d.OnSpot, in.Action, Actor{Role: by.Role,
		LeadsHandlingAgency: by.Unit != "" && tree.Within(d.AgencyCode, by.Unit)})
	if err != nil {
		return Dossier{}, err
	}
	if in.Action == ActConfirmPayment {
		if err := checkPaidAfterSubmission(pay, &d); err != nil {
			return Dossier{}, err
		}
	}
	e := Entry{DossierID: d.ID, Action: in.Action, From: from, To: to, At: now, By: by.Username, Unit: by.Unit,
		Note: in.Note, Details: map[string]any{}}
	if in.Reason != "" {
		e.Details["reason"] = in.Reason
	}
	if err := s.apply(ctx, &d, tree, in, newDue, now, &e); err != nil {
		return Dossier{}, err
	}
	d.Status = to
	d.UpdatedAt = now
	if len(e.Details) == 0 {
		e.Details = nil
	}
	err = s.store.InTx(ctx, func(tx Store) error {
		if err := s.settle(ctx, tx, &d, &in, pay, &e, now); err != nil {
			return err
		}
		if err := tx.Update(ctx, &d); err != nil {
			return err
		}
		return tx.AppendHistory(ctx, &e)
	})
	if err != nil {
		return Dossier{}, fmt.Errorf("act on dossier: %w", err)
	}
	if d.History, err = s.store.History(ctx, d.ID); err != nil {
		return Dossier{}, fmt.Errorf("load history: %w", err)
	}
	return d, nil
}

// apply makes the effects of an allowed action on d at now and records
// their details in e.
func (s *Service) apply(ctx context.Context, d *Dossier, tree *catalog.Tree, in ActionInput, newDue, now time.Time, e *Entry) error {
	loc := s.cat.Location()
	switch in.Action {
	case ActAccept:
		cal, err := s.cat.Calendar(ctx)
		if err != nil {
			return fmt.Errorf("load calendar: %w", err)
		}
		receive(d, cal, now)
		e.Details["due_at"] = d.DueAt.In(loc).Format(time.RFC3339)
	case ActReject:
		d.RejectedAt = ptr(now)
	case ActStart:
		switch {
		case in.Assignee != "":
			d.Assignee = in.Assignee
		case d.Assignee == "" && e.By != "":
			d.Assignee = e.By
		}
		if d.Assignee != "" {
			e.Details["assignee"] = d.Assignee
		}
	case ActTransfer:
		if !tree.Has(in.ToUnit) {
			return domain.FieldErrors{"to_unit": "đơn vị không tồn tại"}.Err()
		}
		if in.ToUnit == d.HolderUnit {
			return domain.FieldErrors{"to_unit": "hồ sơ đang ở đơn vị này"}.Err()
		}
		ag, err := s.cat.Agency(ctx, in.ToUnit)
		if err != nil {
			return fmt.Errorf("load unit: %w", err)
		}
		if ag.Closed {
			return domain.FieldErrors{"to_unit": "đơn vị đã ngừng hoạt động"}.Err()
		}
		e.Details["from_unit"], e.Details["to_unit"] = d.HolderUnit, in.ToUnit
		d.HolderUnit, d.Assignee = in.ToUnit, in.Assignee
		if in.Assignee != "" {
			e.Details["assignee"] = in.Assignee
		}
	case ActRequestSupplement:
		d.SupplementRequestedAt = ptr(now)
		if len(in.Items) > 0 {
			e.Details["items"] = in.Items
		}
	case ActSupplement:
		if d.DueAt == nil { // an imported dossier without a clock: nothing to move
			d.SupplementRequestedAt = nil
			break
		}
		cal, err := s.cat.Calendar(ctx)
		if err != nil {
			return fmt.Errorf("load calendar: %w", err)
		}
		requested := now
		if d.SupplementRequestedAt != nil {
			requested = *d.SupplementRequestedAt
		}
		oldDue := *d.DueAt
		due := DueAfterSupplement(cal, s.policy, oldDue, requested, now, d.ProcessingTime).UTC()
		appt := due
		if d.AppointmentAt != nil {
			appt = AppointmentAfterDueMoved(*d.AppointmentAt, oldDue, due).UTC()
		}
		d.DueAt, d.AppointmentAt, d.SupplementRequestedAt = ptr(due), ptr(appt), nil
		e.Details["policy"] = string(s.policy)
		e.Details["due_at"] = due.In(loc).Format(time.RFC3339)
		e.Details["previous_due_at"] = oldDue.In(loc).Format(time.RFC3339)
	case ActRequestPayment:
		d.PaymentAmount = ptr(*in.Amount)
		e.Details["amount"] = *in.Amount
	case ActConfirmPayment:
		if d.PaymentAmount != nil {
			e.Details["amount"] = *d.PaymentAmount
		}
		// settle pays the open request inside the transaction.
	case ActResolve:
		d.ResolvedAt, d.Outcome = ptr(now), in.Outcome
		e.Details["outcome"] = string(in.Outcome)
		if d.DueAt != nil {
			d.Timeliness = Classify(now, *d.DueAt, loc)
			e.Details["timeliness"] = string(d.Timeliness)
		}
	case ActReturn:
		d.ReturnedAt = ptr(now)
	case ActWithdraw:
		d.WithdrawnAt, d.SupplementRequestedAt = ptr(now), nil
	case ActStop:
		d.StoppedAt, d.SupplementRequestedAt = ptr(now), nil
	case ActReschedule:
		if d.AppointmentAt != nil && !newDue.After(*d.AppointmentAt) {
			return domain.FieldErrors{"new_due_at": "phải sau ngày hẹn trả hiện tại"}.Err()
		}
		if newDue.Before(now) {
			return domain.FieldErrors{"new_due_at": "không được ở trong quá khứ"}.Err()
		}
		if d.AppointmentAt != nil {
			e.Details["previous_appointment_at"] = d.AppointmentAt.In(loc).Format(time.RFC3339)
		}
		d.AppointmentAt = ptr(newDue)
		e.Details["new_due_at"] = newDue.In(loc).Format(time.RFC3339)
	}
	return nil
}
