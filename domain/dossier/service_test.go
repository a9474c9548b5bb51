package dossier_test

import (
	"context"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/user"
	"github.com/motcua/motcua/domain/worktime"
)

// memStore is an in-memory dossier.Store for service tests.
type memStore struct {
	mu       sync.Mutex
	seq      map[string]int64
	dossiers map[string]dossier.Dossier
	history  []dossier.Entry
	payments []dossier.Payment
	nextID   int64
}

func newMemStore() *memStore {
	return &memStore{seq: map[string]int64{}, dossiers: map[string]dossier.Dossier{}}
}

func (m *memStore) InTx(ctx context.Context, fn func(dossier.Store) error) error { return fn(m) }

func (m *memStore) CreatePayment(_ context.Context, p *dossier.Payment) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	p.ID = int64(len(m.payments) + 1)
	m.payments = append(m.payments, *p)
	return nil
}

func (m *memStore) UpdatePayment(_ context.Context, p *dossier.Payment) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.payments[p.ID-1] = *p
	return nil
}

func (m *memStore) Payments(_ context.Context, id int64) ([]dossier.Payment, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []dossier.Payment
	for _, p := range m.payments {
		if p.DossierID == id {
			out = append(out, p)
		}
	}
	return out, nil
}

func (m *memStore) NextNumber(_ context.Context, series string) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seq[series]++
	return m.seq[series], nil
}

func (m *memStore) CreateNumbered(ctx context.Context, d *dossier.Dossier, series string, number func(int64)) error {
	n, err := m.NextNumber(ctx, series)
	if err != nil {
		return err
	}
	number(n)
	return m.Create(ctx, d)
}

func (m *memStore) Create(_ context.Context, d *dossier.Dossier) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.nextID++
	d.ID, d.Version = m.nextID, 1
	c := *d
	c.History = nil
	m.dossiers[d.Code] = c
	return nil
}

func (m *memStore) Update(_ context.Context, d *dossier.Dossier) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	cur, ok := m.dossiers[d.Code]
	if !ok || cur.Version != d.Version {
		return domain.ErrStale
	}
	d.Version++
	c := *d
	c.History = nil
	m.dossiers[d.Code] = c
	return nil
}

func (m *memStore) AppendHistory(_ context.Context, e *dossier.Entry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	e.ID = int64(len(m.history) + 1)
	m.history = append(m.history, *e)
	return nil
}

func (m *memStore) ByCode(_ context.Context, code string) (dossier.Dossier, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, ok := m.dossiers[code]
	if !ok {
		return dossier.Dossier{}, domain.NotFound("hồ sơ")
	}
	return d, nil
}

func (m *memStore) History(_ context.Context, id int64) ([]dossier.Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []dossier.Entry
	for _, e := range m.history {
		if e.DossierID == id {
			out = append(out, e)
		}
	}
	return out, nil
}

// PublicByCode keeps only the fields the interface promises, so a lookup
// that used another one would fail here as it would on a database.
// Ratings are feedback's, so no dossier here is ever rated.
func (m *memStore) PublicByCode(ctx context.Context, code string) (dossier.PublicRecord, error) {
	d, err := m.ByCode(ctx, code)
	if err != nil {
		return dossier.PublicRecord{}, err
	}
	stages, err := m.stages(ctx, d.ID)
	return dossier.PublicRecord{Dossier: dossier.Dossier{ID: d.ID, Code: d.Code, Status: d.Status,
		Applicant: dossier.Applicant{Name: d.Applicant.Name}, ApplicantIDHash: d.ApplicantIDHash, PinHash: d.PinHash,
		ProcedureCode: d.ProcedureCode, UnitCode: d.UnitCode, AgencyCode: d.AgencyCode, ReceivedAt: d.ReceivedAt,
		AppointmentAt: d.AppointmentAt, ResolvedAt: d.ResolvedAt, ReturnedAt: d.ReturnedAt, Outcome: d.Outcome,
		PaymentAmount: d.PaymentAmount}, Stages: stages}, err
}

