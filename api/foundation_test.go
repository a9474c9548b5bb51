package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/text/unicode/norm"

	"github.com/motcua/motcua/api"
	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/cmd/motcua/demo"
	"github.com/motcua/motcua/docs"
)

// ==== harness: every answer is checked against the API contract (docs/openapi.yaml) and docs/openapi.yaml

// env is a running service whose every answer is checked: never a 500, an
// X-Request-ID on each, the error body on each 4xx, and, for routes of the
// contract, a status the contract lists and a body its schema accepts.
type env struct {
	t    testing.TB
	s    *apptest.Server
	spec *openapi3.T
}

var (
	specOnce  sync.Once
	specCache *openapi3.T
	specErr   error
)

func loadSpec(t testing.TB) *openapi3.T {
	t.Helper()
	specOnce.Do(func() {
		doc, err := openapi3.NewLoader().LoadFromData(docs.OpenAPI)
		if err == nil {
			err = doc.Validate(context.Background())
		}
		specCache, specErr = doc, err
	})
	if specErr != nil {
		t.Fatalf("docs/openapi.yaml: %v", specErr)
	}
	return specCache
}

// TestMain checks every exchange any test of this package makes through
// apptest against docs/openapi.yaml (checkExchange).
func TestMain(m *testing.M) {
	apptest.CheckEvery = func(tb testing.TB, r apptest.Request, resp apptest.Response) {
		tb.Helper()
		(&env{t: tb, spec: loadSpec(tb)}).check(r, resp)
	}
	os.Exit(m.Run())
}

func start(t *testing.T, opt apptest.Options) *env {
	t.Helper()
	return &env{t: t, s: apptest.New(t, opt), spec: loadSpec(t)}
}

// do sends r; apptest checks the exchange against the contract (TestMain).
func (e *env) do(r apptest.Request) apptest.Response {
	e.t.Helper()
	return e.s.Do(r)
}

func (e *env) get(path, tok string) apptest.Response {
	e.t.Helper()
	return e.do(apptest.Request{Method: http.MethodGet, Path: path, Token: tok})
}

func (e *env) post(path, tok string, body any) apptest.Response {
	e.t.Helper()
	return e.do(apptest.Request{Method: http.MethodPost, Path: path, Token: tok, Body: body})
}

func (e *env) patch(path, tok string, body any) apptest.Response {
	e.t.Helper()
	return e.do(apptest.Request{Method: http.MethodPatch, Path: path, Token: tok, Body: body})
}

func (e *env) put(path, tok string, body any) apptest.Response {
	e.t.Helper()
	return e.do(apptest.Request{Method: http.MethodPut, Path: path, Token: tok, Body: body})
}

func (e *env) tok(user string) string { return e.s.Token(user) }

type errBody struct {
	Error struct {
		Code    string         `json:"code"`
		Message string         `json:"message"`
		Details map[string]any `json:"details"`
	} `json:"error"`
}

func (e *env) check(r apptest.Request, resp apptest.Response) {
	e.t.Helper()
	if resp.Status >= 500 {
		e.t.Fatalf("%s %s: %d (never a 5xx): %s", r.Method, r.Path, resp.Status, resp.Body)
	}
	if resp.Header.Get("X-Request-ID") == "" {
		e.t.Errorf("%s %s: no X-Request-ID", r.Method, r.Path)
	}
	if resp.Status >= 400 {
		var b errBody
		if err := json.Unmarshal(resp.Body, &b); err != nil || b.Error.Code == "" || b.Error.Message == "" {
			e.t.Fatalf("%s %s: %d without the error body: %s", r.Method, r.Path, resp.Status, resp.Body)
		}
		if !regexp.MustCompile(`^[a-z_]+$`).Match([]byte(b.Error.Code)) {
			e.t.Errorf("error code %q is not snake_case", b.Error.Code)
		}
	}
	e.conforms(r, resp)
}

// operation finds the contract's operation for method and a concrete path.
func (e *env) operation(method, path string) (string, *openapi3.Operation) {
	path, _, _ = strings.Cut(path, "?")
	segs := strings.Split(path, "/")
	best, bestLiterals := "", -1
	for tpl := range e.spec.Paths.Map() {
		ts := strings.Split(tpl, "/")
		if len(ts) != len(segs) {
			continue
		}
		literals, ok := 0, true
		for i := range ts {
			switch {
			case strings.HasPrefix(ts[i], "{") && strings.HasSuffix(ts[i], "}"):
				ok = ok && segs[i] != ""
			case ts[i] == segs[i]:
				literals++
			default:
				ok = false
			}
		}
		if ok && literals > bestLiterals {
			best, bestLiterals = tpl, literals
		}
	}
	if best == "" {
		return "", nil
	}
	return best, e.spec.Paths.Value(best).GetOperation(method)
}

