package repository

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/stats"
	"github.com/motcua/motcua/domain/worktime"
)

// dossierRow maps the dossiers table. It never leaves package repository.
type dossierRow struct {
	ID                    int64 `gorm:"primaryKey"`
	Code                  string
	ProcedureCode         string
	UnitCode              string
	AgencyCode            string
	HolderUnit            string
	Assignee              string
	Channel               string
	OnSpot                bool
	Status                string
	StatusCode            int
	ApplicantName         string
	ApplicantNameFolded   string
	ApplicantIDNumber     string `gorm:"column:applicant_id_number"`
	ApplicantIDHash       string `gorm:"column:applicant_id_hash"`
	ApplicantPhone        string
	ApplicantEmail        string
	ApplicantAddress      string
	ApplicantOrganization string
	Documents             string
	Note                  string
	Notify                string
	PinHash               string
	ProcessingValue       int
	ProcessingUnit        string
	SubmittedAt           time.Time
	ReceivedAt            *time.Time
	DueAt                 *time.Time
	AppointmentAt         *time.Time
	SupplementRequestedAt *time.Time
	PaymentAmount         *int64
	ResolvedAt            *time.Time
	Outcome               *string
	Timeliness            *string
	ReturnedAt            *time.Time
	WithdrawnAt           *time.Time
	StoppedAt             *time.Time
	RejectedAt            *time.Time
	// Digitised, EResult and the four instants after them are set by the
	// file store alone (updateDossier never writes them).
	Digitised       bool
	EResult         bool `gorm:"column:e_result"`
	DigitisedAt     *time.Time
	EResultAt       *time.Time `gorm:"column:e_result_at"`
	ComponentFileAt *time.Time
	ReusedAt        *time.Time
	PaidTotal       int64
	PaidOnline      bool
	PaidOnlineAt    *time.Time
	RegisteredFee   int64
	PayableAt       *time.Time
	Version         int
	CreatedAt       time.Time
	UpdatedAt       time.Time
	// ChangedAt is the last change (registration, import, action, file or
	// payment): UpdatedAt, or a later file upload.
	ChangedAt *time.Time
}

func (dossierRow) TableName() string { return "dossiers" }

