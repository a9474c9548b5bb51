package api_test

import (
	"net/http"
	"testing"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
)

// TestSecurityHeadersOnEveryAnswer: nosniff and no-referrer on every answer,
// errors and unknown paths included; no-store on answers with personal data.
func TestSecurityHeadersOnEveryAnswer(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	admin := e.tok("admin")
	code := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct"))["code"].(string)
	personal := []apptest.Request{
		{Method: http.MethodGet, Path: "/api/v1/dossiers", Token: admin},
		{Method: http.MethodGet, Path: "/api/v1/dossiers/" + code, Token: admin},
		{Method: http.MethodGet, Path: "/api/v1/public/dossiers/" + code + "?pin=000000"},
		{Method: http.MethodGet, Path: "/api/v1/users", Token: admin},
		{Method: http.MethodGet, Path: "/api/v1/users/admin", Token: admin},
		{Method: http.MethodGet, Path: "/api/v1/feedback", Token: admin},
		{Method: http.MethodGet, Path: "/api/v1/dossiers/nope", Token: admin},
		{Method: http.MethodGet, Path: "/api/v1/dossiers"},
	}
	other := []apptest.Request{
		{Method: http.MethodGet, Path: "/healthz"},
		{Method: http.MethodGet, Path: "/api/no/such/path"},
		{Method: http.MethodDelete, Path: "/healthz"},
		{Method: http.MethodGet, Path: "/openapi.yaml"},
	}
	for i, r := range append(personal, other...) {
		resp := e.s.Do(r)
		if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s %s (%d): X-Content-Type-Options %q", r.Method, r.Path, resp.Status, got)
		}
		if got := resp.Header.Get("Referrer-Policy"); got != "no-referrer" {
			t.Errorf("%s %s (%d): Referrer-Policy %q", r.Method, r.Path, resp.Status, got)
		}
		if i < len(personal) {
			if got := resp.Header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("%s %s (%d): Cache-Control %q, want no-store", r.Method, r.Path, resp.Status, got)
			}
		}
	}
}

// TestHeadHealthAndReady: HEAD answers as GET does.
func TestHeadHealthAndReady(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{NoDemo: true})
	for _, p := range []string{"/healthz", "/readyz"} {
		if r := e.s.Do(apptest.Request{Method: http.MethodHead, Path: p}); r.Status != http.StatusOK {
			t.Errorf("HEAD %s: %d %s", p, r.Status, r.Body)
		}
	}
}
