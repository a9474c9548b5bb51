package api_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/cmd/motcua/demo"
)

// lookupByPin is the citizen's lookup of code with pin, which must be 200.
func lookupByPin(t *testing.T, e *env, code, pin string) map[string]any {
	t.Helper()
	return obj(t, apptest.Want(t, e.get("/api/v1/public/dossiers/"+code+"?pin="+pin, ""), http.StatusOK))
}

// step is what the lookup's next_step should be, as JSON decodes it.
func step(kind string, reason any, items []any, amount any) map[string]any {
	if items == nil {
		items = []any{}
	}
	return map[string]any{"kind": kind, "reason": reason, "items": items, "amount": amount}
}

// TestPublicLookupNextStepByStatus drives a dossier into every status
// through the staff API and checks what the lookup tells the citizen to do
// next, with the reason, items and amount the staff's actions recorded, and
// the outcome once resolved.
func TestPublicLookupNextStepByStatus(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	type act struct {
		who  string
		body map[string]any
	}
	start := act{"officer", map[string]any{"action": "start"}}
	for _, tt := range []struct {
		name, channel string
		acts          []act
		status        string
		want          map[string]any
		outcome       any
	}{
		{"submitted online", "online", nil, "submitted", step("wait", nil, nil, nil), nil},
		{"received at the counter", "direct", nil, "received", step("wait", nil, nil, nil), nil},
		{"processing", "direct", []act{start}, "processing", step("wait", nil, nil, nil), nil},
		{"rejected at receipt", "online", []act{{"clerk", map[string]any{"action": "reject", "reason": "Không thuộc thẩm quyền"}}},
			"rejected", step("none", "Không thuộc thẩm quyền", nil, nil), nil},
		{"supplement requested", "direct", []act{start, {"officer", map[string]any{"action": "request_supplement",
			"reason": "Thiếu bản sao", "items": []string{"Bản sao giấy khai sinh", "Ảnh 4x6"}}}},
			"supplement_requested", step("supplement", "Thiếu bản sao", []any{"Bản sao giấy khai sinh", "Ảnh 4x6"}, nil), nil},
		// The second request is what the citizen must answer now; it lists no items.
		{"supplement requested again", "direct", []act{start,
			{"officer", map[string]any{"action": "request_supplement", "reason": "Lần một", "items": []string{"Tờ khai"}}},
			{"clerk", map[string]any{"action": "supplement"}},
			{"officer", map[string]any{"action": "request_supplement", "reason": "Lần hai: chữ ký chưa đúng"}}},
			"supplement_requested", step("supplement", "Lần hai: chữ ký chưa đúng", nil, nil), nil},
		{"awaiting payment", "direct", []act{start,
			{"officer", map[string]any{"action": "request_payment", "amount": 50000}},
			{"clerk", map[string]any{"action": "confirm_payment"}},
			{"officer", map[string]any{"action": "request_payment", "amount": 200000}}},
			"awaiting_payment", step("payment", nil, nil, 200000.0), nil},
		{"withdrawn", "direct", []act{{"clerk", map[string]any{"action": "withdraw", "reason": "Công dân rút hồ sơ"}}},
			"withdrawn", step("none", "Công dân rút hồ sơ", nil, nil), nil},
		{"stopped", "direct", []act{start, {"leader", map[string]any{"action": "stop", "reason": "Giấy tờ giả mạo"}}},
			"stopped", step("none", "Giấy tờ giả mạo", nil, nil), nil},
		{"resolved, approved", "direct", []act{start, {"leader", map[string]any{"action": "resolve", "outcome": "approved"}}},
			"resolved", step("collect", nil, nil, nil), "approved"},
		{"resolved, denied", "direct", []act{start,
			{"leader", map[string]any{"action": "resolve", "outcome": "denied", "reason": "Không đủ điều kiện cấp phiếu"}}},
			"resolved", step("collect", "Không đủ điều kiện cấp phiếu", nil, nil), "denied"},
		{"returned, not yet rated", "direct", []act{start, {"leader", map[string]any{"action": "resolve", "outcome": "approved"}},
			{"clerk", map[string]any{"action": "return"}}},
			"returned", step("rate", nil, nil, nil), "approved"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, tt.channel))
			code, pin := d["code"].(string), d["lookup_pin"].(string)
			for _, a := range tt.acts {
				dossierActionOK(t, e, a.who, code, a.body)
			}
			p := lookupByPin(t, e, code, pin)
			if p["status"] != tt.status {
				t.Fatalf("status %v, want %s", p["status"], tt.status)
			}
			if !reflect.DeepEqual(p["next_step"], tt.want) {
				t.Errorf("next_step %v, want %v", p["next_step"], tt.want)
			}
			if p["outcome"] != tt.outcome || p["rated"] != false || p["reschedule"] != nil {
				t.Errorf("outcome %v (want %v), rated %v, reschedule %v", p["outcome"], tt.outcome, p["rated"], p["reschedule"])
			}
			if p["unit_name"] != "Trung tâm Phục vụ hành chính công tỉnh" || p["agency_name"] != "Sở Tư pháp" {
				t.Errorf("unit_name %v, agency_name %v", p["unit_name"], p["agency_name"])
			}
		})
	}
}