type documentJSON struct {
	Name   string `json:"name"`
	Copies int    `json:"copies"`
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// fromDossier is the row of d, its personal data sealed by sl.
func fromDossier(d dossier.Dossier, sl *Sealer) (dossierRow, error) {
	docs := make([]documentJSON, len(d.Documents))
	for i, x := range d.Documents {
		docs[i] = documentJSON{Name: x.Name, Copies: x.Copies}
	}
	b, err := json.Marshal(docs)
	if err != nil {
		return dossierRow{}, fmt.Errorf("encode documents: %w", err)
	}
	a := d.Applicant
	r := dossierRow{
		ID: d.ID, Code: d.Code, ProcedureCode: d.ProcedureCode, UnitCode: d.UnitCode, AgencyCode: d.AgencyCode,
		HolderUnit: d.HolderUnit, Assignee: d.Assignee, Channel: string(d.Channel), OnSpot: d.OnSpot,
		Status: string(d.Status), StatusCode: d.Status.Code(),
		ApplicantName: a.Name, ApplicantNameFolded: dossier.Fold(a.Name), ApplicantIDNumber: a.IDNumber,
		ApplicantIDHash: d.ApplicantIDHash, ApplicantPhone: a.Phone, ApplicantEmail: a.Email,
		ApplicantAddress: a.Address, ApplicantOrganization: a.Organization,
		Documents: string(b), Note: d.Note, Notify: domain.JoinNotify(d.Notify), PinHash: d.PinHash,
		ProcessingValue: d.ProcessingTime.Value, ProcessingUnit: string(d.ProcessingTime.Unit),
		SubmittedAt: d.SubmittedAt.UTC(), ReceivedAt: utcPtr(d.ReceivedAt), DueAt: utcPtr(d.DueAt),
		AppointmentAt: utcPtr(d.AppointmentAt), SupplementRequestedAt: utcPtr(d.SupplementRequestedAt),
		PaymentAmount: d.PaymentAmount, ResolvedAt: utcPtr(d.ResolvedAt), Outcome: nullable(string(d.Outcome)),
		Timeliness: nullable(string(d.Timeliness)), ReturnedAt: utcPtr(d.ReturnedAt), WithdrawnAt: utcPtr(d.WithdrawnAt),
		StoppedAt: utcPtr(d.StoppedAt), RejectedAt: utcPtr(d.RejectedAt),
		Digitised: d.Digitised, EResult: d.EResult, DigitisedAt: utcPtr(d.DigitisedAt), EResultAt: utcPtr(d.EResultAt),
		ComponentFileAt: utcPtr(d.ComponentFileAt), ReusedAt: utcPtr(d.ReusedAt),
		PaidTotal: d.PaidTotal, PaidOnline: d.PaidOnline, PaidOnlineAt: utcPtr(d.PaidOnlineAt),
		RegisteredFee: d.RegisteredFee, PayableAt: utcPtr(d.PayableAt),
		Version: d.Version, CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(), ChangedAt: utcPtr(&d.UpdatedAt),
	}
	if err := sl.sealDossier(&r); err != nil {
		return dossierRow{}, err
	}
	return r, nil
}

// asDomain is the dossier of r, its personal data opened by sl.
func (r dossierRow) asDomain(sl *Sealer) (dossier.Dossier, error) {
	if err := sl.openDossier(&r); err != nil {
		return dossier.Dossier{}, fmt.Errorf("dossier %d: %w", r.ID, err)
	}
	var docs []documentJSON
	if r.Documents != "" {
		if err := json.Unmarshal([]byte(r.Documents), &docs); err != nil {
			return dossier.Dossier{}, fmt.Errorf("decode documents of dossier %d: %w", r.ID, err)
		}
	}
	d := dossier.Dossier{
		ID: r.ID, Code: r.Code, ProcedureCode: r.ProcedureCode, UnitCode: r.UnitCode, AgencyCode: r.AgencyCode,
		HolderUnit: r.HolderUnit, Assignee: r.Assignee, Channel: dossier.Channel(r.Channel), OnSpot: r.OnSpot,
		Status: dossier.Status(r.Status),
		Applicant: dossier.Applicant{Name: r.ApplicantName, IDNumber: r.ApplicantIDNumber, Phone: r.ApplicantPhone,
			Email: r.ApplicantEmail, Address: r.ApplicantAddress, Organization: r.ApplicantOrganization},
		ApplicantIDHash: r.ApplicantIDHash, Note: r.Note, Notify: domain.SplitNotify(r.Notify), PinHash: r.PinHash,
		ProcessingTime: worktime.Duration{Value: r.ProcessingValue, Unit: worktime.Unit(r.ProcessingUnit)},
		SubmittedAt:    r.SubmittedAt.UTC(), ReceivedAt: utcPtr(r.ReceivedAt), DueAt: utcPtr(r.DueAt),
		AppointmentAt: utcPtr(r.AppointmentAt), SupplementRequestedAt: utcPtr(r.SupplementRequestedAt),
		PaymentAmount: r.PaymentAmount, ResolvedAt: utcPtr(r.ResolvedAt), Outcome: dossier.Outcome(deref(r.Outcome)),
		Timeliness: dossier.Timeliness(deref(r.Timeliness)), ReturnedAt: utcPtr(r.ReturnedAt),
		WithdrawnAt: utcPtr(r.WithdrawnAt), StoppedAt: utcPtr(r.StoppedAt), RejectedAt: utcPtr(r.RejectedAt),
		Digitised: r.Digitised, EResult: r.EResult, DigitisedAt: utcPtr(r.DigitisedAt), EResultAt: utcPtr(r.EResultAt),
		ComponentFileAt: utcPtr(r.ComponentFileAt), ReusedAt: utcPtr(r.ReusedAt),
		PaidTotal: r.PaidTotal, PaidOnline: r.PaidOnline, PaidOnlineAt: utcPtr(r.PaidOnlineAt),
		RegisteredFee: r.RegisteredFee, PayableAt: utcPtr(r.PayableAt),
		Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
	for _, x := range docs {
		d.Documents = append(d.Documents, dossier.Document{Name: x.Name, Copies: x.Copies})
	}
	return d, nil
}

// historyRow maps dossier_history, which is append-only.
type historyRow struct {
	ID         int64 `gorm:"primaryKey"`
	DossierID  int64
	Action     string
	FromStatus *string
	ToStatus   string
	At         time.Time
	ByUser     string
	Unit       string
	Note       string
	Details    *string
}

func (historyRow) TableName() string { return "dossier_history" }

func (r historyRow) asDomain() (dossier.Entry, error) {
	e := dossier.Entry{ID: r.ID, DossierID: r.DossierID, Action: dossier.Action(r.Action),
		From: dossier.Status(deref(r.FromStatus)), To: dossier.Status(r.ToStatus), At: r.At.UTC(),
		By: r.ByUser, Unit: r.Unit, Note: r.Note}
	if r.Details != nil && *r.Details != "" {
		if err := json.Unmarshal([]byte(*r.Details), &e.Details); err != nil {
			return dossier.Entry{}, fmt.Errorf("decode history details %d: %w", r.ID, err)
		}
	}
	return e, nil
}

// DossierStore implements dossier.Store. Every write also applies the
// dossier's change of contribution to the statistics rollups (rollup.go),
// in the same transaction.
type DossierStore struct {
	db   *gorm.DB
	inTx bool        // db is a transaction (InTx)
	seal *Sealer     // personal data at rest
	zone *rollupZone // the zone of the rollups, shared with InTx's stores
	// wrote is the dossier this transaction's store last created or
	// updated (InTx only): the event of the history entry that follows
	// takes its code, units and due times from it instead of reading the
	// row back.
	wrote *dossier.Dossier
}

var _ dossier.Store = (*DossierStore)(nil)

// NewDossierStore returns a dossier store over db that seals applicants'
// personal data with sl.
func NewDossierStore(db *gorm.DB, sl *Sealer) *DossierStore {
	return &DossierStore{db: db, seal: sl, zone: &rollupZone{}}
}

const dossierNoun = "hồ sơ"

// InTx implements dossier.Store. Inside the request's transaction fn runs
// in it without a savepoint: every caller in package dossier returns fn's
// error as the request's (transactionNoSavepoint).
func (s *DossierStore) InTx(ctx context.Context, fn func(tx dossier.Store) error) error {
	return transactionNoSavepoint(ctx, s.db, func(tx *gorm.DB) error {
		return fn(&DossierStore{db: tx, inTx: true, seal: s.seal, zone: s.zone})
	})
}

// write runs fn in s's transaction, or in a new one outside InTx: a
// dossier and its rollups change together.
func (s *DossierStore) write(ctx context.Context, fn func(tx *gorm.DB) error) error {
	if s.inTx {
		return fn(conn(ctx, s.db))
	}
	return transaction(ctx, s.db, fn)
}

// roll applies to the rollups the contribution of dossier id's now minus
// that of was (either may be nil), its file versions moving with its key.
func (s *DossierStore) roll(ctx context.Context, tx *gorm.DB, id int64, was, now *dossierFacts) error {
	loc, err := s.zone.get(ctx, tx)
	if err != nil {
		return err
	}
	d := rollupDelta{}
	if was != nil {
		d.add(*was, -1, loc)
	}
	if now != nil {
		d.add(*now, 1, loc)
	}
	if was != nil && now != nil {
		if err := d.moveFiles(ctx, tx, id, was, now, loc); err != nil {
			return err
		}
	}
	return d.apply(ctx, tx)
}

// NextNumber implements dossier.Store.
func (s *DossierStore) NextNumber(ctx context.Context, series string) (int64, error) {
	return nextInSequence(ctx, s.db, series)
}

// CreateNumbered implements dossier.Store. The rollups need neither the
// code nor the id, so they are applied first; then the day counter, whose
// row stays locked until the transaction commits (what the unit's next
// registration waits for is the rest: the row, its history, its event and
// the request's idempotency record).
func (s *DossierStore) CreateNumbered(ctx context.Context, d *dossier.Dossier, series string, number func(n int64)) error {
	err := s.write(ctx, func(tx *gorm.DB) error {
		f := factsOfDossier(d)
		if err := s.roll(ctx, tx, 0, nil, &f); err != nil {
			return err
		}
		n, err := nextInSequence(ctx, tx, series)
		if err != nil {
			return err
		}
		number(n)
		r, err := fromDossier(*d, s.seal)
		if err != nil {
			return err
		}
		r.ID = 0
		if r.Version < 1 {
			r.Version = 1
		}
		if err := tx.Create(&r).Error; err != nil {
			return translate(err, dossierNoun)
		}
		if err := markDVCQG(tx, r.ID); err != nil {
			return err
		}
		d.ID, d.Version = r.ID, r.Version
		return nil
	})
	if err != nil {
		return err
	}
	s.remember(d)
	return nil
}

// Create implements dossier.Store.
func (s *DossierStore) Create(ctx context.Context, d *dossier.Dossier) error {
	r, err := fromDossier(*d, s.seal)
	if err != nil {
		return err
	}
	r.ID = 0
	if r.Version < 1 {
		r.Version = 1
	}
	err = s.write(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&r).Error; err != nil {
			return translate(err, dossierNoun)
		}
		f := factsOf(&r)
		if err := markDVCQG(tx, r.ID); err != nil {
			return err
		}
		return s.roll(ctx, tx, r.ID, nil, &f)
	})
	if err != nil {
		return err
	}
	d.ID, d.Version = r.ID, r.Version
	s.remember(d)
	return nil
}

