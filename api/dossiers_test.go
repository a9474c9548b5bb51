package api_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/cmd/motcua/demo"
	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/user"
)

// ==== dossier helpers

const (
	justiceTenDays         = "2.000488" // Sở Tư pháp, 10 working days, handled at the centre
	justiceOnSpotFourHours = "2.000908" // Sở Tư pháp, 4 working hours, on the "5 tại chỗ" list
	planningThreeDays      = "2.001610" // Sở Kế hoạch và Đầu tư, 3 working days
	communeOneDay          = "1.001193" // UBND xã, 1 working day
)

// freshToken logs username in now: tests move the clock past a token's life.
func freshToken(e *env, username string) string {
	e.t.Helper()
	r := e.s.Do(apptest.Request{Method: http.MethodPost, Path: "/api/v1/auth/login",
		Body: map[string]string{"username": username, "password": demo.Password}})
	if r.Status != http.StatusOK {
		e.t.Fatalf("login %s: %d %s", username, r.Status, r.Body)
	}
	return r.JSON(e.t)["access_token"].(string)
}

func dossierBody(proc, channel string) map[string]any {
	return map[string]any{
		"procedure_code": proc, "channel": channel,
		"applicant": map[string]any{"name": "Nguyễn Văn An", "id_number": "001234567890", "phone": "0912345678",
			"email": "an@example.vn", "address": "Tổ 5, phường Tân Phong", "organization": ""},
		"documents": []map[string]any{{"name": "Tờ khai", "copies": 1}, {"name": "Bản sao CCCD"}},
		"note":      "Nộp tại quầy số 3",
	}
}

// registerDossier registers body as username and returns the 201 answer.
func registerDossier(t *testing.T, e *env, username string, body map[string]any) map[string]any {
	t.Helper()
	return obj(t, apptest.Want(t, e.post("/api/v1/dossiers", freshToken(e, username), body), http.StatusCreated))
}

func dossierAction(e *env, username, code string, body map[string]any) apptest.Response {
	e.t.Helper()
	return e.post("/api/v1/dossiers/"+code+"/actions", freshToken(e, username), body)
}

func dossierActionOK(t *testing.T, e *env, username, code string, body map[string]any) map[string]any {
	t.Helper()
	return obj(t, apptest.Want(t, dossierAction(e, username, code, body), http.StatusOK))
}

// dossierState is what must not change when an action is refused.
func dossierState(t *testing.T, e *env, code string) string {
	t.Helper()
	d := obj(t, apptest.Want(t, e.get("/api/v1/dossiers/"+code, freshToken(e, "admin")), http.StatusOK))
	return fmt.Sprintf("%v|%v|%v|%v|%v|%d", d["status"], d["version"], d["holder_unit"], d["appointment_at"], d["assignee"],
		len(d["history"].([]any)))
}

func dossierHistory(d map[string]any) []map[string]any {
	var out []map[string]any
	for _, h := range d["history"].([]any) {
		out = append(out, h.(map[string]any))
	}
	return out
}

// actionBodies gives a well-formed body for every action of docs/domain.md.
func actionBodies() map[dossier.Action]map[string]any {
	return map[dossier.Action]map[string]any{
		dossier.ActAccept:            {"action": "accept"},
		dossier.ActReject:            {"action": "reject", "reason": "Không thuộc thẩm quyền"},
		dossier.ActStart:             {"action": "start"},
		dossier.ActTransfer:          {"action": "transfer", "to_unit": demo.Planning},
		dossier.ActRequestSupplement: {"action": "request_supplement", "reason": "Thiếu giấy tờ", "items": []string{"Bản sao sổ hộ khẩu"}},
		dossier.ActSupplement:        {"action": "supplement"},
		dossier.ActRequestPayment:    {"action": "request_payment", "amount": 50000},
		dossier.ActConfirmPayment:    {"action": "confirm_payment"},
		dossier.ActResolve:           {"action": "resolve", "outcome": "approved"},
		dossier.ActReturn:            {"action": "return"},
		dossier.ActWithdraw:          {"action": "withdraw", "reason": "Công dân rút hồ sơ"},
		dossier.ActStop:              {"action": "stop", "reason": "Giấy tờ giả mạo"},
		dossier.ActReschedule:        {"action": "reschedule", "reason": "Xin lỗi (Mẫu 04)", "new_due_at": "2027-06-30T17:00:00+07:00"},
	}
}

var dossierCodeRE = regexp.MustCompile(`^` + regexp.QuoteMeta(demo.Center) + `-261123-\d{4,}$`)

// ==== the whole life of a dossier

