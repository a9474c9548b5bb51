package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/api"
	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/cmd/motcua/demo"
)

// fuzzRoute is one request type of FuzzJSONRequests. The fuzz body is the
// JSON (or NDJSON) request body, or, for a route with query set, the text
// that goes into the URL.
type fuzzRoute struct {
	method string
	path   string // {dossier} and {feedback} are replaced by a fresh item's code
	user   string // "" sends no token
	query  bool   // the body is split at '|' into a path segment and a query string
	ndjson bool
}

var fuzzRoutes = []fuzzRoute{
	{method: "POST", path: "/api/v1/auth/login"},
	{method: "POST", path: "/api/v1/auth/password", user: "fuzz.password"},
	{method: "POST", path: "/api/v1/users", user: "admin"},
	{method: "PATCH", path: "/api/v1/users/fuzz.target", user: "admin"},
	{method: "POST", path: "/api/v1/agencies", user: "admin"},
	{method: "PATCH", path: "/api/v1/agencies/FUZZ.AG", user: "admin"},
	{method: "POST", path: "/api/v1/procedures", user: "admin"},
	{method: "PATCH", path: "/api/v1/procedures/9.990001", user: "admin"},
	{method: "POST", path: "/api/v1/procedures/9.990001/publications", user: "admin"},
	{method: "PUT", path: "/api/v1/calendar/2031", user: "admin"},
	{method: "POST", path: "/api/v1/dossiers", user: "clerk"},
	{method: "POST", path: "/api/v1/dossiers/{dossier}/actions", user: "clerk"},
	{method: "POST", path: "/api/v1/dossiers/{dossier}/actions", user: "leader"},
	{method: "POST", path: "/api/v1/feedback", user: "clerk"},
	{method: "POST", path: "/api/v1/feedback/{feedback}/actions", user: "clerk"},
	{method: "POST", path: "/api/v1/feedback/{feedback}/actions", user: "leader"},
	{method: "POST", path: "/api/v1/public/feedback"},
	{method: "POST", path: "/api/v1/public/dossiers/{returned}/rating?pin={returned_pin}"},
	{method: "POST", path: "/api/v1/imports/dossiers", user: "admin", ndjson: true},
	{method: "POST", path: "/api/v1/imports/feedback", user: "admin", ndjson: true},
	{method: "GET", path: "/api/v1/public/dossiers/", query: true},
	{method: "GET", path: "/api/v1/public/feedback/", query: true},
	{method: "GET", path: "/api/v1/dossiers", user: "clerk", query: true},
	{method: "GET", path: "/api/v1/stats/dossiers", user: "admin", query: true},
	{method: "GET", path: "/api/v1/stats/feedback", user: "admin", query: true},
}

// fuzzServer is the one service of a fuzz target (and so of a fuzz worker
// process): starting one per input would make every input cost a database
// and the demo data. It lives as long as the target's *testing.F.
type fuzzServer struct {
	s             *apptest.Server
	tokens        map[string]string
	returned, pin string
	n             int // requests sent, for fresh idempotency keys
}

func startFuzzServer(f *testing.F) *fuzzServer {
	s := apptest.New(f, apptest.Options{})
	fs := &fuzzServer{s: s, tokens: map[string]string{}}
	admin := s.Token("admin")
	for _, u := range []string{"fuzz.password", "fuzz.target"} {
		apptest.Want(f, s.Post("/api/v1/users", admin, map[string]any{"username": u, "role": "clerk",
			"unit": demo.Center, "password": demo.Password}), http.StatusCreated)
	}
	apptest.Want(f, s.Post("/api/v1/agencies", admin, map[string]any{"code": "FUZZ.AG", "name": "Cơ quan thử",
		"kind": "department", "parent_code": demo.Province}), http.StatusCreated)
	apptest.Want(f, s.Post("/api/v1/procedures", admin, newProcedure("9.990001")), http.StatusCreated)
	for _, u := range []string{"admin", "clerk", "leader", "fuzz.password"} {
		fs.tokens[u] = s.Token(u)
	}
	fs.returned, fs.pin = registerRateableDossier(f, s)
	returnDossier(f, s, fs.returned)
	return fs
}