// remember keeps d's event facts for the history entry that follows in
// s's transaction.
func (s *DossierStore) remember(d *dossier.Dossier) {
	if s.inTx {
		s.wrote = &dossier.Dossier{ID: d.ID, Code: d.Code, UnitCode: d.UnitCode, AgencyCode: d.AgencyCode,
			HolderUnit: d.HolderUnit, ProcedureCode: d.ProcedureCode, DueAt: utcPtr(d.DueAt), AppointmentAt: utcPtr(d.AppointmentAt)}
	}
}

// Update implements dossier.Store.
func (s *DossierStore) Update(ctx context.Context, d *dossier.Dossier) error {
	r, err := fromDossier(*d, s.seal)
	if err != nil {
		return err
	}
	err = s.write(ctx, func(tx *gorm.DB) error {
		// The row as it is at this version: what it contributed so far,
		// locked so that an upload (which sets the file-owned facts under
		// the same lock) comes wholly before or after this change.
		var old dossierRow
		if err := lockRow(tx).Select(factColumns+", supplement_requested_at").Where("id = ? AND version = ?", r.ID, r.Version).Take(&old).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return domain.ErrStale
			}
			return translate(err, dossierNoun)
		}
		if err := updateDossier(tx, &r); err != nil {
			return err
		}
		// The service index inputs outside the row (rollup_index.go): the
		// supplement requests before and after this change, the sync flag.
		received := old.ReceivedAt != nil || r.ReceivedAt != nil
		var wasSups, nowSups []stats.Supplement
		var synced bool
		if received {
			sups, sy, err := indexInputs(ctx, tx, r.ID, r.ID)
			if err != nil {
				return err
			}
			wasSups, synced = sups[r.ID], sy[r.ID]
		}
		if err := recordSupplements(tx, r.ID, old.SupplementRequestedAt, old.DueAt, &r,
			r.Status == string(dossier.Processing)); err != nil {
			return err
		}
		if err := markDVCQG(tx, r.ID); err != nil {
			return err
		}
		// Code, units, procedure and channel never change; the file-owned
		// facts (component file, digitised, reused, e-result) are the
		// locked row's.
		if received {
			sups, _, err := indexInputs(ctx, tx, r.ID, r.ID)
			if err != nil {
				return err
			}
			nowSups = sups[r.ID]
		}
		was := factsOf(&old)
		was.Supplements, was.Synced = wasSups, synced
		now := was
		now.Supplements = nowSups
		now.HolderUnit, now.OnSpot, now.ReceivedAt, now.DueAt = r.HolderUnit, r.OnSpot, r.ReceivedAt, r.DueAt
		now.ResolvedAt, now.Timeliness, now.WithdrawnAt = r.ResolvedAt, r.Timeliness, r.WithdrawnAt
		now.StoppedAt, now.RejectedAt = r.StoppedAt, r.RejectedAt
		now.PayableAt, now.PaidOnlineAt = r.PayableAt, r.PaidOnlineAt
		return s.roll(ctx, tx, r.ID, &was, &now)
	})
	if err != nil {
		return err
	}
	d.Version++
	s.remember(d)
	return nil
}