func TestDossierWholeLife(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{}) // Monday 2026-11-23 09:00
	d := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct"))
	code := d["code"].(string)
	if !dossierCodeRE.MatchString(code) || d["status"] != "received" || d["status_code"] != 2.0 {
		t.Fatalf("registered %v %v %v", code, d["status"], d["status_code"])
	}
	if pin, _ := d["lookup_pin"].(string); !regexp.MustCompile(`^\d{6}$`).MatchString(pin) {
		t.Fatalf("lookup_pin %q", d["lookup_pin"])
	}
	// 10 working days from Mon 23 Nov 09:00 → Mon 7 Dec 09:00.
	if d["received_at"] != "2026-11-23T09:00:00+07:00" || d["due_at"] != "2026-12-07T09:00:00+07:00" || d["appointment_at"] != d["due_at"] {
		t.Fatalf("times %v %v %v", d["received_at"], d["due_at"], d["appointment_at"])
	}
	if d["unit_code"] != demo.Center || d["agency_code"] != demo.Justice || d["holder_unit"] != demo.Justice {
		t.Fatalf("units %v %v %v", d["unit_code"], d["agency_code"], d["holder_unit"])
	}
	if docs := d["documents"].([]any); len(docs) != 2 || docs[1].(map[string]any)["copies"] != 1.0 {
		t.Fatalf("documents %v (copies default to 1)", docs)
	}
	pin := d["lookup_pin"].(string)
	h := dossierHistory(d)
	if len(h) != 1 || h[0]["action"] != "receive" || h[0]["from"] != nil || h[0]["to"] != "received" || h[0]["by"] != "clerk" {
		t.Fatalf("first history entry %v", h)
	}

	steps := []struct {
		who    string
		body   map[string]any
		status string
		clock  string
	}{
		{"officer", map[string]any{"action": "start"}, "processing", "2026-11-23 10:00"},
		{"officer", map[string]any{"action": "request_supplement", "reason": "Thiếu bản sao", "items": []string{"Bản sao giấy khai sinh"}}, "supplement_requested", "2026-11-24 09:00"},
		{"clerk", map[string]any{"action": "supplement", "note": "Đã nhận bản sao"}, "processing", "2026-11-25 09:00"},
		{"officer", map[string]any{"action": "request_payment", "amount": 200000}, "awaiting_payment", "2026-11-25 10:00"},
		{"clerk", map[string]any{"action": "confirm_payment"}, "processing", "2026-11-25 11:00"},
		{"leader", map[string]any{"action": "resolve", "outcome": "approved"}, "resolved", "2026-11-26 15:00"},
		{"clerk", map[string]any{"action": "return"}, "returned", "2026-11-27 08:00"},
	}
	for i, st := range steps {
		now, _ := time.ParseInLocation("2006-01-02 15:04", st.clock, apptest.Loc)
		e.s.Clock.Set(now)
		got := dossierActionOK(t, e, st.who, code, st.body)
		if got["status"] != st.status || got["status_code"] != float64(dossier.Status(st.status).Code()) || got["version"] != float64(i+2) {
			t.Fatalf("step %d %v: %v %v v%v", i, st.body["action"], got["status"], got["status_code"], got["version"])
		}
		d = got
	}
	// The supplement waited one working day: due moved from 7 to 8 Dec.
	if d["due_at"] != "2026-12-08T09:00:00+07:00" || d["appointment_at"] != d["due_at"] {
		t.Fatalf("due after the supplement pause %v / %v", d["due_at"], d["appointment_at"])
	}
	if d["resolved_at"] != "2026-11-26T15:00:00+07:00" || d["outcome"] != "approved" || d["timeliness"] != "early" ||
		d["returned_at"] != "2026-11-27T08:00:00+07:00" || d["payment_amount"] != 200000.0 || d["assignee"] != "officer" {
		t.Fatalf("outcome fields %v %v %v %v %v %v", d["resolved_at"], d["outcome"], d["timeliness"], d["returned_at"], d["payment_amount"], d["assignee"])
	}
	got := obj(t, apptest.Want(t, e.get("/api/v1/dossiers/"+code, freshToken(e, "leader")), http.StatusOK))
	h = dossierHistory(got)
	wantActions := []string{"receive", "start", "request_supplement", "supplement", "request_payment", "confirm_payment", "resolve", "return"}
	if len(h) != len(wantActions) {
		t.Fatalf("%d history entries, want %d", len(h), len(wantActions))
	}
	prev := ""
	for i, a := range wantActions {
		if h[i]["action"] != a {
			t.Fatalf("history[%d] = %v, want %s", i, h[i]["action"], a)
		}
		if i > 0 && h[i]["from"] != prev {
			t.Fatalf("history[%d] from %v, want %s", i, h[i]["from"], prev)
		}
		prev = h[i]["to"].(string)
	}
	if h[2]["details"].(map[string]any)["reason"] != "Thiếu bản sao" || h[3]["note"] != "Đã nhận bản sao" || h[6]["by"] != "leader" || h[6]["unit"] != demo.Justice {
		t.Fatalf("history details %v / %v / %v", h[2], h[3], h[6])
	}
	if _, ok := got["lookup_pin"]; ok {
		t.Fatal("the pin is shown again after registration")
	}
	// The citizen follows it with the pin: stages, no staff, masked name.
	p := obj(t, apptest.Want(t, e.get("/api/v1/public/dossiers/"+code+"?pin="+pin, ""), http.StatusOK))
	if p["status"] != "returned" || p["status_code"] != 10.0 || p["applicant_name"] != "N***** V** A*" ||
		p["procedure_name"] != "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam" || p["agency_name"] != "Sở Tư pháp" ||
		p["returned_at"] != "2026-11-27T08:00:00+07:00" || len(p["stages"].([]any)) != 8 {
		t.Fatalf("public view %v", p)
	}
	raw := string(e.get("/api/v1/public/dossiers/"+code+"?pin="+pin, "").Body)
	for _, secret := range []string{"officer", "leader", "clerk", demo.Justice, demo.Center + "\"", "001234567890", "0912345678", "Nguyễn", "Tổ 5", "an@example.vn"} {
		if strings.Contains(raw, secret) {
			t.Fatalf("public answer leaks %q: %s", secret, raw)
		}
	}
	// No personal data reached the logs.
	for _, secret := range []string{"001234567890", "0912345678", "an@example.vn", pin} {
		if strings.Contains(e.s.Log.String(), secret) {
			t.Fatalf("the log holds personal data %q", secret)
		}
	}
}

