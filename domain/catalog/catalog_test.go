package catalog_test

import (
	"context"
	"errors"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/user"
	"github.com/motcua/motcua/domain/worktime"
)

func province() []catalog.Agency {
	return []catalog.Agency{
		{Code: "P", Name: "Tỉnh", Kind: catalog.KindProvince},
		{Code: "C", Name: "Trung tâm", Kind: catalog.KindServiceCenter, ParentCode: "P"},
		{Code: "J", Name: "Sở Tư pháp", Kind: catalog.KindDepartment, ParentCode: "P"},
		{Code: "D", Name: "Huyện", Kind: catalog.KindDistrict, ParentCode: "P"},
		{Code: "B", Name: "Xã B", Kind: catalog.KindCommune, ParentCode: "D"},
		{Code: "A", Name: "Xã A", Kind: catalog.KindCommune, ParentCode: "D"},
	}
}

func TestTreeWithin(t *testing.T) {
	tr := catalog.NewTree(province())
	tests := []struct {
		unit, ancestor string
		want           bool
	}{
		{"D", "D", true},
		{"A", "D", true},
		{"A", "P", true},
		{"D", "A", false}, // ancestor is not within its descendant
		{"A", "B", false}, // siblings
		{"J", "D", false},
		{"X", "P", false}, // unknown unit
		{"P", "X", false}, // unknown ancestor
		{"", "P", false},
		{"P", "", false},
	}
	for _, tt := range tests {
		if got := tr.Within(tt.unit, tt.ancestor); got != tt.want {
			t.Errorf("Within(%q, %q) = %v, want %v", tt.unit, tt.ancestor, got, tt.want)
		}
	}
	if !tr.Has("A") || tr.Has("X") || tr.Has("") {
		t.Error("Has")
	}
}

func TestTreeSubtree(t *testing.T) {
	tr := catalog.NewTree(province())
	if got, want := tr.Subtree("D"), []string{"D", "A", "B"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Subtree(D) = %v, want %v", got, want)
	}
	all := tr.Subtree("P")
	if all[0] != "P" || len(all) != 6 {
		t.Errorf("Subtree(P) = %v", all)
	}
	rest := append([]string(nil), all[1:]...)
	sort.Strings(rest)
	if !reflect.DeepEqual(rest, []string{"A", "B", "C", "D", "J"}) {
		t.Errorf("Subtree(P) = %v", all)
	}
	if got := tr.Subtree("A"); !reflect.DeepEqual(got, []string{"A"}) {
		t.Errorf("leaf subtree = %v", got)
	}
}

func TestTreeSurvivesACycle(t *testing.T) {
	// Validation prevents cycles; a corrupt database must still not hang lookups.
	tr := catalog.NewTree([]catalog.Agency{{Code: "X", ParentCode: "Y"}, {Code: "Y", ParentCode: "X"}, {Code: "Z"}})
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = tr.Within("X", "Z")
		_ = tr.Subtree("X")
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("tree lookups loop on a cycle")
	}
}

func validationFields(t *testing.T, err error) map[string]string {
	t.Helper()
	var de *domain.Error
	if !errors.As(err, &de) || de.Kind != domain.KindValidation {
		t.Fatalf("want a validation error, got %v", err)
	}
	return de.Fields
}

func TestAgencyValidate(t *testing.T) {
	ok := catalog.Agency{Code: "000.00.20.H33", Name: "Trung tâm", Kind: catalog.KindServiceCenter, ParentCode: "000.00.00.H33"}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid agency: %v", err)
	}
	tests := []struct {
		name   string
		mutate func(*catalog.Agency)
		field  string
	}{
		{"empty code", func(a *catalog.Agency) { a.Code = "" }, "code"},
		{"code with space", func(a *catalog.Agency) { a.Code = "000 00" }, "code"},
		{"code with slash", func(a *catalog.Agency) { a.Code = "a/b" }, "code"},
		{"code too long", func(a *catalog.Agency) { a.Code = strings.Repeat("1", 65) }, "code"},
		{"blank name", func(a *catalog.Agency) { a.Name = "  " }, "name"},
		{"name too long", func(a *catalog.Agency) { a.Name = strings.Repeat("ă", 301) }, "name"},
		{"unknown kind", func(a *catalog.Agency) { a.Kind = "ministry" }, "kind"},
		{"own parent", func(a *catalog.Agency) { a.ParentCode = a.Code }, "parent_code"},
	}
	for _, tt := range tests {
		a := ok
		tt.mutate(&a)
		if f := validationFields(t, a.Validate()); f[tt.field] == "" {
			t.Errorf("%s: fields %v lack %q", tt.name, f, tt.field)
		}
	}
	if a := (catalog.Agency{Name: strings.Repeat("ă", 300), Code: "x", Kind: catalog.KindCommune}); a.Validate() != nil {
		t.Error("a 300-character name is allowed")
	}
}

