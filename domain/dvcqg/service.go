package dvcqg

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/files"
	"github.com/motcua/motcua/domain/importer"
	"github.com/motcua/motcua/domain/user"
	"github.com/motcua/motcua/domain/worktime"
)

// Dossiers reads a dossier with its history inside a caller's scope
// (*dossier.Service).
type Dossiers interface {
	Get(ctx context.Context, by user.Principal, code string) (dossier.Dossier, error)
}

// Catalog is what the payloads read of the catalog (*catalog.Service).
type Catalog interface {
	Tree(ctx context.Context) (*catalog.Tree, error)
	Procedure(ctx context.Context, code string) (catalog.Procedure, error)
	AgencyName(ctx context.Context, code string) (string, error)
	Components(ctx context.Context, code string, includeRetired bool) ([]catalog.Component, error)
}

// Users finds a staff account by username; KindNotFound when none.
type Users interface {
	User(ctx context.Context, username string) (user.User, error)
}

// Key is the export's keyset position: a dossier's last change, then its
// code.
type Key struct {
	ChangedAt time.Time
	Code      string
}

// Query selects one page of the export: received dossiers whose last change
// is in [From, To), after After, in the units (nil: all) as the dossier
// scope reads them (reception unit, handling agency or holder).
type Query struct {
	Units    []string
	From, To time.Time
	After    *Key
	Limit    int
}

// Changed is a dossier of the export, with its history, and its last change.
type Changed struct {
	Dossier   dossier.Dossier
	ChangedAt time.Time
}

// Store reads what the payloads need beyond the dossier service.
type Store interface {
	// ChangedDossiers returns the page q selects, by last change then code,
	// each dossier with its history.
	ChangedDossiers(ctx context.Context, q Query) ([]Changed, error)
	// Attachments returns the files (current versions, oldest first) and
	// payments (oldest first) of the dossiers ids.
	Attachments(ctx context.Context, ids []int64) (map[int64][]files.File, map[int64][]dossier.Payment, error)
}

// PageSize is how many dossiers the export reads at a time.
const PageSize = 200

// Service answers the payloads and the export.
type Service struct {
	dossiers Dossiers
	cat      Catalog
	users    Users
	store    Store
	loc      *time.Location
	// The sync states (UseSync): nil and off until then.
	sync   SyncStore
	pushOn bool
	now    func() time.Time
}

// NewService returns the service; loc is MOTCUA_TIMEZONE.
func NewService(d Dossiers, cat Catalog, users Users, store Store, loc *time.Location) *Service {
	if loc == nil {
		loc = time.UTC
	}
	return &Service{dossiers: d, cat: cat, users: users, store: store, loc: loc}
}

// roles may read payloads.
var roles = []user.Role{user.RoleAdmin, user.RoleViewer}

// Get returns the payload of dossier code: ErrForbidden for a role other
// than admin and viewer, KindNotFound for an unknown code or one outside
// by's scope, ErrNotReceived for a dossier never received.
func (s *Service) Get(ctx context.Context, by user.Principal, code string) (HoSo, error) {
	if err := by.RequireRole(roles...); err != nil {
		return HoSo{}, err
	}
	d, err := s.dossiers.Get(ctx, by, code)
	if err != nil {
		return HoSo{}, err
	}
	if d.ReceivedAt == nil {
		return HoSo{}, ErrNotReceived
	}
	fs, ps, err := s.store.Attachments(ctx, []int64{d.ID})
	if err != nil {
		return HoSo{}, fmt.Errorf("dvcqg attachments: %w", err)
	}
	b := s.newBuilder()
	return b.payload(ctx, d, fs[d.ID], ps[d.ID])
}

// ExportRequest is the export's query: the period (both dates YYYY-MM-DD,
// inclusive local days, or both RFC 3339 instants, [from, to)) and the unit
// that narrows the caller's scope.
type ExportRequest struct {
	From, To string
	UnitCode string
}

// Export is a checked export, ready to run.
type Export struct {
	s *Service
	q Query
}

