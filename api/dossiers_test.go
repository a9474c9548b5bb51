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
	return decodeAs[tokenJSON](e.t, r).AccessToken
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
// It answers as a map for the tests of other files; the tests here use
// newDossier.
func registerDossier(t *testing.T, e *env, username string, body map[string]any) map[string]any {
	t.Helper()
	return obj(t, apptest.Want(t, e.post("/api/v1/dossiers", freshToken(e, username), body), http.StatusCreated))
}

// newDossier registers body as username and returns the 201 answer.
func newDossier(t *testing.T, e *env, username string, body map[string]any) dossierJSON {
	t.Helper()
	return decodeAs[dossierJSON](t, apptest.Want(t, e.post("/api/v1/dossiers", freshToken(e, username), body), http.StatusCreated))
}

func dossierAction(e *env, username, code string, body map[string]any) apptest.Response {
	e.t.Helper()
	return e.post("/api/v1/dossiers/"+code+"/actions", freshToken(e, username), body)
}

// dossierActionOK acts and returns the 200 answer as a map, for the tests
// of other files; the tests here use actOnDossier.
func dossierActionOK(t *testing.T, e *env, username, code string, body map[string]any) map[string]any {
	t.Helper()
	return obj(t, apptest.Want(t, dossierAction(e, username, code, body), http.StatusOK))
}

// actOnDossier has username act on code and returns the 200 answer.
func actOnDossier(t *testing.T, e *env, username, code string, body map[string]any) dossierJSON {
	t.Helper()
	return decodeAs[dossierJSON](t, apptest.Want(t, dossierAction(e, username, code, body), http.StatusOK))
}

// getDossier reads code as username (200).
func getDossier(t *testing.T, e *env, username, code string) dossierJSON {
	t.Helper()
	return decodeAs[dossierJSON](t, apptest.Want(t, e.get("/api/v1/dossiers/"+code, freshToken(e, username)), http.StatusOK))
}

// dossierState is what must not change when an action is refused.
func dossierState(t *testing.T, e *env, code string) string {
	t.Helper()
	d := getDossier(t, e, "admin", code)
	return fmt.Sprintf("%s|%d|%s|%s|%s|%d", d.Status, d.Version, d.HolderUnit, jsonString(d.AppointmentAt), jsonString(d.Assignee),
		len(d.History))
}

