package catalog

import (
	"context"
	"sync"
	"time"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/user"
	"github.com/motcua/motcua/domain/worktime"
)

// AgencyFilter narrows an agency list.
type AgencyFilter struct {
	Kind       AgencyKind
	ParentCode string
	Q          string
	domain.Page
}

// Validate reports unknown enumerated values as KindValidation, so a typo in
// a filter is an error rather than an empty list.
func (f AgencyFilter) Validate() error {
	fe := domain.FieldErrors{}
	if f.Kind != "" && !f.Kind.Valid() {
		fe.Add("kind", "phải là province, service_center, department, district hoặc commune")
	}
	return fe.Err()
}

// ProcedureFilter narrows a procedure list.
type ProcedureFilter struct {
	AgencyCode     string
	Field          string
	Level          Level
	OnlineLevel    OnlineLevel
	Status         ProcedureStatus
	OnSpotEligible *bool
	Q              string
	domain.Page
}

// Validate reports unknown enumerated values as KindValidation.
func (f ProcedureFilter) Validate() error {
	fe := domain.FieldErrors{}
	if f.Level != "" && !f.Level.Valid() {
		fe.Add("level", "phải là province, district hoặc commune")
	}
	if f.OnlineLevel != "" && !f.OnlineLevel.Valid() {
		fe.Add("online_level", "phải là info, partial hoặc full")
	}
	if f.Status != "" && !f.Status.Valid() {
		fe.Add("status", "phải là active hoặc abolished")
	}
	return fe.Err()
}

// Store is the persistence the catalog needs.
type Store interface {
	// AllAgencies returns every agency, for the tree.
	AllAgencies(ctx context.Context) ([]Agency, error)
	// Agency returns KindNotFound if no agency has code.
	Agency(ctx context.Context, code string) (Agency, error)
	ListAgencies(ctx context.Context, f AgencyFilter) ([]Agency, int64, error)
	// CreateAgency returns KindConflict if the code exists.
	CreateAgency(ctx context.Context, a Agency) error
	// UpdateAgency returns KindNotFound if the agency does not exist.
	UpdateAgency(ctx context.Context, a Agency) error

	// Procedure returns KindNotFound if no procedure has code; it loads publications.
	Procedure(ctx context.Context, code string) (Procedure, error)
	ListProcedures(ctx context.Context, f ProcedureFilter) ([]Procedure, int64, error)
	// CreateProcedure returns KindConflict if the code exists.
	CreateProcedure(ctx context.Context, p Procedure) error
	// UpdateProcedure returns KindNotFound if the procedure does not exist.
	UpdateProcedure(ctx context.Context, p Procedure) error
	AddPublication(ctx context.Context, p *Publication) error

	// ProcedureNames returns every procedure's name by code, for the cache.
	ProcedureNames(ctx context.Context) (map[string]string, error)

	// CalendarYears returns every stored year.
	CalendarYears(ctx context.Context) ([]worktime.Year, error)
	// PutCalendarYear creates or replaces one year.
	PutCalendarYear(ctx context.Context, y worktime.Year) error

	ComponentStore
}

// Service runs the catalog's rules: who may change what, validation, and
// the cached agency tree and working calendar every other area reads.
type Service struct {
	store Store
	loc   *time.Location
	now   func() time.Time

	mu        sync.RWMutex
	tree      *Tree
	cal       *worktime.Calendar
	agencyNms map[string]string
	procNms   map[string]string
	loadedAt  time.Time
	// agencies and procs are the rows registration reads for every
	// dossier, kept per code for CacheTTL (cleared with the tree).
	agencies map[string]cached[Agency]
	procs    map[string]cached[Procedure]
	// gen counts Invalidate calls: a row read before one is not kept.
	gen uint64
}

// cached is one row of the per-code caches and when it was read.
type cached[T any] struct {
	v  T
	at time.Time
}

// CacheTTL bounds how stale the cached tree and calendar may be when another
// instance changed them.
const CacheTTL = 30 * time.Second

// NewService returns a catalog service over store, with working time in loc.
func NewService(store Store, loc *time.Location, now func() time.Time) *Service {
	return &Service{store: store, loc: loc, now: now}
}

// Location is the configured time zone.
func (s *Service) Location() *time.Location { return s.loc }

