package user_test

import (
	"context"
	"errors"
	"maps"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/user"
)

// A small province: P → {C (centre), J (justice), D (district) → {A, B}}.
var tree = catalog.NewTree([]catalog.Agency{
	{Code: "P"},
	{Code: "C", ParentCode: "P"},
	{Code: "J", ParentCode: "P"},
	{Code: "D", ParentCode: "P"},
	{Code: "A", ParentCode: "D"},
	{Code: "B", ParentCode: "D"},
})

func TestInScope(t *testing.T) {
	tests := []struct {
		name  string
		p     user.Principal
		units []string
		want  bool
	}{
		{"unit itself", user.Principal{Role: user.RoleClerk, Unit: "D"}, []string{"D"}, true},
		{"descendant", user.Principal{Role: user.RoleOfficer, Unit: "D"}, []string{"A"}, true},
		{"deep descendant from the root", user.Principal{Role: user.RoleLeader, Unit: "P"}, []string{"B"}, true},
		{"sibling", user.Principal{Role: user.RoleClerk, Unit: "A"}, []string{"B"}, false},
		{"ancestor", user.Principal{Role: user.RoleClerk, Unit: "A"}, []string{"D"}, false},
		{"other branch", user.Principal{Role: user.RoleLeader, Unit: "J"}, []string{"A"}, false},
		{"unknown unit", user.Principal{Role: user.RoleClerk, Unit: "D"}, []string{"X"}, false},
		{"no units given", user.Principal{Role: user.RoleClerk, Unit: "D"}, nil, false},
		{"empty unit given", user.Principal{Role: user.RoleClerk, Unit: "D"}, []string{""}, false},
		{"any of several (reception outside, holder inside)", user.Principal{Role: user.RoleOfficer, Unit: "J"},
			[]string{"C", "", "J"}, true},
		{"none of several", user.Principal{Role: user.RoleOfficer, Unit: "J"}, []string{"C", "A"}, false},
		{"admin without unit sees all", user.Principal{Role: user.RoleAdmin}, []string{"B"}, true},
		{"viewer without unit sees all", user.Principal{Role: user.RoleViewer}, []string{"J"}, true},
		{"admin with unit is scoped: inside", user.Principal{Role: user.RoleAdmin, Unit: "D"}, []string{"A"}, true},
		{"admin with unit is scoped: outside", user.Principal{Role: user.RoleAdmin, Unit: "D"}, []string{"J"}, false},
		{"viewer with unit is scoped: outside", user.Principal{Role: user.RoleViewer, Unit: "A"}, []string{"B"}, false},
		{"clerk without unit sees nothing", user.Principal{Role: user.RoleClerk}, []string{"P"}, false},
		{"leader without unit sees nothing", user.Principal{Role: user.RoleLeader}, []string{"A"}, false},
		{"zero principal sees nothing", user.Principal{}, []string{"P"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.InScope(tree, tt.units...); got != tt.want {
				t.Fatalf("InScope(%v) = %v, want %v", tt.units, got, tt.want)
			}
		})
	}
}

func TestRequireRole(t *testing.T) {
	p := user.Principal{Username: "u", Role: user.RoleOfficer, Unit: "J"}
	if err := p.RequireRole(user.RoleOfficer, user.RoleLeader); err != nil {
		t.Fatalf("officer among officer, leader: %v", err)
	}
	err := p.RequireRole(user.RoleAdmin)
	if domain.KindOf(err) != domain.KindForbidden {
		t.Fatalf("officer as admin: kind %v, want forbidden", domain.KindOf(err))
	}
	if err := (user.Principal{}).RequireRole(user.RoleAdmin, user.RoleViewer); domain.KindOf(err) != domain.KindForbidden {
		t.Fatalf("zero principal: %v", err)
	}
	if err := p.RequireRole(); domain.KindOf(err) != domain.KindForbidden {
		t.Fatalf("no roles allowed: %v", err)
	}
}

func TestRoleValidAndSeesAll(t *testing.T) {
	for _, r := range []user.Role{user.RoleAdmin, user.RoleClerk, user.RoleOfficer, user.RoleLeader, user.RoleViewer} {
		if !r.Valid() {
			t.Errorf("%s not valid", r)
		}
	}
	for _, r := range []user.Role{"", "Admin", "root", "citizen"} {
		if r.Valid() {
			t.Errorf("%q valid", r)
		}
	}
	if !(user.Principal{Role: user.RoleAdmin}).SeesAll() || (user.Principal{Role: user.RoleAdmin, Unit: "P"}).SeesAll() ||
		(user.Principal{Role: user.RoleClerk}).SeesAll() {
		t.Fatal("SeesAll: only admin or viewer without a unit")
	}
}

