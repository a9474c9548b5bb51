package api_test

import (
	"bytes"
	"net/http"
	"strconv"
	"testing"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
)

func TestPublicDossierLookup(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	d := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct"))
	code, pin := d["code"].(string), d["lookup_pin"].(string)
	path := "/api/v1/public/dossiers/" + code

	p := obj(t, apptest.Want(t, e.get(path+"?pin="+pin, ""), http.StatusOK))
	if p["code"] != code || p["status"] != "received" || p["status_code"] != 2.0 || p["applicant_name"] != "N***** V** A*" ||
		p["received_at"] != "2026-11-23T09:00:00+07:00" || p["appointment_at"] != "2026-12-07T09:00:00+07:00" ||
		p["resolved_at"] != nil || p["returned_at"] != nil || p["agency_name"] != "Sở Tư pháp" {
		t.Fatalf("public view %v", p)
	}
	stages := p["stages"].([]any)
	if len(stages) != 1 || stages[0].(map[string]any)["action"] != "receive" || len(stages[0].(map[string]any)) != 2 {
		t.Fatalf("stages %v: action and time only", stages)
	}
	// By ID number instead of the pin (spaces ignored).
	apptest.Want(t, e.get(path+"?id_number=001+234+567+890", ""), http.StatusOK)

	// A wrong pin, a wrong ID number and an unknown code: the same 404 body.
	wrong := "000000"
	if pin == wrong {
		wrong = "111111"
	}
	a := wantError(t, e.get(path+"?pin="+wrong, ""), http.StatusNotFound, "not_found")
	b := e.get("/api/v1/public/dossiers/"+code[:len(code)-4]+"9999?pin="+pin, "")
	c := e.get(path+"?id_number=999999999", "")
	if !bytes.Equal(e.get(path+"?pin="+wrong, "").Body, b.Body) || !bytes.Equal(b.Body, c.Body) || a.Error.Message == "" {
		t.Fatalf("wrong pin / unknown code / wrong id differ:\n%s\n%s", b.Body, c.Body)
	}
	// Missing or ill-formed credentials: 422.
	for _, q := range []string{"", "?pin=", "?pin=12345", "?pin=1234567", "?pin=abcdef", "?id_number=12ab", "?id_number=12345678",
		"?pin=" + pin + "&id_number=001234567890"} { // both, the right ones too: exactly one is asked for
		wantError(t, e.get(path+q, ""), http.StatusUnprocessableEntity, "validation_failed")
	}
	// Staff tokens change nothing: the answer is the public one.
	r := obj(t, apptest.Want(t, e.get(path+"?pin="+pin, freshToken(e, "admin")), http.StatusOK))
	if _, ok := r["unit_code"]; ok {
		t.Fatal("public answer carries staff fields")
	}
}

func TestPublicDossierLookupRateLimited(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{Env: map[string]string{"MOTCUA_PUBLIC_RATE_LIMIT": "5"}})
	d := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct"))
	path := "/api/v1/public/dossiers/" + d["code"].(string) + "?pin=" + d["lookup_pin"].(string)
	from := func(addr string) apptest.Response {
		return e.do(apptest.Request{Method: http.MethodGet, Path: path, Remote: addr})
	}
	for i := 0; i < 5; i++ {
		apptest.Want(t, from("203.0.113.9:5000"), http.StatusOK)
	}
	r := from("203.0.113.9:5001")
	wantError(t, r, http.StatusTooManyRequests, "rate_limited")
	if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 {
		t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	// Guessing pins spends the same budget.
	wantError(t, e.do(apptest.Request{Method: http.MethodGet, Path: "/api/v1/public/dossiers/X?pin=123456", Remote: "203.0.113.9:1"}),
		http.StatusTooManyRequests, "rate_limited")
	// Another address has its own budget.
	apptest.Want(t, from("198.51.100.20:5000"), http.StatusOK)
}

// TestPublicLookupOfAnOnlineSubmission: a dossier submitted online and not
// yet accepted has no reception and no appointment: both are null.
func TestPublicLookupOfAnOnlineSubmission(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	d := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "online"))
	p := obj(t, apptest.Want(t, e.get("/api/v1/public/dossiers/"+d["code"].(string)+"?pin="+d["lookup_pin"].(string), ""), http.StatusOK))
	if p["status"] != "submitted" || p["received_at"] != nil || p["appointment_at"] != nil {
		t.Fatalf("public view of an online submission %v", p)
	}
	for _, k := range []string{"received_at", "appointment_at"} {
		if _, present := p[k]; !present {
			t.Errorf("%s is absent, want null", k)
		}
	}
}
