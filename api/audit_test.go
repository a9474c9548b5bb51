package api_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/cmd/motcua/demo"
)

// auditEntries reads every entry of GET /api/v1/audit?query, following the
// cursor with pages of size, and fails on an entry seen twice.
func auditEntries(t *testing.T, e *env, tok, query string, size int) []map[string]any {
	t.Helper()
	var all []map[string]any
	seen := map[float64]bool{}
	cursor := ""
	for range 1000 {
		q, err := url.ParseQuery(query)
		if err != nil {
			t.Fatal(err)
		}
		q.Set("page_size", strconv.Itoa(size))
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		page := obj(t, apptest.Want(t, e.get("/api/v1/audit?"+q.Encode(), tok), http.StatusOK))
		list, _ := page["items"].([]any)
		for _, it := range list {
			m := it.(map[string]any)
			id := m["id"].(float64)
			if seen[id] {
				t.Fatalf("entry %v on two pages", id)
			}
			seen[id] = true
			all = append(all, m)
		}
		next, _ := page["next_cursor"].(string)
		if next == "" {
			return all
		}
		cursor = next
	}
	t.Fatal("the cursor never ends")
	return nil
}

// findEntry returns the entries with action and subject.
func findEntry(all []map[string]any, action, subject string) []map[string]any {
	var out []map[string]any
	for _, m := range all {
		if m["action"] == action && (subject == "" || m["subject"] == subject) {
			out = append(out, m)
		}
	}
	return out
}