// stages keeps the details of PublicDetailActions only, as the interface
// allows, so a lookup that read another action's would fail here.
func (m *memStore) stages(ctx context.Context, id int64) ([]dossier.Stage, error) {
	hist, err := m.History(ctx, id)
	var out []dossier.Stage
	for _, e := range hist {
		if slices.Contains(dossier.RecordOnlyActions, e.Action) {
			continue
		}
		s := dossier.Stage{Action: e.Action, At: e.At}
		if slices.Contains(dossier.PublicDetailActions, e.Action) {
			s.Details = e.Details
		}
		out = append(out, s)
	}
	return out, err
}

func (m *memStore) List(_ context.Context, q dossier.Query) ([]dossier.Dossier, int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	in := func(s string) bool {
		for _, x := range q.Scope {
			if x == s {
				return true
			}
		}
		return false
	}
	var out []dossier.Dossier
	for _, d := range m.dossiers {
		if q.Scope != nil && !in(d.UnitCode) && !in(d.AgencyCode) && !in(d.HolderUnit) {
			continue
		}
		if q.Status != "" && d.Status != q.Status {
			continue
		}
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	return out, int64(len(out)), nil
}

// memCatalog is a small province: a centre, two departments, a district
// with a commune, and a closed unit.
type memCatalog struct {
	cal   *worktime.Calendar
	procs map[string]catalog.Procedure
	ags   map[string]catalog.Agency
}

func (c *memCatalog) Tree(context.Context) (*catalog.Tree, error) {
	var list []catalog.Agency
	for _, a := range c.ags {
		list = append(list, a)
	}
	return catalog.NewTree(list), nil
}
func (c *memCatalog) Calendar(context.Context) (*worktime.Calendar, error) { return c.cal, nil }
func (c *memCatalog) Procedure(_ context.Context, code string) (catalog.Procedure, error) {
	p, ok := c.procs[code]
	if !ok {
		return catalog.Procedure{}, domain.NotFound("thủ tục")
	}
	return p, nil
}
func (c *memCatalog) Agency(_ context.Context, code string) (catalog.Agency, error) {
	a, ok := c.ags[code]
	if !ok {
		return catalog.Agency{}, domain.NotFound("đơn vị")
	}
	return a, nil
}
func (c *memCatalog) ProcedureName(ctx context.Context, code string) (string, error) {
	p, err := c.Procedure(ctx, code)
	return p.Name, err
}
func (c *memCatalog) AgencyName(ctx context.Context, code string) (string, error) {
	a, err := c.Agency(ctx, code)
	return a.Name, err
}
func (c *memCatalog) Location() *time.Location { return hcm }
func (c *memCatalog) CachedProcedure(ctx context.Context, code string) (catalog.Procedure, error) {
	return c.Procedure(ctx, code)
}
func (c *memCatalog) CachedAgency(ctx context.Context, code string) (catalog.Agency, error) {
	return c.Agency(ctx, code)
}

const (
	prov, centre, justice, planning, district, commune, closed = "P", "C", "J", "K", "D", "X", "Z"
)

func newCatalog(t *testing.T) *memCatalog {
	wd := func(n int) worktime.Duration { return worktime.Duration{Value: n, Unit: worktime.WorkingDays} }
	return &memCatalog{
		cal: officialCalendar(t),
		ags: map[string]catalog.Agency{
			prov: {Code: prov, Name: "Tỉnh"}, centre: {Code: centre, ParentCode: prov, Name: "Trung tâm"},
			justice: {Code: justice, ParentCode: prov, Name: "Sở Tư pháp"}, planning: {Code: planning, ParentCode: prov, Name: "Sở KHĐT"},
			district: {Code: district, ParentCode: prov, Name: "Huyện"}, commune: {Code: commune, ParentCode: district, Name: "Xã"},
			closed: {Code: closed, ParentCode: prov, Name: "Đã đóng", Closed: true},
		},
		procs: map[string]catalog.Procedure{
			"P3":  {Code: "P3", Name: "Ba ngày", AgencyCode: planning, ProcessingTime: wd(3), Status: catalog.StatusActive, OnSpotEligible: true},
			"P3F": {Code: "P3F", Name: "Ba ngày, có lệ phí", AgencyCode: planning, ProcessingTime: wd(3), Status: catalog.StatusActive, Fee: 100000},
			"P10": {Code: "P10", Name: "Mười ngày", AgencyCode: justice, ProcessingTime: wd(10), Status: catalog.StatusActive},
			"PX":  {Code: "PX", Name: "Xã", AgencyCode: commune, ProcessingTime: wd(1), Status: catalog.StatusActive},
			"OLD": {Code: "OLD", Name: "Bãi bỏ", AgencyCode: justice, ProcessingTime: wd(1), Status: catalog.StatusAbolished},
		},
	}
}

type fixture struct {
	svc   *dossier.Service
	store *memStore
	now   time.Time
	pins  domain.PinHasher
}

func newFixture(t *testing.T, policy dossier.SupplementPolicy, start string) *fixture {
	f := &fixture{store: newMemStore(), now: at(start), pins: domain.NewPinHasher([]byte("0123456789abcdef0123456789abcdef"))}
	f.svc = dossier.NewService(f.store, newCatalog(t), f.pins, policy, func() time.Time { return f.now })
	return f
}

var (
	clerkC   = user.Principal{Username: "clerk", Role: user.RoleClerk, Unit: centre}
	officerK = user.Principal{Username: "officer", Role: user.RoleOfficer, Unit: planning}
	leaderK  = user.Principal{Username: "leader", Role: user.RoleLeader, Unit: planning}
	leaderJ  = user.Principal{Username: "leader.j", Role: user.RoleLeader, Unit: justice}
	clerkD   = user.Principal{Username: "clerk.d", Role: user.RoleClerk, Unit: district}
)

func (f *fixture) register(t *testing.T, by user.Principal, in dossier.NewDossier) dossier.Registered {
	t.Helper()
	r, err := f.svc.Register(context.Background(), by, in)
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	return r
}

func (f *fixture) act(t *testing.T, by user.Principal, code string, in dossier.ActionInput) dossier.Dossier {
	t.Helper()
	d, err := f.svc.Act(context.Background(), by, code, in)
	if err != nil {
		t.Fatalf("%s: %v", in.Action, err)
	}
	return d
}

func direct(proc string) dossier.NewDossier {
	return dossier.NewDossier{ProcedureCode: proc, Channel: dossier.Direct,
		Applicant: dossier.Applicant{Name: "Nguyễn Văn An", IDNumber: "001234567890"}}
}

func kindOf(err error) domain.Kind { return domain.KindOf(err) }

func TestRegisterFridayBeforeTet(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dossier.PolicyPause, "2026-02-13 16:00")
	r := f.register(t, clerkC, direct("P3"))
	if r.Code != "C-260213-0001" || r.Status != dossier.Received || r.AgencyCode != planning || r.HolderUnit != planning {
		t.Fatalf("registered %+v", r.Dossier)
	}
	if want := at("2026-02-25 16:00"); !r.DueAt.Equal(want) || !r.AppointmentAt.Equal(want) {
		t.Fatalf("due %v appointment %v, want %v", r.DueAt, r.AppointmentAt, want)
	}
	if !domain.ValidPinFormat(r.Pin) || !f.pins.Verify(r.Code, r.Pin, r.PinHash) {
		t.Fatalf("pin %q does not verify against its hash", r.Pin)
	}
	if len(r.History) != 1 || r.History[0].Action != dossier.ActReceive || r.History[0].From != "" {
		t.Fatalf("history %+v", r.History)
	}
	// The second of the day, and the first of the next local day.
	if r2 := f.register(t, clerkC, direct("P3")); r2.Code != "C-260213-0002" {
		t.Fatalf("second code %s", r2.Code)
	}
	f.now = at("2026-02-14 00:00")
	if r3 := f.register(t, clerkC, direct("P3")); r3.Code != "C-260214-0001" {
		t.Fatalf("next-day code %s", r3.Code)
	}
}

