package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/cmd/motcua/demo"
)

// The input guard answers the same on both engines, before any store is
// called: bytes that are not UTF-8 are 400, NUL and other control
// characters 422 (tab and newlines allowed in free text), in a path, a
// query value or a JSON string, also unauthenticated.
func TestInputGuard(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	clerk := e.tok("clerk")
	for _, c := range []struct {
		name   string
		req    apptest.Request
		status int
		field  string
	}{
		{"NUL in the citizen lookup path", apptest.Request{Method: http.MethodGet, Path: "/api/v1/public/dossiers/%00?pin=1"}, 422, "path"},
		{"not UTF-8 in the citizen lookup path", apptest.Request{Method: http.MethodGet, Path: "/api/v1/public/dossiers/%FF%FE?pin=1"}, 400, "path"},
		{"NUL in the PIN", apptest.Request{Method: http.MethodGet, Path: "/api/v1/public/dossiers/X?pin=1%00"}, 422, "pin"},
		{"escape in a query value", apptest.Request{Method: http.MethodGet, Path: "/api/v1/dossiers?q=a%1Bb", Token: clerk}, 422, "q"},
		{"tab in a query value", apptest.Request{Method: http.MethodGet, Path: "/api/v1/dossiers?q=a%09b", Token: clerk}, 422, "q"},
		{"not UTF-8 in a query value", apptest.Request{Method: http.MethodGet, Path: "/api/v1/dossiers?q=%C3", Token: clerk}, 400, "q"},
		{"NUL in the login name", apptest.Request{Method: http.MethodPost, Path: "/api/v1/auth/login",
			Body: `{"username":"adm\u0000in","password":"x"}`}, 422, "username"},
		{"not UTF-8 in the login body", apptest.Request{Method: http.MethodPost, Path: "/api/v1/auth/login",
			Body: []byte("{\"username\":\"adm\xc0in\",\"password\":\"x\"}")}, 400, ""},
		{"bell in an applicant's name", apptest.Request{Method: http.MethodPost, Path: "/api/v1/dossiers", Token: clerk,
			Body: map[string]any{"procedure_code": "2.000908", "channel": "direct", "applicant": map[string]any{"name": "Lò\aVăn"}}}, 422, "applicant.name"},
		{"newline in an applicant's name", apptest.Request{Method: http.MethodPost, Path: "/api/v1/dossiers", Token: clerk,
			Body: map[string]any{"procedure_code": "2.000908", "channel": "direct", "applicant": map[string]any{"name": "Lò\nVăn"}}}, 422, "applicant.name"},
		{"C1 control in a note", apptest.Request{Method: http.MethodPost, Path: "/api/v1/dossiers", Token: clerk,
			Body: map[string]any{"procedure_code": "2.000908", "channel": "direct", "applicant": map[string]any{"name": "Lò Văn"}, "note": "a\u0085b"}}, 422, "note"},
		{"null for a field that cannot be null", apptest.Request{Method: http.MethodPost, Path: "/api/v1/dossiers", Token: clerk,
			Body: `{"procedure_code":"2.000908","channel":"direct","on_spot":null,"applicant":{"name":"Lò Văn"}}`}, 422, "on_spot"},
		{"null for a nested object", apptest.Request{Method: http.MethodPost, Path: "/api/v1/dossiers", Token: clerk,
			Body: `{"procedure_code":"2.000908","channel":"direct","applicant":null}`}, 422, "applicant"},
		{"duplicate nested key", apptest.Request{Method: http.MethodPost, Path: "/api/v1/dossiers", Token: clerk,
			Body: `{"procedure_code":"2.000908","channel":"direct","applicant":{"name":"A","name":"B"}}`}, 400, "applicant.name"},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := total(t, e.get("/api/v1/dossiers", clerk))
			resp := e.do(c.req)
			code := "invalid_request"
			if c.status == 422 {
				code = "validation_failed"
			}
			b := wantError(t, resp, c.status, code)
			if c.field != "" {
				if f, _ := b.Error.Details["fields"].(map[string]any); f[c.field] == nil {
					t.Errorf("the field %q is not named: %s", c.field, resp.Body)
				}
			}
			if after := total(t, e.get("/api/v1/dossiers", clerk)); after != before {
				t.Errorf("dossiers %d → %d: bad input stored something", before, after)
			}
		})
	}

	// Free text keeps its tabs and line breaks.
	r := apptest.Want(t, e.post("/api/v1/dossiers", clerk, map[string]any{"procedure_code": "2.000908", "channel": "direct",
		"applicant": map[string]any{"name": "Lò Văn Tab"}, "note": "Dòng một\n\tDòng hai"}), http.StatusCreated).JSON(t)
	if r["note"] != "Dòng một\n\tDòng hai" {
		t.Errorf("note = %q", r["note"])
	}
}

// Text is normalised to NFC on input: a name typed decomposed is stored
// composed (and found by its composed spelling), and a 300-character limit
// counts what people see, not code points.
func TestTextIsNormalisedToNFC(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, apptest.Options{})
	nfd, nfc := "Nguye\u0302\u0303n Thi\u0323 Hoa", "Nguyễn Thị Hoa"
	created := recordFeedback(t, s, "clerk", map[string]any{"channel": "hotline", "category": "procedure",
		"title":   strings.Repeat("e\u0302\u0303", 300), // 900 code points, 300 letters
		"content": "Hỏi tiến độ của bà " + nfd + ".", "sender": map[string]any{"name": nfd}})
	if created["title"] != strings.Repeat("ễ", 300) {
		t.Errorf("title not composed: %d bytes", len(created["title"].(string)))
	}
	if snd, _ := created["sender"].(map[string]any); snd["name"] != nfc {
		t.Errorf("sender name %q, want %q", snd["name"], nfc)
	}
	if c, _ := created["content"].(string); !strings.Contains(c, nfc) {
		t.Errorf("content %q not composed", c)
	}
	d := apptest.Want(t, s.Post("/api/v1/dossiers", s.Token("clerk"), map[string]any{"procedure_code": "2.000908", "channel": "direct",
		"applicant": map[string]any{"name": nfd}}), http.StatusCreated).JSON(t)
	if a, _ := d["applicant"].(map[string]any); a["name"] != nfc {
		t.Errorf("applicant name %q, want %q", a["name"], nfc)
	}
	// Imported lines are normalised too.
	line := `{"code":"NFC-1","procedure_code":"2.000908","unit_code":"` + demo.Center + `","channel":"direct","status":"received",` +
		`"submitted_at":"2026-11-02T08:00:00+07:00","received_at":"2026-11-02T08:00:00+07:00","applicant":{"name":"` + nfd + `"}}` + "\n"
	r := s.Do(apptest.Request{Method: http.MethodPost, Path: "/api/v1/imports/dossiers", Token: s.Token("admin"), Body: line,
		Header: map[string]string{"Content-Type": "application/x-ndjson"}})
	if got := apptest.Want(t, r, http.StatusOK).JSON(t); got["imported"] != float64(1) {
		t.Fatalf("import: %s", r.Body)
	}
	list := apptest.Want(t, s.Get("/api/v1/dossiers?q=NFC-1", s.Token("clerk")), http.StatusOK).JSON(t)
	items, _ := list["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("imported dossier not found: %v", list)
	}
	if a, _ := items[0].(map[string]any)["applicant"].(map[string]any); a["name"] != nfc {
		t.Errorf("imported applicant name %q, want %q", a["name"], nfc)
	}
}
