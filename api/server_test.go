package api_test

import (
	"bytes"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/cmd/motcua/demo"
	"github.com/motcua/motcua/docs"
)

func TestRequestID(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	r := e.do(apptest.Request{Method: http.MethodGet, Path: "/healthz", Header: map[string]string{"X-Request-ID": "abc-123_XYZ"}})
	if got := r.Header.Get("X-Request-ID"); got != "abc-123_XYZ" {
		t.Fatalf("echo: %q", got)
	}
	seen := map[string]bool{}
	for i := 0; i < 5; i++ {
		id := e.get("/healthz", "").Header.Get("X-Request-ID")
		if !regexp.MustCompile(`^[0-9a-f]{24}$`).MatchString(id) || seen[id] {
			t.Fatalf("generated id %q (seen %v)", id, seen)
		}
		seen[id] = true
	}
	for _, bad := range []string{strings.Repeat("a", 129), "has space", "new\tline", "ünïcode"} {
		id := e.do(apptest.Request{Method: http.MethodGet, Path: "/healthz", Header: map[string]string{"X-Request-ID": bad}}).Header.Get("X-Request-ID")
		if id == bad || !regexp.MustCompile(`^[0-9a-f]{24}$`).MatchString(id) {
			t.Fatalf("an unsafe id %q was echoed as %q", bad, id)
		}
	}
	// On errors too, and in the log line of the request.
	r = e.do(apptest.Request{Method: http.MethodGet, Path: "/api/v1/agencies", Header: map[string]string{"X-Request-ID": "trace-401"}})
	wantError(t, r, http.StatusUnauthorized, "unauthenticated")
	if r.Header.Get("X-Request-ID") != "trace-401" || !bytes.Contains(e.s.Log.Bytes(), []byte(`"request_id":"trace-401"`)) {
		t.Fatal("the request id is not on the error answer and its log line")
	}
}

func TestHealthReadyMetricsSpec(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	if got := obj(t, apptest.Want(t, e.get("/healthz", ""), http.StatusOK)); got["status"] != "ok" {
		t.Fatalf("healthz %v", got)
	}
	if got := obj(t, apptest.Want(t, e.get("/readyz", ""), http.StatusOK)); got["status"] != "ready" {
		t.Fatalf("readyz %v", got)
	}
	admin := e.tok("admin")
	apptest.Want(t, e.get("/api/v1/agencies/"+demo.Center, admin), http.StatusOK)
	e.get("/api/v1/agencies/nowhere", admin)
	e.get("/api/v1/does-not-exist/"+demo.Center, admin)
	m := apptest.Want(t, e.get("/metrics", ""), http.StatusOK)
	text := string(m.Body)
	for _, want := range []string{
		`motcua_http_requests_total{method="GET",route="/api/v1/agencies/:code",status="200"} 1`,
		`motcua_http_requests_total{method="GET",route="/api/v1/agencies/:code",status="404"} 1`,
		`motcua_http_requests_total{method="POST",route="/api/v1/auth/login",status="200"}`,
		`motcua_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`motcua_http_request_duration_seconds_bucket{method="GET",route="/api/v1/agencies/:code",status="200",le="0.005"}`,
		`motcua_http_request_duration_seconds_count{method="GET",route="/healthz",status="200"} 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(text, demo.Center) || strings.Contains(text, "does-not-exist") {
		t.Error("metrics carry concrete paths instead of route templates")
	}
	if !strings.HasPrefix(m.Header.Get("Content-Type"), "text/plain") {
		t.Errorf("metrics content type %q", m.Header.Get("Content-Type"))
	}

	spec := apptest.Want(t, e.get("/openapi.yaml", ""), http.StatusOK)
	if !bytes.Equal(spec.Body, docs.OpenAPI) || !strings.HasPrefix(spec.Header.Get("Content-Type"), "application/yaml") {
		t.Fatalf("/openapi.yaml: %q, %d bytes", spec.Header.Get("Content-Type"), len(spec.Body))
	}
	if _, err := openapi3.NewLoader().LoadFromData(spec.Body); err != nil {
		t.Fatalf("the served spec does not load: %v", err)
	}
}

func TestUnknownRouteAndWrongMethod(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	admin := e.tok("admin")
	for _, path := range []string{"/api/nope", "/api/v1/nope", "/api/v2/agencies", "/api/v1/agencies/" + demo.Center + "/children"} {
		wantError(t, e.get(path, admin), http.StatusNotFound, "not_found")
		wantError(t, e.get(path, ""), http.StatusNotFound, "not_found")
	}
	// Outside /api/ an unknown path is a page, the HTML 404: package web
	// tests it.
	tests := []struct{ method, path, allow string }{
		{http.MethodDelete, "/api/v1/agencies", "GET"},
		{http.MethodPut, "/api/v1/agencies/" + demo.Center, "PATCH"},
		{http.MethodDelete, "/api/v1/users/clerk", "GET"},
		{http.MethodPost, "/api/v1/calendar/2026", "PUT"},
		{http.MethodGet, "/api/v1/auth/login", "POST"},
		{http.MethodPost, "/healthz", "GET"},
	}
	for _, tt := range tests {
		r := e.do(apptest.Request{Method: tt.method, Path: tt.path, Token: admin})
		wantError(t, r, http.StatusMethodNotAllowed, "method_not_allowed")
		if !strings.Contains(r.Header.Get("Allow"), tt.allow) {
			t.Errorf("%s %s: Allow %q lacks %s", tt.method, tt.path, r.Header.Get("Allow"), tt.allow)
		}
	}
}
