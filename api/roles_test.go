package api_test

import (
	"net/http"
	"testing"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/cmd/motcua/demo"
)

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