func (e *env) conforms(r apptest.Request, resp apptest.Response) {
	e.t.Helper()
	tpl, op := e.operation(r.Method, r.Path)
	if op == nil {
		if resp.Status != http.StatusNotFound && resp.Status != http.StatusMethodNotAllowed {
			e.t.Errorf("%s %s answered %d but is not in docs/openapi.yaml", r.Method, r.Path, resp.Status)
		}
		return
	}
	ref := op.Responses.Status(resp.Status)
	if ref == nil {
		e.t.Errorf("%s %s: status %d is not documented in docs/openapi.yaml", r.Method, tpl, resp.Status)
		return
	}
	ctype, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if ctype != "" && ctype != "application/json" {
		// CSV, XLSX, YAML, metrics: the contract must name the media type.
		if len(ref.Value.Content) > 0 && ref.Value.Content.Get(ctype) == nil {
			e.t.Errorf("%s %s: %d answered %s, which docs/openapi.yaml does not list", r.Method, tpl, resp.Status, ctype)
		}
		return
	}
	mt := ref.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return // text answers: /metrics, /openapi.yaml
	}
	var v any
	if err := json.Unmarshal(resp.Body, &v); err != nil {
		e.t.Errorf("%s %s: %d body is not JSON: %s", r.Method, tpl, resp.Status, resp.Body)
		return
	}
	if err := mt.Schema.Value.VisitJSON(v, openapi3.VisitAsResponse(), openapi3.MultiErrors()); err != nil {
		e.t.Errorf("%s %s: %d body does not match the documented schema: %v\n%s", r.Method, tpl, resp.Status, err, resp.Body)
	}
	// A request the server accepted must be one the contract accepts.
	if resp.Status < 300 && r.Body != nil && op.RequestBody != nil {
		raw, ok := r.Body.(string)
		if !ok {
			b, _ := json.Marshal(r.Body)
			raw = string(b)
		}
		var in any
		if err := json.Unmarshal([]byte(raw), &in); err == nil {
			in = nfcJSON(in) // lengths count after NFC, as the server counts them
			rmt := op.RequestBody.Value.Content.Get("application/json")
			if rmt != nil && rmt.Schema != nil {
				if err := rmt.Schema.Value.VisitJSON(in, openapi3.VisitAsRequest(), openapi3.MultiErrors()); err != nil {
					e.t.Errorf("%s %s: the server accepted a body the contract refuses: %v\n%s", r.Method, tpl, err, raw)
				}
			}
		}
	}
}