func (s *Service) load(ctx context.Context) (*Tree, *worktime.Calendar, error) {
	c, err := s.cache(ctx)
	return c.tree, c.cal, err
}

// snapshot is one consistent view of the cached catalog.
type snapshot struct {
	tree      *Tree
	cal       *worktime.Calendar
	agencyNms map[string]string
	procNms   map[string]string
}

func (s *Service) cache(ctx context.Context) (snapshot, error) {
	s.mu.RLock()
	c := snapshot{s.tree, s.cal, s.agencyNms, s.procNms}
	at := s.loadedAt
	s.mu.RUnlock()
	if c.tree != nil && s.now().Sub(at) < CacheTTL {
		return c, nil
	}
	ags, err := s.store.AllAgencies(ctx)
	if err != nil {
		return snapshot{}, err
	}
	years, err := s.store.CalendarYears(ctx)
	if err != nil {
		return snapshot{}, err
	}
	procs, err := s.store.ProcedureNames(ctx)
	if err != nil {
		return snapshot{}, err
	}
	c = snapshot{tree: NewTree(ags), cal: worktime.NewCalendar(s.loc, years...), agencyNms: make(map[string]string, len(ags)), procNms: procs}
	for _, a := range ags {
		c.agencyNms[a.Code] = a.Name
	}
	s.mu.Lock()
	s.tree, s.cal, s.agencyNms, s.procNms, s.loadedAt = c.tree, c.cal, c.agencyNms, c.procNms, s.now()
	s.mu.Unlock()
	return c, nil
}

// AgencyName returns an agency's name from the cache (the store when the
// cache does not know it yet). Returns KindNotFound for an unknown code.
func (s *Service) AgencyName(ctx context.Context, code string) (string, error) {
	c, err := s.cache(ctx)
	if err != nil {
		return "", err
	}
	if n, ok := c.agencyNms[code]; ok {
		return n, nil
	}
	a, err := s.store.Agency(ctx, code)
	return a.Name, err
}

// ProcedureName returns a procedure's name from the cache (the store when
// the cache does not know it yet). Returns KindNotFound for an unknown code.
func (s *Service) ProcedureName(ctx context.Context, code string) (string, error) {
	c, err := s.cache(ctx)
	if err != nil {
		return "", err
	}
	if n, ok := c.procNms[code]; ok {
		return n, nil
	}
	p, err := s.store.Procedure(ctx, code)
	return p.Name, err
}

// Invalidate drops the cached tree and calendar.
func (s *Service) Invalidate() {
	s.mu.Lock()
	s.tree, s.cal, s.agencyNms, s.procNms = nil, nil, nil, nil
	s.agencies, s.procs = nil, nil
	s.gen++
	s.mu.Unlock()
}

// CachedAgency is Agency as read at most CacheTTL ago (at once after a
// change through this service): for the counter's registration, which
// reads the receiving unit and the handling agency of every dossier. The
// value is shared; callers must not modify it.
func (s *Service) CachedAgency(ctx context.Context, code string) (Agency, error) {
	return cachedRead(s, ctx, code, func(s *Service) *map[string]cached[Agency] { return &s.agencies }, s.store.Agency)
}

// CachedProcedure is Procedure as read at most CacheTTL ago (at once after
// a change through this service), publications included, for the
// counter's registration. The value and its slices are shared; callers
// must not modify them.
func (s *Service) CachedProcedure(ctx context.Context, code string) (Procedure, error) {
	return cachedRead(s, ctx, code, func(s *Service) *map[string]cached[Procedure] { return &s.procs }, s.store.Procedure)
}

