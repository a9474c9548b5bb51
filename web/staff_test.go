package web_test

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// The staff pages are shells that staff.js fills from the JSON API. These
// tests hold what the server side promises: the same static page for
// everyone, with the login form, no inline code and none of the request's
// data, and the script and the vendored chart library served as embedded.
// What the script does with the API is for a test in a real browser.

// staffShells are the three shells, each asked with something in its path
// or query that the page must not echo.
var staffShells = []struct {
	path, page string
	scripts    []string // the embedded scripts, in order
	ids        []string // the places the script fills
}{
	{"/quan-tri", "staff", []string{"vendor/uplot/uPlot.iife.min", "js/staff"},
		[]string{"dashboard", "form06", "form06-figures", "trend-chart", "trend-table", "agency-table", "overdue", "feedback-due"}},
	{"/quan-tri/ho-so?q=Nguy%E1%BB%85n+V%C4%83n+Echo&status=processing&overdue=true&page=2", "staff-dossiers",
		[]string{"js/staff"}, []string{"dossier-filter", "dossier-table", "pager", "dossiers-summary"}},
	{"/quan-tri/ho-so/000.00.20.H99-261123-0042", "staff-dossier", []string{"js/staff"},
		[]string{"code", "status", "applicant", "procedure", "due-at", "appointment-at", "history", "dossier-error"}},
}

func TestStaffShells(t *testing.T) {
	h := pagesOnly(t)
	for _, s := range staffShells {
		f := fetch(t, h, s.path)
		if f.status != http.StatusOK || f.header.Get("Content-Type") != "text/html; charset=utf-8" {
			t.Fatalf("GET %s: %d %q", s.path, f.status, f.header.Get("Content-Type"))
		}
		if cc := f.header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("GET %s: Cache-Control %q, want no-store", s.path, cc)
		}
		if !strings.Contains(f.header.Get("Content-Security-Policy"), "script-src 'self'") {
			t.Errorf("GET %s: Content-Security-Policy %q", s.path, f.header.Get("Content-Security-Policy"))
		}
		if body := f.tag("body"); len(body) != 1 || attrValue(body[0], "data-page") != s.page {
			t.Errorf("GET %s: want <body data-page=%q>", s.path, s.page)
		}
		if n := len(f.tag("h1")); n != 1 {
			t.Errorf("GET %s: %d <h1>, want 1", s.path, n)
		}
		wantNoInlineCode(t, s.path, f)
		wantLoginForm(t, s.path, f)
		if ns := f.tag("noscript"); len(ns) != 1 || !strings.Contains(textOf(ns[0]), "JavaScript") {
			t.Errorf("GET %s: want a <noscript> saying the page needs JavaScript", s.path)
		}
		for _, id := range append([]string{"staff-app", "logout", "whoami"}, s.ids...) {
			if f.id(id) == nil {
				t.Errorf("GET %s: no #%s for the script to fill", s.path, id)
			}
		}

		// The scripts, in order, each under its hashed path.
		var srcs []string
		for _, n := range f.tag("script") {
			srcs = append(srcs, attrValue(n, "src"))
		}
		if len(srcs) != len(s.scripts) {
			t.Fatalf("GET %s: scripts %v, want %v", s.path, srcs, s.scripts)
		}
		for i, name := range s.scripts {
			if !regexp.MustCompile(`^/static/` + regexp.QuoteMeta(name) + `\.[0-9a-f]{10}\.js$`).MatchString(srcs[i]) {
				t.Errorf("GET %s: script %d is %q, want the hashed %s.js", s.path, i, srcs[i], name)
			}
		}
	}
}

// wantLoginForm checks the login form: its three controls, each input
// with a <label for>, and the alert its refusals go to. The form posts
// (if it ever submitted without the script, a GET would put the password
// in the address).
func wantLoginForm(t *testing.T, path string, f fetched) {
	t.Helper()
	form := f.id("login-form")
	if form == nil || form.Data != "form" {
		t.Errorf("GET %s: no <form id=login-form>", path)
		return
	}
	if m := strings.ToLower(attrValue(form, "method")); m != "post" {
		t.Errorf("GET %s: the login form's method is %q, want post", path, m)
	}
	inside := func(id string) *html.Node {
		l := elements(form, func(n *html.Node) bool { return attrValue(n, "id") == id })
		if len(l) != 1 {
			return nil
		}
		return l[0]
	}
	for id, typ := range map[string]string{"username": "text", "password": "password"} {
		in := inside(id)
		if in == nil || in.Data != "input" || attrValue(in, "type") != typ {
			t.Errorf("GET %s: no <input id=%s type=%s> in the login form", path, id, typ)
		}
		labels := elements(form, func(n *html.Node) bool { return n.Data == "label" && attrValue(n, "for") == id })
		if len(labels) != 1 || textOf(labels[0]) == "" {
			t.Errorf("GET %s: #%s has no <label for>", path, id)
		}
	}
	if b := inside("login-submit"); b == nil || b.Data != "button" || attrValue(b, "type") != "submit" {
		t.Errorf("GET %s: no <button id=login-submit type=submit>", path)
	}
	if e := inside("login-error"); e == nil || attrValue(e, "role") != "alert" {
		t.Errorf("GET %s: no #login-error with role=alert in the form", path)
	}
}