// TestDossierFridayBeforeTet: received Friday 2026-02-13 16:00 (the last
// working afternoon before Tết), a 3-working-day procedure is due Wednesday
// 2026-02-25 16:00.
func TestDossierFridayBeforeTet(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{Now: time.Date(2026, 2, 13, 16, 0, 0, 0, apptest.Loc)})
	d := registerDossier(t, e, "clerk", dossierBody(planningThreeDays, "direct"))
	if d["due_at"] != "2026-02-25T16:00:00+07:00" || d["appointment_at"] != "2026-02-25T16:00:00+07:00" ||
		!strings.HasPrefix(d["code"].(string), demo.Center+"-260213-") || d["agency_code"] != demo.Planning {
		t.Fatalf("Friday before Tết: code %v due %v appointment %v", d["code"], d["due_at"], d["appointment_at"])
	}
	// An online submission the same evening gets its code from the submission
	// date and its clock when accepted on the first working day after Tết.
	e.s.Clock.Set(time.Date(2026, 2, 13, 20, 0, 0, 0, apptest.Loc))
	o := registerDossier(t, e, "clerk", dossierBody(planningThreeDays, "online"))
	if o["status"] != "submitted" || o["status_code"] != 1.0 || o["received_at"] != nil || o["due_at"] != nil ||
		!strings.HasPrefix(o["code"].(string), demo.Center+"-260213-") || dossierHistory(o)[0]["action"] != "submit" {
		t.Fatalf("online submission %v", o)
	}
	e.s.Clock.Set(time.Date(2026, 2, 23, 8, 0, 0, 0, apptest.Loc))
	a := dossierActionOK(t, e, "clerk", o["code"].(string), map[string]any{"action": "accept"})
	if a["status"] != "received" || a["received_at"] != "2026-02-23T08:00:00+07:00" || a["due_at"] != "2026-02-26T08:00:00+07:00" {
		t.Fatalf("accepted %v %v %v", a["status"], a["received_at"], a["due_at"])
	}
}

func TestDossierSupplementPolicies(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		policy, wantDue string
	}{
		// Due Mon 7 Dec 09:00; paused Tue 24 09:00 → Thu 26 14:00 (2 days 5 h of working time).
		{"pause", "2026-12-09T14:00:00+07:00"},
		// 10 working days again from Thu 26 Nov 14:00.
		{"restart", "2026-12-10T14:00:00+07:00"},
	} {
		t.Run(tt.policy, func(t *testing.T) {
			e := start(t, apptest.Options{Env: map[string]string{"MOTCUA_SUPPLEMENT_POLICY": tt.policy}})
			code := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct"))["code"].(string)
			dossierActionOK(t, e, "officer", code, map[string]any{"action": "start"})
			e.s.Clock.Set(time.Date(2026, 11, 24, 9, 0, 0, 0, apptest.Loc))
			r := dossierActionOK(t, e, "officer", code, map[string]any{"action": "request_supplement", "reason": "Thiếu giấy"})
			if r["supplement_requested_at"] != "2026-11-24T09:00:00+07:00" || r["due_at"] != "2026-12-07T09:00:00+07:00" {
				t.Fatalf("requested: %v due %v", r["supplement_requested_at"], r["due_at"])
			}
			e.s.Clock.Set(time.Date(2026, 11, 26, 14, 0, 0, 0, apptest.Loc))
			s := dossierActionOK(t, e, "clerk", code, map[string]any{"action": "supplement"})
			if s["due_at"] != tt.wantDue || s["appointment_at"] != tt.wantDue || s["supplement_requested_at"] != nil {
				t.Fatalf("%s: due %v appointment %v paused %v, want %s", tt.policy, s["due_at"], s["appointment_at"], s["supplement_requested_at"], tt.wantDue)
			}
			det := dossierHistory(s)[3]["details"].(map[string]any)
			if det["policy"] != tt.policy || det["previous_due_at"] != "2026-12-07T09:00:00+07:00" {
				t.Fatalf("supplement details %v", det)
			}
		})
	}
}

// TestDossierRescheduledLateStaysLate: the apology moves the appointment,
// not the verdict.
func TestDossierRescheduledLateStaysLate(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	code := registerDossier(t, e, "clerk", dossierBody(planningThreeDays, "direct"))["code"].(string) // due Thu 26 Nov 09:00
	dossierActionOK(t, e, "clerk", code, map[string]any{"action": "start"})
	// Reschedule: not before the appointment, not in the past, needs a reason.
	wantFields(t, dossierAction(e, "clerk", code, map[string]any{"action": "reschedule", "reason": "x", "new_due_at": "2026-11-26T09:00:00+07:00"}), "new_due_at")
	wantFields(t, dossierAction(e, "clerk", code, map[string]any{"action": "reschedule", "reason": "x", "new_due_at": "2026-11-25T09:00:00+07:00"}), "new_due_at")
	wantFields(t, dossierAction(e, "clerk", code, map[string]any{"action": "reschedule", "new_due_at": "2026-12-01T09:00:00+07:00"}), "reason")
	wantFields(t, dossierAction(e, "clerk", code, map[string]any{"action": "reschedule", "reason": "x", "new_due_at": "1/12/2026"}), "new_due_at")
	e.s.Clock.Set(time.Date(2026, 11, 25, 16, 0, 0, 0, apptest.Loc))
	r := dossierActionOK(t, e, "clerk", code, map[string]any{"action": "reschedule", "reason": "Xin lỗi, cần xác minh thêm (Mẫu 04)",
		"new_due_at": "2026-12-01T17:00:00+07:00"})
	if r["appointment_at"] != "2026-12-01T17:00:00+07:00" || r["due_at"] != "2026-11-26T09:00:00+07:00" || r["status"] != "processing" {
		t.Fatalf("rescheduled: appointment %v due %v status %v", r["appointment_at"], r["due_at"], r["status"])
	}
	e.s.Clock.Set(time.Date(2026, 11, 30, 10, 0, 0, 0, apptest.Loc)) // after due, before the new appointment
	// The handling agency's leader resolves: the Planning department has no demo leader, so make one.
	apptest.Want(t, e.post("/api/v1/users", freshToken(e, "admin"), map[string]any{"username": "leader.planning", "name": "Lãnh đạo Sở KHĐT",
		"role": "leader", "unit": demo.Planning, "password": demo.Password}), http.StatusCreated)
	res := dossierActionOK(t, e, "leader.planning", code, map[string]any{"action": "resolve", "outcome": "approved"})
	if res["timeliness"] != "late" || res["status"] != "resolved" {
		t.Fatalf("resolved after due_at but before the rescheduled appointment: %v %v, want late", res["status"], res["timeliness"])
	}
}

// ==== scope: every role, in and out of scope, read, list and every action