// updateDossier writes the mutable columns of r if its row still has
// r.Version, and increments the version.
func updateDossier(tx *gorm.DB, r *dossierRow) error {
	res := tx.Model(&dossierRow{}).Where("id = ? AND version = ?", r.ID, r.Version).
		Updates(map[string]any{
			"holder_unit": r.HolderUnit, "assignee": r.Assignee, "on_spot": r.OnSpot,
			"status": r.Status, "status_code": r.StatusCode,
			"applicant_name": r.ApplicantName, "applicant_name_folded": r.ApplicantNameFolded,
			"applicant_id_number": r.ApplicantIDNumber, "applicant_id_hash": r.ApplicantIDHash,
			"applicant_phone": r.ApplicantPhone, "applicant_email": r.ApplicantEmail,
			"applicant_address": r.ApplicantAddress, "applicant_organization": r.ApplicantOrganization,
			"documents": r.Documents, "note": r.Note,
			"received_at": r.ReceivedAt, "due_at": r.DueAt, "appointment_at": r.AppointmentAt,
			"supplement_requested_at": r.SupplementRequestedAt, "payment_amount": r.PaymentAmount,
			"resolved_at": r.ResolvedAt, "outcome": r.Outcome, "timeliness": r.Timeliness,
			"returned_at": r.ReturnedAt, "withdrawn_at": r.WithdrawnAt, "stopped_at": r.StoppedAt,
			"rejected_at": r.RejectedAt,
			"paid_total":  r.PaidTotal, "paid_online": r.PaidOnline, "paid_online_at": r.PaidOnlineAt,
			"payable_at": r.PayableAt, "version": r.Version + 1, "updated_at": r.UpdatedAt,
			"changed_at": r.ChangedAt,
		})
	if res.Error != nil {
		return translate(res.Error, dossierNoun)
	}
	if res.RowsAffected == 0 {
		return domain.ErrStale
	}
	return nil
}