// TestAuditTrailRecordsWhoDidWhatFromWhere drives every audited kind of
// action through HTTP and finds each in GET /api/v1/audit with its actor,
// subject and the client address the server saw.
func TestAuditTrailRecordsWhoDidWhatFromWhere(t *testing.T) {
	t.Parallel()
	// The default client (192.0.2.1) is a trusted proxy: its
	// X-Forwarded-For is believed, anyone else's is not.
	e := start(t, apptest.Options{Env: map[string]string{"MOTCUA_TRUSTED_PROXIES": "192.0.2.1"}})
	const proxied, direct = "198.51.100.9", "203.0.113.7"
	via := map[string]string{"X-Forwarded-For": proxied}
	login := func(username, password, remote string, hdr map[string]string) apptest.Response {
		return e.do(apptest.Request{Method: http.MethodPost, Path: "/api/v1/auth/login", Remote: remote, Header: hdr,
			Body: map[string]string{"username": username, "password": password}})
	}
	apptest.Want(t, login("admin", "wrong-password-123", direct+":4000", map[string]string{"X-Forwarded-For": "10.9.9.9"}), http.StatusUnauthorized)
	apptest.Want(t, login("nobody.here", "wrong-password-123", "", via), http.StatusUnauthorized)
	var tokOut struct {
		AccessToken string `json:"access_token"`
	}
	apptest.Want(t, login("admin", demo.Password, "", via), http.StatusOK).Decode(t, &tokOut)
	admin := tokOut.AccessToken
	as := func(method, path, tok string, body any) apptest.Response {
		return e.do(apptest.Request{Method: method, Path: path, Token: tok, Body: body, Header: via})
	}

	// User and role changes.
	apptest.Want(t, as(http.MethodPost, "/api/v1/users", admin, map[string]any{
		"username": "audit.clerk", "name": "Cán bộ", "role": "clerk", "unit": demo.CommuneA, "password": "secret-pass-1"}), http.StatusCreated)
	apptest.Want(t, as(http.MethodPatch, "/api/v1/users/audit.clerk", admin, map[string]any{"role": "officer"}), http.StatusOK)
	apptest.Want(t, as(http.MethodPatch, "/api/v1/users/audit.clerk", admin, map[string]any{"password": "secret-pass-2"}), http.StatusOK)
	apptest.Want(t, as(http.MethodPatch, "/api/v1/users/audit.clerk", admin, map[string]any{"disabled": true}), http.StatusOK)
	apptest.Want(t, as(http.MethodPatch, "/api/v1/users/audit.clerk", admin, map[string]any{"disabled": false, "name": "Cán bộ B"}), http.StatusOK)
	apptest.Want(t, as(http.MethodPost, "/api/v1/users", admin, map[string]any{
		"username": "audit.self", "role": "viewer", "password": demo.Password}), http.StatusCreated)
	apptest.Want(t, as(http.MethodPost, "/api/v1/auth/password", e.tok("audit.self"), map[string]any{
		"current_password": demo.Password, "new_password": "a-new-secret-9"}), http.StatusNoContent)
	// Catalog and calendar.
	apptest.Want(t, as(http.MethodPost, "/api/v1/agencies", admin, map[string]any{
		"code": "000.51.03.H99", "name": "UBND xã Nà Tăm", "kind": "commune", "parent_code": demo.District}), http.StatusCreated)
	apptest.Want(t, as(http.MethodPost, "/api/v1/procedures", admin, newProcedure("9.000021")), http.StatusCreated)
	apptest.Want(t, as(http.MethodPatch, "/api/v1/procedures/9.000021", admin, map[string]any{"fee": 1000}), http.StatusOK)
	apptest.Want(t, as(http.MethodPost, "/api/v1/procedures/9.000021/publications", admin,
		map[string]any{"kind": "abolished", "decision": "15/QĐ-UBND", "decided_on": "2026-11-20"}), http.StatusCreated)
	apptest.Want(t, as(http.MethodPatch, "/api/v1/agencies/"+demo.Justice, admin, map[string]any{"name": "Sở Tư pháp tỉnh"}), http.StatusOK)
	apptest.Want(t, as(http.MethodPut, "/api/v1/calendar/2035", admin, map[string]any{"holidays": []string{"2035-01-01"}}), http.StatusOK)
	// An import.
	apptest.Want(t, e.do(apptest.Request{Method: http.MethodPost, Path: "/api/v1/imports/procedures", Token: admin, Header: map[string]string{
		"Content-Type": "application/x-ndjson", "X-Forwarded-For": proxied},
		Body: `{"code":"9.000011","name":"Cấp phép thử","field":"Thử nghiệm","agency_code":"` + demo.Industry + `","level":"province",` +
			`"processing_time":{"value":7,"unit":"working_days"},"online_level":"info"}`}), http.StatusOK)
	// Exports: a statistics download and the tracking book. A JSON answer is
	// no export.
	viewer := e.tok("viewer")
	apptest.Want(t, as(http.MethodGet, "/api/v1/stats/dossiers?month=2026-11&group_by=agency&format=csv", viewer, nil), http.StatusOK)
	apptest.Want(t, as(http.MethodGet, "/api/v1/stats/dossiers?month=2026-11&group_by=agency", viewer, nil), http.StatusOK)
	clerk := e.tok("clerk")
	apptest.Want(t, as(http.MethodGet, "/api/v1/papers/tracking-book?from=2026-11-01&to=2026-11-30&format=xlsx", clerk, nil), http.StatusOK)
	// Reads of personal data.
	dossiers := items(t, apptest.Want(t, e.get("/api/v1/dossiers?status=received&page_size=1", clerk), http.StatusOK))
	feedback := items(t, apptest.Want(t, e.get("/api/v1/feedback?page_size=1", admin), http.StatusOK))
	if len(dossiers) != 1 || len(feedback) != 1 {
		t.Fatalf("the demo has no dossier or no feedback: %d, %d", len(dossiers), len(feedback))
	}
	dcode, fcode := dossiers[0]["code"].(string), feedback[0]["code"].(string)
	apptest.Want(t, as(http.MethodGet, "/api/v1/dossiers/"+dcode, admin, nil), http.StatusOK)
	apptest.Want(t, as(http.MethodGet, "/api/v1/feedback/"+fcode, admin, nil), http.StatusOK)
	apptest.Want(t, as(http.MethodGet, "/api/v1/dossiers/"+dcode+"/papers/receipt.pdf", clerk, nil), http.StatusOK)

	all := auditEntries(t, e, admin, "", 7)
	want := []struct{ action, subject, actor, ip string }{
		{"auth.login_failed", "admin", "admin", direct},
		{"auth.login_failed", "nobody.here", "nobody.here", proxied},
		{"auth.login", "admin", "admin", proxied},
		{"user.create", "audit.clerk", "admin", proxied},
		{"user.role", "audit.clerk", "admin", proxied},
		{"user.password", "audit.clerk", "admin", proxied},
		{"user.disable", "audit.clerk", "admin", proxied},
		{"user.enable", "audit.clerk", "admin", proxied},
		{"user.update", "audit.clerk", "admin", proxied},
		{"auth.password", "audit.self", "audit.self", proxied},
		{"agency.create", "000.51.03.H99", "admin", proxied},
		{"procedure.create", "9.000021", "admin", proxied},
		{"procedure.update", "9.000021", "admin", proxied},
		{"procedure.publication", "9.000021", "admin", proxied},
		{"agency.update", demo.Justice, "admin", proxied},
		{"calendar.update", "2035", "admin", proxied},
		{"import.run", "procedures", "admin", proxied},
		{"export.download", "/api/v1/stats/dossiers", "viewer", proxied},
		{"export.download", "/api/v1/papers/tracking-book", "clerk", proxied},
		{"dossier.read", dcode, "admin", proxied},
		{"feedback.read", fcode, "admin", proxied},
		{"dossier.paper", dcode, "clerk", proxied},
	}
	for _, w := range want {
		found := findEntry(all, w.action, w.subject)
		ok := false
		for _, m := range found {
			if m["actor"] == w.actor && m["ip"] == w.ip {
				ok = true
			}
		}
		if !ok {
			t.Errorf("no %s of %q by %s from %s; entries with that action: %v", w.action, w.subject, w.actor, w.ip, found)
		}
	}
	if n := len(findEntry(all, "export.download", "/api/v1/stats/dossiers")); n != 1 {
		t.Errorf("%d exports of /stats/dossiers, want 1 (the JSON answer is no export)", n)
	}
	// The dossier list is no read of one dossier's personal data; the
	// listing calls above made no dossier.read of their own.
	if n := len(findEntry(all, "dossier.read", "")); n != 1 {
		t.Errorf("%d dossier.read entries, want 1", n)
	}
	if r := findEntry(all, "user.role", "audit.clerk"); len(r) == 1 && r[0]["detail"] != "role=officer" {
		t.Errorf("user.role detail %q", r[0]["detail"])
	}
	for _, m := range all {
		for _, v := range m {
			if s, _ := v.(string); s == "wrong-password-123" || s == demo.Password || s == "secret-pass-2" || s == "a-new-secret-9" {
				t.Fatalf("a password is in the trail: %v", m)
			}
		}
	}

	// Filters: actor, action, time.
	for _, m := range auditEntries(t, e, admin, "actor=clerk", 50) {
		if m["actor"] != "clerk" {
			t.Fatalf("actor=clerk answered %v", m)
		}
	}
	if got := auditEntries(t, e, admin, "action=auth.login_failed", 50); len(got) != 2 {
		t.Fatalf("action=auth.login_failed answered %d entries, want 2", len(got))
	}
	later := e.s.Clock.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	if got := auditEntries(t, e, admin, "from="+later, 50); len(got) != 0 {
		t.Fatalf("from=%s answered %d entries", later, len(got))
	}
	if got := auditEntries(t, e, admin, "to="+later, 500); len(got) != len(all) {
		t.Fatalf("to=%s answered %d entries of %d", later, len(got), len(all))
	}
	// Bad filters are 422, other roles and unit admins 403.
	wantFields(t, e.get("/api/v1/audit?action=nothing", admin), "action")
	wantFields(t, e.get("/api/v1/audit?cursor=garbage", admin), "cursor")
	wantFields(t, e.get("/api/v1/audit?from=yesterday", admin), "from")
	wantFields(t, e.get("/api/v1/audit?page_size=0", admin), "page_size")
	wantFields(t, e.get("/api/v1/audit?from=2026-11-02&to=2026-11-01", admin), "to")
	for _, u := range []string{"clerk", "officer", "leader", "viewer", "clerk.commune"} {
		wantError(t, e.get("/api/v1/audit", e.tok(u)), http.StatusForbidden, "forbidden")
	}
	apptest.Want(t, as(http.MethodPost, "/api/v1/users", admin, map[string]any{
		"username": "admin.xa", "role": "admin", "unit": demo.CommuneA, "password": demo.Password}), http.StatusCreated)
	wantError(t, e.get("/api/v1/audit", e.tok("admin.xa")), http.StatusForbidden, "forbidden")
	wantError(t, e.get("/api/v1/audit", ""), http.StatusUnauthorized, "unauthenticated")
}

// TestAuditCursorPagesWithoutLoss: many reads in the same instant (the
// test clock stands still) page by cursor with nothing lost or repeated.
func TestAuditCursorPagesWithoutLoss(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	admin := e.tok("admin")
	feedback := items(t, apptest.Want(t, e.get("/api/v1/feedback?page_size=1", admin), http.StatusOK))
	code := feedback[0]["code"].(string)
	const reads = 37
	for range reads {
		apptest.Want(t, e.get("/api/v1/feedback/"+code, admin), http.StatusOK)
	}
	for _, size := range []int{1, 5, 36, 37, 500} {
		if got := auditEntries(t, e, admin, "action=feedback.read", size); len(got) != reads {
			t.Fatalf("page_size %d: %d entries, want %d", size, len(got), reads)
		}
	}
}