func dossierCodes(list []dossierJSON) []string {
	var out []string
	for _, d := range list {
		out = append(out, d.Code)
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
	d := newDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct"))
	code := d.Code
	if !dossierCodeRE.MatchString(code) || d.Status != "received" || d.StatusCode != 2 {
		t.Fatalf("registered %v %v %v", code, d.Status, d.StatusCode)
	}
	if !regexp.MustCompile(`^\d{6}$`).MatchString(d.LookupPin) {
		t.Fatalf("lookup_pin %q", d.LookupPin)
	}
	// 10 working days from Mon 23 Nov 09:00 → Mon 7 Dec 09:00.
	if val(d.ReceivedAt) != "2026-11-23T09:00:00+07:00" || val(d.DueAt) != "2026-12-07T09:00:00+07:00" || val(d.AppointmentAt) != val(d.DueAt) {
		t.Fatalf("times %v %v %v", val(d.ReceivedAt), val(d.DueAt), val(d.AppointmentAt))
	}
	if d.UnitCode != demo.Center || d.AgencyCode != demo.Justice || d.HolderUnit != demo.Justice {
		t.Fatalf("units %v %v %v", d.UnitCode, d.AgencyCode, d.HolderUnit)
	}
	if docs := d.Documents; len(docs) != 2 || docs[1].Copies != 1 {
		t.Fatalf("documents %v (copies default to 1)", docs)
	}
	pin := d.LookupPin
	h := d.History
	if len(h) != 1 || h[0].Action != "receive" || h[0].From != nil || h[0].To != "received" || h[0].By != "clerk" {
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
		got := actOnDossier(t, e, st.who, code, st.body)
		if got.Status != st.status || got.StatusCode != dossier.Status(st.status).Code() || got.Version != i+2 {
			t.Fatalf("step %d %v: %v %v v%v", i, st.body["action"], got.Status, got.StatusCode, got.Version)
		}
		d = got
	}
	// The supplement waited one working day: due moved from 7 to 8 Dec.
	if val(d.DueAt) != "2026-12-08T09:00:00+07:00" || val(d.AppointmentAt) != val(d.DueAt) {
		t.Fatalf("due after the supplement pause %v / %v", val(d.DueAt), val(d.AppointmentAt))
	}
	if val(d.ResolvedAt) != "2026-11-26T15:00:00+07:00" || val(d.Outcome) != "approved" || val(d.Timeliness) != "early" ||
		val(d.ReturnedAt) != "2026-11-27T08:00:00+07:00" || val(d.PaymentAmount) != 200000 || val(d.Assignee) != "officer" {
		t.Fatalf("outcome fields %v %v %v %v %v %v", val(d.ResolvedAt), val(d.Outcome), val(d.Timeliness), val(d.ReturnedAt), val(d.PaymentAmount), val(d.Assignee))
	}
	read := apptest.Want(t, e.get("/api/v1/dossiers/"+code, freshToken(e, "leader")), http.StatusOK)
	got := decodeAs[dossierJSON](t, read)
	h = got.History
	wantActions := []string{"receive", "start", "request_supplement", "supplement", "request_payment", "confirm_payment", "resolve", "return"}
	if len(h) != len(wantActions) {
		t.Fatalf("%d history entries, want %d", len(h), len(wantActions))
	}
	prev := ""
	for i, a := range wantActions {
		if h[i].Action != a {
			t.Fatalf("history[%d] = %v, want %s", i, h[i].Action, a)
		}
		if i > 0 && val(h[i].From) != prev {
			t.Fatalf("history[%d] from %v, want %s", i, val(h[i].From), prev)
		}
		prev = h[i].To
	}
	if h[2].Details.Reason != "Thiếu bản sao" || h[3].Note != "Đã nhận bản sao" || h[6].By != "leader" || h[6].Unit != demo.Justice {
		t.Fatalf("history details %v / %v / %v", h[2], h[3], h[6])
	}
	// The raw map, not dossierJSON: the pin must be absent from the JSON,
	// and a struct cannot tell an absent key from an empty one.
	if _, ok := obj(t, read)["lookup_pin"]; ok {
		t.Fatal("the pin is shown again after registration")
	}
	// The citizen follows it with the pin: stages, no staff, masked name.
	p := decodeAs[publicDossierJSON](t, apptest.Want(t, e.get("/api/v1/public/dossiers/"+code+"?pin="+pin, ""), http.StatusOK))
	if p.Status != "returned" || p.StatusCode != 10 || p.ApplicantName != "N***** V** A*" ||
		p.ProcedureName != "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam" || p.AgencyName != "Sở Tư pháp" ||
		val(p.ReturnedAt) != "2026-11-27T08:00:00+07:00" || len(p.Stages) != 8 {
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
	d := newDossier(t, e, "clerk", dossierBody(planningThreeDays, "direct"))
	if val(d.DueAt) != "2026-02-25T16:00:00+07:00" || val(d.AppointmentAt) != "2026-02-25T16:00:00+07:00" ||
		!strings.HasPrefix(d.Code, demo.Center+"-260213-") || d.AgencyCode != demo.Planning {
		t.Fatalf("Friday before Tết: code %v due %v appointment %v", d.Code, val(d.DueAt), val(d.AppointmentAt))
	}
	// An online submission the same evening gets its code from the submission
	// date and its clock when accepted on the first working day after Tết.
	e.s.Clock.Set(time.Date(2026, 2, 13, 20, 0, 0, 0, apptest.Loc))
	o := newDossier(t, e, "clerk", dossierBody(planningThreeDays, "online"))
	if o.Status != "submitted" || o.StatusCode != 1 || o.ReceivedAt != nil || o.DueAt != nil ||
		!strings.HasPrefix(o.Code, demo.Center+"-260213-") || o.History[0].Action != "submit" {
		t.Fatalf("online submission %v", o)
	}
	e.s.Clock.Set(time.Date(2026, 2, 23, 8, 0, 0, 0, apptest.Loc))
	a := actOnDossier(t, e, "clerk", o.Code, map[string]any{"action": "accept"})
	if a.Status != "received" || val(a.ReceivedAt) != "2026-02-23T08:00:00+07:00" || val(a.DueAt) != "2026-02-26T08:00:00+07:00" {
		t.Fatalf("accepted %v %v %v", a.Status, val(a.ReceivedAt), val(a.DueAt))
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
			code := newDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct")).Code
			actOnDossier(t, e, "officer", code, map[string]any{"action": "start"})
			e.s.Clock.Set(time.Date(2026, 11, 24, 9, 0, 0, 0, apptest.Loc))
			r := actOnDossier(t, e, "officer", code, map[string]any{"action": "request_supplement", "reason": "Thiếu giấy"})
			if val(r.SupplementRequestedAt) != "2026-11-24T09:00:00+07:00" || val(r.DueAt) != "2026-12-07T09:00:00+07:00" {
				t.Fatalf("requested: %v due %v", val(r.SupplementRequestedAt), val(r.DueAt))
			}
			e.s.Clock.Set(time.Date(2026, 11, 26, 14, 0, 0, 0, apptest.Loc))
			s := actOnDossier(t, e, "clerk", code, map[string]any{"action": "supplement"})
			if val(s.DueAt) != tt.wantDue || val(s.AppointmentAt) != tt.wantDue || s.SupplementRequestedAt != nil {
				t.Fatalf("%s: due %v appointment %v paused %v, want %s", tt.policy, val(s.DueAt), val(s.AppointmentAt), jsonString(s.SupplementRequestedAt), tt.wantDue)
			}
			det := s.History[3].Details
			if det.Policy != tt.policy || det.PreviousDueAt != "2026-12-07T09:00:00+07:00" {
				t.Fatalf("supplement details %+v", det)
			}
		})
	}
}