// Export checks req: ErrForbidden for a role other than admin and viewer
// or a unit_code outside the caller's scope, KindValidation for a missing,
// malformed, reversed or mixed period or an unknown unit.
func (s *Service) Export(ctx context.Context, by user.Principal, req ExportRequest) (*Export, error) {
	if err := by.RequireRole(roles...); err != nil {
		return nil, err
	}
	fe := domain.FieldErrors{}
	from, to := s.period(fe, strings.TrimSpace(req.From), strings.TrimSpace(req.To))
	tree, err := s.cat.Tree(ctx)
	if err != nil {
		return nil, fmt.Errorf("dvcqg tree: %w", err)
	}
	unit := strings.TrimSpace(req.UnitCode)
	if unit != "" && !tree.Has(unit) {
		fe.Add("unit_code", "đơn vị không tồn tại")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	q := Query{From: from, To: to, Limit: PageSize}
	switch {
	case unit != "":
		if !by.InScope(tree, unit) {
			return nil, &domain.Error{Kind: domain.KindForbidden, Message: "Đơn vị nằm ngoài phạm vi của bạn"}
		}
		q.Units = tree.Subtree(unit)
	case by.SeesAll():
	default:
		q.Units = tree.Subtree(by.Unit)
	}
	return &Export{s: s, q: q}, nil
}

// period reads from and to into [start, end).
func (s *Service) period(fe domain.FieldErrors, from, to string) (time.Time, time.Time) {
	if from == "" {
		fe.Add("from", "bắt buộc: ngày YYYY-MM-DD hoặc thời điểm RFC 3339")
	}
	if to == "" {
		fe.Add("to", "bắt buộc: ngày YYYY-MM-DD hoặc thời điểm RFC 3339")
	}
	if from == "" || to == "" {
		return time.Time{}, time.Time{}
	}
	fd, errFD := worktime.ParseDate(from)
	td, errTD := worktime.ParseDate(to)
	if errFD == nil && errTD == nil {
		if td.Before(fd) {
			fe.Add("to", "không được trước from")
			return time.Time{}, time.Time{}
		}
		return startOf(fd, s.loc), startOf(td.AddDays(1), s.loc)
	}
	fi, errFI := time.Parse(time.RFC3339, from)
	ti, errTI := time.Parse(time.RFC3339, to)
	switch {
	case errFI == nil && errTI == nil:
		if ti.Before(fi) {
			fe.Add("to", "không được trước from")
		}
		return fi.UTC(), ti.UTC()
	case (errFD == nil || errFI == nil) && (errTD == nil || errTI == nil):
		fe.Add("to", "phải cùng dạng với from: cả hai là ngày YYYY-MM-DD hoặc cả hai là thời điểm RFC 3339")
	default:
		if errFD != nil && errFI != nil {
			fe.Add("from", "phải là ngày YYYY-MM-DD hoặc thời điểm RFC 3339")
		}
		if errTD != nil && errTI != nil {
			fe.Add("to", "phải là ngày YYYY-MM-DD hoặc thời điểm RFC 3339")
		}
	}
	return time.Time{}, time.Time{}
}

// startOf is local midnight of d.
func startOf(d worktime.Date, loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc).UTC()
}

// Run calls emit with the payload of every dossier of the export, in
// order, reading PageSize dossiers at a time; after each page it calls
// flush (nil: none). It stops at the first error.
func (x *Export) Run(ctx context.Context, emit func(HoSo) error, flush func() error) error {
	q := x.q
	b := x.s.newBuilder()
	for {
		page, err := x.s.store.ChangedDossiers(ctx, q)
		if err != nil {
			return fmt.Errorf("dvcqg export page: %w", err)
		}
		ids := make([]int64, len(page))
		for i, c := range page {
			ids[i] = c.Dossier.ID
		}
		var fs map[int64][]files.File
		var ps map[int64][]dossier.Payment
		if len(ids) > 0 {
			if fs, ps, err = x.s.store.Attachments(ctx, ids); err != nil {
				return fmt.Errorf("dvcqg attachments: %w", err)
			}
		}
		for _, c := range page {
			h, err := b.payload(ctx, c.Dossier, fs[c.Dossier.ID], ps[c.Dossier.ID])
			if err != nil {
				return err
			}
			if err := emit(h); err != nil {
				return err
			}
		}
		if flush != nil && len(page) > 0 {
			if err := flush(); err != nil {
				return err
			}
		}
		if len(page) < q.Limit {
			return nil
		}
		last := page[len(page)-1]
		q.After = &Key{ChangedAt: last.ChangedAt, Code: last.Dossier.Code}
	}
}