// nfcJSON returns v (decoded JSON) with every string in NFC.
func nfcJSON(v any) any {
	switch x := v.(type) {
	case string:
		return norm.NFC.String(x)
	case []any:
		for i := range x {
			x[i] = nfcJSON(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = nfcJSON(x[k])
		}
	}
	return v
}

// wantError asserts status and error code, and returns the error body.
func wantError(t *testing.T, resp apptest.Response, status int, code string) errBody {
	t.Helper()
	if resp.Status != status {
		t.Fatalf("status %d, want %d: %s", resp.Status, status, resp.Body)
	}
	var b errBody
	if err := json.Unmarshal(resp.Body, &b); err != nil {
		t.Fatal(err)
	}
	if b.Error.Code != code {
		t.Fatalf("code %q, want %q: %s", b.Error.Code, code, resp.Body)
	}
	return b
}

// wantFields asserts a 422 validation_failed naming every field of fields.
func wantFields(t *testing.T, resp apptest.Response, fields ...string) {
	t.Helper()
	b := wantError(t, resp, http.StatusUnprocessableEntity, "validation_failed")
	got, _ := b.Error.Details["fields"].(map[string]any)
	for _, f := range fields {
		if reason, _ := got[f].(string); reason == "" {
			t.Fatalf("details.fields lacks %q: %s", f, resp.Body)
		}
	}
}

func obj(t *testing.T, resp apptest.Response) map[string]any {
	t.Helper()
	return resp.JSON(t)
}

func items(t *testing.T, resp apptest.Response) []map[string]any {
	t.Helper()
	var l struct {
		Items []map[string]any `json:"items"`
	}
	resp.Decode(t, &l)
	return l.Items
}

func total(t *testing.T, resp apptest.Response) int {
	t.Helper()
	return int(resp.JSON(t)["total"].(float64))
}

func codes(list []map[string]any) []string {
	var out []string
	for _, m := range list {
		out = append(out, m["code"].(string))
	}
	return out
}

// ==== malformed input

func TestMalformedBodiesAre400(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	admin := e.tok("admin")
	endpoints := []struct{ method, path, token string }{
		{http.MethodPost, "/api/v1/auth/login", ""},
		{http.MethodPost, "/api/v1/agencies", admin},
		{http.MethodPatch, "/api/v1/agencies/" + demo.District, admin},
		{http.MethodPost, "/api/v1/procedures", admin},
		{http.MethodPatch, "/api/v1/procedures/2.000908", admin},
		{http.MethodPost, "/api/v1/procedures/2.000908/publications", admin},
		{http.MethodPut, "/api/v1/calendar/2030", admin},
		{http.MethodPost, "/api/v1/users", admin},
		{http.MethodPatch, "/api/v1/users/clerk", admin},
	}
	bodies := []struct {
		name, body, field string
	}{
		{"empty", "", ""},
		{"blank", "  \n", ""},
		{"truncated", `{"name": "x"`, ""},
		{"not JSON", `name=x`, ""},
		{"missing value", `{"name": }`, ""},
		{"single quotes", `{'name': 'x'}`, ""},
		{"trailing comma", `{"name": "x",}`, ""},
		{"array", `[]`, ""},
		{"string", `"x"`, ""},
		{"number", `42`, ""},
		{"two objects", `{} {}`, ""},
		{"trailing garbage", `{}x`, ""},
		{"unknown field", `{"nonsense": 1}`, "nonsense"},
		{"null body", `null`, ""},
		{"duplicate key", `{"name": "x", "name": "y"}`, "name"},
		{"key matching only without case", `{"Name": "x"}`, "Name"},
		{"not UTF-8", "{\"name\": \"x\xff\"}", ""},
		{"deep nesting", strings.Repeat("[", 20000) + strings.Repeat("]", 20000), ""},
	}
	for _, ep := range endpoints {
		for _, b := range bodies {
			t.Run(ep.method+" "+ep.path+" "+b.name, func(t *testing.T) {
				resp := e.do(apptest.Request{Method: ep.method, Path: ep.path, Token: ep.token, Body: b.body})
				got := wantError(t, resp, http.StatusBadRequest, "invalid_request")
				if b.field != "" {
					if f, _ := got.Error.Details["fields"].(map[string]any); f[b.field] == nil {
						t.Fatalf("the unknown field is not named: %s", resp.Body)
					}
				}
			})
		}
	}
}

func TestWrongTypesAre400NamingTheField(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	admin := e.tok("admin")
	tests := []struct {
		method, path, body, field string
	}{
		{http.MethodPost, "/api/v1/auth/login", `{"username": 1, "password": "x"}`, "username"},
		{http.MethodPost, "/api/v1/agencies", `{"code": "X1", "name": ["a"], "kind": "commune"}`, "name"},
		{http.MethodPost, "/api/v1/agencies", `{"code": "X1", "name": "a", "kind": "commune", "closed": "no"}`, "closed"},
		{http.MethodPatch, "/api/v1/agencies/" + demo.District, `{"parent_code": 7}`, "parent_code"},
		{http.MethodPost, "/api/v1/procedures", `{"code": "9.1", "fee": "free"}`, "fee"},
		{http.MethodPost, "/api/v1/procedures", `{"code": "9.1", "fee": 1.5}`, "fee"},
		{http.MethodPost, "/api/v1/procedures", `{"code": "9.1", "fee": 1e30}`, "fee"},
		{http.MethodPost, "/api/v1/procedures", `{"code": "9.1", "processing_time": 5}`, "processing_time"},
		{http.MethodPost, "/api/v1/procedures", `{"code": "9.1", "processing_time": {"value": "5", "unit": "days"}}`, "processing_time.value"},
		{http.MethodPatch, "/api/v1/procedures/2.000908", `{"on_spot_eligible": "yes"}`, "on_spot_eligible"},
		{http.MethodPost, "/api/v1/procedures/2.000908/publications", `{"kind": "new", "decision": 602, "decided_on": "2021-05-26"}`, "decision"},
		{http.MethodPut, "/api/v1/calendar/2030", `{"holidays": "2030-01-01"}`, "holidays"},
		{http.MethodPut, "/api/v1/calendar/2030", `{"working_hours": ["07:00", "11:30"]}`, "working_hours"},
		{http.MethodPost, "/api/v1/users", `{"username": "abc", "role": "clerk", "password": 12345678}`, "password"},
		{http.MethodPatch, "/api/v1/users/clerk", `{"disabled": 1}`, "disabled"},
	}
	for _, tt := range tests {
		t.Run(tt.path+" "+tt.field, func(t *testing.T) {
			resp := e.do(apptest.Request{Method: tt.method, Path: tt.path, Token: admin, Body: tt.body})
			got := wantError(t, resp, http.StatusBadRequest, "invalid_request")
			f, _ := got.Error.Details["fields"].(map[string]any)
			if f[tt.field] == nil {
				t.Fatalf("field %q not named: %s", tt.field, resp.Body)
			}
			if strings.Contains(string(resp.Body), "api.") || strings.Contains(string(resp.Body), "int64") {
				t.Fatalf("the message leaks Go type names: %s", resp.Body)
			}
		})
	}
}

func TestOversizedBodyIs413(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	admin := e.tok("admin")
	big := func(n int) string {
		prefix, suffix := `{"code":"X1","kind":"commune","name":"`, `"}`
		return prefix + strings.Repeat("a", n-len(prefix)-len(suffix)) + suffix
	}
	for _, ep := range []struct{ method, path, token string }{
		{http.MethodPost, "/api/v1/agencies", admin},
		{http.MethodPost, "/api/v1/auth/login", ""},
		{http.MethodPut, "/api/v1/calendar/2030", admin},
		{http.MethodPatch, "/api/v1/users/clerk", admin},
	} {
		resp := e.do(apptest.Request{Method: ep.method, Path: ep.path, Token: ep.token, Body: big(api.MaxBodyBytes + 1)})
		wantError(t, resp, http.StatusRequestEntityTooLarge, "payload_too_large")
	}
	// Exactly at the limit the body is read; the long name is then a 422, not a 413.
	resp := e.post("/api/v1/agencies", admin, big(api.MaxBodyBytes))
	wantFields(t, resp, "name")
	// Far over the limit, and without a Content-Length, still 413.
	resp = e.do(apptest.Request{Method: http.MethodPost, Path: "/api/v1/agencies", Token: admin,
		Body: bytes.Repeat([]byte("x"), 5*api.MaxBodyBytes)})
	wantError(t, resp, http.StatusRequestEntityTooLarge, "payload_too_large")
}

// ==== tokens

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

// ==== roles

func TestOnlyAdminsChangeTheCatalogAndUsers(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	writes := []struct {
		method, path string
		body         any
	}{
		{http.MethodPost, "/api/v1/agencies", map[string]any{"code": "X1", "name": "Xã mới", "kind": "commune", "parent_code": demo.District}},
		{http.MethodPatch, "/api/v1/agencies/" + demo.Justice, map[string]any{"name": "Đổi tên"}},
		{http.MethodPost, "/api/v1/procedures", newProcedure("9.000001")},
		{http.MethodPatch, "/api/v1/procedures/2.000908", map[string]any{"fee": 0}},
		{http.MethodPost, "/api/v1/procedures/2.000908/publications", map[string]any{"kind": "abolished", "decision": "1/QĐ", "decided_on": "2026-11-01"}},
		{http.MethodPut, "/api/v1/calendar/2026", map[string]any{"holidays": []string{}}},
		{http.MethodPost, "/api/v1/users", map[string]any{"username": "new.user", "role": "viewer", "password": "12345678"}},
		{http.MethodPatch, "/api/v1/users/clerk", map[string]any{"disabled": true}},
		{http.MethodGet, "/api/v1/users", nil},
		{http.MethodGet, "/api/v1/users/clerk", nil},
	}
	for _, who := range []string{"clerk", "officer", "leader", "viewer", "clerk.commune", "leader.commune"} {
		tok := e.tok(who)
		for _, w := range writes {
			t.Run(who+" "+w.method+" "+w.path, func(t *testing.T) {
				wantError(t, e.do(apptest.Request{Method: w.method, Path: w.path, Token: tok, Body: w.body}), http.StatusForbidden, "forbidden")
			})
		}
	}
	// Nothing changed.
	admin := e.tok("admin")
	wantError(t, e.get("/api/v1/agencies/X1", admin), http.StatusNotFound, "not_found")
	wantError(t, e.get("/api/v1/procedures/9.000001", admin), http.StatusNotFound, "not_found")
	if got := obj(t, e.get("/api/v1/agencies/"+demo.Justice, admin))["name"]; got != "Sở Tư pháp" {
		t.Fatalf("agency renamed by a non-admin: %v", got)
	}
	if p := obj(t, e.get("/api/v1/procedures/2.000908", admin)); p["status"] != "active" || p["fee"] != float64(2000) {
		t.Fatalf("procedure changed by a non-admin: %v", p)
	}
	if cal := obj(t, e.get("/api/v1/calendar/2026", admin)); len(cal["holidays"].([]any)) == 0 {
		t.Fatal("calendar emptied by a non-admin")
	}
	apptest.Want(t, e.get("/api/v1/agencies", e.tok("clerk")), http.StatusOK) // the clerk's token still works
	// Everyone signed in reads the catalog and the calendar.
	for _, who := range []string{"clerk", "officer", "leader", "viewer"} {
		for _, path := range []string{"/api/v1/agencies", "/api/v1/agencies/" + demo.Center, "/api/v1/procedures",
			"/api/v1/procedures/2.000908", "/api/v1/calendar/2026"} {
			apptest.Want(t, e.get(path, e.tok(who)), http.StatusOK)
		}
	}
}

// ==== agencies

func TestAgencyCRUD(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	admin := e.tok("admin")
	const code = "000.51.03.H99"
	created := obj(t, apptest.Want(t, e.post("/api/v1/agencies", admin, map[string]any{
		"code": code, "name": "UBND xã Nà Tăm", "kind": "commune", "parent_code": demo.District}), http.StatusCreated))
	if created["code"] != code || created["parent_code"] != demo.District || created["closed"] != false {
		t.Fatalf("created %v", created)
	}
	if ts := created["created_at"].(string); !strings.HasSuffix(ts, "+07:00") {
		t.Fatalf("created_at %q is not in the configured zone", ts)
	}
	got := obj(t, apptest.Want(t, e.get("/api/v1/agencies/"+code, admin), http.StatusOK))
	if got["name"] != "UBND xã Nà Tăm" || got["kind"] != "commune" {
		t.Fatalf("get %v", got)
	}
	upd := obj(t, apptest.Want(t, e.patch("/api/v1/agencies/"+code, admin, map[string]any{"name": "UBND xã Nà Tăm (mới)", "closed": true}), http.StatusOK))
	if upd["name"] != "UBND xã Nà Tăm (mới)" || upd["closed"] != true || upd["parent_code"] != demo.District {
		t.Fatalf("patch %v", upd)
	}
	if got := obj(t, e.get("/api/v1/agencies/"+code, admin)); got["closed"] != true {
		t.Fatalf("patch not stored: %v", got)
	}
	// "" would detach it as a second root, which the one-root tree refuses;
	// null and absence leave the parent.
	wantError(t, e.patch("/api/v1/agencies/"+code, admin, map[string]any{"parent_code": ""}), http.StatusConflict, "conflict")
	if got := obj(t, e.get("/api/v1/agencies/"+code, admin)); got["parent_code"] != demo.District {
		t.Fatalf("parent_code %v after a refused detach", got["parent_code"])
	}

	wantError(t, e.post("/api/v1/agencies", admin, map[string]any{"code": code, "name": "Trùng", "kind": "commune"}),
		http.StatusConflict, "conflict")
	wantError(t, e.get("/api/v1/agencies/000.99.99.H99", admin), http.StatusNotFound, "not_found")
	wantError(t, e.patch("/api/v1/agencies/000.99.99.H99", admin, map[string]any{"name": "x"}), http.StatusNotFound, "not_found")
}

func TestAgencyValidation(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	admin := e.tok("admin")
	ok := map[string]any{"code": "X1", "name": "Xã", "kind": "commune", "parent_code": demo.District}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for kk, vv := range ok {
			m[kk] = vv
		}
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name   string
		body   map[string]any
		fields []string
	}{
		{"no code", with("code", nil), []string{"code"}},
		{"code with spaces", with("code", "000 51"), []string{"code"}},
		{"code too long", with("code", strings.Repeat("9", 65)), []string{"code"}},
		{"no name", with("name", nil), []string{"name"}},
		{"blank name", with("name", "   "), []string{"name"}},
		{"name of 301 characters", with("name", strings.Repeat("ạ", 301)), []string{"name"}},
		{"unknown kind", with("kind", "ministry"), []string{"kind"}},
		{"unknown parent", with("parent_code", "000.99.99.H99"), []string{"parent_code"}},
		{"own parent", with("parent_code", "X1"), []string{"parent_code"}},
		{"everything at once", map[string]any{"code": "a b", "kind": "x"}, []string{"code", "name", "kind"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantFields(t, e.post("/api/v1/agencies", admin, tt.body), tt.fields...)
		})
	}
	wantError(t, e.get("/api/v1/agencies/X1", admin), http.StatusNotFound, "not_found")
	apptest.Want(t, e.post("/api/v1/agencies", admin, with("name", strings.Repeat("ạ", 300))), http.StatusCreated)

	// PATCH validates the merged agency.
	wantFields(t, e.patch("/api/v1/agencies/X1", admin, map[string]any{"kind": "ministry", "name": ""}), "kind", "name")
	wantFields(t, e.patch("/api/v1/agencies/X1", admin, map[string]any{"parent_code": "000.99.99.H99"}), "parent_code")
}