// TestDossierRescheduledLateStaysLate: the apology moves the appointment,
// not the verdict.
func TestDossierRescheduledLateStaysLate(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	code := newDossier(t, e, "clerk", dossierBody(planningThreeDays, "direct")).Code // due Thu 26 Nov 09:00
	actOnDossier(t, e, "clerk", code, map[string]any{"action": "start"})
	// Reschedule: not before the appointment, not in the past, needs a reason.
	wantFields(t, dossierAction(e, "clerk", code, map[string]any{"action": "reschedule", "reason": "x", "new_due_at": "2026-11-26T09:00:00+07:00"}), "new_due_at")
	wantFields(t, dossierAction(e, "clerk", code, map[string]any{"action": "reschedule", "reason": "x", "new_due_at": "2026-11-25T09:00:00+07:00"}), "new_due_at")
	wantFields(t, dossierAction(e, "clerk", code, map[string]any{"action": "reschedule", "new_due_at": "2026-12-01T09:00:00+07:00"}), "reason")
	wantFields(t, dossierAction(e, "clerk", code, map[string]any{"action": "reschedule", "reason": "x", "new_due_at": "1/12/2026"}), "new_due_at")
	e.s.Clock.Set(time.Date(2026, 11, 25, 16, 0, 0, 0, apptest.Loc))
	r := actOnDossier(t, e, "clerk", code, map[string]any{"action": "reschedule", "reason": "Xin lỗi, cần xác minh thêm (Mẫu 04)",
		"new_due_at": "2026-12-01T17:00:00+07:00"})
	if val(r.AppointmentAt) != "2026-12-01T17:00:00+07:00" || val(r.DueAt) != "2026-11-26T09:00:00+07:00" || r.Status != "processing" {
		t.Fatalf("rescheduled: appointment %v due %v status %v", val(r.AppointmentAt), val(r.DueAt), r.Status)
	}
	e.s.Clock.Set(time.Date(2026, 11, 30, 10, 0, 0, 0, apptest.Loc)) // after due, before the new appointment
	// The handling agency's leader resolves: the Planning department has no demo leader, so make one.
	apptest.Want(t, e.post("/api/v1/users", freshToken(e, "admin"), map[string]any{"username": "leader.planning", "name": "Lãnh đạo Sở KHĐT",
		"role": "leader", "unit": demo.Planning, "password": demo.Password}), http.StatusCreated)
	res := actOnDossier(t, e, "leader.planning", code, map[string]any{"action": "resolve", "outcome": "approved"})
	if val(res.Timeliness) != "late" || res.Status != "resolved" {
		t.Fatalf("resolved after due_at but before the rescheduled appointment: %v %v, want late", res.Status, val(res.Timeliness))
	}
}

