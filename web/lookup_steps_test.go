package web_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
)

// registerVia is a dossier a clerk registered through the API on channel
// (an online one waits to be accepted).
func registerVia(t *testing.T, s *apptest.Server, channel string) registered {
	t.Helper()
	r := apptest.Want(t, s.Post("/api/v1/dossiers", s.Token("clerk"), map[string]any{
		"procedure_code": "2.000488", "channel": channel,
		"applicant": map[string]any{"name": "Trần Thị Bình", "id_number": "001234567891", "phone": "0912345679"},
		"documents": []map[string]any{{"name": "Tờ khai", "copies": 1}},
	}), http.StatusCreated).JSON(t)
	return registered{Code: r["code"].(string), Pin: r["lookup_pin"].(string)}
}

// texts are the texts of the <li> under n.
func liTexts(n *html.Node) []string {
	var out []string
	for _, li := range findAll(n, func(m *html.Node) bool { return m.Data == "li" }) {
		out = append(out, text(li))
	}
	return out
}

// TestLookupPageNextStepForEveryStatus drives a dossier into each of the ten
// statuses through the staff API and reads the lookup page as a citizen
// would: the status hook and its exact label, and the next step with what
// it carries (the reason, the papers, the amount, where to collect).
func TestLookupPageNextStepForEveryStatus(t *testing.T) {
	s := apptest.New(t, apptest.Options{})
	type step struct {
		who  string
		body map[string]any
	}
	start := step{"officer", map[string]any{"action": "start"}}
	resolve := func(outcome, reason string) step {
		b := map[string]any{"action": "resolve", "outcome": outcome}
		if reason != "" {
			b["reason"] = reason
		}
		return step{"leader", b}
	}
	const unit = "Trung tâm Phục vụ hành chính công tỉnh"
	for _, tt := range []struct {
		status, label, channel string
		steps                  []step
		kind                   string
		check                  func(t *testing.T, p page)
	}{
		{"submitted", "Đã nộp trực tuyến, chờ tiếp nhận", "online", nil, "wait", nil},
		{"received", "Đã tiếp nhận", "direct", nil, "wait", nil},
		{"rejected", "Không được tiếp nhận", "online",
			[]step{{"clerk", map[string]any{"action": "reject", "reason": "Không thuộc thẩm quyền"}}}, "none",
			func(t *testing.T, p page) { wantText(t, p, "next-reason", "Không thuộc thẩm quyền") }},
		{"processing", "Đang giải quyết", "direct", []step{start}, "wait", nil},
		{"supplement_requested", "Cần bổ sung hồ sơ", "direct", []step{start, {"officer", map[string]any{
			"action": "request_supplement", "reason": "Thiếu bản sao", "items": []string{"Bản sao giấy khai sinh", "Ảnh 4x6"}}}},
			"supplement", func(t *testing.T, p page) {
				wantText(t, p, "next-reason", "Thiếu bản sao")
				if got := liTexts(p.byID("supplement-items")); !slices.Equal(got, []string{"Bản sao giấy khai sinh", "Ảnh 4x6"}) {
					t.Errorf("supplement items %q", got)
				}
			}},
		{"awaiting_payment", "Chờ nộp phí, lệ phí", "direct", []step{start,
			{"officer", map[string]any{"action": "request_payment", "amount": 150000}}}, "payment",
			func(t *testing.T, p page) {
				if v, _ := attr(p.byID("amount"), "data-value"); v != "150000" || p.idText("amount") != "150.000 đồng" {
					t.Errorf("amount %q %q", v, p.idText("amount"))
				}
			}},
		{"withdrawn", "Đã rút hồ sơ", "direct", []step{{"clerk", map[string]any{"action": "withdraw", "reason": "Công dân rút"}}},
			"none", func(t *testing.T, p page) { wantText(t, p, "next-reason", "Công dân rút") }},
		{"stopped", "Dừng giải quyết", "direct", []step{start, {"leader", map[string]any{"action": "stop", "reason": "Giấy tờ giả"}}},
			"none", func(t *testing.T, p page) { wantText(t, p, "next-reason", "Giấy tờ giả") }},
		{"resolved", "Đã có kết quả, chờ nhận", "direct", []step{start, resolve("approved", "")}, "collect",
			func(t *testing.T, p page) {
				wantText(t, p, "collect-unit", unit)
				if p.byID("next-reason") != nil {
					t.Error("an approved result shows a denial reason")
				}
				if p.byID("resolved-at") == nil {
					t.Error("no #resolved-at once resolved")
				}
			}},
		{"resolved", "Đã có kết quả, chờ nhận", "direct", []step{start, resolve("denied", "Không đủ điều kiện")}, "collect",
			func(t *testing.T, p page) {
				wantText(t, p, "collect-unit", unit)
				wantText(t, p, "next-reason", "Không đủ điều kiện")
			}},
		{"returned", "Đã trả kết quả", "direct", []step{start, resolve("approved", ""), {"clerk", map[string]any{"action": "return"}}},
			"rate", func(t *testing.T, p page) {
				f := p.byID("rating-form")
				if f == nil || p.byID("returned-at") == nil {
					t.Fatal("a returned, unrated dossier shows no rating form or no #returned-at")
				}
				if find(f, hasAttr("name", "score")) == nil || find(f, hasAttr("name", "comment")) == nil {
					t.Error("the rating form lacks score or comment")
				}
			}},
	} {
		t.Run(tt.status+"/"+tt.kind, func(t *testing.T) {
			d := registerVia(t, s, tt.channel)
			for _, st := range tt.steps {
				s.Clock.Advance(time.Minute)
				act(t, s, st.who, d.Code, st.body)
			}
			p := lookupPage(t, newVisitor(t, s), d.Code, url.Values{"pin": {d.Pin}})
			wantPage(t, p, http.StatusOK, "lookup-result", "")
			if st, _ := attr(p.byID("status"), "data-status"); st != tt.status || p.idText("status") != tt.label {
				t.Errorf("status %q %q, want %q %q", st, p.idText("status"), tt.status, tt.label)
			}
			if k, _ := attr(p.byID("next-step"), "data-kind"); k != tt.kind {
				t.Fatalf("next step %q, want %q", k, tt.kind)
			}
			if n := len(findAll(p.byID("stages"), func(n *html.Node) bool { return n.Data == "li" })); n != len(tt.steps)+1 {
				t.Errorf("%d stages, want %d", n, len(tt.steps)+1)
			}
			if p.byID("reschedule") != nil {
				t.Error("#reschedule without a reschedule")
			}
			if tt.check != nil {
				tt.check(t, p)
			}
		})
	}
}