func TestReparentingIntoOwnSubtreeIs422(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	admin := e.tok("admin")
	tests := []struct{ code, parent string }{
		{demo.Province, demo.CommuneA}, // the root under its grandchild
		{demo.District, demo.CommuneB}, // the district under its own commune
		{demo.District, demo.District}, // itself
	}
	for _, tt := range tests {
		wantFields(t, e.patch("/api/v1/agencies/"+tt.code, admin, map[string]any{"parent_code": tt.parent}), "parent_code")
		got := obj(t, e.get("/api/v1/agencies/"+tt.code, admin))
		if got["parent_code"] == tt.parent {
			t.Fatalf("%s was moved under %s", tt.code, tt.parent)
		}
	}
	// A legal move: commune B from the district to the province; then
	// commune A may go under B, since B is no longer below anything of A's.
	apptest.Want(t, e.patch("/api/v1/agencies/"+demo.CommuneB, admin, map[string]any{"parent_code": demo.Province}), http.StatusOK)
	apptest.Want(t, e.patch("/api/v1/agencies/"+demo.CommuneA, admin, map[string]any{"parent_code": demo.CommuneB}), http.StatusOK)
	// And now B may not go under A (A is below B).
	wantFields(t, e.patch("/api/v1/agencies/"+demo.CommuneB, admin, map[string]any{"parent_code": demo.CommuneA}), "parent_code")
}