// cachedRead answers code from the cache that field picks while it is
// younger than CacheTTL, else reads it with load and keeps it. Errors (an
// unknown code included) are not kept.
func cachedRead[T any](s *Service, ctx context.Context, code string, field func(*Service) *map[string]cached[T],
	load func(context.Context, string) (T, error)) (T, error) {
	now := s.now()
	s.mu.RLock()
	c, ok := (*field(s))[code]
	gen := s.gen
	s.mu.RUnlock()
	if ok && now.Sub(c.at) < CacheTTL && now.Sub(c.at) >= 0 {
		return c.v, nil
	}
	v, err := load(ctx, code)
	if err != nil {
		return v, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gen != gen { // changed meanwhile: v may be the old row
		return v, nil
	}
	m := field(s)
	if *m == nil {
		*m = map[string]cached[T]{}
	}
	(*m)[code] = cached[T]{v: v, at: now}
	return v, nil
}

// Tree returns the current agency tree.
func (s *Service) Tree(ctx context.Context) (*Tree, error) {
	t, _, err := s.load(ctx)
	return t, err
}

// Calendar returns the current working calendar.
func (s *Service) Calendar(ctx context.Context) (*worktime.Calendar, error) {
	_, c, err := s.load(ctx)
	return c, err
}

// Agency returns one agency. Any signed-in user may read the catalog.
func (s *Service) Agency(ctx context.Context, code string) (Agency, error) {
	return s.store.Agency(ctx, code)
}

// ListAgencies lists agencies. Returns KindValidation for an unknown kind.
func (s *Service) ListAgencies(ctx context.Context, f AgencyFilter) ([]Agency, int64, error) {
	if err := f.Validate(); err != nil {
		return nil, 0, err
	}
	return s.store.ListAgencies(ctx, f)
}

// CreateAgency adds an agency (admin). Returns KindValidation for bad fields
// or an unknown parent, KindConflict for a taken code.
func (s *Service) CreateAgency(ctx context.Context, by user.Principal, a Agency) (Agency, error) {
	if err := by.RequireRole(user.RoleAdmin); err != nil {
		return Agency{}, err
	}
	if err := a.Validate(); err != nil {
		return Agency{}, err
	}
	if err := s.checkParent(ctx, a); err != nil {
		return Agency{}, err
	}
	now := s.now().UTC()
	a.CreatedAt, a.UpdatedAt = now, now
	if err := s.store.CreateAgency(ctx, a); err != nil {
		return Agency{}, err
	}
	s.Invalidate()
	return a, nil
}

// UpdateAgency applies patch to the agency code (admin).
func (s *Service) UpdateAgency(ctx context.Context, by user.Principal, code string, patch func(*Agency)) (Agency, error) {
	if err := by.RequireRole(user.RoleAdmin); err != nil {
		return Agency{}, err
	}
	a, err := s.store.Agency(ctx, code)
	if err != nil {
		return Agency{}, err
	}
	patch(&a)
	a.Code = code
	if err := a.Validate(); err != nil {
		return Agency{}, err
	}
	if err := s.checkParent(ctx, a); err != nil {
		return Agency{}, err
	}
	a.UpdatedAt = s.now().UTC()
	if err := s.store.UpdateAgency(ctx, a); err != nil {
		return Agency{}, err
	}
	s.Invalidate()
	return a, nil
}

func (s *Service) checkParent(ctx context.Context, a Agency) error {
	t, err := s.Tree(ctx)
	if err != nil {
		return err
	}
	if a.ParentCode == "" {
		return t.checkShape(a)
	}
	if !t.Has(a.ParentCode) {
		return domain.FieldErrors{"parent_code": "không tồn tại"}.Err()
	}
	if t.Within(a.ParentCode, a.Code) {
		return domain.FieldErrors{"parent_code": "tạo vòng lặp trong cây đơn vị"}.Err()
	}
	return t.checkShape(a)
}

// Procedure returns one procedure with its publications (not its
// components: ProcedureDetail has them).
func (s *Service) Procedure(ctx context.Context, code string) (Procedure, error) {
	return s.store.Procedure(ctx, code)
}

// ListProcedures lists procedures. Returns KindValidation for an unknown
// level, online level or status.
func (s *Service) ListProcedures(ctx context.Context, f ProcedureFilter) ([]Procedure, int64, error) {
	if err := f.Validate(); err != nil {
		return nil, 0, err
	}
	return s.store.ListProcedures(ctx, f)
}

// CreateProcedure adds a procedure (admin). Returns KindValidation for bad
// fields or an unknown agency, KindConflict for a taken code.
func (s *Service) CreateProcedure(ctx context.Context, by user.Principal, p Procedure) (Procedure, error) {
	if err := by.RequireRole(user.RoleAdmin); err != nil {
		return Procedure{}, err
	}
	if p.Status == "" {
		p.Status = StatusActive
	}
	if err := s.checkProcedure(ctx, p); err != nil {
		return Procedure{}, err
	}
	now := s.now().UTC()
	p.CreatedAt, p.UpdatedAt = now, now
	p.Publications = nil
	if err := s.store.CreateProcedure(ctx, p); err != nil {
		return Procedure{}, err
	}
	s.Invalidate()
	p.Components = []Component{}
	return p, nil
}

// UpdateProcedure applies patch to the procedure code (admin). The answer
// carries the procedure's active components.
func (s *Service) UpdateProcedure(ctx context.Context, by user.Principal, code string, patch func(*Procedure)) (Procedure, error) {
	if err := by.RequireRole(user.RoleAdmin); err != nil {
		return Procedure{}, err
	}
	p, err := s.store.Procedure(ctx, code)
	if err != nil {
		return Procedure{}, err
	}
	patch(&p)
	p.Code = code
	if err := s.checkProcedure(ctx, p); err != nil {
		return Procedure{}, err
	}
	p.UpdatedAt = s.now().UTC()
	if err := s.store.UpdateProcedure(ctx, p); err != nil {
		return Procedure{}, err
	}
	s.Invalidate()
	return s.withComponents(ctx, p)
}

func (s *Service) checkProcedure(ctx context.Context, p Procedure) error {
	if err := p.Validate(); err != nil {
		return err
	}
	t, err := s.Tree(ctx)
	if err != nil {
		return err
	}
	if !t.Has(p.AgencyCode) {
		return domain.FieldErrors{"agency_code": "không tồn tại"}.Err()
	}
	return nil
}

// AddPublication records a publishing decision for a procedure (admin). An
// "abolished" publication also sets the procedure's status to abolished, and
// a "new" or "amended" one sets it back to active.
func (s *Service) AddPublication(ctx context.Context, by user.Principal, code string, t PublicationText) (Procedure, error) {
	if err := by.RequireRole(user.RoleAdmin); err != nil {
		return Procedure{}, err
	}
	pub, fe := t.Parse(code, worktime.DateOf(s.now(), s.loc))
	if err := fe.Err(); err != nil {
		return Procedure{}, err
	}
	p, err := s.store.Procedure(ctx, code)
	if err != nil {
		return Procedure{}, err
	}
	pub.ProcedureCode = code
	pub.CreatedAt = s.now().UTC()
	if err := s.store.AddPublication(ctx, &pub); err != nil {
		return Procedure{}, err
	}
	want := StatusActive
	if pub.Kind == PubAbolished {
		want = StatusAbolished
	}
	if p.Status != want {
		p.Status = want
		p.UpdatedAt = s.now().UTC()
		if err := s.store.UpdateProcedure(ctx, p); err != nil {
			return Procedure{}, err
		}
	}
	return s.ProcedureDetail(ctx, code)
}

// CalendarYear returns the stored calendar of year, or the default (weekends
// off, default sessions, no holidays) with stored=false.
func (s *Service) CalendarYear(ctx context.Context, year int) (y worktime.Year, stored bool, err error) {
	if !worktime.ValidYear(year) {
		return worktime.Year{}, false, domain.FieldErrors{"year": worktime.YearRange}.Err()
	}
	years, err := s.store.CalendarYears(ctx)
	if err != nil {
		return worktime.Year{}, false, err
	}
	for _, y := range years {
		if y.Year == year {
			return y, true, nil
		}
	}
	return worktime.Year{Year: year, Sessions: worktime.DefaultSessions()}, false, nil
}

// PutCalendarYear replaces one year's calendar (admin), as written in t.
// Without working hours the year has the default sessions.
func (s *Service) PutCalendarYear(ctx context.Context, by user.Principal, t worktime.YearText) (worktime.Year, error) {
	if err := by.RequireRole(user.RoleAdmin); err != nil {
		return worktime.Year{}, err
	}
	y, fe := t.Parse()
	if len(fe) > 0 {
		return worktime.Year{}, domain.FieldErrors(fe).Err()
	}
	if len(y.Sessions) == 0 {
		y.Sessions = worktime.DefaultSessions()
	}
	if fe := y.Validate(); len(fe) > 0 {
		return worktime.Year{}, domain.FieldErrors(fe).Err()
	}
	if err := s.store.PutCalendarYear(ctx, y); err != nil {
		return worktime.Year{}, err
	}
	s.Invalidate()
	return y, nil
}
