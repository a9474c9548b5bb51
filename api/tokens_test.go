package api_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/cmd/motcua/demo"
)

func TestBadTokensAre401(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	cfg := e.s.App.Config
	secret := []byte(cfg.JWTSecret)
	now := e.s.Clock.Now()
	claims := func(mut func(jwt.MapClaims)) jwt.MapClaims {
		c := jwt.MapClaims{"sub": "clerk", "role": "clerk", "unit": demo.Center, "iss": cfg.JWTIssuer,
			"aud": []string{cfg.JWTAudience}, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
		if mut != nil {
			mut(c)
		}
		return c
	}
	sign := func(m jwt.SigningMethod, key any, c jwt.MapClaims) string {
		s, err := jwt.NewWithClaims(m, c).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	good := sign(jwt.SigningMethodHS256, secret, claims(nil))
	// The control: a token crafted like the server's own is accepted, so each
	// refusal below is for the one thing that case changes.
	apptest.Want(t, e.get("/api/v1/agencies", good), http.StatusOK)
	if tok := e.tok("clerk"); tok == "" {
		t.Fatal("no token")
	}

	tests := []struct {
		name   string
		header string
	}{
		{"missing", ""},
		{"empty bearer", "Bearer "},
		{"other scheme", "Basic " + good},
		{"no scheme", good},
		{"garbage", "Bearer not-a-token"},
		{"three dots of garbage", "Bearer a.b.c"},
		{"wrong signature", "Bearer " + sign(jwt.SigningMethodHS256, []byte("another-secret-another-secret-0123456"), claims(nil))},
		{"tampered payload", "Bearer " + tamper(t, good)},
		{"wrong audience", "Bearer " + sign(jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["aud"] = "someone-else" }))},
		{"no audience", "Bearer " + sign(jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { delete(c, "aud") }))},
		{"wrong issuer", "Bearer " + sign(jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["iss"] = "evil" }))},
		{"no expiry", "Bearer " + sign(jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { delete(c, "exp") }))},
		{"expired beyond leeway", "Bearer " + sign(jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["exp"] = now.Add(-time.Minute).Unix() }))},
		{"issued in the future", "Bearer " + sign(jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["iat"] = now.Add(10 * time.Minute).Unix() }))},
		{"alg none", "Bearer " + sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(nil))},
		{"HS512 with the right secret", "Bearer " + sign(jwt.SigningMethodHS512, secret, claims(nil))},
		{"HS384 with the right secret", "Bearer " + sign(jwt.SigningMethodHS384, secret, claims(nil))},
		{"unknown subject", "Bearer " + sign(jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["sub"] = "ghost" }))},
		{"no subject", "Bearer " + sign(jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { delete(c, "sub") }))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, path := range []string{"/api/v1/agencies", "/api/v1/users", "/api/v1/calendar/2026"} {
				r := apptest.Request{Method: http.MethodGet, Path: path}
				if tt.header != "" {
					r.Header = map[string]string{"Authorization": tt.header}
				}
				wantError(t, e.do(r), http.StatusUnauthorized, "unauthenticated")
			}
			// Writes are refused before the body is even looked at.
			r := apptest.Request{Method: http.MethodPost, Path: "/api/v1/agencies", Body: `{"code":`}
			if tt.header != "" {
				r.Header = map[string]string{"Authorization": tt.header}
			}
			wantError(t, e.do(r), http.StatusUnauthorized, "unauthenticated")
		})
	}

	t.Run("small leeway", func(t *testing.T) {
		late := sign(jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["exp"] = now.Add(-10 * time.Second).Unix() }))
		apptest.Want(t, e.get("/api/v1/agencies", late), http.StatusOK)
	})
	t.Run("lower-case bearer", func(t *testing.T) {
		r := e.do(apptest.Request{Method: http.MethodGet, Path: "/api/v1/agencies", Header: map[string]string{"Authorization": "bearer " + good}})
		apptest.Want(t, r, http.StatusOK)
	})
}

func tamper(t *testing.T, tok string) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	payload, err := jwt.NewParser().DecodeSegment(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	payload = bytes.Replace(payload, []byte(`"sub":"clerk"`), []byte(`"sub":"admin"`), 1)
	parts[1] = strings.TrimRight(jwtEncode(payload), "=")
	return strings.Join(parts, ".")
}

func jwtEncode(b []byte) string {
	return (&jwt.Token{}).EncodeSegment(b)
}

func TestExpiredTokenIs401(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	tok := e.tok("clerk")
	ttl := e.s.App.Config.TokenTTL
	var login struct {
		ExpiresIn int `json:"expires_in"`
	}
	apptest.Want(t, e.post("/api/v1/auth/login", "", map[string]string{"username": "viewer", "password": demo.Password}), 200).Decode(t, &login)
	if login.ExpiresIn != int(ttl.Seconds()) {
		t.Fatalf("expires_in %d, want %d", login.ExpiresIn, int(ttl.Seconds()))
	}
	e.s.Clock.Advance(ttl - time.Minute)
	apptest.Want(t, e.get("/api/v1/agencies", tok), http.StatusOK)
	e.s.Clock.Advance(2 * time.Minute) // a minute past expiry: beyond the leeway
	wantError(t, e.get("/api/v1/agencies", tok), http.StatusUnauthorized, "unauthenticated")
}
