package dvcqgpush_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/motcua/motcua/docs"
)

// The stand-in portal's credentials.
const (
	portalUser     = "tinh-h99"
	portalPassword = "portal-pass-7c1e"
)

// call is one request the stand-in portal received.
type call struct {
	Endpoint string
	Code     string
	Status   string // TrangThaiHoSo
	Start    time.Time
}

// reply is a scripted answer: an HTTP status and a body, after a delay;
// before, when set, runs first (a change made while the push is in flight).
type reply struct {
	status int
	body   string
	delay  time.Duration
	before func()
}

var (
	accept  = reply{status: 200, body: `{"error_code":"0","message":"Thành công"}`}
	exists  = reply{status: 200, body: `{"error_code":"3","message":"Hồ sơ đã tồn tại"}`}
	down    = reply{status: 500, body: `{"error_code":"500","message":"Lỗi máy chủ"}`}
	refusal = reply{status: 200, body: `{"error_code":"-1","message":"Sai định dạng NgayHenTra"}`}
)

// portal is a stand-in for the national portal: it checks the method,
// the content type, the credentials and every record against
// docs/dvcqg/hoso.schema.json, records the calls and answers what the
// script says (accept when it has nothing for the call).
type portal struct {
	t      *testing.T
	srv    *httptest.Server
	schema *jsonschema.Schema

	mu       sync.Mutex
	calls    []call
	script   map[string][]reply // by MaHoSo, consumed in order
	inFlight map[string]int
	overlaps int
}

func newPortal(t *testing.T) *portal {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(docs.HoSoSchema))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	const id = "https://github.com/motcua/motcua/docs/dvcqg/hoso.schema.json"
	if err := c.AddResource(id, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(id)
	if err != nil {
		t.Fatal(err)
	}
	p := &portal{t: t, schema: s, script: map[string][]reply{}, inFlight: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/add", func(w http.ResponseWriter, r *http.Request) { p.serve(w, r, "add") })
	mux.HandleFunc("POST /api/update", func(w http.ResponseWriter, r *http.Request) { p.serve(w, r, "update") })
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

// URL is the base URL to configure.
func (p *portal) URL() string { return p.srv.URL + "/api" }

// on scripts the next answers for code.
func (p *portal) on(code string, rs ...reply) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.script[code] = append(p.script[code], rs...)
}

// callsOf are the calls made for code, in order.
func (p *portal) callsOf(code string) []call {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []call
	for _, c := range p.calls {
		if c.Code == code {
			out = append(out, c)
		}
	}
	return out
}

func (p *portal) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.calls)
}

func (p *portal) serve(w http.ResponseWriter, r *http.Request, endpoint string) {
	user, pass, ok := r.BasicAuth()
	if !ok {
		p.t.Errorf("%s without the credentials", endpoint)
	}
	if user != portalUser || pass != portalPassword {
		// A careless portal echoes what it got: none of it may be kept.
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"error_code":"401","message":"Sai tài khoản `+user+` / `+pass+`"}`)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		p.t.Errorf("%s Content-Type %q", endpoint, ct)
	}
	body, _ := io.ReadAll(r.Body)
	var list []json.RawMessage
	if err := json.Unmarshal(body, &list); err != nil || len(list) != 1 {
		p.t.Errorf("%s body is not a one-record array: %s", endpoint, body)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(list[0]))
	if err != nil {
		p.t.Errorf("%s record: %v", endpoint, err)
	} else if err := p.schema.Validate(v); err != nil {
		p.t.Errorf("%s record does not match the schema: %v", endpoint, err)
	}
	var h struct{ MaHoSo, TrangThaiHoSo string }
	_ = json.Unmarshal(list[0], &h)
	p.mu.Lock()
	p.calls = append(p.calls, call{Endpoint: endpoint, Code: h.MaHoSo, Status: h.TrangThaiHoSo, Start: time.Now()})
	p.inFlight[h.MaHoSo]++
	if p.inFlight[h.MaHoSo] > 1 {
		p.overlaps++
	}
	rep := accept
	if rs := p.script[h.MaHoSo]; len(rs) > 0 {
		rep, p.script[h.MaHoSo] = rs[0], rs[1:]
	}
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.inFlight[h.MaHoSo]--
		p.mu.Unlock()
	}()
	if rep.before != nil {
		rep.before()
	}
	if rep.delay > 0 {
		select {
		case <-time.After(rep.delay):
		case <-r.Context().Done():
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(rep.status)
	_, _ = io.WriteString(w, rep.body)
}
