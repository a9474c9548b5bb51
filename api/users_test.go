package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/cmd/motcua/demo"
)

func TestUsers(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	admin := e.tok("admin")
	u := obj(t, apptest.Want(t, e.post("/api/v1/users", admin, map[string]any{
		"username": "clerk.xa", "name": "Cán bộ một cửa xã", "role": "clerk", "unit": demo.CommuneA, "password": "secret-pass-1"}),
		http.StatusCreated))
	if u["username"] != "clerk.xa" || u["role"] != "clerk" || u["unit"] != demo.CommuneA || u["disabled"] != false {
		t.Fatalf("created %v", u)
	}
	if ts := u["created_at"].(string); !strings.HasSuffix(ts, "+07:00") {
		t.Fatalf("created_at %q is not in the configured zone", ts)
	}
	for k := range u {
		if strings.Contains(k, "password") {
			t.Fatalf("the user answer shows %q", k)
		}
	}
	viewer := obj(t, apptest.Want(t, e.post("/api/v1/users", admin, map[string]any{
		"username": "viewer2", "role": "viewer", "password": "secret-pass-2"}), http.StatusCreated))
	if viewer["unit"] != nil {
		t.Fatalf("a province-wide viewer has unit null, got %v", viewer["unit"])
	}
	got := obj(t, apptest.Want(t, e.get("/api/v1/users/clerk.xa", admin), http.StatusOK))
	if got["name"] != "Cán bộ một cửa xã" {
		t.Fatalf("get %v", got)
	}
	clerks := codesOf(items(t, apptest.Want(t, e.get("/api/v1/users?role=clerk&page_size=500", admin), http.StatusOK)), "username")
	if fmt.Sprint(clerks) != "[clerk clerk.commune clerk.xa]" {
		t.Fatalf("clerks %v", clerks)
	}
	inUnit := codesOf(items(t, e.get("/api/v1/users?unit="+demo.Justice, admin)), "username")
	if fmt.Sprint(inUnit) != "[leader officer]" {
		t.Fatalf("users of the justice department %v", inUnit)
	}
	all := obj(t, e.get("/api/v1/users?page_size=2&page=2", admin))
	if all["total"] != float64(len(demo.Users)+2) || len(all["items"].([]any)) != 2 {
		t.Fatalf("paging users %v", all)
	}
	wantFields(t, e.get("/api/v1/users?role=boss", admin), "role")
	wantFields(t, e.get("/api/v1/users?page_size=501", admin), "page_size")

	// The new user logs in and works in their unit.
	tok := loginOK(t, e, "clerk.xa", "secret-pass-1")
	apptest.Want(t, e.get("/api/v1/agencies", tok), http.StatusOK)

	// Patch: name, unit, password.
	upd := obj(t, apptest.Want(t, e.patch("/api/v1/users/clerk.xa", admin, map[string]any{
		"name": "Cán bộ mới", "unit": demo.CommuneB, "password": "secret-pass-3"}), http.StatusOK))
	if upd["name"] != "Cán bộ mới" || upd["unit"] != demo.CommuneB || upd["role"] != "clerk" {
		t.Fatalf("patch %v", upd)
	}
	loginFails(t, e, "clerk.xa", "secret-pass-1")
	tok = loginOK(t, e, "clerk.xa", "secret-pass-3")

	// Disabling stops the token at once and the login too; enabling restores
	// the login but not the old token.
	apptest.Want(t, e.patch("/api/v1/users/clerk.xa", admin, map[string]any{"disabled": true}), http.StatusOK)
	wantError(t, e.get("/api/v1/agencies", tok), http.StatusUnauthorized, "unauthenticated")
	loginFails(t, e, "clerk.xa", "secret-pass-3")
	apptest.Want(t, e.patch("/api/v1/users/clerk.xa", admin, map[string]any{"disabled": false}), http.StatusOK)
	wantError(t, e.get("/api/v1/agencies", tok), http.StatusUnauthorized, "unauthenticated")
	apptest.Want(t, e.get("/api/v1/agencies", loginOK(t, e, "clerk.xa", "secret-pass-3")), http.StatusOK)

	// A role change revokes the tokens; the next login carries the new role.
	apptest.Want(t, e.patch("/api/v1/users/viewer2", admin, map[string]any{"role": "admin"}), http.StatusOK)
	vtok := loginOK(t, e, "viewer2", "secret-pass-2")
	apptest.Want(t, e.get("/api/v1/users", vtok), http.StatusOK)
	apptest.Want(t, e.patch("/api/v1/users/viewer2", admin, map[string]any{"role": "viewer"}), http.StatusOK)
	wantError(t, e.get("/api/v1/users", vtok), http.StatusUnauthorized, "unauthenticated")
	wantError(t, e.get("/api/v1/users", loginOK(t, e, "viewer2", "secret-pass-2")), http.StatusForbidden, "forbidden")

	wantError(t, e.post("/api/v1/users", admin, map[string]any{"username": "clerk.xa", "role": "viewer", "password": "12345678"}),
		http.StatusConflict, "conflict")
	wantError(t, e.get("/api/v1/users/nobody", admin), http.StatusNotFound, "not_found")
	wantError(t, e.patch("/api/v1/users/nobody", admin, map[string]any{"name": "x"}), http.StatusNotFound, "not_found")
}