func TestRegisterOnlineWaitsForAccept(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dossier.PolicyPause, "2026-11-23 20:00")
	in := direct("P3")
	in.Channel = dossier.Online
	r := f.register(t, clerkC, in)
	if r.Status != dossier.Submitted || r.ReceivedAt != nil || r.DueAt != nil || r.History[0].Action != dossier.ActSubmit {
		t.Fatalf("online registration %+v", r.Dossier)
	}
	if r.Code != "C-261123-0001" {
		t.Fatalf("code from the submission date: %s", r.Code)
	}
	f.now = at("2026-11-24 08:00")
	d := f.act(t, clerkC, r.Code, dossier.ActionInput{Action: dossier.ActAccept})
	if d.Status != dossier.Received || !d.ReceivedAt.Equal(at("2026-11-24 08:00")) || !d.DueAt.Equal(at("2026-11-27 08:00")) {
		t.Fatalf("accepted %+v due %v", d.Status, d.DueAt)
	}
}

func TestRegisterValidation(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dossier.PolicyPause, "2026-11-23 09:00")
	long := strings.Repeat("a", 301)
	tests := []struct {
		name  string
		by    user.Principal
		in    func(*dossier.NewDossier)
		kind  domain.Kind
		field string
	}{
		{"officer may not register", officerK, func(*dossier.NewDossier) {}, domain.KindForbidden, ""},
		{"name required", clerkC, func(in *dossier.NewDossier) { in.Applicant.Name = "  " }, domain.KindValidation, "applicant.name"},
		{"name too long", clerkC, func(in *dossier.NewDossier) { in.Applicant.Name = long }, domain.KindValidation, "applicant.name"},
		{"id number letters", clerkC, func(in *dossier.NewDossier) { in.Applicant.IDNumber = "00123456789A" }, domain.KindValidation, "applicant.id_number"},
		{"id number short", clerkC, func(in *dossier.NewDossier) { in.Applicant.IDNumber = "12345678" }, domain.KindValidation, "applicant.id_number"},
		{"id number long", clerkC, func(in *dossier.NewDossier) { in.Applicant.IDNumber = "1234567890123" }, domain.KindValidation, "applicant.id_number"},
		{"phone", clerkC, func(in *dossier.NewDossier) { in.Applicant.Phone = "call me" }, domain.KindValidation, "applicant.phone"},
		{"email", clerkC, func(in *dossier.NewDossier) { in.Applicant.Email = "an@" }, domain.KindValidation, "applicant.email"},
		{"channel", clerkC, func(in *dossier.NewDossier) { in.Channel = "fax" }, domain.KindValidation, "channel"},
		{"procedure required", clerkC, func(in *dossier.NewDossier) { in.ProcedureCode = "" }, domain.KindValidation, "procedure_code"},
		{"unknown procedure", clerkC, func(in *dossier.NewDossier) { in.ProcedureCode = "NOPE" }, domain.KindValidation, "procedure_code"},
		{"abolished procedure", clerkC, func(in *dossier.NewDossier) { in.ProcedureCode = "OLD" }, domain.KindValidation, "procedure_code"},
		{"on spot not eligible", clerkC, func(in *dossier.NewDossier) { in.ProcedureCode, in.OnSpot = "P10", true }, domain.KindValidation, "on_spot"},
		{"on spot online", clerkC, func(in *dossier.NewDossier) { in.OnSpot, in.Channel = true, dossier.Online }, domain.KindValidation, "on_spot"},
		{"too many documents", clerkC, func(in *dossier.NewDossier) { in.Documents = make([]dossier.Document, 101) }, domain.KindValidation, "documents"},
		{"document name", clerkC, func(in *dossier.NewDossier) { in.Documents = []dossier.Document{{Name: "", Copies: 1}} }, domain.KindValidation, "documents[0].name"},
		{"copies zero", clerkC, func(in *dossier.NewDossier) { in.Documents = []dossier.Document{{Name: "Tờ khai", Copies: 0}} }, domain.KindValidation, "documents[0].copies"},
		{"copies 101", clerkC, func(in *dossier.NewDossier) { in.Documents = []dossier.Document{{Name: "Tờ khai", Copies: 101}} }, domain.KindValidation, "documents[0].copies"},
		{"note too long", clerkC, func(in *dossier.NewDossier) { in.Note = strings.Repeat("x", 10001) }, domain.KindValidation, "note"},
		{"closed unit", user.Principal{Username: "z", Role: user.RoleClerk, Unit: closed}, func(*dossier.NewDossier) {}, domain.KindValidation, "unit_code"},
	}
	for _, tt := range tests {
		in := direct("P3")
		tt.in(&in)
		_, err := f.svc.Register(context.Background(), tt.by, in)
		var de *domain.Error
		if !asError(err, &de) || de.Kind != tt.kind {
			t.Errorf("%s: err = %v, want kind %v", tt.name, err, tt.kind)
			continue
		}
		if tt.field != "" {
			if _, ok := de.Fields[tt.field]; !ok {
				t.Errorf("%s: fields %v lack %s", tt.name, de.Fields, tt.field)
			}
		}
	}
	if n := len(f.store.dossiers); n != 0 {
		t.Fatalf("%d dossiers stored by refused registrations", n)
	}
	// Limits themselves are fine.
	in := direct("P3")
	in.Applicant.Name = strings.Repeat("a", 300)
	in.Applicant.IDNumber, in.Applicant.Phone, in.Applicant.Email = "123 456 789", "+84 912-345-678", "an@example.vn"
	in.Note = strings.Repeat("x", 10000)
	in.Documents = make([]dossier.Document, 100)
	for i := range in.Documents {
		in.Documents[i] = dossier.Document{Name: "Giấy", Copies: 100}
	}
	if r := f.register(t, clerkC, in); r.Applicant.IDNumber != "123456789" {
		t.Fatalf("id number kept as %q, want it without spaces", r.Applicant.IDNumber)
	}
}