func TestDossierScopeEveryRoleEveryAction(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	apptest.Want(t, e.post("/api/v1/users", freshToken(e, "admin"), map[string]any{"username": "viewer.district", "name": "Thanh tra huyện",
		"role": "viewer", "unit": demo.CommuneA, "password": demo.Password}), http.StatusCreated)

	// Live (received) and finished (returned) dossiers at the centre and at the district.
	cLive := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct"))["code"].(string)
	cDone := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct"))["code"].(string)
	dossierActionOK(t, e, "officer", cDone, map[string]any{"action": "start"})
	dossierActionOK(t, e, "leader", cDone, map[string]any{"action": "resolve", "outcome": "approved"})
	dossierActionOK(t, e, "clerk", cDone, map[string]any{"action": "return"})
	dLive := registerDossier(t, e, "clerk.commune", dossierBody(communeOneDay, "direct"))["code"].(string)
	dDone := registerDossier(t, e, "clerk.commune", dossierBody(communeOneDay, "direct"))["code"].(string)
	dossierActionOK(t, e, "leader.commune", dDone, map[string]any{"action": "start"})
	dossierActionOK(t, e, "leader.commune", dDone, map[string]any{"action": "resolve", "outcome": "approved"})
	dossierActionOK(t, e, "clerk.commune", dDone, map[string]any{"action": "return"})

	centre, district := []string{cLive, cDone}, []string{dLive, dDone}
	people := []struct {
		username string
		role     user.Role
		in, out  []string
	}{
		{"clerk", user.RoleClerk, centre, district},
		{"officer", user.RoleOfficer, centre, district},
		{"leader", user.RoleLeader, centre, district},
		{"clerk.commune", user.RoleClerk, district, centre},
		{"leader.commune", user.RoleLeader, district, centre},
		{"viewer.district", user.RoleViewer, district, centre},
		{"viewer", user.RoleViewer, append(centre, district...), nil}, // no unit: the whole province
		{"admin", user.RoleAdmin, append(centre, district...), nil},
	}
	actions := actionBodies()
	before := map[string]string{}
	for _, c := range append(centre, district...) {
		before[c] = dossierState(t, e, c)
	}
	for _, p := range people {
		tok := freshToken(e, p.username)
		listed := map[string]bool{}
		for _, it := range items(t, apptest.Want(t, e.get("/api/v1/dossiers?page_size=500", tok), http.StatusOK)) {
			listed[it["code"].(string)] = true
		}
		for _, c := range p.in {
			apptest.Want(t, e.get("/api/v1/dossiers/"+c, tok), http.StatusOK)
			if !listed[c] {
				t.Errorf("%s: in-scope %s not listed", p.username, c)
			}
		}
		for _, c := range p.out {
			wantError(t, e.get("/api/v1/dossiers/"+c, tok), http.StatusNotFound, "not_found")
			if listed[c] {
				t.Errorf("%s: out-of-scope %s listed", p.username, c)
			}
			// Every action on an out-of-scope dossier, live or finished: 404, nothing changes.
			for _, a := range dossier.Actions {
				r := dossierAction(e, p.username, c, actions[a])
				wantError(t, r, http.StatusNotFound, "not_found")
			}
		}
		// In scope: a role the action does not list is 403; a listed role on
		// a returned dossier is 409 invalid_transition (nothing can move it).
		for _, c := range p.in {
			done := c == cDone || c == dDone
			for _, a := range dossier.Actions {
				allowed := false
				for _, r := range dossier.Roles(a) {
					allowed = allowed || r == p.role
				}
				switch {
				case !allowed:
					wantError(t, dossierAction(e, p.username, c, actions[a]), http.StatusForbidden, "forbidden")
				case done:
					wantError(t, dossierAction(e, p.username, c, actions[a]), http.StatusConflict, "invalid_transition")
				}
			}
		}
	}
	for _, c := range append(centre, district...) {
		if got := dossierState(t, e, c); got != before[c] {
			t.Errorf("%s changed: %s → %s", c, before[c], got)
		}
	}
	// The 404 of an out-of-scope dossier is the 404 of a code that does not exist.
	a := dossierAction(e, "clerk", dLive, actions[dossier.ActWithdraw])
	b := dossierAction(e, "clerk", demo.CommuneA+"-261123-9999", actions[dossier.ActWithdraw])
	if !bytes.Equal(a.Body, b.Body) {
		t.Fatalf("out of scope %s vs unknown %s", a.Body, b.Body)
	}
}

