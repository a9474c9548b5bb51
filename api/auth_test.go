package api_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/cmd/motcua/demo"
)

func TestAuthPasswordChangeRevokesTokens(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	tok := loginOK(t, e, "clerk", demo.Password)
	apptest.Want(t, e.get("/api/v1/agencies", tok), http.StatusOK)
	wantFields(t, e.post("/api/v1/auth/password", tok, map[string]string{"current_password": "wrong-one-here", "new_password": "a-new-long-password"}), "current_password")
	wantFields(t, e.post("/api/v1/auth/password", tok, map[string]string{"current_password": demo.Password, "new_password": "short-pass1"}), "new_password")
	apptest.Want(t, e.get("/api/v1/agencies", tok), http.StatusOK) // refused changes revoke nothing
	apptest.Want(t, e.post("/api/v1/auth/password", tok, map[string]string{"current_password": demo.Password, "new_password": "a-new-long-password"}), http.StatusNoContent)
	wantError(t, e.get("/api/v1/agencies", tok), http.StatusUnauthorized, "unauthenticated")
	loginFails(t, e, "clerk", demo.Password)
	apptest.Want(t, e.get("/api/v1/agencies", loginOK(t, e, "clerk", "a-new-long-password")), http.StatusOK)
}

func TestAuthDisableEnableRoleChangeAndLogoutRevoke(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	admin := e.tok("admin")
	tok := loginOK(t, e, "officer", demo.Password)
	apptest.Want(t, e.patch("/api/v1/users/officer", admin, map[string]any{"disabled": true}), http.StatusOK)
	apptest.Want(t, e.patch("/api/v1/users/officer", admin, map[string]any{"disabled": false}), http.StatusOK)
	wantError(t, e.get("/api/v1/agencies", tok), http.StatusUnauthorized, "unauthenticated")

	tok = loginOK(t, e, "officer", demo.Password)
	apptest.Want(t, e.patch("/api/v1/users/officer", admin, map[string]any{"name": "Tên mới"}), http.StatusOK)
	apptest.Want(t, e.get("/api/v1/agencies", tok), http.StatusOK) // a new name revokes nothing
	apptest.Want(t, e.patch("/api/v1/users/officer", admin, map[string]any{"role": "leader"}), http.StatusOK)
	wantError(t, e.get("/api/v1/agencies", tok), http.StatusUnauthorized, "unauthenticated")

	tok = loginOK(t, e, "officer", demo.Password)
	apptest.Want(t, e.patch("/api/v1/users/officer", admin, map[string]any{"unit": demo.Planning}), http.StatusOK)
	wantError(t, e.get("/api/v1/agencies", tok), http.StatusUnauthorized, "unauthenticated")

	tok = loginOK(t, e, "officer", demo.Password)
	apptest.Want(t, e.post("/api/v1/auth/logout", tok, nil), http.StatusNoContent)
	wantError(t, e.get("/api/v1/agencies", tok), http.StatusUnauthorized, "unauthenticated")
	wantError(t, e.post("/api/v1/auth/logout", tok, nil), http.StatusUnauthorized, "unauthenticated")
}

func TestAuthMe(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	me := obj(t, apptest.Want(t, e.get("/api/v1/auth/me", e.tok("leader")), http.StatusOK))
	if me["username"] != "leader" || me["role"] != "leader" || me["unit"] != demo.Justice || me["unit_name"] != "Sở Tư pháp" || me["name"] == "" {
		t.Fatalf("me %v", me)
	}
	me = obj(t, apptest.Want(t, e.get("/api/v1/auth/me", e.tok("admin")), http.StatusOK))
	if me["role"] != "admin" || me["unit"] != nil || me["unit_name"] != nil {
		t.Fatalf("me %v", me)
	}
	wantError(t, e.get("/api/v1/auth/me", ""), http.StatusUnauthorized, "unauthenticated")
}