func TestLifecyclePauseAndLateAfterReschedule(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dossier.PolicyPause, "2026-11-23 09:00") // Monday
	r := f.register(t, clerkC, direct("P3"))                    // due Thu 26 09:00
	if !r.DueAt.Equal(at("2026-11-26 09:00")) {
		t.Fatalf("due %v", r.DueAt)
	}
	f.act(t, officerK, r.Code, dossier.ActionInput{Action: dossier.ActStart})
	f.now = at("2026-11-23 10:00")
	f.act(t, officerK, r.Code, dossier.ActionInput{Action: dossier.ActRequestSupplement, Reason: "Thiếu bản sao", Items: []string{"Bản sao CCCD"}})
	f.now = at("2026-11-24 10:00") // one working day later
	d := f.act(t, clerkC, r.Code, dossier.ActionInput{Action: dossier.ActSupplement})
	if want := at("2026-11-27 09:00"); !d.DueAt.Equal(want) || !d.AppointmentAt.Equal(want) || d.SupplementRequestedAt != nil {
		t.Fatalf("after pause: due %v appointment %v, want %v", d.DueAt, d.AppointmentAt, want)
	}
	// Reschedule (apology): the appointment moves, the due time does not.
	_, err := f.svc.Act(context.Background(), leaderK, r.Code, dossier.ActionInput{Action: dossier.ActReschedule,
		Reason: "Xin lỗi", NewDueAt: "2026-11-27T08:00:00+07:00"})
	if kindOf(err) != domain.KindValidation {
		t.Fatalf("reschedule before the appointment: %v, want 422", err)
	}
	_, err = f.svc.Act(context.Background(), leaderK, r.Code, dossier.ActionInput{Action: dossier.ActReschedule,
		Reason: "Xin lỗi", NewDueAt: "2026-11-24T08:00:00+07:00"})
	if kindOf(err) != domain.KindValidation {
		t.Fatalf("reschedule into the past: %v, want 422", err)
	}
	d = f.act(t, leaderK, r.Code, dossier.ActionInput{Action: dossier.ActReschedule, Reason: "Xin lỗi",
		NewDueAt: "2026-12-04T17:00:00+07:00"})
	if !d.DueAt.Equal(at("2026-11-27 09:00")) || !d.AppointmentAt.Equal(at("2026-12-04 17:00")) {
		t.Fatalf("reschedule moved due %v / appointment %v", d.DueAt, d.AppointmentAt)
	}
	f.now = at("2026-12-01 10:00") // before the new appointment, after the due time
	d = f.act(t, leaderK, r.Code, dossier.ActionInput{Action: dossier.ActResolve, Outcome: dossier.Approved})
	if d.Timeliness != dossier.Late || d.Status != dossier.Resolved || !d.ResolvedAt.Equal(f.now) {
		t.Fatalf("resolved %s %s at %v, want late", d.Status, d.Timeliness, d.ResolvedAt)
	}
	f.now = at("2026-12-01 11:00")
	d = f.act(t, clerkC, r.Code, dossier.ActionInput{Action: dossier.ActReturn})
	if d.Status != dossier.Returned || !d.ReturnedAt.Equal(f.now) || len(d.History) != 7 {
		t.Fatalf("returned %s at %v with %d history entries", d.Status, d.ReturnedAt, len(d.History))
	}
}