func validProcedure() catalog.Procedure {
	return catalog.Procedure{Code: "1.001234", Name: "Đăng ký khai sinh", Field: "Hộ tịch", AgencyCode: "A",
		Level: catalog.LevelCommune, ProcessingTime: worktime.Duration{Value: 3, Unit: worktime.WorkingDays},
		OnlineLevel: catalog.OnlineFull, Status: catalog.StatusActive}
}

func TestProcedureValidate(t *testing.T) {
	if err := validProcedure().Validate(); err != nil {
		t.Fatalf("valid procedure: %v", err)
	}
	tests := []struct {
		name   string
		mutate func(*catalog.Procedure)
		field  string
	}{
		{"bad code", func(p *catalog.Procedure) { p.Code = "1 001" }, "code"},
		{"no name", func(p *catalog.Procedure) { p.Name = "" }, "name"},
		{"no field", func(p *catalog.Procedure) { p.Field = "" }, "field"},
		{"long field", func(p *catalog.Procedure) { p.Field = strings.Repeat("x", 301) }, "field"},
		{"no agency", func(p *catalog.Procedure) { p.AgencyCode = "" }, "agency_code"},
		{"bad level", func(p *catalog.Procedure) { p.Level = "national" }, "level"},
		{"bad unit", func(p *catalog.Procedure) { p.ProcessingTime.Unit = "weeks" }, "processing_time.unit"},
		{"negative time", func(p *catalog.Procedure) { p.ProcessingTime.Value = -1 }, "processing_time.value"},
		{"huge time", func(p *catalog.Procedure) { p.ProcessingTime.Value = 3651 }, "processing_time.value"},
		{"negative fee", func(p *catalog.Procedure) { p.Fee = -1 }, "fee"},
		{"bad online level", func(p *catalog.Procedure) { p.OnlineLevel = "4" }, "online_level"},
		{"bad status", func(p *catalog.Procedure) { p.Status = "draft" }, "status"},
	}
	for _, tt := range tests {
		p := validProcedure()
		tt.mutate(&p)
		if f := validationFields(t, p.Validate()); f[tt.field] == "" {
			t.Errorf("%s: fields %v lack %q", tt.name, f, tt.field)
		}
	}
}

func TestPublicationValidate(t *testing.T) {
	ok := catalog.Publication{Kind: catalog.PubNew, Decision: "602/QĐ-UBND", DecidedOn: worktime.MustParseDate("2021-05-26")}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	f := validationFields(t, catalog.Publication{Kind: "repealed", Decision: " "}.Validate())
	for _, k := range []string{"kind", "decision", "decided_on"} {
		if f[k] == "" {
			t.Errorf("fields %v lack %q", f, k)
		}
	}
}

func TestFilterValidate(t *testing.T) {
	if err := (catalog.AgencyFilter{Kind: catalog.KindCommune}).Validate(); err != nil {
		t.Fatal(err)
	}
	if f := validationFields(t, catalog.AgencyFilter{Kind: "ministry"}.Validate()); f["kind"] == "" {
		t.Fatal(f)
	}
	if err := (catalog.ProcedureFilter{Level: catalog.LevelCommune, OnlineLevel: catalog.OnlineInfo, Status: catalog.StatusAbolished}).Validate(); err != nil {
		t.Fatal(err)
	}
	f := validationFields(t, catalog.ProcedureFilter{Level: "x", OnlineLevel: "y", Status: "z"}.Validate())
	for _, k := range []string{"level", "online_level", "status"} {
		if f[k] == "" {
			t.Errorf("fields %v lack %q", f, k)
		}
	}
}