func TestAgencyFiltersAndPagination(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	tok := e.tok("viewer")
	all := items(t, apptest.Want(t, e.get("/api/v1/agencies?page_size=500", tok), http.StatusOK))
	if len(all) < 9 {
		t.Fatalf("the demo has 9 agencies, listed %d", len(all))
	}
	sorted := sort.SliceIsSorted(all, func(i, j int) bool { return all[i]["code"].(string) < all[j]["code"].(string) })
	if !sorted {
		t.Fatalf("agencies are listed by code: %v", codes(all))
	}
	expect := func(pred func(map[string]any) bool) []string {
		var out []string
		for _, a := range all {
			if pred(a) {
				out = append(out, a["code"].(string))
			}
		}
		return out
	}
	tests := []struct {
		query string
		want  []string
	}{
		{"kind=commune", expect(func(a map[string]any) bool { return a["kind"] == "commune" })},
		{"kind=department", expect(func(a map[string]any) bool { return a["kind"] == "department" })},
		{"parent_code=" + demo.Province + "&kind=commune", []string{demo.CommuneA, demo.CommuneB}},
		{"parent_code=" + demo.District, nil}, // two tiers since 2025-07-01: the former district has no communes
		{"parent_code=" + demo.Province + "&kind=district", []string{demo.District}},
		{"q=" + demo.Center, []string{demo.Center}},
		{"q=h%C3%A0nh%20ch%C3%ADnh", []string{demo.Center}}, // "hành chính", part of the centre's name
		{"q=ubnd", []string{demo.Province, demo.District, demo.CommuneA, demo.CommuneB}},
		{"q=%25", nil}, // a literal % matches nothing: wildcards are escaped
		{"q=_", nil},
		{"q=51.01", []string{demo.CommuneA}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			resp := apptest.Want(t, e.get("/api/v1/agencies?page_size=500&"+tt.query, tok), http.StatusOK)
			got := codes(items(t, resp))
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			if total(t, resp) != len(tt.want) {
				t.Fatalf("total %d, want %d", total(t, resp), len(tt.want))
			}
		})
	}
	if n := len(expect(func(a map[string]any) bool { return a["kind"] == "commune" })); n != 2 {
		t.Fatalf("the demo has 2 communes, found %d", n)
	}
	// Pages partition the list.
	var paged []string
	for page := 1; ; page++ {
		resp := apptest.Want(t, e.get("/api/v1/agencies?page_size=4&page="+strconv.Itoa(page), tok), http.StatusOK)
		m := obj(t, resp)
		if m["page"] != float64(page) || m["page_size"] != float64(4) || int(m["total"].(float64)) != len(all) {
			t.Fatalf("page %d envelope %v", page, m)
		}
		got := codes(items(t, resp))
		if len(got) == 0 {
			break
		}
		paged = append(paged, got...)
	}
	if fmt.Sprint(paged) != fmt.Sprint(codes(all)) {
		t.Fatalf("pages %v, all %v", paged, codes(all))
	}
	d := obj(t, e.get("/api/v1/agencies", tok))
	if d["page"] != float64(1) || d["page_size"] != float64(50) {
		t.Fatalf("default paging %v", d)
	}
	for q, field := range map[string]string{
		"page_size=501": "page_size", "page_size=0": "page_size", "page_size=ten": "page_size",
		"page=0": "page", "page=-1": "page", "page=x": "page", "kind=ministry": "kind",
	} {
		wantFields(t, e.get("/api/v1/agencies?"+q, tok), field)
	}
	apptest.Want(t, e.get("/api/v1/agencies?page_size=500", tok), http.StatusOK)
}

// ==== procedures

func newProcedure(code string) map[string]any {
	return map[string]any{
		"code": code, "name": "Cấp giấy phép thử nghiệm", "field": "Thử nghiệm", "agency_code": demo.Justice,
		"level": "province", "processing_time": map[string]any{"value": 5, "unit": "working_days"}, "fee": 50000,
		"online_level": "partial", "on_spot_eligible": true, "national_portal_integrated": false,
	}
}