func TestSupplementRestartAndRescheduledAppointment(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dossier.PolicyRestart, "2026-11-23 09:00")
	r := f.register(t, clerkC, direct("P3")) // due Thu 26 09:00
	f.act(t, leaderK, r.Code, dossier.ActionInput{Action: dossier.ActReschedule, Reason: "Xin lỗi", NewDueAt: "2026-11-27T09:00:00+07:00"})
	f.act(t, clerkC, r.Code, dossier.ActionInput{Action: dossier.ActRequestSupplement, Reason: "Thiếu giấy"})
	f.now = at("2026-11-25 14:00")
	d := f.act(t, clerkC, r.Code, dossier.ActionInput{Action: dossier.ActSupplement})
	// Restart: 3 working days from Wed 14:00 → Mon 30 14:00; the rescheduled
	// appointment (27th) would end before it, so it moves to the due time.
	if want := at("2026-11-30 14:00"); !d.DueAt.Equal(want) || !d.AppointmentAt.Equal(want) {
		t.Fatalf("restart: due %v appointment %v, want %v", d.DueAt, d.AppointmentAt, want)
	}
	if d.Status != dossier.Processing {
		t.Fatalf("status %s after supplement", d.Status)
	}
}

func TestOnSpotResolveFromReceived(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dossier.PolicyPause, "2026-11-23 09:00")
	in := direct("P3")
	in.OnSpot = true
	r := f.register(t, clerkC, in)
	// A leader of another agency may not; the handling agency's may.
	if _, err := f.svc.Act(context.Background(), leaderJ, r.Code, dossier.ActionInput{Action: dossier.ActResolve, Outcome: dossier.Approved}); kindOf(err) != domain.KindNotFound {
		t.Fatalf("leader of another agency: %v, want 404 (out of scope)", err)
	}
	// A leader of the reception unit sees it but does not lead the handling agency.
	leaderC := user.Principal{Username: "leader.c", Role: user.RoleLeader, Unit: centre}
	if _, err := f.svc.Act(context.Background(), leaderC, r.Code, dossier.ActionInput{Action: dossier.ActResolve, Outcome: dossier.Approved}); kindOf(err) != domain.KindForbidden {
		t.Fatalf("leader of the reception unit: %v, want 403", err)
	}
	f.now = at("2026-11-23 09:40")
	d := f.act(t, leaderK, r.Code, dossier.ActionInput{Action: dossier.ActResolve, Outcome: dossier.Approved})
	if d.Status != dossier.Resolved || d.Timeliness != dossier.Early {
		t.Fatalf("on-spot resolve: %s %s", d.Status, d.Timeliness)
	}
	// Not on the spot: received → resolved is an invalid transition.
	r2 := f.register(t, clerkC, direct("P3"))
	if _, err := f.svc.Act(context.Background(), leaderK, r2.Code, dossier.ActionInput{Action: dossier.ActResolve, Outcome: dossier.Approved}); kindOf(err) != domain.KindInvalidTransition {
		t.Fatalf("resolve from received, not on spot: %v", err)
	}
}