// send serves one request straight through the router.
func (fs *fuzzServer) send(method, target, token, ctype string, body []byte) *httptest.ResponseRecorder {
	fs.n++
	var rd *bytes.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	var req *http.Request
	if rd != nil {
		req = httptest.NewRequest(method, target, rd)
		req.Header.Set("Content-Type", ctype)
	} else {
		req = httptest.NewRequest(method, target, nil)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if method == http.MethodPost {
		req.Header.Set(api.IdempotencyKeyHeader, "fuzz-"+strconv.Itoa(fs.n)+"-"+strconv.FormatInt(time.Now().UnixNano(), 36))
	}
	req.RemoteAddr = "192.0.2.7:4321"
	rec := httptest.NewRecorder()
	fs.s.App.Handler.ServeHTTP(rec, req)
	return rec
}

// fresh registers a new dossier or feedback item for an action route.
func (fs *fuzzServer) fresh(t *testing.T, kind string) string {
	var path string
	var body any
	if kind == "dossier" {
		path, body = "/api/v1/dossiers", dossierBody("2.000488", "direct")
	} else {
		path, body = "/api/v1/feedback", hotlineFeedback(nil)
	}
	b, _ := json.Marshal(body)
	rec := fs.send(http.MethodPost, path, fs.tokens["clerk"], "application/json", b)
	if rec.Code != http.StatusCreated {
		t.Fatalf("setup %s: %d %s", path, rec.Code, rec.Body)
	}
	var out struct {
		Code string `json:"code"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || out.Code == "" {
		t.Fatalf("setup %s: %s", path, rec.Body)
	}
	return out.Code
}

// FuzzJSONRequests sends fuzzed bodies to every JSON request type through the
// real router: never a panic, never a 5xx, and every answer that is not 2xx
// carries the error body of docs/openapi.yaml.
func FuzzJSONRequests(f *testing.F) {
	fs := startFuzzServer(f)
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		rt := fuzzRoutes[int(route)%len(fuzzRoutes)]
		target := rt.path
		// A fresh item only for a route that names one.
		for _, kind := range []string{"dossier", "feedback"} {
			if before, after, ok := strings.Cut(target, "{"+kind+"}"); ok {
				target = before + fs.fresh(t, kind) + after
			}
		}
		target = strings.NewReplacer("{returned}", fs.returned, "{returned_pin}", fs.pin).Replace(target)
		var send []byte
		ctype := "application/json"
		if rt.ndjson {
			ctype = "application/x-ndjson"
		}
		if rt.query {
			seg, q, _ := strings.Cut(string(body), "|")
			if strings.HasSuffix(target, "/") {
				target += url.PathEscape(seg)
			} else {
				q = string(body)
			}
			if u, err := url.ParseQuery(q); err == nil {
				target += "?" + u.Encode()
			} else {
				target += "?" + url.QueryEscape(q)
			}
		} else {
			send = body
		}
		tok := ""
		if rt.user != "" {
			tok = fs.tokens[rt.user]
		}
		rec := fs.send(rt.method, target, tok, ctype, send)
		if rec.Code >= 500 {
			t.Fatalf("%s %s %q: %d (never a 5xx): %s", rt.method, target, body, rec.Code, rec.Body)
		}
		if rec.Code >= 200 && rec.Code < 300 {
			return
		}
		var eb errBody
		if err := json.Unmarshal(rec.Body.Bytes(), &eb); err != nil || eb.Error.Code == "" || eb.Error.Message == "" {
			t.Fatalf("%s %s %q: %d without the error body: %s", rt.method, target, body, rec.Code, rec.Body)
		}
		if !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
			t.Fatalf("%s %s: error answer as %q", rt.method, target, rec.Header().Get("Content-Type"))
		}
	})
}