// ---- service, over an in-memory store

type memStore struct {
	agencies map[string]catalog.Agency
	procs    map[string]catalog.Procedure
	pubs     []catalog.Publication
	years    map[int]worktime.Year
	loads    int
	reads    int                 // Agency and Procedure calls
	comps    []catalog.Component // component_test.go
}

func newMemStore() *memStore {
	m := &memStore{agencies: map[string]catalog.Agency{}, procs: map[string]catalog.Procedure{}, years: map[int]worktime.Year{}}
	for _, a := range province() {
		m.agencies[a.Code] = a
	}
	return m
}

func (m *memStore) AllAgencies(context.Context) ([]catalog.Agency, error) {
	m.loads++
	var out []catalog.Agency
	for _, a := range m.agencies {
		out = append(out, a)
	}
	return out, nil
}

func (m *memStore) Agency(_ context.Context, code string) (catalog.Agency, error) {
	m.reads++
	a, ok := m.agencies[code]
	if !ok {
		return a, domain.NotFound("đơn vị")
	}
	return a, nil
}

func (m *memStore) ListAgencies(context.Context, catalog.AgencyFilter) ([]catalog.Agency, int64, error) {
	return nil, int64(len(m.agencies)), nil
}

func (m *memStore) CreateAgency(_ context.Context, a catalog.Agency) error {
	if _, ok := m.agencies[a.Code]; ok {
		return &domain.Error{Kind: domain.KindConflict, Message: "trùng"}
	}
	m.agencies[a.Code] = a
	return nil
}

func (m *memStore) UpdateAgency(_ context.Context, a catalog.Agency) error {
	if _, ok := m.agencies[a.Code]; !ok {
		return domain.NotFound("đơn vị")
	}
	m.agencies[a.Code] = a
	return nil
}

func (m *memStore) Procedure(_ context.Context, code string) (catalog.Procedure, error) {
	m.reads++
	p, ok := m.procs[code]
	if !ok {
		return p, domain.NotFound("thủ tục")
	}
	p.Publications = nil
	for _, pub := range m.pubs {
		if pub.ProcedureCode == code {
			p.Publications = append(p.Publications, pub)
		}
	}
	return p, nil
}

func (m *memStore) ListProcedures(context.Context, catalog.ProcedureFilter) ([]catalog.Procedure, int64, error) {
	return nil, int64(len(m.procs)), nil
}

func (m *memStore) CreateProcedure(_ context.Context, p catalog.Procedure) error {
	if _, ok := m.procs[p.Code]; ok {
		return &domain.Error{Kind: domain.KindConflict, Message: "trùng"}
	}
	m.procs[p.Code] = p
	return nil
}

func (m *memStore) UpdateProcedure(_ context.Context, p catalog.Procedure) error {
	if _, ok := m.procs[p.Code]; !ok {
		return domain.NotFound("thủ tục")
	}
	m.procs[p.Code] = p
	return nil
}

func (m *memStore) AddPublication(_ context.Context, p *catalog.Publication) error {
	p.ID = int64(len(m.pubs) + 1)
	m.pubs = append(m.pubs, *p)
	return nil
}

func (m *memStore) ProcedureNames(context.Context) (map[string]string, error) {
	out := map[string]string{}
	for c, p := range m.procs {
		out[c] = p.Name
	}
	return out, nil
}

func (m *memStore) CalendarYears(context.Context) ([]worktime.Year, error) {
	var out []worktime.Year
	for _, y := range m.years {
		out = append(out, y)
	}
	return out, nil
}

func (m *memStore) PutCalendarYear(_ context.Context, y worktime.Year) error {
	m.years[y.Year] = y
	return nil
}

var (
	admin  = user.Principal{Username: "root", Role: user.RoleAdmin}
	leader = user.Principal{Username: "lead", Role: user.RoleLeader, Unit: "J"}
	loc    = time.FixedZone("ICT", 7*3600)
	now    = time.Date(2026, 11, 23, 9, 0, 0, 0, loc)
)

