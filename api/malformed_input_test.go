package api_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/motcua/motcua/api"
	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/cmd/motcua/demo"
)

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