// TestPublicLookupRatedAfterRating: a returned dossier asks to be rated
// until the citizen rates it, then asks nothing and says it is rated.
func TestPublicLookupRatedAfterRating(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	code, pin := registerRateableDossier(t, e.s)
	returnDossier(t, e.s, code)
	p := lookupByPin(t, e, code, pin)
	if p["rated"] != false || !reflect.DeepEqual(p["next_step"], step("rate", nil, nil, nil)) || p["outcome"] != "approved" {
		t.Fatalf("returned, not rated: rated %v, next_step %v, outcome %v", p["rated"], p["next_step"], p["outcome"])
	}
	apptest.Want(t, postRating(e.s, code, pin, map[string]any{"score": 4}), http.StatusCreated)
	p = lookupByPin(t, e, code, pin)
	if p["rated"] != true || !reflect.DeepEqual(p["next_step"], step("none", nil, nil, nil)) {
		t.Fatalf("after the rating: rated %v, next_step %v", p["rated"], p["next_step"])
	}
}

// TestPublicLookupShowsTheReschedule: the citizen sees the latest apology
// (Mẫu 04): when it was made, the appointment it set and its reason, while
// the dossier still waits on the agency.
func TestPublicLookupShowsTheReschedule(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{}) // Monday 2026-11-23 09:00; due Mon 7 Dec 09:00
	d := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct"))
	code, pin := d["code"].(string), d["lookup_pin"].(string)
	dossierActionOK(t, e, "officer", code, map[string]any{"action": "start"})
	e.s.Clock.Set(time.Date(2026, 11, 25, 16, 0, 0, 0, apptest.Loc))
	dossierActionOK(t, e, "clerk", code, map[string]any{"action": "reschedule", "reason": "Cần xác minh thêm",
		"new_due_at": "2026-12-10T17:00:00+07:00"})
	e.s.Clock.Set(time.Date(2026, 11, 26, 10, 0, 0, 0, apptest.Loc))
	dossierActionOK(t, e, "clerk", code, map[string]any{"action": "reschedule", "reason": "Xin lỗi ông/bà, cơ quan liên quan chưa trả lời",
		"new_due_at": "2026-12-14T17:00:00+07:00"})
	p := lookupByPin(t, e, code, pin)
	want := map[string]any{"at": "2026-11-26T10:00:00+07:00", "appointment_at": "2026-12-14T17:00:00+07:00",
		"reason": "Xin lỗi ông/bà, cơ quan liên quan chưa trả lời"}
	if !reflect.DeepEqual(p["reschedule"], want) || p["appointment_at"] != "2026-12-14T17:00:00+07:00" {
		b, _ := json.Marshal(p)
		t.Fatalf("reschedule %v, want %v: %s", p["reschedule"], want, b)
	}
	if !reflect.DeepEqual(p["next_step"], step("wait", nil, nil, nil)) || p["status"] != "processing" {
		t.Fatalf("a reschedule changes no step: %v %v", p["status"], p["next_step"])
	}
	// The apology stays on the record after the result is handed over.
	dossierActionOK(t, e, "leader", code, map[string]any{"action": "resolve", "outcome": "approved"})
	if p := lookupByPin(t, e, code, pin); !reflect.DeepEqual(p["reschedule"], want) ||
		!reflect.DeepEqual(p["next_step"], step("collect", nil, nil, nil)) {
		t.Fatalf("after resolve: reschedule %v, next_step %v", p["reschedule"], p["next_step"])
	}
	// Staff fields stay out: no unit codes, no usernames.
	raw := string(e.get("/api/v1/public/dossiers/"+code+"?pin="+pin, "").Body)
	for _, secret := range []string{demo.Center + "\"", demo.Justice, "\"clerk\"", "\"officer\"", "\"leader\""} {
		if strings.Contains(raw, secret) {
			t.Fatalf("public answer leaks %q: %s", secret, raw)
		}
	}
}