func newService() (*catalog.Service, *memStore) {
	st := newMemStore()
	return catalog.NewService(st, loc, func() time.Time { return now }), st
}

func TestReparentingCannotMakeACycle(t *testing.T) {
	svc, st := newService()
	ctx := context.Background()
	tests := []struct {
		code, newParent string
	}{
		{"P", "A"}, // the root under a grandchild
		{"D", "B"}, // a district under its own commune
		{"D", "D"}, // itself
	}
	for _, tt := range tests {
		_, err := svc.UpdateAgency(ctx, admin, tt.code, func(a *catalog.Agency) { a.ParentCode = tt.newParent })
		if f := validationFields(t, err); f["parent_code"] == "" {
			t.Errorf("%s under %s: fields %v", tt.code, tt.newParent, f)
		}
		if st.agencies[tt.code].ParentCode == tt.newParent {
			t.Errorf("%s under %s was stored", tt.code, tt.newParent)
		}
	}
	// A legitimate move: commune A from the district to the province.
	a, err := svc.UpdateAgency(ctx, admin, "A", func(a *catalog.Agency) { a.ParentCode = "P" })
	if err != nil || a.ParentCode != "P" {
		t.Fatalf("move A under P: %+v %v", a, err)
	}
	tr, err := svc.Tree(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Within("A", "D") || !tr.Within("A", "P") {
		t.Fatal("the cached tree was not refreshed after the move")
	}
	// D under A would no longer be a cycle, but a district never stands
	// below a commune.
	if _, err := svc.UpdateAgency(ctx, admin, "D", func(a *catalog.Agency) { a.ParentCode = "A" }); validationFields(t, err)["parent_code"] == "" {
		t.Fatalf("D under A after A left D: %v", err)
	}
	// A commune may go under the moved commune.
	if _, err := svc.UpdateAgency(ctx, admin, "B", func(a *catalog.Agency) { a.ParentCode = "A" }); err != nil {
		t.Fatalf("B under A: %v", err)
	}
	// Unknown parent.
	_, err = svc.UpdateAgency(ctx, admin, "C", func(a *catalog.Agency) { a.ParentCode = "nowhere" })
	if f := validationFields(t, err); f["parent_code"] == "" {
		t.Fatal(f)
	}
	if _, err := svc.UpdateAgency(ctx, admin, "nowhere", func(*catalog.Agency) {}); domain.KindOf(err) != domain.KindNotFound {
		t.Fatalf("unknown agency: %v", err)
	}
	if _, err := svc.UpdateAgency(ctx, leader, "C", func(a *catalog.Agency) { a.Name = "x" }); domain.KindOf(err) != domain.KindForbidden {
		t.Fatalf("leader: %v", err)
	}
}

func TestCreateAgency(t *testing.T) {
	svc, st := newService()
	ctx := context.Background()
	if _, err := svc.CreateAgency(ctx, leader, catalog.Agency{Code: "E", Name: "x", Kind: catalog.KindCommune, ParentCode: "D"}); domain.KindOf(err) != domain.KindForbidden {
		t.Fatalf("leader: %v", err)
	}
	_, err := svc.CreateAgency(ctx, admin, catalog.Agency{Code: "E", Name: "x", Kind: catalog.KindCommune, ParentCode: "Q"})
	if f := validationFields(t, err); f["parent_code"] == "" {
		t.Fatal(f)
	}
	if _, err := svc.Tree(ctx); err != nil { // warm the cache
		t.Fatal(err)
	}
	before := st.loads
	if _, err := svc.Tree(ctx); err != nil || st.loads != before {
		t.Fatalf("a warm tree is served from the cache (%v)", err)
	}
	a, err := svc.CreateAgency(ctx, admin, catalog.Agency{Code: "E", Name: "Xã E", Kind: catalog.KindCommune, ParentCode: "D"})
	if err != nil {
		t.Fatal(err)
	}
	if !a.CreatedAt.Equal(now) || a.CreatedAt.Location() != time.UTC {
		t.Fatalf("created_at %v, want now in UTC", a.CreatedAt)
	}
	tr, _ := svc.Tree(ctx)
	if !tr.Within("E", "P") {
		t.Fatal("new agency missing from the tree")
	}
	if st.loads != before+1 {
		t.Fatal("creating an agency must invalidate the cached tree")
	}
	if _, err := svc.CreateAgency(ctx, admin, catalog.Agency{Code: "E", Name: "Xã E", Kind: catalog.KindCommune}); domain.KindOf(err) != domain.KindConflict {
		t.Fatalf("duplicate: %v", err)
	}
}

func TestCreateAndUpdateProcedure(t *testing.T) {
	svc, _ := newService()
	ctx := context.Background()
	p := validProcedure()
	p.Status = ""
	p.Publications = []catalog.Publication{{Kind: catalog.PubNew}}
	got, err := svc.CreateProcedure(ctx, admin, p)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != catalog.StatusActive || got.Publications != nil {
		t.Fatalf("defaults: status %q, publications %v", got.Status, got.Publications)
	}
	bad := validProcedure()
	bad.Code, bad.AgencyCode = "1.000002", "X"
	if f := validationFields(t, func() error { _, err := svc.CreateProcedure(ctx, admin, bad); return err }()); f["agency_code"] == "" {
		t.Fatal(f)
	}
	if _, err := svc.CreateProcedure(ctx, leader, validProcedure()); domain.KindOf(err) != domain.KindForbidden {
		t.Fatalf("leader: %v", err)
	}
	if _, err := svc.CreateProcedure(ctx, admin, validProcedure()); domain.KindOf(err) != domain.KindConflict {
		t.Fatalf("duplicate: %v", err)
	}
	_, err = svc.UpdateProcedure(ctx, admin, p.Code, func(p *catalog.Procedure) { p.AgencyCode = "nowhere"; p.Fee = -5 })
	if f := validationFields(t, err); f["fee"] == "" {
		t.Fatal(f)
	}
	up, err := svc.UpdateProcedure(ctx, admin, p.Code, func(p *catalog.Procedure) { p.Code = "hijack"; p.Fee = 50000 })
	if err != nil || up.Code != p.Code || up.Fee != 50000 {
		t.Fatalf("update: %+v %v", up, err)
	}
}

func TestAddPublicationSetsStatus(t *testing.T) {
	svc, st := newService()
	ctx := context.Background()
	if _, err := svc.CreateProcedure(ctx, admin, validProcedure()); err != nil {
		t.Fatal(err)
	}
	code := validProcedure().Code
	steps := []struct {
		kind catalog.PublicationKind
		want catalog.ProcedureStatus
	}{
		{catalog.PubNew, catalog.StatusActive},
		{catalog.PubAbolished, catalog.StatusAbolished},
		{catalog.PubAmended, catalog.StatusActive},
		{catalog.PubAbolished, catalog.StatusAbolished},
	}
	for i, s := range steps {
		p, err := svc.AddPublication(ctx, admin, code, catalog.PublicationText{Kind: string(s.kind), Decision: "1/QĐ-UBND",
			DecidedOn: "2021-05-26"})
		if err != nil {
			t.Fatal(err)
		}
		if p.Status != s.want || st.procs[code].Status != s.want {
			t.Fatalf("after %s: status %q (stored %q), want %q", s.kind, p.Status, st.procs[code].Status, s.want)
		}
		if len(p.Publications) != i+1 {
			t.Fatalf("after %d publications the procedure lists %d", i+1, len(p.Publications))
		}
	}
	if _, err := svc.AddPublication(ctx, admin, "nope", catalog.PublicationText{Kind: "new", Decision: "x",
		DecidedOn: "2021-01-01"}); domain.KindOf(err) != domain.KindNotFound {
		t.Fatalf("unknown procedure: %v", err)
	}
	if _, err := svc.AddPublication(ctx, leader, code, catalog.PublicationText{Kind: "new", Decision: "x",
		DecidedOn: "2021-01-01"}); domain.KindOf(err) != domain.KindForbidden {
		t.Fatalf("leader: %v", err)
	}
	n := len(st.pubs)
	if _, err := svc.AddPublication(ctx, admin, code, catalog.PublicationText{Kind: "repealed"}); domain.KindOf(err) != domain.KindValidation {
		t.Fatalf("bad publication: %v", err)
	}
	for _, bad := range []catalog.PublicationText{
		{Kind: "new", Decision: "x", DecidedOn: "26/05/2021"},
		{Kind: "new", Decision: "x", DecidedOn: "1899-12-31"},
		{Kind: "new", Decision: "x", DecidedOn: "2999-01-01"}, // after today
	} {
		if _, err := svc.AddPublication(ctx, admin, code, bad); validationFields(t, err)["decided_on"] == "" {
			t.Fatalf("%+v: %v", bad, err)
		}
	}
	if len(st.pubs) != n {
		t.Fatal("a refused publication was stored")
	}
}

func TestListsValidateFilters(t *testing.T) {
	svc, _ := newService()
	ctx := context.Background()
	if _, _, err := svc.ListAgencies(ctx, catalog.AgencyFilter{Kind: "ministry"}); domain.KindOf(err) != domain.KindValidation {
		t.Fatalf("agencies: %v", err)
	}
	if _, _, err := svc.ListProcedures(ctx, catalog.ProcedureFilter{OnlineLevel: "4"}); domain.KindOf(err) != domain.KindValidation {
		t.Fatalf("procedures: %v", err)
	}
	if _, n, err := svc.ListAgencies(ctx, catalog.AgencyFilter{}); err != nil || n != 6 {
		t.Fatalf("no filter: %d %v", n, err)
	}
}

func TestCalendarYear(t *testing.T) {
	svc, st := newService()
	ctx := context.Background()
	y, stored, err := svc.CalendarYear(ctx, 2030)
	if err != nil || stored || y.Year != 2030 || !reflect.DeepEqual(y.Sessions, worktime.DefaultSessions()) || len(y.Holidays) != 0 {
		t.Fatalf("default year: %+v %v %v", y, stored, err)
	}
	if _, _, err := svc.CalendarYear(ctx, 10000); domain.KindOf(err) != domain.KindValidation {
		t.Fatalf("year 10000: %v", err)
	}
	cal, err := svc.Calendar(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// 2030-01-02 is a Wednesday: a working day until it is made a holiday.
	wed := time.Date(2030, 1, 2, 9, 0, 0, 0, loc)
	if !cal.IsWorkingDay(worktime.DateOf(wed, loc)) {
		t.Fatal("2030-01-02 should be a working day by default")
	}
	put := worktime.YearText{Year: 2030, Holidays: []string{"2030-01-02"}}
	if _, err := svc.PutCalendarYear(ctx, leader, put); domain.KindOf(err) != domain.KindForbidden {
		t.Fatalf("leader: %v", err)
	}
	saved, err := svc.PutCalendarYear(ctx, admin, put)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(saved.Sessions, worktime.DefaultSessions()) {
		t.Fatal("a year without sessions gets the default sessions")
	}
	cal, _ = svc.Calendar(ctx)
	if cal.IsWorkingDay(worktime.DateOf(wed, loc)) {
		t.Fatal("the cached calendar was not refreshed after PUT")
	}
	if y, stored, _ := svc.CalendarYear(ctx, 2030); !stored || len(y.Holidays) != 1 {
		t.Fatalf("stored year: %+v %v", y, stored)
	}
	bad := worktime.YearText{Year: 2030, Holidays: []string{"2031-01-02"}}
	_, err = svc.PutCalendarYear(ctx, admin, bad)
	if f := validationFields(t, err); f["holidays[0]"] == "" {
		t.Fatal(f)
	}
	if len(st.years[2030].Holidays) != 1 || st.years[2030].Holidays[0] != worktime.MustParseDate("2030-01-02") {
		t.Fatal("a refused calendar was stored")
	}
}

func TestNamesComeFromTheCacheAndFollowChanges(t *testing.T) {
	ctx := context.Background()
	st := newMemStore()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	svc := catalog.NewService(st, time.UTC, func() time.Time { return now })
	admin := user.Principal{Username: "a", Role: user.RoleAdmin}
	var ag catalog.Agency
	for _, a := range st.agencies {
		ag = a
		break
	}
	p := catalog.Procedure{Code: "1.000001", Name: "Thủ tục A", Field: "F", AgencyCode: ag.Code, Level: catalog.LevelProvince,
		ProcessingTime: worktime.Duration{Value: 1, Unit: worktime.WorkingDays}, OnlineLevel: catalog.OnlineFull}
	if _, err := svc.CreateProcedure(ctx, admin, p); err != nil {
		t.Fatal(err)
	}
	if n, err := svc.AgencyName(ctx, ag.Code); err != nil || n != ag.Name {
		t.Fatalf("AgencyName = %q, %v; want %q", n, err, ag.Name)
	}
	loads := st.loads
	for i := 0; i < 5; i++ {
		if n, err := svc.ProcedureName(ctx, "1.000001"); err != nil || n != "Thủ tục A" {
			t.Fatalf("ProcedureName = %q, %v", n, err)
		}
	}
	if st.loads != loads {
		t.Fatalf("names were reloaded %d times within the cache TTL", st.loads-loads)
	}
	if _, err := svc.UpdateProcedure(ctx, admin, "1.000001", func(p *catalog.Procedure) { p.Name = "Thủ tục B" }); err != nil {
		t.Fatal(err)
	}
	if n, _ := svc.ProcedureName(ctx, "1.000001"); n != "Thủ tục B" {
		t.Fatalf("after a rename ProcedureName = %q, want the new name", n)
	}
	if _, err := svc.ProcedureName(ctx, "9.999999"); domain.KindOf(err) != domain.KindNotFound {
		t.Fatalf("unknown procedure: %v, want KindNotFound", err)
	}
}

// TestCachedAgencyAndProcedure: registration's reads of the receiving unit
// and the procedure come from a cache that a change through the service
// clears at once and that another instance's change reaches within
// CacheTTL; unknown codes are never kept.
func TestCachedAgencyAndProcedure(t *testing.T) {
	st := newMemStore()
	clock := now
	svc := catalog.NewService(st, loc, func() time.Time { return clock })
	ctx := context.Background()
	p := validProcedure()
	if _, err := svc.CreateProcedure(ctx, admin, p); err != nil {
		t.Fatal(err)
	}
	st.reads = 0
	for range 3 {
		if a, err := svc.CachedAgency(ctx, "J"); err != nil || a.Code != "J" {
			t.Fatalf("agency J: %+v %v", a, err)
		}
		if got, err := svc.CachedProcedure(ctx, p.Code); err != nil || got.Fee != p.Fee {
			t.Fatalf("procedure: %+v %v", got, err)
		}
	}
	if st.reads != 2 {
		t.Fatalf("%d store reads for three rounds, want 2 (one each, then the cache)", st.reads)
	}
	// A change through the service is seen at once.
	if _, err := svc.UpdateProcedure(ctx, admin, p.Code, func(p *catalog.Procedure) { p.Fee = 77000 }); err != nil {
		t.Fatal(err)
	}
	if got, _ := svc.CachedProcedure(ctx, p.Code); got.Fee != 77000 {
		t.Fatalf("fee %d after an update through the service, want 77000", got.Fee)
	}
	// A change by another instance (straight in the store) within CacheTTL.
	pr := st.procs[p.Code]
	pr.Status = catalog.StatusAbolished
	st.procs[p.Code] = pr
	if got, _ := svc.CachedProcedure(ctx, p.Code); got.Status == catalog.StatusAbolished {
		t.Fatal("the cache was not used within CacheTTL")
	}
	clock = clock.Add(catalog.CacheTTL)
	if got, _ := svc.CachedProcedure(ctx, p.Code); got.Status != catalog.StatusAbolished {
		t.Fatalf("status %q after CacheTTL, want the store's abolished", got.Status)
	}
	// Unknown codes go to the store each time.
	st.reads = 0
	for range 2 {
		if _, err := svc.CachedAgency(ctx, "nowhere"); domain.KindOf(err) != domain.KindNotFound {
			t.Fatalf("unknown agency: %v", err)
		}
	}
	if st.reads != 2 {
		t.Fatalf("%d reads for an unknown code twice, want 2", st.reads)
	}
}