func TestDossierInvalidTransitionsAndBadActions(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	code := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct"))["code"].(string)
	r := wantError(t, dossierAction(e, "leader", code, map[string]any{"action": "resolve", "outcome": "approved"}), http.StatusConflict, "invalid_transition")
	if r.Error.Details["status"] != "received" || r.Error.Details["action"] != "resolve" {
		t.Fatalf("details %v", r.Error.Details)
	}
	wantError(t, dossierAction(e, "clerk", code, map[string]any{"action": "accept"}), http.StatusConflict, "invalid_transition")
	wantError(t, dossierAction(e, "clerk", code, map[string]any{"action": "return"}), http.StatusConflict, "invalid_transition")
	wantFields(t, dossierAction(e, "clerk", code, map[string]any{"action": "approve"}), "action")
	wantFields(t, dossierAction(e, "clerk", code, map[string]any{"action": "receive"}), "action")
	wantFields(t, dossierAction(e, "clerk", code, map[string]any{}), "action")
	wantFields(t, dossierAction(e, "clerk", code, map[string]any{"action": "withdraw"}), "reason")
	wantFields(t, dossierAction(e, "leader", code, map[string]any{"action": "stop", "reason": strings.Repeat("x", 10001)}), "reason")
	wantFields(t, dossierAction(e, "officer", code, map[string]any{"action": "start", "note": strings.Repeat("x", 10001)}), "note")
	dossierActionOK(t, e, "officer", code, map[string]any{"action": "start", "assignee": "officer"})
	wantFields(t, dossierAction(e, "officer", code, map[string]any{"action": "request_payment", "amount": 0}), "amount")
	wantFields(t, dossierAction(e, "officer", code, map[string]any{"action": "request_payment"}), "amount")
	wantFields(t, dossierAction(e, "leader", code, map[string]any{"action": "resolve", "outcome": "denied"}), "reason")
	wantFields(t, dossierAction(e, "leader", code, map[string]any{"action": "resolve", "outcome": "maybe"}), "outcome")
	wantFields(t, dossierAction(e, "officer", code, map[string]any{"action": "transfer", "to_unit": "NO.SUCH.UNIT"}), "to_unit")
	wantFields(t, dossierAction(e, "officer", code, map[string]any{"action": "transfer", "to_unit": demo.Justice}), "to_unit")
	wantFields(t, dossierAction(e, "officer", code, map[string]any{"action": "request_supplement", "reason": "x", "items": []string{""}}), "items[0]")
	wantError(t, dossierAction(e, "officer", code, map[string]any{"action": "start", "extra": 1}), http.StatusBadRequest, "invalid_request")
	wantError(t, dossierAction(e, "officer", code, map[string]any{"action": 5}), http.StatusBadRequest, "invalid_request")
	wantError(t, dossierAction(e, "officer", code, map[string]any{"action": "request_payment", "amount": 1.5}), http.StatusBadRequest, "invalid_request")
	// Denied with reasons is resolved too.
	d := dossierActionOK(t, e, "leader", code, map[string]any{"action": "resolve", "outcome": "denied", "reason": "Không đủ điều kiện"})
	if d["outcome"] != "denied" || d["status"] != "resolved" {
		t.Fatalf("denied: %v %v", d["status"], d["outcome"])
	}
	// Transfer hands the dossier to another unit, which then sees it.
	c2 := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct"))["code"].(string)
	dossierActionOK(t, e, "officer", c2, map[string]any{"action": "start"})
	wantError(t, e.get("/api/v1/dossiers/"+c2, freshToken(e, "leader.commune")), http.StatusNotFound, "not_found")
	tr := dossierActionOK(t, e, "officer", c2, map[string]any{"action": "transfer", "to_unit": demo.CommuneA, "assignee": "leader.commune"})
	if tr["holder_unit"] != demo.CommuneA || tr["assignee"] != "leader.commune" || tr["status"] != "processing" {
		t.Fatalf("transfer %v %v %v", tr["holder_unit"], tr["assignee"], tr["status"])
	}
	apptest.Want(t, e.get("/api/v1/dossiers/"+c2, freshToken(e, "leader.commune")), http.StatusOK)
	// Withdraw, stop and reject end a dossier with their time.
	w := dossierActionOK(t, e, "clerk", c2, map[string]any{"action": "withdraw", "reason": "Công dân rút"})
	if w["status"] != "withdrawn" || w["status_code"] != 7.0 || w["withdrawn_at"] != "2026-11-23T09:00:00+07:00" {
		t.Fatalf("withdrawn %v %v %v", w["status"], w["status_code"], w["withdrawn_at"])
	}
	c3 := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct"))["code"].(string)
	s := dossierActionOK(t, e, "leader", c3, map[string]any{"action": "stop", "reason": "Giả mạo"})
	if s["status"] != "stopped" || s["status_code"] != 8.0 || s["stopped_at"] == nil {
		t.Fatalf("stopped %v", s)
	}
	c4 := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "online"))["code"].(string)
	rj := dossierActionOK(t, e, "clerk", c4, map[string]any{"action": "reject", "reason": "Không thuộc thẩm quyền"})
	if rj["status"] != "rejected" || rj["status_code"] != 3.0 || rj["rejected_at"] == nil || rj["received_at"] != nil {
		t.Fatalf("rejected %v", rj)
	}
}

func TestDossierOnSpotResolvedFromReceived(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	b := dossierBody(justiceOnSpotFourHours, "direct")
	b["on_spot"] = true
	d := registerDossier(t, e, "clerk", b)
	if d["on_spot"] != true || d["due_at"] != "2026-11-23T15:00:00+07:00" { // 4 working hours over lunch
		t.Fatalf("on spot %v due %v", d["on_spot"], d["due_at"])
	}
	e.s.Clock.Set(time.Date(2026, 11, 23, 10, 15, 0, 0, apptest.Loc))
	r := dossierActionOK(t, e, "leader", d["code"].(string), map[string]any{"action": "resolve", "outcome": "approved"})
	if r["status"] != "resolved" || r["timeliness"] != "on_time" || dossierHistory(r)[1]["from"] != "received" {
		t.Fatalf("on-spot resolve %v %v", r["status"], r["timeliness"])
	}
	// Only on-spot dossiers skip processing.
	n := registerDossier(t, e, "clerk", dossierBody(justiceOnSpotFourHours, "direct"))
	wantError(t, dossierAction(e, "leader", n["code"].(string), map[string]any{"action": "resolve", "outcome": "approved"}), http.StatusConflict, "invalid_transition")
	// Only for procedures on the list, and only at the counter.
	b = dossierBody(justiceTenDays, "direct")
	b["on_spot"] = true
	wantFields(t, e.post("/api/v1/dossiers", freshToken(e, "clerk"), b), "on_spot")
	b = dossierBody(justiceOnSpotFourHours, "online")
	b["on_spot"] = true
	wantFields(t, e.post("/api/v1/dossiers", freshToken(e, "clerk"), b), "on_spot")
}

// ==== registration input