func TestActScopeVersionAndValidation(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dossier.PolicyPause, "2026-11-23 09:00")
	r := f.register(t, clerkC, direct("P3"))
	ctx := context.Background()
	before := f.store.dossiers[r.Code]
	// Out of scope: 404 for reading and acting, nothing changes.
	if _, err := f.svc.Get(ctx, clerkD, r.Code); kindOf(err) != domain.KindNotFound {
		t.Fatalf("get out of scope: %v", err)
	}
	if _, err := f.svc.Act(ctx, clerkD, r.Code, dossier.ActionInput{Action: dossier.ActWithdraw, Reason: "x"}); kindOf(err) != domain.KindNotFound {
		t.Fatalf("act out of scope: %v", err)
	}
	if _, err := f.svc.Act(ctx, clerkC, "C-000000-0001", dossier.ActionInput{Action: dossier.ActStart}); kindOf(err) != domain.KindNotFound {
		t.Fatalf("unknown code: %v", err)
	}
	if got := f.store.dossiers[r.Code]; got.Version != before.Version || got.Status != before.Status || len(f.store.history) != 1 {
		t.Fatal("a refused action changed the dossier")
	}
	// Unknown action and missing fields: 422.
	for _, in := range []dossier.ActionInput{{Action: "approve"}, {}, {Action: dossier.ActReceive},
		{Action: dossier.ActStop}, {Action: dossier.ActRequestPayment}, {Action: dossier.ActResolve, Outcome: dossier.Denied},
		{Action: dossier.ActReschedule, Reason: "x", NewDueAt: "tomorrow"}, {Action: dossier.ActTransfer}} {
		if _, err := f.svc.Act(ctx, leaderK, r.Code, in); kindOf(err) != domain.KindValidation {
			t.Errorf("%+v: %v, want 422", in, err)
		}
	}
	// Stale version: 409 conflict.
	v := 7
	if _, err := f.svc.Act(ctx, officerK, r.Code, dossier.ActionInput{Action: dossier.ActStart, Version: &v}); kindOf(err) != domain.KindConflict {
		t.Fatalf("stale version: %v", err)
	}
	v = 1
	d := f.act(t, officerK, r.Code, dossier.ActionInput{Action: dossier.ActStart, Version: &v})
	if d.Version != 2 || d.Assignee != "officer" {
		t.Fatalf("version %d assignee %q", d.Version, d.Assignee)
	}
	// Transfer: the new holder's scope now covers it.
	if _, err := f.svc.Get(ctx, leaderJ, r.Code); kindOf(err) != domain.KindNotFound {
		t.Fatalf("justice before transfer: %v", err)
	}
	f.act(t, officerK, r.Code, dossier.ActionInput{Action: dossier.ActTransfer, ToUnit: justice, Assignee: "leader.j"})
	if d, err := f.svc.Get(ctx, leaderJ, r.Code); err != nil || d.HolderUnit != justice {
		t.Fatalf("justice after transfer: %v %q", err, d.HolderUnit)
	}
}

