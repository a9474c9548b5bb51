package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"golang.org/x/net/html"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
)

// TestLookupPageOffersTheElectronicResult: once the dossier is returned
// with a result, the lookup page made with the pin offers a download
// button that posts the pin (never a link holding it) and answers the
// stored bytes; made with the ID number it says the pin opens it; a wrong
// pin posted by hand gets the wrong-credential page and no bytes.
func TestLookupPageOffersTheElectronicResult(t *testing.T) {
	s := apptest.New(t, apptest.Options{})
	d := register(t, s)
	act(t, s, "officer", d.Code, map[string]any{"action": "start"})
	result := []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n% Giấy chứng nhận\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
	apptest.Want(t, s.Do(apptest.Request{Method: http.MethodPost, Token: s.Token("officer"),
		Path: "/api/v1/dossiers/" + d.Code + "/files?kind=result&name=" + url.QueryEscape("Giấy chứng nhận.pdf"), Body: result}),
		http.StatusCreated)
	v := newVisitor(t, s)
	if p := lookupPage(t, v, d.Code, url.Values{"pin": {d.Pin}}); p.byID("results") != nil {
		t.Fatal("results offered before the dossier is returned")
	}
	act(t, s, "leader", d.Code, map[string]any{"action": "resolve", "outcome": "approved"})
	act(t, s, "clerk", d.Code, map[string]any{"action": "return"})

	p := lookupPage(t, v, d.Code, url.Values{"pin": {d.Pin}})
	sec := p.byID("results")
	if sec == nil {
		t.Fatalf("no #results on a returned dossier with a result: %s", excerpt(p.Body))
	}
	f := find(sec, func(n *html.Node) bool { return n.Data == "form" })
	action, _ := attr(f, "action")
	if f == nil || len(findAll(sec, func(n *html.Node) bool { return n.Data == "a" })) != 0 {
		t.Fatal("the result must be a form, not a link")
	}
	fields := url.Values{}
	for _, in := range findAll(f, func(n *html.Node) bool { return n.Data == "input" }) {
		name, _ := attr(in, "name")
		val, _ := attr(in, "value")
		fields.Set(name, val)
	}
	if fields.Get("pin") != d.Pin || fields.Get("csrf_token") == "" {
		t.Fatalf("the download form carries %v", fields)
	}
	got := v.do(http.MethodPost, action, fields.Encode(), nil)
	if got.Status != http.StatusOK || got.Body != string(result) || got.Header.Get("Content-Type") != "application/pdf" ||
		got.Header.Get("X-Content-Type-Options") != "nosniff" || got.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("download: %d %q %v", got.Status, excerpt(got.Body), got.Header)
	}

	// A wrong pin, or no CSRF token: no bytes.
	bad := url.Values{"csrf_token": {fields.Get("csrf_token")}, "pin": {"000000"}}
	if d.Pin == "000000" {
		bad.Set("pin", "111111")
	}
	if r := v.do(http.MethodPost, action, bad.Encode(), nil); r.Status != http.StatusNotFound || r.Body == string(result) {
		t.Errorf("a wrong pin: %d", r.Status)
	}
	if r := v.do(http.MethodPost, action, url.Values{"pin": {d.Pin}}.Encode(), nil); r.Status != http.StatusForbidden || r.Body == string(result) {
		t.Errorf("no CSRF token: %d", r.Status)
	}

	// By ID number: the page says the pin opens the result, and holds no form.
	p = lookupPage(t, v, d.Code, url.Values{"id_number": {"001234567890"}})
	if p.byID("results-need-pin") == nil || find(p.byID("results"), func(n *html.Node) bool { return n.Data == "form" }) != nil {
		t.Errorf("looked up by ID number: %s", excerpt(p.Body))
	}
}