// builder gathers a payload's inputs, keeping the procedures, components,
// agency names and users it read for the next dossiers.
type builder struct {
	s          *Service
	procs      map[string]catalog.Procedure
	components map[string]map[int64]string
	agencies   map[string]string
	users      map[string]user.User
	missing    map[string]bool // usernames with no account
}

func (s *Service) newBuilder() *builder {
	return &builder{s: s, procs: map[string]catalog.Procedure{}, components: map[string]map[int64]string{},
		agencies: map[string]string{}, users: map[string]user.User{}, missing: map[string]bool{}}
}

func (b *builder) payload(ctx context.Context, d dossier.Dossier, fs []files.File, ps []dossier.Payment) (HoSo, error) {
	if d.ReceivedAt == nil {
		return HoSo{}, ErrNotReceived
	}
	in := Input{Dossier: d, Files: fs, Payments: ps, Location: b.s.loc, Agencies: b.agencies, Users: b.users}
	var err error
	if in.Procedure, err = b.procedure(ctx, d.ProcedureCode); err != nil {
		return HoSo{}, err
	}
	for _, f := range fs {
		if f.ComponentID != nil {
			if in.Components, err = b.componentCodes(ctx, d.ProcedureCode); err != nil {
				return HoSo{}, err
			}
			break
		}
	}
	units := []string{d.AgencyCode, d.UnitCode}
	for _, e := range d.History {
		units = append(units, e.Unit)
		if err := b.user(ctx, e.By); err != nil {
			return HoSo{}, err
		}
	}
	for _, u := range units {
		if err := b.agency(ctx, u); err != nil {
			return HoSo{}, err
		}
	}
	return Payload(in)
}

func (b *builder) procedure(ctx context.Context, code string) (catalog.Procedure, error) {
	if p, ok := b.procs[code]; ok {
		return p, nil
	}
	p, err := b.s.cat.Procedure(ctx, code)
	if err != nil {
		if domain.KindOf(err) != domain.KindNotFound {
			return catalog.Procedure{}, fmt.Errorf("dvcqg procedure: %w", err)
		}
		p = catalog.Procedure{Code: code, Name: code}
	}
	b.procs[code] = p
	return p, nil
}

func (b *builder) componentCodes(ctx context.Context, code string) (map[int64]string, error) {
	if m, ok := b.components[code]; ok {
		return m, nil
	}
	cs, err := b.s.cat.Components(ctx, code, true)
	if err != nil && domain.KindOf(err) != domain.KindNotFound {
		return nil, fmt.Errorf("dvcqg components: %w", err)
	}
	m := make(map[int64]string, len(cs))
	for _, c := range cs {
		m[c.ID] = c.Code
	}
	b.components[code] = m
	return m, nil
}

func (b *builder) agency(ctx context.Context, code string) error {
	if _, ok := b.agencies[code]; ok || code == "" {
		return nil
	}
	n, err := b.s.cat.AgencyName(ctx, code)
	if err != nil && domain.KindOf(err) != domain.KindNotFound {
		return fmt.Errorf("dvcqg agency: %w", err)
	}
	b.agencies[code] = n
	return nil
}

func (b *builder) user(ctx context.Context, username string) error {
	if _, ok := b.users[username]; ok || b.missing[username] || username == "" || username == importer.ImportedBy {
		return nil
	}
	u, err := b.s.users.User(ctx, username)
	switch {
	case err == nil:
		// Only what the payload shows is kept.
		b.users[username] = user.User{Username: u.Username, Name: u.Name, Role: u.Role}
	case domain.KindOf(err) == domain.KindNotFound:
		b.missing[username] = true
	default:
		return fmt.Errorf("dvcqg user: %w", err)
	}
	return nil
}