func TestAuthTokenDatesMustBeNumbers(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	cfg := e.s.App.Config
	now := e.s.Clock.Now()
	sign := func(mut func(jwt.MapClaims)) string {
		c := jwt.MapClaims{"sub": "clerk", "role": "clerk", "unit": demo.Center, "iss": cfg.JWTIssuer,
			"aud": []string{cfg.JWTAudience}, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
		mut(c)
		s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString([]byte(cfg.JWTSecret))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	apptest.Want(t, e.get("/api/v1/auth/me", sign(func(jwt.MapClaims) {})), http.StatusOK)
	for name, mut := range map[string]func(jwt.MapClaims){
		"no iat":        func(c jwt.MapClaims) { delete(c, "iat") },
		"iat string":    func(c jwt.MapClaims) { c["iat"] = strconv.FormatInt(now.Unix(), 10) },
		"exp string":    func(c jwt.MapClaims) { c["exp"] = strconv.FormatInt(now.Add(time.Hour).Unix(), 10) },
		"nbf string":    func(c jwt.MapClaims) { c["nbf"] = strconv.FormatInt(now.Unix(), 10) },
		"ver string":    func(c jwt.MapClaims) { c["ver"] = "0" },
		"stale version": func(c jwt.MapClaims) { c["ver"] = 7 },
	} {
		t.Run(name, func(t *testing.T) {
			wantError(t, e.get("/api/v1/auth/me", sign(mut)), http.StatusUnauthorized, "unauthenticated")
		})
	}
}

func TestLoginBackOffPerAccount(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	login := func(user, password string, remote int) apptest.Response {
		return e.do(apptest.Request{Method: http.MethodPost, Path: "/api/v1/auth/login", Remote: "198.51.100." + strconv.Itoa(remote) + ":1",
			Body: map[string]string{"username": user, "password": password}})
	}
	locked := func(user string, want int) {
		t.Helper()
		r := login(user, demo.Password, 200) // the right password, from yet another address
		wantError(t, r, http.StatusTooManyRequests, "rate_limited")
		if got, _ := strconv.Atoi(r.Header.Get("Retry-After")); got != want {
			t.Fatalf("%s: Retry-After %q, want %d", user, r.Header.Get("Retry-After"), want)
		}
	}
	for _, user := range []string{"clerk", "nobody.here"} { // unknown names lock alike
		for i := 0; i < 5; i++ {
			wantError(t, login(user, "wrong-password", i), http.StatusUnauthorized, "unauthenticated")
		}
		locked(user, 60)
	}
	apptest.Want(t, login("officer", demo.Password, 1), http.StatusOK) // other accounts are not touched
	e.s.Clock.Advance(time.Minute)
	wantError(t, login("clerk", "wrong-password", 9), http.StatusUnauthorized, "unauthenticated")
	locked("clerk", 120)
	e.s.Clock.Advance(2 * time.Minute)
	wantError(t, login("clerk", "wrong-password", 9), http.StatusUnauthorized, "unauthenticated")
	locked("clerk", 240)
	for _, d := range []int{4, 8, 15} {
		e.s.Clock.Advance(time.Duration(d) * time.Minute)
		wantError(t, login("clerk", "wrong-password", 9), http.StatusUnauthorized, "unauthenticated")
	}
	locked("clerk", 900) // capped at 15 minutes
	e.s.Clock.Advance(15 * time.Minute)
	apptest.Want(t, login("clerk", demo.Password, 3), http.StatusOK)
	// The success reset the count: four failures lock nothing.
	for i := 0; i < 4; i++ {
		wantError(t, login("clerk", "wrong-password", i), http.StatusUnauthorized, "unauthenticated")
	}
	apptest.Want(t, login("clerk", demo.Password, 3), http.StatusOK)
}

func TestLastAdminCannotBeDemotedOrDisabled(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	admin := e.tok("admin")
	for _, body := range []map[string]any{{"role": "viewer"}, {"disabled": true}, {"unit": demo.Center}} {
		wantError(t, e.patch("/api/v1/users/admin", admin, body), http.StatusConflict, "conflict")
	}
	apptest.Want(t, e.get("/api/v1/users", admin), http.StatusOK) // nothing changed, the token still works
	apptest.Want(t, e.post("/api/v1/users", admin, map[string]any{"username": "admin2", "role": "admin", "password": "secret-pass-9"}), http.StatusCreated)
	admin2 := loginOK(t, e, "admin2", "secret-pass-9")
	apptest.Want(t, e.patch("/api/v1/users/admin", admin2, map[string]any{"role": "viewer"}), http.StatusOK)
	wantError(t, e.patch("/api/v1/users/admin2", admin2, map[string]any{"role": "viewer"}), http.StatusConflict, "conflict")
	wantError(t, e.patch("/api/v1/users/admin2", admin2, map[string]any{"disabled": true}), http.StatusConflict, "conflict")
}