func TestProcedureCRUD(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	admin := e.tok("admin")
	p := obj(t, apptest.Want(t, e.post("/api/v1/procedures", admin, newProcedure("9.000001")), http.StatusCreated))
	if p["status"] != "active" || p["agency_code"] != demo.Justice || p["fee"] != float64(50000) || p["on_spot_eligible"] != true {
		t.Fatalf("created %v", p)
	}
	pt := p["processing_time"].(map[string]any)
	if pt["value"] != float64(5) || pt["unit"] != "working_days" {
		t.Fatalf("processing_time %v", pt)
	}
	got := obj(t, apptest.Want(t, e.get("/api/v1/procedures/9.000001", admin), http.StatusOK))
	if got["name"] != "Cấp giấy phép thử nghiệm" || got["field"] != "Thử nghiệm" || got["online_level"] != "partial" {
		t.Fatalf("get %v", got)
	}
	upd := obj(t, apptest.Want(t, e.patch("/api/v1/procedures/9.000001", admin, map[string]any{
		"fee": 0, "on_spot_eligible": false, "processing_time": map[string]any{"value": 4, "unit": "working_hours"},
		"agency_code": demo.Planning}), http.StatusOK))
	if upd["fee"] != float64(0) || upd["on_spot_eligible"] != false || upd["agency_code"] != demo.Planning ||
		upd["processing_time"].(map[string]any)["unit"] != "working_hours" || upd["name"] != "Cấp giấy phép thử nghiệm" {
		t.Fatalf("patch %v", upd)
	}
	if got := obj(t, e.get("/api/v1/procedures/9.000001", admin)); got["agency_code"] != demo.Planning || got["fee"] != float64(0) {
		t.Fatalf("patch not stored: %v", got)
	}
	wantError(t, e.post("/api/v1/procedures", admin, newProcedure("9.000001")), http.StatusConflict, "conflict")
	wantError(t, e.post("/api/v1/procedures", admin, newProcedure("2.000908")), http.StatusConflict, "conflict")
	wantError(t, e.get("/api/v1/procedures/9.999999", admin), http.StatusNotFound, "not_found")
	wantError(t, e.patch("/api/v1/procedures/9.999999", admin, map[string]any{"fee": 1}), http.StatusNotFound, "not_found")
}

func TestProcedureValidation(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	admin := e.tok("admin")
	with := func(k string, v any) map[string]any {
		m := newProcedure("9.000002")
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name   string
		body   map[string]any
		fields []string
	}{
		{"bad code", with("code", "9/1"), []string{"code"}},
		{"no name", with("name", nil), []string{"name"}},
		{"name too long", with("name", strings.Repeat("ủ", 301)), []string{"name"}},
		{"no field", with("field", ""), []string{"field"}},
		{"no agency", with("agency_code", nil), []string{"agency_code"}},
		{"unknown agency", with("agency_code", "000.99.99.H99"), []string{"agency_code"}},
		{"bad level", with("level", "national"), []string{"level"}},
		{"no processing time", with("processing_time", nil), []string{"processing_time"}},
		{"bad unit", with("processing_time", map[string]any{"value": 5, "unit": "weeks"}), []string{"processing_time.unit"}},
		{"negative time", with("processing_time", map[string]any{"value": -1, "unit": "days"}), []string{"processing_time.value"}},
		{"negative fee", with("fee", -1), []string{"fee"}},
		{"bad online level", with("online_level", "4"), []string{"online_level"}},
		{"bad status", with("status", "draft"), []string{"status"}},
		{"several", map[string]any{"code": "9.000002", "processing_time": map[string]any{"value": 1, "unit": "x"}},
			[]string{"name", "field", "agency_code", "level", "processing_time.unit", "online_level"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantFields(t, e.post("/api/v1/procedures", admin, tt.body), tt.fields...)
		})
	}
	wantError(t, e.get("/api/v1/procedures/9.000002", admin), http.StatusNotFound, "not_found")
	wantFields(t, e.patch("/api/v1/procedures/2.000908", admin, map[string]any{"agency_code": "000.99.99.H99"}), "agency_code")
	wantFields(t, e.patch("/api/v1/procedures/2.000908", admin, map[string]any{"status": "draft", "fee": -5}), "status", "fee")
	wantFields(t, e.patch("/api/v1/procedures/2.000908", admin, map[string]any{"processing_time": map[string]any{"value": 3651, "unit": "days"}}),
		"processing_time.value")
}