func TestValidUsername(t *testing.T) {
	tests := map[string]bool{
		"admin": true, "clerk.district": true, "a_b-c.9": true, "abc": true, strings.Repeat("a", 64): true,
		"ab": false, strings.Repeat("a", 65): false, "Admin": false, "nguyễn": false, "a b": false, "a@b": false, "": false,
	}
	for in, want := range tests {
		if got := user.ValidUsername(in); got != want {
			t.Errorf("ValidUsername(%q) = %v, want %v", in, got, want)
		}
	}
}

// ---- service, over an in-memory store

type memStore struct{ users map[string]user.User }

func newMemStore() *memStore { return &memStore{users: map[string]user.User{}} }

func (m *memStore) User(_ context.Context, username string) (user.User, error) {
	u, ok := m.users[username]
	if !ok {
		return user.User{}, domain.NotFound("người dùng")
	}
	return u, nil
}

func (m *memStore) List(_ context.Context, f user.Filter) ([]user.User, int64, error) {
	offset, limit := f.Offset(), f.PageSize
	var out []user.User
	for _, u := range m.users {
		if (f.Role == "" || u.Role == f.Role) && (f.Unit == "" || u.Unit == f.Unit) {
			out = append(out, u)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Username < out[j].Username })
	n := int64(len(out))
	if offset > len(out) {
		offset = len(out)
	}
	out = out[offset:]
	if limit < len(out) {
		out = out[:limit]
	}
	return out, n, nil
}

func (m *memStore) Create(_ context.Context, u user.User) error {
	if _, ok := m.users[u.Username]; ok {
		return &domain.Error{Kind: domain.KindConflict, Message: "trùng"}
	}
	m.users[u.Username] = u
	return nil
}

// InTx runs fn on m and puts the users back as they were when fn fails.
func (m *memStore) InTx(_ context.Context, fn func(tx user.Store) error) error {
	saved := maps.Clone(m.users)
	if err := fn(m); err != nil {
		m.users = saved
		return err
	}
	return nil
}

func (m *memStore) LockAdmins(context.Context) error { return nil }

func (m *memStore) LockUser(ctx context.Context, username string) (user.User, error) {
	return m.User(ctx, username)
}

func (m *memStore) CountProvinceAdmins(context.Context) (int64, error) {
	var n int64
	for _, u := range m.users {
		if u.ProvinceAdmin() {
			n++
		}
	}
	return n, nil
}

func (m *memStore) Update(_ context.Context, u user.User) error {
	old, ok := m.users[u.Username]
	if !ok {
		return domain.NotFound("người dùng")
	}
	u.TokenVersion, u.CreatedAt = old.TokenVersion, old.CreatedAt
	m.users[u.Username] = u
	return nil
}

func (m *memStore) SetPassword(_ context.Context, username, oldHash, newHash string, at time.Time) error {
	u, ok := m.users[username]
	if !ok || u.PasswordHash != oldHash {
		return &domain.Error{Kind: domain.KindConflict, Message: "đổi"}
	}
	u.PasswordHash, u.UpdatedAt = newHash, at
	u.TokenVersion++
	m.users[username] = u
	return nil
}

func (m *memStore) BumpTokenVersion(_ context.Context, username string) error {
	u, ok := m.users[username]
	if !ok {
		return domain.NotFound("người dùng")
	}
	u.TokenVersion++
	m.users[username] = u
	return nil
}

func (m *memStore) Count(context.Context) (int64, error) { return int64(len(m.users)), nil }

// plainHasher is a transparent "hash" for tests; it counts verifications.
type plainHasher struct{ verified *int }

func (plainHasher) Hash(p string) (string, error) { return "h:" + p, nil }
func (h plainHasher) Verify(hash, p string) bool {
	*h.verified++
	return hash == "h:"+p
}

var admin = user.Principal{Username: "root", Role: user.RoleAdmin}

func newService(t *testing.T) (*user.Service, *memStore, *int) {
	t.Helper()
	st := newMemStore()
	n := 0
	now := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	svc := user.NewService(st, plainHasher{verified: &n},
		func(context.Context) (user.UnitChecker, error) { return tree, nil }, func() time.Time { return now })
	return svc, st, &n
}