func TestDossierRegistrationValidation(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	clerk := freshToken(e, "clerk")
	demoCount := total(t, apptest.Want(t, e.get("/api/v1/dossiers?unit_code="+demo.Center, freshToken(e, "admin")), http.StatusOK))
	with := func(f func(b map[string]any)) map[string]any {
		b := dossierBody(justiceTenDays, "direct")
		f(b)
		return b
	}
	appl := func(b map[string]any) map[string]any { return b["applicant"].(map[string]any) }
	tests := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"no procedure", with(func(b map[string]any) { delete(b, "procedure_code") }), "procedure_code"},
		{"unknown procedure", with(func(b map[string]any) { b["procedure_code"] = "9.999999" }), "procedure_code"},
		{"bad channel", with(func(b map[string]any) { b["channel"] = "fax" }), "channel"},
		{"no name", with(func(b map[string]any) { appl(b)["name"] = " " }), "applicant.name"},
		{"long name", with(func(b map[string]any) { appl(b)["name"] = strings.Repeat("ă", 301) }), "applicant.name"},
		{"id letters", with(func(b map[string]any) { appl(b)["id_number"] = "00123456789X" }), "applicant.id_number"},
		{"id 8 digits", with(func(b map[string]any) { appl(b)["id_number"] = "12345678" }), "applicant.id_number"},
		{"id 13 digits", with(func(b map[string]any) { appl(b)["id_number"] = "1234567890123" }), "applicant.id_number"},
		{"phone", with(func(b map[string]any) { appl(b)["phone"] = "09x" }), "applicant.phone"},
		{"email", with(func(b map[string]any) { appl(b)["email"] = "an at example" }), "applicant.email"},
		{"101 documents", with(func(b map[string]any) {
			docs := make([]map[string]any, 101)
			for i := range docs {
				docs[i] = map[string]any{"name": "Giấy", "copies": 1}
			}
			b["documents"] = docs
		}), "documents"},
		{"document name", with(func(b map[string]any) { b["documents"] = []map[string]any{{"name": strings.Repeat("a", 301)}} }), "documents[0].name"},
		{"copies 0", with(func(b map[string]any) { b["documents"] = []map[string]any{{"name": "Tờ khai", "copies": 0}} }), "documents[0].copies"},
		{"copies 101", with(func(b map[string]any) { b["documents"] = []map[string]any{{"name": "Tờ khai", "copies": 101}} }), "documents[0].copies"},
		{"note", with(func(b map[string]any) { b["note"] = strings.Repeat("x", 10001) }), "note"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantFields(t, e.post("/api/v1/dossiers", clerk, tt.body), tt.field)
		})
	}
	wantError(t, e.post("/api/v1/dossiers", clerk, `{"procedure_code": 5}`), http.StatusBadRequest, "invalid_request")
	wantError(t, e.post("/api/v1/dossiers", clerk, `{"procedure_code": "x", "unknown": true}`), http.StatusBadRequest, "invalid_request")
	wantError(t, e.post("/api/v1/dossiers", clerk, `{"procedure_code": "x", "documents": [{"name": "a", "copies": "two"}]}`), http.StatusBadRequest, "invalid_request")
	wantError(t, e.post("/api/v1/dossiers", clerk, strings.Repeat(" ", 1<<20+10)+"{}"), http.StatusRequestEntityTooLarge, "payload_too_large")
	for _, who := range []string{"officer", "leader", "viewer", "admin"} {
		wantError(t, e.post("/api/v1/dossiers", freshToken(e, who), dossierBody(justiceTenDays, "direct")), http.StatusForbidden, "forbidden")
	}
	wantError(t, e.post("/api/v1/dossiers", "", dossierBody(justiceTenDays, "direct")), http.StatusUnauthorized, "unauthenticated")
	// An abolished procedure, and a closed reception unit, take no new dossiers.
	admin := freshToken(e, "admin")
	apptest.Want(t, e.post("/api/v1/procedures/"+planningThreeDays+"/publications", admin,
		map[string]any{"kind": "abolished", "decision": "99/QĐ-UBND", "decided_on": "2026-11-20"}), http.StatusCreated)
	wantFields(t, e.post("/api/v1/dossiers", clerk, dossierBody(planningThreeDays, "direct")), "procedure_code")
	apptest.Want(t, e.patch("/api/v1/agencies/"+demo.Center, admin, map[string]any{"closed": true}), http.StatusOK)
	e.s.App.Catalog.Invalidate()
	wantFields(t, e.post("/api/v1/dossiers", clerk, dossierBody(justiceTenDays, "direct")), "unit_code")
	// None of the refused registrations left a dossier behind.
	if n := total(t, apptest.Want(t, e.get("/api/v1/dossiers?unit_code="+demo.Center, admin), http.StatusOK)); n != demoCount {
		t.Fatalf("%d dossiers after refused registrations, want the demo's %d", n, demoCount)
	}
}

// ==== concurrency