// TestStaffShellsCarryNoData: a shell is the same bytes whatever the
// request says, holds nothing the script would put there, and echoes
// neither the dossier code of its path nor the list's query.
func TestStaffShellsCarryNoData(t *testing.T) {
	h := pagesOnly(t)
	filled := []string{"data-month", "data-total", "data-agency", "data-code", "data-status", "data-value", "data-error", "aria-sort", "datetime"}
	for _, s := range staffShells {
		f := fetch(t, h, s.path)
		for _, n := range f.all(func(*html.Node) bool { return true }) {
			for _, a := range n.Attr {
				if slices.Contains(filled, a.Key) {
					t.Errorf("GET %s: <%s %s=%q> in the shell", s.path, n.Data, a.Key, a.Val)
				}
			}
		}
		for _, n := range f.all(func(n *html.Node) bool {
			return n.Data == "tbody" || n.Data == "ol" || n.Data == "ul" && attrValue(n, "class") == "staff-list"
		}) {
			if n.FirstChild != nil && strings.TrimSpace(textOf(n)) != "" {
				t.Errorf("GET %s: a filled <%s id=%q>", s.path, n.Data, attrValue(n, "id"))
			}
		}
		for _, echo := range []string{"0042", "Echo", "Nguyễn"} {
			if strings.Contains(f.body, echo) {
				t.Errorf("GET %s: the shell echoes %q from the request", s.path, echo)
			}
		}
	}
	// The detail shell is one page for every code, and the list one page
	// for every query.
	a := fetch(t, h, "/quan-tri/ho-so/000.00.20.H99-261123-0042").body
	b := fetch(t, h, "/quan-tri/ho-so/OTHER-CODE").body
	if a != b {
		t.Error("the detail shell differs between two codes")
	}
	if fetch(t, h, "/quan-tri/ho-so").body != fetch(t, h, staffShells[1].path).body {
		t.Error("the list shell differs with its query")
	}
}

func TestStaffDashboardTableHeads(t *testing.T) {
	f := fetch(t, pagesOnly(t), "/quan-tri")
	table := f.id("agency-table")
	heads := elements(table, func(n *html.Node) bool { _, ok := attrOf(n, "data-field"); return n.Data == "th" && ok })
	var fields []string
	for _, th := range heads {
		fields = append(fields, attrValue(th, "data-field"))
		if attrValue(th, "scope") != "col" || len(elements(th, func(n *html.Node) bool { return n.Data == "button" && attrValue(n, "type") == "button" })) != 1 {
			t.Errorf("<th data-field=%s>: want scope=col and one <button type=button>", attrValue(th, "data-field"))
		}
	}
	want := []string{"name", "received_total", "resolved_total", "resolved_early", "resolved_on_time", "resolved_late",
		"in_progress_overdue", "on_time_rate", "online_rate", "on_spot_rate"}
	if !slices.Equal(fields, want) {
		t.Errorf("agency table columns %v, want %v", fields, want)
	}
	// The script fills the figure columns from this list; it must name the
	// same columns as the head.
	js := readStatic(t, "js/staff.js")
	m := regexp.MustCompile(`(?s)AGENCY_FIELDS = \[(.*?)\]`).FindSubmatch(js)
	if m == nil {
		t.Fatal("staff.js has no AGENCY_FIELDS")
	}
	var listed []string
	for _, q := range regexp.MustCompile(`'([a-z_]+)'`).FindAllSubmatch(m[1], -1) {
		listed = append(listed, string(q[1]))
	}
	if !slices.Equal(listed, want[1:]) {
		t.Errorf("staff.js AGENCY_FIELDS %v, want %v", listed, want[1:])
	}
}

// TestStaffScriptFindsItsPlaces: every id staff.js looks up is in some
// shell, so a renamed element is found here rather than as a null in a
// browser.
func TestStaffScriptFindsItsPlaces(t *testing.T) {
	h := pagesOnly(t)
	ids := map[string]bool{}
	for _, s := range staffShells {
		for _, n := range fetch(t, h, s.path).all(func(n *html.Node) bool { _, ok := attrOf(n, "id"); return ok }) {
			ids[attrValue(n, "id")] = true
		}
	}
	js := readStatic(t, "js/staff.js")
	uses := regexp.MustCompile(`(?:byId\('|querySelector\('#)([a-z0-9-]+)'`).FindAllSubmatch(js, -1)
	if len(uses) < 20 {
		t.Fatalf("found only %d id look-ups in staff.js: the test reads it wrongly", len(uses))
	}
	for _, u := range uses {
		if id := string(u[1]); !ids[id] {
			t.Errorf("staff.js looks up #%s, which no shell has", id)
		}
	}
}

