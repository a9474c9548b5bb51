package api_test

import (
	"net/http"
	"testing"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/cmd/motcua/demo"
)

// TestUserEmail: a user's e-mail address is optional, stored lowercased,
// shown to the admins who see the user, refused when malformed, replaced
// and removed ("") by PATCH.
func TestUserEmail(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	admin := e.tok("admin")
	u := obj(t, apptest.Want(t, e.post("/api/v1/users", admin, map[string]any{
		"username": "leader.mail", "name": "Lãnh đạo", "role": "leader", "unit": demo.Justice, "password": "secret-pass-1",
		"email": " LanhDao@TuPhap.Example.VN "}), http.StatusCreated))
	if u["email"] != "lanhdao@tuphap.example.vn" {
		t.Fatalf("created email %v", u["email"])
	}
	if got := obj(t, apptest.Want(t, e.get("/api/v1/users/leader.mail", admin), http.StatusOK)); got["email"] != "lanhdao@tuphap.example.vn" {
		t.Fatalf("get email %v", got["email"])
	}
	none := obj(t, apptest.Want(t, e.post("/api/v1/users", admin, map[string]any{
		"username": "viewer.nomail", "role": "viewer", "password": "secret-pass-2"}), http.StatusCreated))
	if v, ok := none["email"]; !ok || v != nil {
		t.Fatalf("a user without e-mail has email null, got %v (present %v)", v, ok)
	}
	for _, bad := range []string{"not-an-address", "Lan <lan@example.vn>", "a@b", "two@example.vn, three@example.vn"} {
		wantFields(t, e.post("/api/v1/users", admin, map[string]any{
			"username": "bad.mail", "role": "viewer", "password": "secret-pass-3", "email": bad}), "email")
		wantFields(t, e.patch("/api/v1/users/leader.mail", admin, map[string]any{"email": bad}), "email")
	}
	p := obj(t, apptest.Want(t, e.patch("/api/v1/users/leader.mail", admin, map[string]any{"email": "Moi@Example.vn"}), http.StatusOK))
	if p["email"] != "moi@example.vn" {
		t.Fatalf("patched email %v", p["email"])
	}
	p = obj(t, apptest.Want(t, e.patch("/api/v1/users/leader.mail", admin, map[string]any{"name": "Lãnh đạo Sở"}), http.StatusOK))
	if p["email"] != "moi@example.vn" {
		t.Fatalf("a patch without email changed it to %v", p["email"])
	}
	p = obj(t, apptest.Want(t, e.patch("/api/v1/users/leader.mail", admin, map[string]any{"email": ""}), http.StatusOK))
	if p["email"] != nil {
		t.Fatalf(`email "" kept %v`, p["email"])
	}
}