// TestDossierConcurrentOfficers: several officers act at once on the same
// version; one wins, the others get 409 conflict, and one history entry is added.
func TestDossierConcurrentOfficers(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	code := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct"))["code"].(string)
	toks := []string{freshToken(e, "officer"), freshToken(e, "leader"), freshToken(e, "clerk")}
	run := func(body string) (ok int, codes map[string]int) {
		codes = map[string]int{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := 0; i < 12; i++ {
			wg.Add(1)
			go func(tok string) {
				defer wg.Done()
				r := e.s.Do(apptest.Request{Method: http.MethodPost, Path: "/api/v1/dossiers/" + code + "/actions", Token: tok, Body: body})
				mu.Lock()
				defer mu.Unlock()
				if r.Status == http.StatusOK {
					ok++
				} else {
					codes[fmt.Sprint(r.Status, " ", r.ErrorCode())]++
				}
			}(toks[i%len(toks)])
		}
		wg.Wait()
		return ok, codes
	}
	// All send the version they read: exactly one wins, the rest are conflicts.
	ok, codes := run(`{"action": "start", "version": 1}`)
	if ok != 1 || codes["409 conflict"] != 11 {
		t.Fatalf("start with version 1: %d won, others %v; want 1 and 11 × 409 conflict", ok, codes)
	}
	// Without a version: still one winner; the others lose with a 409.
	ok, codes = run(`{"action": "request_supplement", "reason": "Thiếu giấy"}`)
	if ok != 1 || codes["409 conflict"]+codes["409 invalid_transition"] != 11 {
		t.Fatalf("concurrent request_supplement: %d won, others %v", ok, codes)
	}
	d := obj(t, apptest.Want(t, e.get("/api/v1/dossiers/"+code, freshToken(e, "admin")), http.StatusOK))
	if h := dossierHistory(d); len(h) != 3 || d["version"] != 3.0 {
		t.Fatalf("%d history entries, version %v; want 3 and 3", len(h), d["version"])
	}
	// A stale version read earlier is refused later too.
	wantError(t, dossierAction(e, "clerk", code, map[string]any{"action": "supplement", "version": 2}), http.StatusConflict, "conflict")
}

// TestDossierCodesConcurrentHTTP registers concurrently through HTTP at one
// unit: every code distinct and numbered 0001..N without gaps.
func TestDossierCodesConcurrentHTTP(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	tok := freshToken(e, "clerk")
	const workers, each = 16, 10
	var mu sync.Mutex
	seen := map[string]bool{}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				r := e.s.Do(apptest.Request{Method: http.MethodPost, Path: "/api/v1/dossiers", Token: tok, Body: dossierBody(justiceTenDays, "direct")})
				mu.Lock()
				if r.Status != http.StatusCreated {
					mu.Unlock()
					t.Errorf("register: %d %s", r.Status, r.Body)
					return
				}
				seen[r.JSON(t)["code"].(string)] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for n := 1; n <= workers*each; n++ {
		if c := fmt.Sprintf("%s-261123-%04d", demo.Center, n); !seen[c] {
			t.Fatalf("code %s missing (%d codes)", c, len(seen))
		}
	}
	if len(seen) != workers*each {
		t.Fatalf("%d codes for %d registrations", len(seen), workers*each)
	}
}

// ==== idempotent registration

func TestDossierIdempotentRegistration(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	tok := freshToken(e, "clerk")
	body := `{"procedure_code":"` + justiceTenDays + `","channel":"direct","applicant":{"name":"Quách Thị Zĩnh"}}`
	post := func(key, b string) apptest.Response {
		return e.s.Do(apptest.Request{Method: http.MethodPost, Path: "/api/v1/dossiers", Token: tok, Body: b,
			Header: map[string]string{"Idempotency-Key": key}})
	}
	first := apptest.Want(t, post("reg-1", body), http.StatusCreated)
	again := apptest.Want(t, post("reg-1", body), http.StatusCreated)
	if !bytes.Equal(first.Body, again.Body) {
		t.Fatalf("replay differs:\n%s\n%s", first.Body, again.Body)
	}
	wantError(t, post("reg-1", strings.Replace(body, "Zĩnh", "Zính", 1)), http.StatusConflict, "conflict")
	// Concurrent duplicates of a new key: one dossier.
	var wg sync.WaitGroup
	results := make([]apptest.Response, 8)
	for i := range results {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			results[i] = post("reg-2", body)
		}(i)
	}
	wg.Wait()
	codesSeen := map[string]bool{}
	for _, r := range results {
		if r.Status == http.StatusCreated {
			codesSeen[r.JSON(t)["code"].(string)] = true
		} else if r.Status != http.StatusConflict {
			t.Fatalf("duplicate answered %d %s", r.Status, r.Body)
		}
	}
	if len(codesSeen) != 1 {
		t.Fatalf("concurrent duplicates registered %d dossiers", len(codesSeen))
	}
	if n := total(t, apptest.Want(t, e.get("/api/v1/dossiers?q=quach+thi+zinh", tok), http.StatusOK)); n != 2 {
		t.Fatalf("%d dossiers for two keys", n)
	}
	// An action with a key acts once.
	code := first.JSON(t)["code"].(string)
	act := func() apptest.Response {
		return e.s.Do(apptest.Request{Method: http.MethodPost, Path: "/api/v1/dossiers/" + code + "/actions", Token: freshToken(e, "officer"),
			Body: `{"action":"start"}`, Header: map[string]string{"Idempotency-Key": "start-1"}})
	}
	a1, a2 := apptest.Want(t, act(), http.StatusOK), apptest.Want(t, act(), http.StatusOK)
	if !bytes.Equal(a1.Body, a2.Body) || len(dossierHistory(obj(t, e.get("/api/v1/dossiers/"+code, tok)))) != 2 {
		t.Fatal("a replayed action acted twice")
	}
}

// ==== lists