func TestLookup(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dossier.PolicyPause, "2026-11-23 09:00")
	r := f.register(t, clerkC, direct("P3"))
	ctx := context.Background()
	p, err := f.svc.Lookup(ctx, r.Code, dossier.Credential{Pin: r.Pin})
	if err != nil {
		t.Fatal(err)
	}
	if p.ApplicantName != "N***** V** A*" || p.ProcedureName != "Ba ngày" || p.AgencyName != "Sở KHĐT" || p.UnitName != "Trung tâm" ||
		len(p.Stages) != 1 || p.Stages[0].Action != dossier.ActReceive || p.Next.Kind != dossier.NextWait ||
		p.Reschedule != nil || p.Outcome != "" || p.Rated {
		t.Fatalf("public view %+v", p)
	}
	// The next step and the reschedule come from what the actions wrote.
	f.act(t, clerkC, r.Code, dossier.ActionInput{Action: dossier.ActReschedule, Reason: "Xin lỗi", NewDueAt: "2026-12-01T17:00:00+07:00"})
	f.act(t, officerK, r.Code, dossier.ActionInput{Action: dossier.ActRequestSupplement, Reason: "Thiếu giấy", Items: []string{"Bản sao"}})
	p, err = f.svc.Lookup(ctx, r.Code, dossier.Credential{Pin: r.Pin})
	if err != nil {
		t.Fatal(err)
	}
	if p.Next.Kind != dossier.NextSupplement || p.Next.Reason != "Thiếu giấy" || !slices.Equal(p.Next.Items, []string{"Bản sao"}) ||
		p.Reschedule == nil || p.Reschedule.Reason != "Xin lỗi" || !p.Reschedule.AppointmentAt.Equal(at("2026-12-01 17:00")) {
		t.Fatalf("after a reschedule and a supplement request: next %+v, reschedule %+v", p.Next, p.Reschedule)
	}
	if _, err := f.svc.Lookup(ctx, r.Code, dossier.Credential{IDNumber: "001 234 567 890"}); err != nil {
		t.Fatalf("by id number: %v", err)
	}
	if _, err := f.svc.Lookup(ctx, r.Code, dossier.Credential{Pin: r.Pin, IDNumber: "001234567890"}); domain.KindOf(err) != domain.KindValidation {
		t.Fatalf("pin and id number together: %v, want a validation error (exactly one)", err)
	}
	wrong := "000000"
	if r.Pin == wrong {
		wrong = "111111"
	}
	_, e1 := f.svc.Lookup(ctx, r.Code, dossier.Credential{Pin: wrong})
	_, e2 := f.svc.Lookup(ctx, "C-261123-9999", dossier.Credential{Pin: r.Pin})
	_, e3 := f.svc.Lookup(ctx, r.Code, dossier.Credential{IDNumber: "999999999"})
	if kindOf(e1) != domain.KindNotFound || kindOf(e2) != domain.KindNotFound || kindOf(e3) != domain.KindNotFound ||
		e1.Error() != e2.Error() || e2.Error() != e3.Error() {
		t.Fatalf("wrong pin %v / unknown code %v / wrong id %v: want the same not found", e1, e2, e3)
	}
	for _, c := range []dossier.Credential{{}, {Pin: "12345"}, {Pin: "abcdef"}, {IDNumber: "12ab"}} {
		if _, err := f.svc.Lookup(ctx, r.Code, c); kindOf(err) != domain.KindValidation {
			t.Errorf("%+v: %v, want 422", c, err)
		}
	}
}

// TestActOnDossierWithoutClock: an imported dossier may lack due and
// appointment times; acting on it never panics.
func TestActOnDossierWithoutClock(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dossier.PolicyPause, "2026-11-23 09:00")
	d := dossier.Dossier{Code: "C-210802-0001", ProcedureCode: "P3", UnitCode: centre, AgencyCode: planning, HolderUnit: planning,
		Channel: dossier.Direct, Status: dossier.SupplementRequested, Applicant: dossier.Applicant{Name: "Nhập khẩu"}}
	if err := f.store.Create(context.Background(), &d); err != nil {
		t.Fatal(err)
	}
	got := f.act(t, clerkC, d.Code, dossier.ActionInput{Action: dossier.ActSupplement})
	if got.Status != dossier.Processing || got.DueAt != nil || got.AppointmentAt != nil {
		t.Fatalf("supplement without a clock: %s %v %v", got.Status, got.DueAt, got.AppointmentAt)
	}
	got = f.act(t, leaderK, d.Code, dossier.ActionInput{Action: dossier.ActResolve, Outcome: dossier.Approved})
	if got.Status != dossier.Resolved || got.Timeliness != "" {
		t.Fatalf("resolve without a due time: %s %q", got.Status, got.Timeliness)
	}
}