// AppendHistory implements dossier.Store. The entry's event (events.go)
// and its dispatch job are written in the same transaction. The file
// store's entries go through appendHistory alone: they are records, not
// events.
func (s *DossierStore) AppendHistory(ctx context.Context, e *dossier.Entry) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		if err := appendHistory(tx, e); err != nil {
			return err
		}
		var known *dossier.Dossier
		if s.wrote != nil && s.wrote.ID == e.DossierID {
			known = s.wrote
		}
		return recordDossierEvent(ctx, tx, e, known)
	})
}

// appendHistory inserts e on tx and sets its ID.
func appendHistory(tx *gorm.DB, e *dossier.Entry) error {
	r := historyRow{DossierID: e.DossierID, Action: string(e.Action), FromStatus: nullable(string(e.From)),
		ToStatus: string(e.To), At: e.At.UTC(), ByUser: e.By, Unit: e.Unit, Note: e.Note}
	if len(e.Details) > 0 {
		b, err := json.Marshal(e.Details)
		if err != nil {
			return fmt.Errorf("encode history details: %w", err)
		}
		s := string(b)
		r.Details = &s
	}
	if err := tx.Create(&r).Error; err != nil {
		return translate(err, "lịch sử hồ sơ")
	}
	e.ID = r.ID
	return nil
}