func TestProcedureFiltersAndPagination(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	admin := e.tok("admin")
	// One abolished procedure, so the status filter has something to find.
	apptest.Want(t, e.post("/api/v1/procedures/1.001193/publications", admin,
		map[string]any{"kind": "abolished", "decision": "15/QĐ-UBND", "decided_on": "2026-11-20"}), http.StatusCreated)
	tok := e.tok("officer")
	all := items(t, apptest.Want(t, e.get("/api/v1/procedures?page_size=500", tok), http.StatusOK))
	if len(all) < 20 {
		t.Fatalf("the demo has 20+ procedures, listed %d", len(all))
	}
	for _, p := range all {
		if _, ok := p["publications"]; ok {
			t.Fatalf("lists do not carry publications: %v", p)
		}
	}
	expect := func(pred func(map[string]any) bool) []string {
		var out []string
		for _, p := range all {
			if pred(p) {
				out = append(out, p["code"].(string))
			}
		}
		return out
	}
	eq := func(k string, v any) func(map[string]any) bool {
		return func(p map[string]any) bool { return p[k] == v }
	}
	tests := []struct {
		query string
		want  []string
	}{
		{"agency_code=" + demo.Justice, expect(eq("agency_code", demo.Justice))},
		{"agency_code=" + demo.CommuneA, expect(eq("agency_code", demo.CommuneA))},
		{"level=province", expect(eq("level", "province"))},
		{"level=district", expect(eq("level", "district"))},
		{"level=commune", expect(eq("level", "commune"))},
		{"online_level=info", expect(eq("online_level", "info"))},
		{"online_level=partial", expect(eq("online_level", "partial"))},
		{"online_level=full", expect(eq("online_level", "full"))},
		{"status=active", expect(eq("status", "active"))},
		{"status=abolished", []string{"1.001193"}},
		{"on_spot_eligible=true", expect(eq("on_spot_eligible", true))},
		{"on_spot_eligible=false", expect(eq("on_spot_eligible", false))},
		{"field=" + "Ch%E1%BB%A9ng%20th%E1%BB%B1c", expect(eq("field", "Chứng thực"))},
		{"q=khai%20sinh", expect(func(p map[string]any) bool { return strings.Contains(p["name"].(string), "khai sinh") })},
		{"q=2.0009", expect(func(p map[string]any) bool { return strings.Contains(p["code"].(string), "2.0009") })},
		{"q=%25", nil},
		{"q=_", nil},
		{"level=province&on_spot_eligible=true&agency_code=" + demo.Justice, expect(func(p map[string]any) bool {
			return p["level"] == "province" && p["on_spot_eligible"] == true && p["agency_code"] == demo.Justice
		})},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			resp := apptest.Want(t, e.get("/api/v1/procedures?page_size=500&"+tt.query, tok), http.StatusOK)
			got := codes(items(t, resp))
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("got %v\nwant %v", got, tt.want)
			}
			if total(t, resp) != len(tt.want) {
				t.Fatalf("total %d, want %d", total(t, resp), len(tt.want))
			}
		})
	}
	// Each filter value splits the list without loss: the filters are real.
	for _, k := range []string{"level", "online_level", "on_spot_eligible"} {
		n := 0
		values := map[string][]string{"level": {"province", "district", "commune"}, "online_level": {"info", "partial", "full"},
			"on_spot_eligible": {"true", "false"}}[k]
		nonEmpty := 0
		for _, v := range values {
			c := total(t, e.get("/api/v1/procedures?"+k+"="+v, tok))
			n += c
			if c > 0 {
				nonEmpty++
			}
		}
		if n != len(all) || nonEmpty < 2 {
			t.Errorf("%s: the values cover %d of %d procedures, %d non-empty", k, n, len(all), nonEmpty)
		}
	}
	// Pages.
	p1 := codes(items(t, e.get("/api/v1/procedures?page_size=7&page=1", tok)))
	p2 := codes(items(t, e.get("/api/v1/procedures?page_size=7&page=2", tok)))
	if len(p1) != 7 || len(p2) != 7 || fmt.Sprint(append(p1, p2...)) != fmt.Sprint(codes(all)[:14]) {
		t.Fatalf("pages %v %v", p1, p2)
	}
	last := obj(t, e.get("/api/v1/procedures?page_size=7&page=1000", tok))
	if len(last["items"].([]any)) != 0 || int(last["total"].(float64)) != len(all) {
		t.Fatalf("past the last page: %v", last)
	}
	for q, field := range map[string]string{
		"page_size=501": "page_size", "page=0": "page", "on_spot_eligible=maybe": "on_spot_eligible",
		"level=national": "level", "online_level=4": "online_level", "status=draft": "status",
	} {
		wantFields(t, e.get("/api/v1/procedures?"+q, tok), field)
	}
}

