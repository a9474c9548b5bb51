package catalog_test

import (
	"context"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/worktime"
)

// ---- the memStore's components (catalog.ComponentStore)

func (m *memStore) Components(_ context.Context, code string, includeRetired bool) ([]catalog.Component, error) {
	var out []catalog.Component
	for _, c := range m.comps {
		if c.ProcedureCode == code && (includeRetired || c.Active) {
			out = append(out, c)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Position != out[j].Position {
			return out[i].Position < out[j].Position
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

func (m *memStore) Component(_ context.Context, code string, id int64) (catalog.Component, error) {
	for _, c := range m.comps {
		if c.ID == id && c.ProcedureCode == code {
			return c, nil
		}
	}
	return catalog.Component{}, domain.NotFound("thành phần hồ sơ")
}

func (m *memStore) NextComponentPosition(_ context.Context, code string) (int, error) {
	next := 0
	for _, c := range m.comps {
		if c.ProcedureCode == code && c.Position >= next {
			next = c.Position + 1
		}
	}
	return next, nil
}

func (m *memStore) taken(c catalog.Component) bool {
	for _, o := range m.comps {
		if o.ID != c.ID && o.ProcedureCode == c.ProcedureCode && c.Code != "" && o.Code == c.Code {
			return true
		}
	}
	return false
}

func (m *memStore) CreateComponent(_ context.Context, c *catalog.Component) error {
	if m.taken(*c) {
		return &domain.Error{Kind: domain.KindConflict, Message: "trùng"}
	}
	c.ID = int64(len(m.comps) + 1)
	m.comps = append(m.comps, *c)
	return nil
}

func (m *memStore) UpdateComponent(_ context.Context, c catalog.Component) error {
	if m.taken(c) {
		return &domain.Error{Kind: domain.KindConflict, Message: "trùng"}
	}
	for i, o := range m.comps {
		if o.ID == c.ID {
			c.CreatedAt = o.CreatedAt
			m.comps[i] = c
			return nil
		}
	}
	return domain.NotFound("thành phần hồ sơ")
}

// ---- tests

func fields(err error) []string {
	de, _ := err.(*domain.Error)
	if de == nil {
		return nil
	}
	var out []string
	for k := range de.Fields {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func ptr[T any](v T) *T { return &v }

func TestComponentValidation(t *testing.T) {
	good := catalog.Component{ProcedureCode: "P1", Name: "Tờ khai", Originals: 1, Position: 0, Active: true, Required: true}
	if err := good.Validate(); err != nil {
		t.Fatalf("a good component: %v", err)
	}
	with := func(f func(*catalog.Component)) catalog.Component {
		c := good
		f(&c)
		return c
	}
	tests := []struct {
		name string
		c    catalog.Component
		want []string
	}{
		{"no name", with(func(c *catalog.Component) { c.Name = "  " }), []string{"name"}},
		{"long name", with(func(c *catalog.Component) { c.Name = strings.Repeat("ữ", 301) }), []string{"name"}},
		{"code with accents", with(func(c *catalog.Component) { c.Code = "mã-1" }), []string{"code"}},
		{"code too long", with(func(c *catalog.Component) { c.Code = strings.Repeat("a", 51) }), []string{"code"}},
		{"code with a leading space", with(func(c *catalog.Component) { c.Code = " A1" }), []string{"code"}},
		{"code with a tab", with(func(c *catalog.Component) { c.Code = "A\t1" }), []string{"code"}},
		{"originals over 100", with(func(c *catalog.Component) { c.Originals = 101 }), []string{"originals"}},
		{"negative copies", with(func(c *catalog.Component) { c.Copies = -1 }), []string{"copies"}},
		{"neither original nor copy", with(func(c *catalog.Component) { c.Originals = 0 }), []string{"copies", "originals"}},
		{"long condition", with(func(c *catalog.Component) { c.Condition = strings.Repeat("x", 10001) }), []string{"condition"}},
		{"template with a slash", with(func(c *catalog.Component) { c.Template = "mau/01.docx" }), []string{"template"}},
		{"template with a backslash", with(func(c *catalog.Component) { c.Template = `mau\01.docx` }), []string{"template"}},
		{"template with a newline", with(func(c *catalog.Component) { c.Template = "Mẫu\n01.docx" }), []string{"template"}},
		{"blank template", with(func(c *catalog.Component) { c.Template = "   " }), []string{"template"}},
		{"long template", with(func(c *catalog.Component) { c.Template = strings.Repeat("a", 256) }), []string{"template"}},
		{"negative position", with(func(c *catalog.Component) { c.Position = -1 }), []string{"position"}},
		{"position too far", with(func(c *catalog.Component) { c.Position = catalog.MaxPosition + 1 }), []string{"position"}},
	}
	for _, tt := range tests {
		if got := fields(tt.c.Validate()); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: fields %v, want %v", tt.name, got, tt.want)
		}
	}
	for _, ok := range []catalog.Component{
		with(func(c *catalog.Component) { c.Code = "1.000001.000.00.00.H12-01 (ban A)" }),
		with(func(c *catalog.Component) { c.Originals, c.Copies = 0, 2 }),
		with(func(c *catalog.Component) {
			c.Template = "Mẫu số 01.docx"
			c.Required = false
			c.Condition = "Khi ủy quyền"
		}),
		with(func(c *catalog.Component) { c.Position = catalog.MaxPosition; c.Originals, c.Copies = 100, 100 }),
	} {
		if err := ok.Validate(); err != nil {
			t.Errorf("%+v: %v", ok, err)
		}
	}
}

func TestNewComponentDefaultsAndEmptyStrings(t *testing.T) {
	fe := domain.FieldErrors{}
	c := catalog.NewComponent{Name: "Tờ khai"}.Build("P1", fe)
	want := catalog.Component{ProcedureCode: "P1", Name: "Tờ khai", Originals: 1, Copies: 0, Required: true, Active: true}
	if len(fe) != 0 || !reflect.DeepEqual(c, want) {
		t.Fatalf("defaults: %+v %v", c, fe)
	}
	catalog.NewComponent{Name: "x", Code: ptr(""), Template: ptr("")}.Build("P1", fe)
	if fe["code"] == "" || fe["template"] == "" {
		t.Fatalf("empty code and template: %v", fe)
	}
}

func TestFeeLines(t *testing.T) {
	base := catalog.Procedure{Code: "P1", Name: "Thủ tục", Field: "F", AgencyCode: "J", Level: catalog.LevelProvince,
		ProcessingTime: worktime.Duration{Value: 1, Unit: worktime.WorkingDays}, OnlineLevel: catalog.OnlineInfo, Status: catalog.StatusActive}
	lines := []catalog.FeeLine{{Kind: catalog.FeeCharge, Name: "Lệ phí cấp", Amount: 100000}, {Kind: catalog.FeeFee, Name: "Phí thẩm định", Amount: 50000}}

	p := base
	p.SetFees(nil, &lines)
	if p.Fee != 150000 || len(p.FeeLines) != 2 || p.Validate() != nil {
		t.Fatalf("lines alone: fee %d %v", p.Fee, p.Validate())
	}
	p = base
	p.SetFees(ptr(int64(150000)), &lines)
	if p.Validate() != nil {
		t.Fatalf("fee equal to the sum: %v", p.Validate())
	}
	p.SetFees(ptr(int64(1)), &lines)
	if got := fields(p.Validate()); !reflect.DeepEqual(got, []string{"fee"}) {
		t.Fatalf("fee against the sum: %v", got)
	}
	p.SetFees(ptr(int64(7000)), nil)
	if p.Fee != 7000 || p.FeeLines != nil || p.Validate() != nil {
		t.Fatalf("fee alone is a lump sum: %+v", p)
	}
	p.SetFees(nil, &lines)
	p.SetFees(nil, &[]catalog.FeeLine{})
	if p.Fee != 150000 || p.FeeLines != nil {
		t.Fatalf("empty lines keep the fee: %+v", p)
	}

	bad := base
	many := make([]catalog.FeeLine, 51)
	for i := range many {
		many[i] = catalog.FeeLine{Kind: catalog.FeeFee, Name: "Phí", Amount: 1}
	}
	bad.SetFees(nil, &many)
	if got := fields(bad.Validate()); !reflect.DeepEqual(got, []string{"fee_lines"}) {
		t.Errorf("51 lines: %v", got)
	}
	bad = base
	bad.SetFees(nil, &[]catalog.FeeLine{{Kind: "tax", Name: "", Amount: catalog.MaxFeeAmount + 1}, {Kind: catalog.FeeFee, Name: "Phí", Amount: -1}})
	want := []string{"fee_lines[0].amount", "fee_lines[0].kind", "fee_lines[0].name", "fee_lines[1].amount"}
	if got := fields(bad.Validate()); !reflect.DeepEqual(got, want) {
		t.Errorf("bad lines: %v, want %v", got, want)
	}
}

func TestComponentService(t *testing.T) {
	svc, _ := newService()
	ctx := context.Background()
	if _, err := svc.CreateProcedure(ctx, admin, catalog.Procedure{Code: "P1", Name: "Thủ tục", Field: "F", AgencyCode: "J",
		Level: catalog.LevelProvince, ProcessingTime: worktime.Duration{Value: 1, Unit: worktime.WorkingDays},
		OnlineLevel: catalog.OnlineInfo}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateComponent(ctx, leader, "P1", catalog.NewComponent{Name: "Tờ khai"}); domain.KindOf(err) != domain.KindForbidden {
		t.Fatalf("a leader adds a component: %v", err)
	}
	if _, err := svc.CreateComponent(ctx, admin, "P9", catalog.NewComponent{Name: "Tờ khai"}); domain.KindOf(err) != domain.KindNotFound {
		t.Fatalf("unknown procedure: %v", err)
	}
	a, err := svc.CreateComponent(ctx, admin, "P1", catalog.NewComponent{Name: "Tờ khai", Code: ptr("TK")})
	if err != nil || a.Position != 0 || a.ID == 0 || !a.Active || a.Originals != 1 {
		t.Fatalf("first: %+v %v", a, err)
	}
	b, err := svc.CreateComponent(ctx, admin, "P1", catalog.NewComponent{Name: "CCCD", Copies: ptr(1), Originals: ptr(0)})
	if err != nil || b.Position != 1 {
		t.Fatalf("second goes after the last: %+v %v", b, err)
	}
	if _, err := svc.CreateComponent(ctx, admin, "P1", catalog.NewComponent{Name: "Khác", Code: ptr("TK")}); domain.KindOf(err) != domain.KindConflict {
		t.Fatalf("a taken code: %v", err)
	}
	if _, err := svc.UpdateComponent(ctx, admin, "P2", a.ID, func(*catalog.Component, domain.FieldErrors) {}); domain.KindOf(err) != domain.KindNotFound {
		t.Fatalf("a component of another procedure: %v", err)
	}
	r, err := svc.UpdateComponent(ctx, admin, "P1", a.ID, func(c *catalog.Component, _ domain.FieldErrors) { c.Active = false })
	if err != nil || r.Active {
		t.Fatalf("retire: %+v %v", r, err)
	}
	act, _ := svc.Components(ctx, "P1", false)
	all, _ := svc.Components(ctx, "P1", true)
	if len(act) != 1 || act[0].ID != b.ID || len(all) != 2 {
		t.Fatalf("active %v, all %v", act, all)
	}
	p, err := svc.ProcedureDetail(ctx, "P1")
	if err != nil || len(p.Components) != 1 || p.Components[0].ID != b.ID {
		t.Fatalf("detail: %+v %v", p.Components, err)
	}
	if _, err := svc.Components(ctx, "P9", false); domain.KindOf(err) != domain.KindNotFound {
		t.Fatalf("components of an unknown procedure: %v", err)
	}
}

func TestSyncComponents(t *testing.T) {
	t0 := time.Date(2026, 1, 5, 1, 0, 0, 0, time.UTC)
	t1 := t0.Add(time.Hour)
	c := func(id int64, code, name string, pos int, active bool) catalog.Component {
		return catalog.Component{ID: id, ProcedureCode: "P1", Code: code, Name: name, Originals: 1, Required: true,
			Position: pos, Active: active, CreatedAt: t0, UpdatedAt: t0}
	}
	stored := []catalog.Component{
		c(1, "A", "Tờ khai", 0, true),
		c(2, "", "Giấy ủy quyền", 1, true),
		c(3, "", "Ảnh", 2, true),
		c(4, "B", "Bản cũ", 3, false),
	}
	want := []catalog.Component{
		c(0, "A", "Tờ khai (mẫu mới)", 0, true), // matched by code, renamed
		c(0, "U", "Giấy ủy quyền", 1, true),     // matched by name, takes a code
		c(0, "B", "Bản cũ", 2, true),            // a retired one comes back
		c(0, "", "Sổ hộ khẩu", 3, true),         // new
	} // "Ảnh" is no longer wanted: retired
	update, add := catalog.SyncComponents(stored, want, t1)
	got := map[int64]catalog.Component{}
	for _, u := range update {
		got[u.ID] = u
		if !u.UpdatedAt.Equal(t1) || !u.CreatedAt.Equal(t0) {
			t.Errorf("update %d times %v %v", u.ID, u.CreatedAt, u.UpdatedAt)
		}
	}
	if len(update) != 4 || got[1].Name != "Tờ khai (mẫu mới)" || got[2].Code != "U" || got[3].Active || !got[4].Active || got[4].Position != 2 {
		t.Fatalf("update %+v", update)
	}
	if len(add) != 1 || add[0].Name != "Sổ hộ khẩu" || add[0].ID != 0 || !add[0].CreatedAt.Equal(t1) {
		t.Fatalf("add %+v", add)
	}
	// The same list again changes nothing.
	var now []catalog.Component
	for _, s := range stored {
		if u, ok := got[s.ID]; ok {
			s = u
		}
		now = append(now, s)
	}
	a := add[0]
	a.ID = 5
	now = append(now, a)
	if update, add := catalog.SyncComponents(now, want, t1.Add(time.Hour)); len(update)+len(add) != 0 {
		t.Fatalf("a second sync: update %+v add %+v", update, add)
	}
	// An empty list retires every active one.
	if update, add := catalog.SyncComponents(now, nil, t1); len(update) != 4 || len(add) != 0 {
		t.Fatalf("empty list: update %d add %d", len(update), len(add))
	}
}