func fields(t *testing.T, err error) map[string]string {
	t.Helper()
	var de *domain.Error
	if !errors.As(err, &de) || de.Kind != domain.KindValidation {
		t.Fatalf("want a validation error, got %v", err)
	}
	return de.Fields
}

func TestCreateValidation(t *testing.T) {
	ok := user.NewUser{Username: "clerk.a", Name: "Cán bộ", Role: user.RoleClerk, Unit: "A", Password: "12345678"}
	tests := []struct {
		name   string
		mutate func(*user.NewUser)
		field  string
	}{
		{"bad username", func(u *user.NewUser) { u.Username = "Clerk A" }, "username"},
		{"short username", func(u *user.NewUser) { u.Username = "ab" }, "username"},
		{"long name", func(u *user.NewUser) { u.Name = strings.Repeat("á", 301) }, "name"},
		{"short password", func(u *user.NewUser) { u.Password = "1234567" }, "password"},
		{"long password", func(u *user.NewUser) { u.Password = strings.Repeat("x", 73) }, "password"},
		{"unknown role", func(u *user.NewUser) { u.Role = "boss" }, "role"},
		{"clerk without unit", func(u *user.NewUser) { u.Unit = "" }, "unit"},
		{"officer without unit", func(u *user.NewUser) { u.Role, u.Unit = user.RoleOfficer, "" }, "unit"},
		{"unknown unit", func(u *user.NewUser) { u.Unit = "X" }, "unit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, st, _ := newService(t)
			in := ok
			tt.mutate(&in)
			_, err := svc.Create(context.Background(), admin, false, in)
			if f := fields(t, err); f[tt.field] == "" {
				t.Fatalf("fields %v lack %q", f, tt.field)
			}
			if len(st.users) != 0 {
				t.Fatal("an invalid user was stored")
			}
		})
	}
	t.Run("all problems at once", func(t *testing.T) {
		svc, _, _ := newService(t)
		_, err := svc.Create(context.Background(), admin, false, user.NewUser{Username: "X", Role: "boss", Password: "1"})
		f := fields(t, err)
		for _, k := range []string{"username", "role", "password"} {
			if f[k] == "" {
				t.Errorf("fields %v lack %q", f, k)
			}
		}
	})
	t.Run("admin and viewer need no unit", func(t *testing.T) {
		svc, st, _ := newService(t)
		for _, r := range []user.Role{user.RoleAdmin, user.RoleViewer} {
			u, err := svc.Create(context.Background(), admin, false, user.NewUser{Username: "u-" + string(r), Role: r, Password: "12345678"})
			if err != nil {
				t.Fatalf("%s: %v", r, err)
			}
			if u.PasswordHash == "12345678" || st.users[u.Username].PasswordHash != "h:12345678" {
				t.Fatal("the password must be stored hashed")
			}
		}
	})
	t.Run("only an admin, unless system", func(t *testing.T) {
		svc, _, _ := newService(t)
		clerk := user.Principal{Username: "c", Role: user.RoleClerk, Unit: "A"}
		if _, err := svc.Create(context.Background(), clerk, false, ok); domain.KindOf(err) != domain.KindForbidden {
			t.Fatalf("clerk creating a user: %v", err)
		}
		if _, err := svc.Create(context.Background(), user.Principal{}, true, ok); err != nil {
			t.Fatalf("system create: %v", err)
		}
		if _, err := svc.Create(context.Background(), admin, false, ok); domain.KindOf(err) != domain.KindConflict {
			t.Fatalf("duplicate: %v", err)
		}
	})
}