func TestPublications(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	admin := e.tok("admin")
	const code = "2.000488"
	abolished := obj(t, apptest.Want(t, e.post("/api/v1/procedures/"+code+"/publications", admin,
		map[string]any{"kind": "abolished", "decision": "602/QĐ-UBND", "decided_on": "2021-05-26"}), http.StatusCreated))
	if abolished["status"] != "abolished" {
		t.Fatalf("status after abolishing: %v", abolished["status"])
	}
	pubs := abolished["publications"].([]any)
	if len(pubs) != 1 {
		t.Fatalf("publications %v", pubs)
	}
	if p := pubs[0].(map[string]any); p["kind"] != "abolished" || p["decision"] != "602/QĐ-UBND" || p["decided_on"] != "2021-05-26" {
		t.Fatalf("publication %v", p)
	}
	if got := obj(t, e.get("/api/v1/procedures/"+code, admin)); got["status"] != "abolished" || len(got["publications"].([]any)) != 1 {
		t.Fatalf("stored: %v", got)
	}
	if !contains(codes(items(t, e.get("/api/v1/procedures?status=abolished", admin))), code) {
		t.Fatal("the abolished procedure is not listed as abolished")
	}
	amended := obj(t, apptest.Want(t, e.post("/api/v1/procedures/"+code+"/publications", admin,
		map[string]any{"kind": "amended", "decision": "700/QĐ-UBND", "decided_on": "2022-01-10"}), http.StatusCreated))
	if amended["status"] != "active" || len(amended["publications"].([]any)) != 2 {
		t.Fatalf("after amending: %v", amended)
	}
	// Publications come in decision-date order.
	first := amended["publications"].([]any)[0].(map[string]any)
	if first["decided_on"] != "2021-05-26" {
		t.Fatalf("order %v", amended["publications"])
	}
	wantFields(t, e.post("/api/v1/procedures/"+code+"/publications", admin,
		map[string]any{"kind": "repealed", "decision": "", "decided_on": "2021-05-26"}), "kind", "decision")
	for _, bad := range []string{"26/05/2021", "2021-02-30", "", "2021-5-26"} {
		wantFields(t, e.post("/api/v1/procedures/"+code+"/publications", admin,
			map[string]any{"kind": "new", "decision": "1/QĐ", "decided_on": bad}), "decided_on")
	}
	wantError(t, e.post("/api/v1/procedures/9.999999/publications", admin,
		map[string]any{"kind": "new", "decision": "1/QĐ", "decided_on": "2021-05-26"}), http.StatusNotFound, "not_found")
	if got := obj(t, e.get("/api/v1/procedures/"+code, admin)); len(got["publications"].([]any)) != 2 {
		t.Fatalf("refused publications were stored: %v", got["publications"])
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ==== calendar

func TestCalendar(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	admin, clerk := e.tok("admin"), e.tok("clerk")
	y := obj(t, apptest.Want(t, e.get("/api/v1/calendar/2026", clerk), http.StatusOK))
	if y["year"] != float64(2026) || y["stored"] != true || len(y["holidays"].([]any)) < 5 {
		t.Fatalf("seeded 2026: %v", y)
	}
	if fmt.Sprint(y["working_hours"]) != "[[07:00 11:30] [13:30 17:00]]" {
		t.Fatalf("2026 sessions %v", y["working_hours"])
	}
	d := obj(t, apptest.Want(t, e.get("/api/v1/calendar/2035", clerk), http.StatusOK))
	if d["stored"] != false || len(d["holidays"].([]any)) != 0 || len(d["working_weekends"].([]any)) != 0 ||
		fmt.Sprint(d["working_hours"]) != "[[07:00 11:30] [13:30 17:00]]" {
		t.Fatalf("default year: %v", d)
	}

	body := map[string]any{
		"holidays":         []string{"2035-01-01", "2035-02-07"},
		"working_weekends": []string{"2035-01-06"}, // a Saturday
		"working_hours":    [][]string{{"07:30", "11:30"}, {"13:00", "17:00"}},
	}
	put := obj(t, apptest.Want(t, e.put("/api/v1/calendar/2035", admin, body), http.StatusOK))
	if put["stored"] != true || fmt.Sprint(put["holidays"]) != "[2035-01-01 2035-02-07]" {
		t.Fatalf("put %v", put)
	}
	got := obj(t, e.get("/api/v1/calendar/2035", clerk))
	if got["stored"] != true || fmt.Sprint(got["holidays"]) != "[2035-01-01 2035-02-07]" ||
		fmt.Sprint(got["working_weekends"]) != "[2035-01-06]" || fmt.Sprint(got["working_hours"]) != "[[07:30 11:30] [13:00 17:00]]" {
		t.Fatalf("stored 2035: %v", got)
	}
	// Without working_hours a year gets the default sessions.
	apptest.Want(t, e.put("/api/v1/calendar/2036", admin, map[string]any{"holidays": []string{"2036-01-01"}}), http.StatusOK)
	if got := obj(t, e.get("/api/v1/calendar/2036", clerk)); fmt.Sprint(got["working_hours"]) != "[[07:00 11:30] [13:30 17:00]]" {
		t.Fatalf("2036 sessions %v", got["working_hours"])
	}

	tests := []struct {
		name   string
		body   map[string]any
		fields []string
	}{
		{"holiday in another year", map[string]any{"holidays": []string{"2036-01-01"}}, []string{"holidays[0]"}},
		{"bad date", map[string]any{"holidays": []string{"2035-01-01", "2035-13-01"}}, []string{"holidays[1]"}},
		{"not a date", map[string]any{"holidays": []string{"mồng một Tết"}}, []string{"holidays[0]"}},
		{"duplicate holiday", map[string]any{"holidays": []string{"2035-01-01", "2035-01-01"}}, []string{"holidays[1]"}},
		{"working weekend on a weekday", map[string]any{"working_weekends": []string{"2035-01-02"}}, []string{"working_weekends[0]"}},
		{"working weekend that is a holiday", map[string]any{"holidays": []string{"2035-01-06"}, "working_weekends": []string{"2035-01-06"}},
			[]string{"working_weekends[0]"}},
		{"session of one clock", map[string]any{"working_hours": [][]string{{"07:00"}}}, []string{"working_hours[0]"}},
		{"bad clock", map[string]any{"working_hours": [][]string{{"07:00", "25:00"}}}, []string{"working_hours[0]"}},
		{"end before start", map[string]any{"working_hours": [][]string{{"11:30", "07:00"}}}, []string{"working_hours[0]"}},
		{"overlapping sessions", map[string]any{"working_hours": [][]string{{"07:00", "12:00"}, {"11:00", "17:00"}}}, []string{"working_hours[1]"}},
		{"out of order", map[string]any{"working_hours": [][]string{{"13:30", "17:00"}, {"07:00", "11:30"}}}, []string{"working_hours[1]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantFields(t, e.put("/api/v1/calendar/2035", admin, tt.body), tt.fields...)
		})
	}
	if got := obj(t, e.get("/api/v1/calendar/2035", clerk)); fmt.Sprint(got["holidays"]) != "[2035-01-01 2035-02-07]" {
		t.Fatalf("a refused PUT changed the year: %v", got)
	}
	for _, year := range []string{"abc", "1899", "10000", "2035.5", "-1"} {
		wantFields(t, e.get("/api/v1/calendar/"+year, clerk), "year")
		wantFields(t, e.put("/api/v1/calendar/"+year, admin, body), "year")
	}
}

// ==== users

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

// ==== login

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

// ==== cross-cutting

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
	for _, path := range []string{"/nope", "/api/v1/nope", "/api/v2/agencies", "/api/v1/agencies/" + demo.Center + "/children"} {
		wantError(t, e.get(path, admin), http.StatusNotFound, "not_found")
		wantError(t, e.get(path, ""), http.StatusNotFound, "not_found")
	}
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
