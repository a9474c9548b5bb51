package api_test

import (
	"context"
	"encoding/json"
	"mime"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"golang.org/x/text/unicode/norm"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/docs"
)

// The harness: every answer is checked against the API contract (docs/openapi.yaml).

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
	code := m.Run()
	if code == 0 {
		code = checkEveryStatusSeen()
	}
	os.Exit(code)
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
	if resp.Status >= 400 && strings.HasPrefix(r.Path, "/open311/") {
		checkOpen311Error(e.t, r, resp) // Open311's own error shape (open311_test.go)
	} else if resp.Status >= 400 {
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
	observe(r.Method, tpl, resp.Status)
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
	observeNulls(mt.Schema, v, r.Method+" "+tpl+" "+strconv.Itoa(resp.Status))
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