func wantText(t *testing.T, p page, id, want string) {
	t.Helper()
	if got := p.idText(id); got != want {
		t.Errorf("#%s = %q, want %q", id, got, want)
	}
}

// TestLookupPageRatesAndReschedules: a returned dossier is rated from the
// lookup page itself (the PIN travels in a hidden field), after which it
// asks nothing more; looked up by ID number, the form asks for the PIN. A
// rescheduled dossier shows the apology and the new appointment.
func TestLookupPageRatesAndReschedules(t *testing.T) {
	s := apptest.New(t, apptest.Options{}) // Monday 2026-11-23 09:00
	d := register(t, s)
	act(t, s, "officer", d.Code, map[string]any{"action": "start"})
	s.Clock.Advance(time.Hour)
	act(t, s, "clerk", d.Code, map[string]any{"action": "reschedule", "reason": "Cần xác minh thêm",
		"new_due_at": "2026-12-14T17:00:00+07:00"})
	v := newVisitor(t, s)
	p := lookupPage(t, v, d.Code, url.Values{"pin": {d.Pin}})
	r := p.byID("reschedule")
	if r == nil || p.idText("reschedule-reason") != "Cần xác minh thêm" {
		t.Fatalf("no apology on a rescheduled dossier: %s", excerpt(p.Body))
	}
	tm := find(r, func(n *html.Node) bool { return n.Data == "time" })
	if dt, _ := attr(tm, "datetime"); dt != "2026-12-14T17:00:00+07:00" || text(tm) != "14/12/2026 17:00" {
		t.Errorf("new appointment %q %q", dt, text(tm))
	}
	act(t, s, "leader", d.Code, map[string]any{"action": "resolve", "outcome": "approved"})
	act(t, s, "clerk", d.Code, map[string]any{"action": "return"})

	// By ID number: the form asks for the PIN, and carries none.
	p = lookupPage(t, v, d.Code, url.Values{"id_number": {"001234567890"}})
	f := p.byID("rating-form")
	if f == nil {
		t.Fatal("no rating form")
	}
	if in := find(f, hasAttr("name", "pin")); in == nil || strings.Contains(p.Body, d.Pin) {
		t.Error("looked up by ID number, the rating form must ask for the PIN and not hold it")
	} else if typ, _ := attr(in, "type"); typ != "password" {
		t.Errorf("the PIN field is %q", typ)
	}

	// By PIN: the form carries it, and posting it rates the dossier.
	p = lookupPage(t, v, d.Code, url.Values{"pin": {d.Pin}})
	f = p.byID("rating-form")
	if f == nil {
		t.Fatal("no rating form")
	}
	if action, _ := attr(f, "action"); action != "/danh-gia/"+d.Code {
		t.Errorf("the form posts to %q", action)
	}
	hidden := url.Values{}
	for _, in := range findAll(f, func(n *html.Node) bool { return n.Data == "input" }) {
		if typ, _ := attr(in, "type"); typ == "hidden" {
			name, _ := attr(in, "name")
			val, _ := attr(in, "value")
			hidden.Set(name, val)
		}
	}
	if hidden.Get("pin") != d.Pin || hidden.Get("csrf_token") == "" || hidden.Get("form_key") == "" {
		t.Fatalf("hidden fields %v", hidden)
	}
	hidden.Set("score", "5")
	hidden.Set("comment", "Cán bộ nhiệt tình")
	wantPage(t, v.submit("/danh-gia/"+d.Code, hidden), http.StatusCreated, "rating-done", "")
	p = lookupPage(t, v, d.Code, url.Values{"pin": {d.Pin}})
	if k, _ := attr(p.byID("next-step"), "data-kind"); k != "none" || p.byID("rating-form") != nil {
		t.Errorf("after rating: next step %q, rating form %v", k, p.byID("rating-form") != nil)
	}
	if p.byID("reschedule") == nil {
		t.Error("the apology is gone after the return")
	}
}