// ==== scope: every role, in and out of scope, read, list and every action

func TestDossierScopeEveryRoleEveryAction(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	apptest.Want(t, e.post("/api/v1/users", freshToken(e, "admin"), map[string]any{"username": "viewer.district", "name": "Thanh tra huyện",
		"role": "viewer", "unit": demo.CommuneA, "password": demo.Password}), http.StatusCreated)

	// Live (received) and finished (returned) dossiers at the centre and at the district.
	cLive := newDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct")).Code
	cDone := newDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct")).Code
	actOnDossier(t, e, "officer", cDone, map[string]any{"action": "start"})
	actOnDossier(t, e, "leader", cDone, map[string]any{"action": "resolve", "outcome": "approved"})
	actOnDossier(t, e, "clerk", cDone, map[string]any{"action": "return"})
	dLive := newDossier(t, e, "clerk.commune", dossierBody(communeOneDay, "direct")).Code
	dDone := newDossier(t, e, "clerk.commune", dossierBody(communeOneDay, "direct")).Code
	actOnDossier(t, e, "leader.commune", dDone, map[string]any{"action": "start"})
	actOnDossier(t, e, "leader.commune", dDone, map[string]any{"action": "resolve", "outcome": "approved"})
	actOnDossier(t, e, "clerk.commune", dDone, map[string]any{"action": "return"})

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
		for _, it := range itemsAs[dossierJSON](t, apptest.Want(t, e.get("/api/v1/dossiers?page_size=500", tok), http.StatusOK)) {
			listed[it.Code] = true
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
	code := newDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct")).Code
	r := dossierAction(e, "leader", code, map[string]any{"action": "resolve", "outcome": "approved"})
	wantError(t, r, http.StatusConflict, "invalid_transition")
	if det := decodeAs[transitionErrorJSON](t, r).Error.Details; det.Status != "received" || det.Action != "resolve" {
		t.Fatalf("details %+v", det)
	}
	wantError(t, dossierAction(e, "clerk", code, map[string]any{"action": "accept"}), http.StatusConflict, "invalid_transition")
	wantError(t, dossierAction(e, "clerk", code, map[string]any{"action": "return"}), http.StatusConflict, "invalid_transition")
	wantFields(t, dossierAction(e, "clerk", code, map[string]any{"action": "approve"}), "action")
	wantFields(t, dossierAction(e, "clerk", code, map[string]any{"action": "receive"}), "action")
	wantFields(t, dossierAction(e, "clerk", code, map[string]any{}), "action")
	wantFields(t, dossierAction(e, "clerk", code, map[string]any{"action": "withdraw"}), "reason")
	wantFields(t, dossierAction(e, "leader", code, map[string]any{"action": "stop", "reason": strings.Repeat("x", 10001)}), "reason")
	wantFields(t, dossierAction(e, "officer", code, map[string]any{"action": "start", "note": strings.Repeat("x", 10001)}), "note")
	actOnDossier(t, e, "officer", code, map[string]any{"action": "start", "assignee": "officer"})
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
	d := actOnDossier(t, e, "leader", code, map[string]any{"action": "resolve", "outcome": "denied", "reason": "Không đủ điều kiện"})
	if val(d.Outcome) != "denied" || d.Status != "resolved" {
		t.Fatalf("denied: %v %v", d.Status, val(d.Outcome))
	}
	// Transfer hands the dossier to another unit, which then sees it.
	c2 := newDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct")).Code
	actOnDossier(t, e, "officer", c2, map[string]any{"action": "start"})
	wantError(t, e.get("/api/v1/dossiers/"+c2, freshToken(e, "leader.commune")), http.StatusNotFound, "not_found")
	tr := actOnDossier(t, e, "officer", c2, map[string]any{"action": "transfer", "to_unit": demo.CommuneA, "assignee": "leader.commune"})
	if tr.HolderUnit != demo.CommuneA || val(tr.Assignee) != "leader.commune" || tr.Status != "processing" {
		t.Fatalf("transfer %v %v %v", tr.HolderUnit, val(tr.Assignee), tr.Status)
	}
	apptest.Want(t, e.get("/api/v1/dossiers/"+c2, freshToken(e, "leader.commune")), http.StatusOK)
	// Withdraw, stop and reject end a dossier with their time.
	w := actOnDossier(t, e, "clerk", c2, map[string]any{"action": "withdraw", "reason": "Công dân rút"})
	if w.Status != "withdrawn" || w.StatusCode != 7 || val(w.WithdrawnAt) != "2026-11-23T09:00:00+07:00" {
		t.Fatalf("withdrawn %v %v %v", w.Status, w.StatusCode, val(w.WithdrawnAt))
	}
	c3 := newDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct")).Code
	s := actOnDossier(t, e, "leader", c3, map[string]any{"action": "stop", "reason": "Giả mạo"})
	if s.Status != "stopped" || s.StatusCode != 8 || s.StoppedAt == nil {
		t.Fatalf("stopped %v", s)
	}
	c4 := newDossier(t, e, "clerk", dossierBody(justiceTenDays, "online")).Code
	rj := actOnDossier(t, e, "clerk", c4, map[string]any{"action": "reject", "reason": "Không thuộc thẩm quyền"})
	if rj.Status != "rejected" || rj.StatusCode != 3 || rj.RejectedAt == nil || rj.ReceivedAt != nil {
		t.Fatalf("rejected %v", rj)
	}
}

func TestDossierOnSpotResolvedFromReceived(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	b := dossierBody(justiceOnSpotFourHours, "direct")
	b["on_spot"] = true
	d := newDossier(t, e, "clerk", b)
	if !d.OnSpot || val(d.DueAt) != "2026-11-23T15:00:00+07:00" { // 4 working hours over lunch
		t.Fatalf("on spot %v due %v", d.OnSpot, val(d.DueAt))
	}
	e.s.Clock.Set(time.Date(2026, 11, 23, 10, 15, 0, 0, apptest.Loc))
	r := actOnDossier(t, e, "leader", d.Code, map[string]any{"action": "resolve", "outcome": "approved"})
	if r.Status != "resolved" || val(r.Timeliness) != "on_time" || val(r.History[1].From) != "received" {
		t.Fatalf("on-spot resolve %v %v", r.Status, val(r.Timeliness))
	}
	// Only on-spot dossiers skip processing.
	n := newDossier(t, e, "clerk", dossierBody(justiceOnSpotFourHours, "direct"))
	wantError(t, dossierAction(e, "leader", n.Code, map[string]any{"action": "resolve", "outcome": "approved"}), http.StatusConflict, "invalid_transition")
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
	code := newDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct")).Code
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
	d := getDossier(t, e, "admin", code)
	if h := d.History; len(h) != 3 || d.Version != 3 {
		t.Fatalf("%d history entries, version %v; want 3 and 3", len(h), d.Version)
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
				seen[decodeAs[dossierJSON](t, r).Code] = true
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
			codesSeen[decodeAs[dossierJSON](t, r).Code] = true
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
	code := decodeAs[dossierJSON](t, first).Code
	act := func() apptest.Response {
		return e.s.Do(apptest.Request{Method: http.MethodPost, Path: "/api/v1/dossiers/" + code + "/actions", Token: freshToken(e, "officer"),
			Body: `{"action":"start"}`, Header: map[string]string{"Idempotency-Key": "start-1"}})
	}
	a1, a2 := apptest.Want(t, act(), http.StatusOK), apptest.Want(t, act(), http.StatusOK)
	if !bytes.Equal(a1.Body, a2.Body) || len(decodeAs[dossierJSON](t, e.get("/api/v1/dossiers/"+code, tok)).History) != 2 {
		t.Fatal("a replayed action acted twice")
	}
}

// ==== lists

func TestDossierListFiltersAndMasking(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	// The demo data is there too: this test's applicants have "zu" in their names, no demo one does.
	a := newDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct"))
	b := dossierBody(justiceOnSpotFourHours, "postal")
	b["applicant"].(map[string]any)["name"] = "Đặng Thị Zuê"
	bb := newDossier(t, e, "clerk", b)
	e.s.Clock.Set(time.Date(2026, 11, 24, 9, 0, 0, 0, apptest.Loc))
	c := dossierBody(justiceTenDays, "online")
	c["applicant"].(map[string]any)["name"] = "Đặng Văn Zũ"
	cc := newDossier(t, e, "clerk", c)
	clerk := freshToken(e, "clerk") // the clock moved a day

	list := itemsAs[dossierJSON](t, apptest.Want(t, e.get("/api/v1/dossiers?q=zu&unit_code="+demo.Center+"&received_from=2026-11-23", clerk), http.StatusOK))
	if got := dossierCodes(list); len(got) != 1 || got[0] != bb.Code {
		t.Fatalf("q=zu received from today: %v", got)
	}
	list = itemsAs[dossierJSON](t, apptest.Want(t, e.get("/api/v1/dossiers?q=zu", clerk), http.StatusOK))
	if got := dossierCodes(list); len(got) != 2 || got[0] != cc.Code || got[1] != bb.Code {
		t.Fatalf("q=zu, newest first: %v", got)
	}
	app0 := list[1].Applicant
	if app0.IDNumber != "001*******90" || app0.Phone != "*******678" || app0.Email != "" || app0.Address != "" {
		t.Fatalf("list applicant not masked: %+v", app0)
	}
	full := decodeAs[dossierJSON](t, e.get("/api/v1/dossiers/"+bb.Code, clerk)).Applicant
	if full.IDNumber != "001234567890" || full.Address != "Tổ 5, phường Tân Phong" {
		t.Fatalf("detail applicant %+v", full)
	}
	// A viewer's detail is masked as a list is.
	seen := decodeAs[dossierJSON](t, e.get("/api/v1/dossiers/"+bb.Code, freshToken(e, "viewer"))).Applicant
	if seen.IDNumber != "001*******90" || seen.Phone != "*******678" || seen.Email != "" || seen.Address != "" {
		t.Fatalf("viewer detail applicant not masked: %+v", seen)
	}
	for _, tt := range []struct {
		query string
		want  []string
	}{
		{"q=Zu%C3%AA", []string{bb.Code}},                   // "Zuê": case and marks ignored
		{"q=%C4%90%E1%BA%B6NG+V%C4%82N", []string{cc.Code}}, // "ĐẶNG VĂN"
		{"q=zu&channel=postal", []string{bb.Code}},
		{"q=zu&channel=online&status=submitted", []string{cc.Code}},
		{"q=" + a.Code, []string{a.Code}},
		{"q=zu&procedure_code=" + justiceOnSpotFourHours, []string{bb.Code}},
		{"q=zu&agency_code=" + demo.Justice + "&received_to=2026-11-23", []string{bb.Code}},
		{"q=zu&received_from=2026-11-24", nil}, // the online one is not received
		{"q=zu&on_spot=false&page_size=1&page=2", []string{bb.Code}},
		{"q=zu&unit_code=" + demo.CommuneA, nil},
	} {
		gc := dossierCodes(itemsAs[dossierJSON](t, apptest.Want(t, e.get("/api/v1/dossiers?"+tt.query, clerk), http.StatusOK)))
		if fmt.Sprint(gc) != fmt.Sprint(tt.want) {
			t.Errorf("%s: %v, want %v", tt.query, gc, tt.want)
		}
	}
	// Overdue: the demo has some; every one is in progress with due_at passed.
	over := itemsAs[dossierJSON](t, apptest.Want(t, e.get("/api/v1/dossiers?overdue=true&page_size=500", freshToken(e, "viewer")), http.StatusOK))
	if len(over) == 0 {
		t.Fatal("the demo has overdue dossiers; none listed")
	}
	for _, d := range over {
		if d.DueAt == nil {
			t.Fatalf("overdue %s has no due_at", d.Code)
		}
		due, _ := time.Parse(time.RFC3339, *d.DueAt)
		if !dossier.Status(d.Status).InProgress() || !due.Before(e.s.Clock.Now()) {
			t.Fatalf("not overdue: %v %v", d.Status, *d.DueAt)
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
	for _, d := range itemsAs[dossierJSON](t, apptest.Want(t, e.get("/api/v1/dossiers?page_size=500", viewer), http.StatusOK)) {
		if val(d.Timeliness) == "late" {
			late++
			full := decodeAs[dossierJSON](t, e.get("/api/v1/dossiers/"+d.Code, viewer))
			for _, h := range full.History {
				if h.Action == "reschedule" {
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
	p := decodeAs[publicDossierJSON](t, apptest.Want(t, e.get("/api/v1/public/dossiers/"+dd.Code+"?pin="+dd.Pin, ""), http.StatusOK))
	if p.Status != "received" {
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