// TestStaffAssetsServed: the script and uPlot under their hashed paths,
// cached for good, the bytes on disk; the licence and VERSION embedded
// but not served.
func TestStaffAssetsServed(t *testing.T) {
	h := pagesOnly(t)
	f := fetch(t, h, "/quan-tri")
	var paths []string
	for _, n := range f.tag("script") {
		paths = append(paths, attrValue(n, "src"))
	}
	for _, n := range f.all(func(n *html.Node) bool { return n.Data == "link" && attrValue(n, "rel") == "stylesheet" }) {
		paths = append(paths, attrValue(n, "href"))
	}
	hashed := regexp.MustCompile(`^/static/(.+)\.[0-9a-f]{10}(\.(?:js|css))$`)
	var sawUPlotCSS, sawStaffJS bool
	for _, p := range paths {
		m := hashed.FindStringSubmatch(p)
		if m == nil {
			t.Errorf("%s is not a hashed asset path", p)
			continue
		}
		name := m[1] + m[2]
		sawUPlotCSS = sawUPlotCSS || name == "vendor/uplot/uPlot.min.css"
		sawStaffJS = sawStaffJS || name == "js/staff.js"
		a := fetch(t, h, p)
		if a.status != http.StatusOK || a.header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("GET %s: %d Cache-Control %q", p, a.status, a.header.Get("Cache-Control"))
		}
		wantType := map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}[m[2]]
		if a.header.Get("Content-Type") != wantType {
			t.Errorf("GET %s: Content-Type %q", p, a.header.Get("Content-Type"))
		}
		if a.body != string(readStatic(t, name)) {
			t.Errorf("GET %s: not the bytes of static/%s", p, name)
		}
	}
	if !sawUPlotCSS || !sawStaffJS {
		t.Errorf("the dashboard links %v: want uPlot's style sheet and staff.js", paths)
	}
	for _, p := range []string{"/static/vendor/uplot/LICENSE", "/static/vendor/uplot/VERSION"} {
		if a := fetch(t, h, p); a.status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404 (embedded, not served)", p, a.status)
		}
	}
}

// TestStaffScriptGuards is a cheap guard on staff.js: no markup from
// strings, no storage that outlives the tab, no cookie.
func TestStaffScriptGuards(t *testing.T) {
	js := string(readStatic(t, "js/staff.js"))
	for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "localStorage",
		"document.cookie", "eval(", "new Function", ".style.", "setAttribute('style'"} {
		if strings.Contains(js, bad) {
			t.Errorf("staff.js contains %q", bad)
		}
	}
	for _, must := range []string{"sessionStorage", "'motcua.token'", "'Bearer '", "addEventListener", "'use strict'"} {
		if !strings.Contains(js, must) {
			t.Errorf("staff.js lacks %s", must)
		}
	}
}

// TestStaffVendoredUPlotDigests: the vendored files are the ones VERSION names,
// byte for byte, and nothing else is in the folder.
func TestStaffVendoredUPlotDigests(t *testing.T) {
	dir := filepath.Join("static", "vendor", "uplot")
	data, err := os.ReadFile(filepath.Join(dir, "VERSION"))
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Scan()
	if first := sc.Text(); first != "uplot 1.6.32" {
		t.Errorf("VERSION begins %q, want \"uplot 1.6.32\"", first)
	}
	line := regexp.MustCompile(`^([0-9a-f]{64})  ([^/]+)$`)
	listed := map[string]bool{}
	for sc.Scan() {
		l := sc.Text()
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		m := line.FindStringSubmatch(l)
		if m == nil {
			t.Errorf("VERSION: %q is no \"<sha256>  <file>\" line", l)
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, m[2]))
		if err != nil {
			t.Errorf("VERSION names %s: %v", m[2], err)
			continue
		}
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); got != m[1] {
			t.Errorf("%s: SHA-256 %s, VERSION says %s", m[2], got, m[1])
		}
		listed[m[2]] = true
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != "VERSION" && !listed[e.Name()] {
			t.Errorf("%s is vendored but VERSION has no digest for it", e.Name())
		}
	}
	for _, name := range []string{"uPlot.iife.min.js", "uPlot.min.css", "LICENSE"} {
		if !listed[name] {
			t.Errorf("VERSION has no digest for %s", name)
		}
	}
}

// readStatic reads a file of web/static as the binary embeds it.
func readStatic(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("static", filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