func TestAuthenticateGivesOneAnswerForEveryFailure(t *testing.T) {
	svc, _, verified := newService(t)
	ctx := context.Background()
	if _, err := svc.Create(ctx, admin, false, user.NewUser{Username: "clerk.a", Role: user.RoleClerk, Unit: "A", Password: "right-password"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Create(ctx, admin, false, user.NewUser{Username: "gone", Role: user.RoleClerk, Unit: "A", Password: "right-password"}); err != nil {
		t.Fatal(err)
	}
	disabled := true
	if _, err := svc.Update(ctx, admin, "gone", user.Patch{Disabled: &disabled}); err != nil {
		t.Fatal(err)
	}

	p, err := svc.Authenticate(ctx, "clerk.a", "right-password")
	if err != nil || p != (user.Principal{Username: "clerk.a", Role: user.RoleClerk, Unit: "A"}) {
		t.Fatalf("good login: %+v, %v", p, err)
	}
	for _, c := range [][2]string{{"nobody", "right-password"}, {"clerk.a", "wrong-password"}, {"gone", "right-password"}} {
		before := *verified
		_, err := svc.Authenticate(ctx, c[0], c[1])
		if err != user.ErrBadCredentials {
			t.Errorf("%s/%s: %v, want ErrBadCredentials", c[0], c[1], err)
		}
		if *verified != before+1 {
			t.Errorf("%s: a failed login must cost one password check (timing), got %d", c[0], *verified-before)
		}
	}
	if _, err := svc.Principal(ctx, "gone", 0); domain.KindOf(err) != domain.KindUnauthenticated {
		t.Fatalf("disabled principal: %v", err)
	}
	if _, err := svc.Principal(ctx, "nobody", 0); domain.KindOf(err) != domain.KindUnauthenticated {
		t.Fatalf("unknown principal: %v", err)
	}
}

func TestUpdate(t *testing.T) {
	svc, st, _ := newService(t)
	ctx := context.Background()
	if _, err := svc.Create(ctx, admin, false, user.NewUser{Username: "officer.j", Role: user.RoleOfficer, Unit: "J", Password: "12345678"}); err != nil {
		t.Fatal(err)
	}
	viewer, empty, bad, short := user.RoleViewer, "", "X", "short"
	// Becoming a viewer and dropping the unit together is fine.
	u, err := svc.Update(ctx, admin, "officer.j", user.Patch{Role: &viewer, Unit: &empty})
	if err != nil || u.Role != user.RoleViewer || u.Unit != "" {
		t.Fatalf("to viewer: %+v, %v", u, err)
	}
	clerk := user.RoleClerk
	if _, err := svc.Update(ctx, admin, "officer.j", user.Patch{Role: &clerk}); fields(t, err)["unit"] == "" {
		t.Fatal("a clerk without unit must be refused")
	}
	if _, err := svc.Update(ctx, admin, "officer.j", user.Patch{Unit: &bad, Password: &short}); err == nil {
		t.Fatal("unknown unit and short password accepted")
	} else if f := fields(t, err); f["unit"] == "" || f["password"] == "" {
		t.Fatalf("fields %v", f)
	}
	if st.users["officer.j"].Role != user.RoleViewer {
		t.Fatal("a refused update changed the stored user")
	}
	if _, err := svc.Update(ctx, admin, "nobody", user.Patch{}); domain.KindOf(err) != domain.KindNotFound {
		t.Fatalf("unknown user: %v", err)
	}
	if _, err := svc.Update(ctx, user.Principal{Role: user.RoleLeader, Unit: "P"}, "officer.j", user.Patch{}); domain.KindOf(err) != domain.KindForbidden {
		t.Fatalf("leader updating: %v", err)
	}
}

func TestListValidatesRole(t *testing.T) {
	svc, _, _ := newService(t)
	if _, _, err := svc.List(context.Background(), admin, user.Filter{Role: "boss", Page: domain.Page{Page: 1, PageSize: 10}}); fields(t, err)["role"] == "" {
		t.Fatal("unknown role filter must be a validation error")
	}
	if _, _, err := svc.List(context.Background(), user.Principal{Role: user.RoleViewer}, user.Filter{Page: domain.Page{Page: 1, PageSize: 10}}); domain.KindOf(err) != domain.KindForbidden {
		t.Fatalf("viewer listing users: %v", err)
	}
}

func TestBootstrap(t *testing.T) {
	svc, st, _ := newService(t)
	ctx := context.Background()
	if made, err := svc.Bootstrap(ctx, ""); made || err != nil {
		t.Fatalf("no password: %v %v", made, err)
	}
	if made, err := svc.Bootstrap(ctx, "bootstrap-pass"); !made || err != nil {
		t.Fatalf("first: %v %v", made, err)
	}
	if u := st.users["admin"]; u.Role != user.RoleAdmin || u.Unit != "" {
		t.Fatalf("bootstrap admin: %+v", u)
	}
	if made, err := svc.Bootstrap(ctx, "another-pass"); made || err != nil {
		t.Fatalf("second: %v %v", made, err)
	}
	if st.users["admin"].PasswordHash != "h:bootstrap-pass" {
		t.Fatal("a second bootstrap changed the admin's password")
	}
}