// ByCode implements dossier.Store.
func (s *DossierStore) ByCode(ctx context.Context, code string) (dossier.Dossier, error) {
	var r dossierRow
	if err := conn(ctx, s.db).Where("code = ?", code).Take(&r).Error; err != nil {
		return dossier.Dossier{}, translate(err, dossierNoun)
	}
	return r.asDomain(s.seal)
}

// History implements dossier.Store.
func (s *DossierStore) History(ctx context.Context, dossierID int64) ([]dossier.Entry, error) {
	var rows []historyRow
	if err := conn(ctx, s.db).Where("dossier_id = ?", dossierID).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err, "lịch sử hồ sơ")
	}
	out := make([]dossier.Entry, len(rows))
	for i, r := range rows {
		e, err := r.asDomain()
		if err != nil {
			return nil, err
		}
		out[i] = e
	}
	return out, nil
}

// inProgress are the statuses of a received, unfinished dossier.
var inProgress = []string{string(dossier.Received), string(dossier.Processing),
	string(dossier.SupplementRequested), string(dossier.AwaitingPayment)}

// List implements dossier.Store: one query for the page and one for the
// count. The order (COALESCE(received_at, submitted_at) DESC, id DESC) is
// the index dossiers_list_order_idx, so a first page or a keyset page
// (q.After) reads only its rows.
func (s *DossierStore) List(ctx context.Context, q dossier.Query) ([]dossier.Dossier, int64, error) {
	tx := conn(ctx, s.db).Model(&dossierRow{})
	if q.Scope != nil {
		tx = tx.Where("(unit_code IN ? OR agency_code IN ? OR holder_unit IN ?)", q.Scope, q.Scope, q.Scope)
	}
	if q.Status != "" {
		tx = tx.Where("status = ?", string(q.Status))
	}
	if q.AgencyCode != "" {
		tx = tx.Where("agency_code = ?", q.AgencyCode)
	}
	if q.UnitCode != "" {
		tx = tx.Where("unit_code = ?", q.UnitCode)
	}
	if q.ProcedureCode != "" {
		tx = tx.Where("procedure_code = ?", q.ProcedureCode)
	}
	if q.Channel != "" {
		tx = tx.Where("channel = ?", string(q.Channel))
	}
	if q.ReceivedFrom != nil {
		tx = tx.Where("received_at >= ?", q.ReceivedFrom.UTC())
	}
	if q.ReceivedBefore != nil {
		tx = tx.Where("received_at < ?", q.ReceivedBefore.UTC())
	}
	if q.OverdueAt != nil {
		tx = tx.Where("status IN ? AND due_at < ?", inProgress, q.OverdueAt.UTC())
	}
	tx = dueSoonWhere(tx, q)
	if q.OnSpot != nil {
		tx = tx.Where("on_spot = ?", *q.OnSpot)
	}
	if term := strings.TrimSpace(q.Q); term != "" {
		code := "%" + escapeLike(strings.ToLower(term)) + "%"
		name := "%" + escapeLike(dossier.Fold(term)) + "%"
		tx = tx.Where(`(LOWER(code) LIKE ? ESCAPE '\' OR applicant_name_folded LIKE ? ESCAPE '\')`, code, name)
	}
	tx = tx.Session(&gorm.Session{}) // count and page share the filter, not the statement
	var total int64
	if err := tx.Count(&total).Error; err != nil {
		return nil, 0, translate(err, dossierNoun)
	}
	var rows []dossierRow
	page := listOrder(tx, q)
	if q.Limit > 0 {
		page = page.Limit(q.Limit)
	}
	if err := page.Find(&rows).Error; err != nil {
		return nil, 0, translate(err, dossierNoun)
	}
	out := make([]dossier.Dossier, len(rows))
	for i, r := range rows {
		d, err := r.asDomain(s.seal)
		if err != nil {
			return nil, 0, err
		}
		out[i] = d
	}
	return out, total, nil
}