func codesOf(list []map[string]any, key string) []string {
	var out []string
	for _, m := range list {
		out = append(out, m[key].(string))
	}
	return out
}

func TestUserValidation(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	admin := e.tok("admin")
	tests := []struct {
		name   string
		body   map[string]any
		fields []string
	}{
		{"bad username", map[string]any{"username": "Nguyen Van A", "role": "viewer", "password": "12345678"}, []string{"username"}},
		{"short username", map[string]any{"username": "ab", "role": "viewer", "password": "12345678"}, []string{"username"}},
		{"short password", map[string]any{"username": "abc", "role": "viewer", "password": "1234567"}, []string{"password"}},
		{"no password", map[string]any{"username": "abc", "role": "viewer"}, []string{"password"}},
		{"unknown role", map[string]any{"username": "abc", "role": "boss", "password": "12345678"}, []string{"role"}},
		{"clerk without unit", map[string]any{"username": "abc", "role": "clerk", "password": "12345678"}, []string{"unit"}},
		{"unknown unit", map[string]any{"username": "abc", "role": "officer", "unit": "000.99.99.H99", "password": "12345678"}, []string{"unit"}},
		{"name too long", map[string]any{"username": "abc", "role": "viewer", "password": "12345678", "name": strings.Repeat("ễ", 301)}, []string{"name"}},
		{"everything", map[string]any{"username": "A", "role": "boss", "password": "1"}, []string{"username", "role", "password"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantFields(t, e.post("/api/v1/users", admin, tt.body), tt.fields...)
		})
	}
	wantError(t, e.get("/api/v1/users/abc", admin), http.StatusNotFound, "not_found")
	wantFields(t, e.patch("/api/v1/users/officer", admin, map[string]any{"unit": ""}), "unit")
	wantFields(t, e.patch("/api/v1/users/officer", admin, map[string]any{"role": "boss", "password": "short"}), "role", "password")
	if got := obj(t, e.get("/api/v1/users/officer", admin)); got["unit"] != demo.Justice || got["role"] != "officer" {
		t.Fatalf("a refused patch changed the user: %v", got)
	}
}

// An admin of a unit manages the accounts of its unit and below, and cannot
// make anyone, itself included, a province-wide admin.
func TestUnitAdminManagesOnlyItsUnit(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	apptest.Want(t, e.post("/api/v1/users", e.tok("admin"), map[string]any{"username": "admin.justice", "name": "Quản trị Sở",
		"role": "admin", "unit": demo.Justice, "password": demo.Password}), http.StatusCreated)
	ua := freshToken(e, "admin.justice")
	wantError(t, e.post("/api/v1/users", ua, map[string]any{"username": "root2", "role": "admin", "password": "12345678"}), http.StatusForbidden, "forbidden")
	wantError(t, e.post("/api/v1/users", ua, map[string]any{"username": "x.commune", "role": "clerk", "unit": demo.CommuneA, "password": "12345678"}), http.StatusForbidden, "forbidden")
	apptest.Want(t, e.post("/api/v1/users", ua, map[string]any{"username": "x.justice", "role": "officer", "unit": demo.Justice, "password": "12345678"}), http.StatusCreated)
	wantError(t, e.patch("/api/v1/users/admin.justice", ua, map[string]any{"unit": ""}), http.StatusForbidden, "forbidden")
	wantError(t, e.patch("/api/v1/users/officer", ua, map[string]any{"unit": demo.CommuneA}), http.StatusForbidden, "forbidden")
	wantError(t, e.patch("/api/v1/users/admin", ua, map[string]any{"disabled": true}), http.StatusNotFound, "not_found")
	wantError(t, e.get("/api/v1/users/clerk.commune", ua), http.StatusNotFound, "not_found")
	apptest.Want(t, e.get("/api/v1/users/officer", ua), http.StatusOK)
	wantError(t, e.get("/api/v1/users?unit="+demo.CommuneA, ua), http.StatusForbidden, "forbidden")
	var list struct {
		Items []struct {
			Unit *string `json:"unit"`
		} `json:"items"`
	}
	apptest.Want(t, e.get("/api/v1/users", ua), http.StatusOK).Decode(t, &list)
	if len(list.Items) == 0 {
		t.Fatal("the unit admin lists no one")
	}
	for _, u := range list.Items {
		if u.Unit == nil || *u.Unit != demo.Justice {
			t.Fatalf("the unit admin lists a user of unit %v", u.Unit)
		}
	}
	if me := obj(t, e.get("/api/v1/auth/me", ua)); me["unit"] != demo.Justice || me["role"] != "admin" {
		t.Fatalf("the unit admin changed: %v", me)
	}
}
