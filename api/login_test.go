package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/cmd/motcua/demo"
)

func loginOK(t *testing.T, e *env, user, password string) string {
	t.Helper()
	var out struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
	}
	apptest.Want(t, e.post("/api/v1/auth/login", "", map[string]string{"username": user, "password": password}), http.StatusOK).Decode(t, &out)
	if out.AccessToken == "" || out.TokenType != "Bearer" || out.ExpiresIn <= 0 {
		t.Fatalf("login answer %+v", out)
	}
	return out.AccessToken
}

func loginFails(t *testing.T, e *env, user, password string) apptest.Response {
	t.Helper()
	resp := e.post("/api/v1/auth/login", "", map[string]string{"username": user, "password": password})
	wantError(t, resp, http.StatusUnauthorized, "unauthenticated")
	return resp
}

func TestLoginEveryDemoUser(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	for _, u := range demo.Users {
		tok := loginOK(t, e, u.Username, demo.Password)
		claims := jwt.MapClaims{}
		if _, _, err := jwt.NewParser().ParseUnverified(tok, claims); err != nil {
			t.Fatal(err)
		}
		if claims["sub"] != u.Username || claims["role"] != string(u.Role) || claims["unit"] != u.Unit ||
			claims["iss"] == nil || claims["aud"] == nil || claims["iat"] == nil || claims["exp"] == nil {
			t.Fatalf("%s: claims %v", u.Username, claims)
		}
		var hdr map[string]any
		seg, _ := jwt.NewParser().DecodeSegment(strings.Split(tok, ".")[0])
		if err := json.Unmarshal(seg, &hdr); err != nil || hdr["alg"] != "HS256" {
			t.Fatalf("header %s", seg)
		}
		apptest.Want(t, e.get("/api/v1/procedures?page_size=1", tok), http.StatusOK)
	}
}

func TestLoginFailuresLookAlike(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	unknown := loginFails(t, e, "nobody", demo.Password)
	wrong := loginFails(t, e, "clerk", "wrong-password")
	apptest.Want(t, e.patch("/api/v1/users/viewer", e.tok("admin"), map[string]any{"disabled": true}), http.StatusOK)
	disabled := loginFails(t, e, "viewer", demo.Password)
	if !bytes.Equal(unknown.Body, wrong.Body) || !bytes.Equal(unknown.Body, disabled.Body) {
		t.Fatalf("failures can be told apart:\nunknown  %s\nwrong    %s\ndisabled %s", unknown.Body, wrong.Body, disabled.Body)
	}
	if !bytes.Contains(e.s.Log.Bytes(), []byte(`"route":"/api/v1/auth/login"`)) {
		t.Fatal("logins are not logged")
	}
	if bytes.Contains(e.s.Log.Bytes(), []byte("wrong-password")) || bytes.Contains(e.s.Log.Bytes(), []byte(demo.Password)) {
		t.Fatal("a password reached the log")
	}
	wantFields(t, e.post("/api/v1/auth/login", "", map[string]string{}), "username", "password")
	wantFields(t, e.post("/api/v1/auth/login", "", map[string]string{"username": strings.Repeat("a", 201), "password": "x"}), "username")
	wantFields(t, e.post("/api/v1/auth/login", "", map[string]string{"username": "clerk", "password": strings.Repeat("a", 201)}), "password")
}

func TestLoginIsRateLimitedPerClientAddress(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{Env: map[string]string{"MOTCUA_PUBLIC_RATE_LIMIT": "3"}})
	login := func(remote string, hdr map[string]string) apptest.Response {
		return e.do(apptest.Request{Method: http.MethodPost, Path: "/api/v1/auth/login", Remote: remote, Header: hdr,
			Body: map[string]string{"username": "clerk", "password": "wrong-password"}})
	}
	for i := 0; i < 3; i++ {
		wantError(t, login("192.0.2.1:1111", nil), http.StatusUnauthorized, "unauthenticated")
	}
	limited := login("192.0.2.1:2222", nil) // another port, same address
	b := wantError(t, limited, http.StatusTooManyRequests, "rate_limited")
	ra, err := strconv.Atoi(limited.Header.Get("Retry-After"))
	if err != nil || ra < 1 || ra > 60 {
		t.Fatalf("Retry-After %q", limited.Header.Get("Retry-After"))
	}
	if b.Error.Details["retry_after_seconds"] != float64(ra) {
		t.Fatalf("details %v, header %d", b.Error.Details, ra)
	}
	// The right password does not get through either while limited.
	r := e.do(apptest.Request{Method: http.MethodPost, Path: "/api/v1/auth/login", Remote: "192.0.2.1:3333",
		Body: map[string]string{"username": "clerk", "password": demo.Password}})
	wantError(t, r, http.StatusTooManyRequests, "rate_limited")
	// X-Forwarded-For is not believed without trusted proxies.
	wantError(t, login("192.0.2.1:1111", map[string]string{"X-Forwarded-For": "203.0.113.9"}), http.StatusTooManyRequests, "rate_limited")
	// Another address is unaffected.
	wantError(t, login("198.51.100.7:1111", nil), http.StatusUnauthorized, "unauthenticated")
	// Staff endpoints are not limited, even from the limited address.
	tok := obj(t, apptest.Want(t, e.do(apptest.Request{Method: http.MethodPost, Path: "/api/v1/auth/login", Remote: "203.0.113.50:1",
		Body: map[string]string{"username": "admin", "password": demo.Password}}), http.StatusOK))["access_token"].(string)
	for i := 0; i < 10; i++ {
		apptest.Want(t, e.do(apptest.Request{Method: http.MethodGet, Path: "/api/v1/agencies", Token: tok, Remote: "192.0.2.1:1111"}), http.StatusOK)
	}
	// After Retry-After the address may try again.
	e.s.Clock.Advance(time.Duration(ra) * time.Second)
	wantError(t, login("192.0.2.1:1111", nil), http.StatusUnauthorized, "unauthenticated")
}