func TestDossierListFiltersAndMasking(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	// The demo data is there too: this test's applicants have "zu" in their names, no demo one does.
	a := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct"))
	b := dossierBody(justiceOnSpotFourHours, "postal")
	b["applicant"].(map[string]any)["name"] = "Đặng Thị Zuê"
	bb := registerDossier(t, e, "clerk", b)
	e.s.Clock.Set(time.Date(2026, 11, 24, 9, 0, 0, 0, apptest.Loc))
	c := dossierBody(justiceTenDays, "online")
	c["applicant"].(map[string]any)["name"] = "Đặng Văn Zũ"
	cc := registerDossier(t, e, "clerk", c)
	clerk := freshToken(e, "clerk") // the clock moved a day

	list := items(t, apptest.Want(t, e.get("/api/v1/dossiers?q=zu&unit_code="+demo.Center+"&received_from=2026-11-23", clerk), http.StatusOK))
	if got := codes(list); len(got) != 1 || got[0] != bb["code"] {
		t.Fatalf("q=zu received from today: %v", got)
	}
	list = items(t, apptest.Want(t, e.get("/api/v1/dossiers?q=zu", clerk), http.StatusOK))
	if got := codes(list); len(got) != 2 || got[0] != cc["code"] || got[1] != bb["code"] {
		t.Fatalf("q=zu, newest first: %v", got)
	}
	app0 := list[1]["applicant"].(map[string]any)
	if app0["id_number"] != "001*******90" || app0["phone"] != "*******678" || app0["email"] != "" || app0["address"] != "" {
		t.Fatalf("list applicant not masked: %v", app0)
	}
	full := obj(t, e.get("/api/v1/dossiers/"+bb["code"].(string), clerk))["applicant"].(map[string]any)
	if full["id_number"] != "001234567890" || full["address"] != "Tổ 5, phường Tân Phong" {
		t.Fatalf("detail applicant %v", full)
	}
	// A viewer's detail is masked as a list is.
	seen := obj(t, e.get("/api/v1/dossiers/"+bb["code"].(string), freshToken(e, "viewer")))["applicant"].(map[string]any)
	if seen["id_number"] != "001*******90" || seen["phone"] != "*******678" || seen["email"] != "" || seen["address"] != "" {
		t.Fatalf("viewer detail applicant not masked: %v", seen)
	}
	for _, tt := range []struct {
		query string
		want  []any
	}{
		{"q=Zu%C3%AA", []any{bb["code"]}},                   // "Zuê": case and marks ignored
		{"q=%C4%90%E1%BA%B6NG+V%C4%82N", []any{cc["code"]}}, // "ĐẶNG VĂN"
		{"q=zu&channel=postal", []any{bb["code"]}},
		{"q=zu&channel=online&status=submitted", []any{cc["code"]}},
		{"q=" + a["code"].(string), []any{a["code"]}},
		{"q=zu&procedure_code=" + justiceOnSpotFourHours, []any{bb["code"]}},
		{"q=zu&agency_code=" + demo.Justice + "&received_to=2026-11-23", []any{bb["code"]}},
		{"q=zu&received_from=2026-11-24", nil}, // the online one is not received
		{"q=zu&on_spot=false&page_size=1&page=2", []any{bb["code"]}},
		{"q=zu&unit_code=" + demo.CommuneA, nil},
	} {
		got := items(t, apptest.Want(t, e.get("/api/v1/dossiers?"+tt.query, clerk), http.StatusOK))
		var gc []any
		for _, it := range got {
			gc = append(gc, it["code"])
		}
		if fmt.Sprint(gc) != fmt.Sprint(tt.want) {
			t.Errorf("%s: %v, want %v", tt.query, gc, tt.want)
		}
	}
	// Overdue: the demo has some; every one is in progress with due_at passed.
	over := items(t, apptest.Want(t, e.get("/api/v1/dossiers?overdue=true&page_size=500", freshToken(e, "viewer")), http.StatusOK))
	if len(over) == 0 {
		t.Fatal("the demo has overdue dossiers; none listed")
	}
	for _, d := range over {
		due, _ := time.Parse(time.RFC3339, d["due_at"].(string))
		if !dossier.Status(d["status"].(string)).InProgress() || !due.Before(e.s.Clock.Now()) {
			t.Fatalf("not overdue: %v %v", d["status"], d["due_at"])
		}
	}
	for _, q := range []string{"status=closed", "channel=fax", "received_from=23-11-2026", "received_to=2026-13-01",
		"overdue=maybe", "on_spot=2", "page=0", "page_size=501", "received_from=2026-11-24&received_to=2026-11-23"} {
		wantError(t, e.get("/api/v1/dossiers?"+q, clerk), http.StatusUnprocessableEntity, "validation_failed")
	}
	wantError(t, e.get("/api/v1/dossiers", ""), http.StatusUnauthorized, "unauthenticated")
}

// ==== demo data

func TestDossierDemoData(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	viewer := freshToken(e, "viewer")
	count := func(q string) int {
		return total(t, apptest.Want(t, e.get("/api/v1/dossiers?"+q, viewer), http.StatusOK))
	}
	all := count("")
	if all < 35 {
		t.Fatalf("%d demo dossiers, want about 40", all)
	}
	for _, s := range dossier.Statuses {
		if count("status="+string(s)) == 0 {
			t.Errorf("no demo dossier is %s", s)
		}
	}
	if count("on_spot=true") == 0 || count("channel=online") == 0 || count("channel=postal") == 0 || count("overdue=true") == 0 {
		t.Error("the demo lacks on-spot, online, postal or overdue dossiers")
	}
	late, rescheduledLate := 0, 0
	for _, d := range items(t, apptest.Want(t, e.get("/api/v1/dossiers?page_size=500", viewer), http.StatusOK)) {
		if d["timeliness"] == "late" {
			late++
			full := obj(t, e.get("/api/v1/dossiers/"+d["code"].(string), viewer))
			for _, h := range dossierHistory(full) {
				if h["action"] == "reschedule" {
					rescheduledLate++
				}
			}
		}
	}
	if late == 0 || rescheduledLate == 0 {
		t.Fatalf("%d late demo dossiers, %d of them rescheduled; want some of each", late, rescheduledLate)
	}
	// The showcase dossier is found with its pin.
	dd := e.s.App.DemoDossier
	if dd.Code == "" {
		t.Fatal("no showcase demo dossier")
	}
	p := obj(t, apptest.Want(t, e.get("/api/v1/public/dossiers/"+dd.Code+"?pin="+dd.Pin, ""), http.StatusOK))
	if p["status"] != "received" {
		t.Fatalf("showcase %v", p)
	}
	// Seeding again adds nothing.
	var out bytes.Buffer
	if err := demo.Seed(context.Background(), e.s.App, &out); err != nil {
		t.Fatal(err)
	}
	if got := count(""); got != all {
		t.Fatalf("second seed: %d dossiers, was %d", got, all)
	}
	// The first seed printed the showcase; apptest discards its output, so check the format on a fresh seed.
	fresh := apptest.New(t, apptest.Options{NoDemo: true})
	var first bytes.Buffer
	if err := demo.Seed(context.Background(), fresh.App, &first); err != nil {
		t.Fatal(err)
	}
	if d := fresh.App.DemoDossier; d.Code == "" || !strings.Contains(first.String(), d.Code) || !strings.Contains(first.String(), "pin "+d.Pin) {
		t.Fatalf("seed output lacks the demo dossier and pin:\n%s", first.String())
	}
}
