package web_test

import (
	"bytes"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
)

// visitor is a citizen's browser without script: it keeps the CSRF cookie
// and posts the forms it was given, from one client address.
type visitor struct {
	t      *testing.T
	s      *apptest.Server
	cookie string // the motcua_csrf cookie, "name=value"
	remote string
	// last is the latest page's form tokens.
	csrf, formKey string
}

func newVisitor(t *testing.T, s *apptest.Server) *visitor {
	return &visitor{t: t, s: s, remote: "198.51.100.7:4000"}
}

// page is an answered page, parsed.
type page struct {
	Status int
	Header http.Header
	Body   string
	doc    *html.Node
}

func (v *visitor) do(method, path, body string, hdr map[string]string) page {
	v.t.Helper()
	h := map[string]string{}
	if v.cookie != "" {
		h["Cookie"] = v.cookie
	}
	if body != "" || method == http.MethodPost {
		h["Content-Type"] = "application/x-www-form-urlencoded"
	}
	for k, val := range hdr {
		h[k] = val
	}
	var b any
	if method == http.MethodPost {
		b = body
	}
	r := v.s.Do(apptest.Request{Method: method, Path: path, Body: b, Header: h, Remote: v.remote})
	for _, sc := range r.Header.Values("Set-Cookie") {
		if c, err := http.ParseSetCookie(sc); err == nil && strings.HasSuffix(c.Name, "motcua_csrf") {
			v.cookie = c.Name + "=" + c.Value
		}
	}
	p := page{Status: r.Status, Header: r.Header, Body: string(r.Body)}
	if doc, err := html.Parse(bytes.NewReader(r.Body)); err == nil {
		p.doc = doc
	}
	if tok := p.inputValue("csrf_token"); tok != "" {
		v.csrf = tok
	}
	if k := p.inputValue("form_key"); k != "" {
		v.formKey = k
	}
	return p
}

// get opens a page.
func (v *visitor) get(path string) page {
	v.t.Helper()
	return v.do(http.MethodGet, path, "", nil)
}

// submit posts form to path with the tokens of the last page (a fresh
// form key each time unless form sets one).
func (v *visitor) submit(path string, form url.Values) page {
	v.t.Helper()
	f := url.Values{}
	for k, vs := range form {
		f[k] = vs
	}
	if _, ok := f["csrf_token"]; !ok {
		f.Set("csrf_token", v.csrf)
	}
	if _, ok := f["form_key"]; !ok {
		f.Set("form_key", v.formKey)
	}
	return v.do(http.MethodPost, path, f.Encode(), nil)
}

// find returns the first element for which match holds.
func find(n *html.Node, match func(*html.Node) bool) *html.Node {
	if n == nil {
		return nil
	}
	if n.Type == html.ElementNode && match(n) {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := find(c, match); f != nil {
			return f
		}
	}
	return nil
}

// findAll returns every element for which match holds, in document order.
func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	if n != nil {
		walk(n)
	}
	return out
}

func attr(n *html.Node, name string) (string, bool) {
	if n == nil {
		return "", false
	}
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

func hasAttr(name, val string) func(*html.Node) bool {
	return func(n *html.Node) bool { v, ok := attr(n, name); return ok && v == val }
}

// text is the element's text, spaces collapsed.
func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	if n != nil {
		walk(n)
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

func (p page) byID(id string) *html.Node { return find(p.doc, hasAttr("id", id)) }

// idText is the text of #id ("" when absent).
func (p page) idText(id string) string { return text(p.byID(id)) }

// body is the <body> element.
func (p page) body() *html.Node {
	return find(p.doc, func(n *html.Node) bool { return n.Data == "body" })
}

func (p page) dataPage() string  { v, _ := attr(p.body(), "data-page"); return v }
func (p page) dataError() string { v, _ := attr(p.body(), "data-error"); return v }

func (p page) inputValue(name string) string {
	v, _ := attr(find(p.doc, func(n *html.Node) bool {
		nm, _ := attr(n, "name")
		return n.Data == "input" && nm == name
	}), "value")
	return v
}

// wantPage checks the status, the page hook and the error hook.
func wantPage(t *testing.T, p page, status int, dataPage, dataError string) {
	t.Helper()
	if p.Status != status || p.dataPage() != dataPage || p.dataError() != dataError {
		t.Fatalf("got %d data-page=%q data-error=%q, want %d %q %q\n%s", p.Status, p.dataPage(), p.dataError(),
			status, dataPage, dataError, excerpt(p.Body))
	}
}

var mainRE = regexp.MustCompile(`(?s)<main id="main">(.*)</main>`)

// excerpt is the page's main part, for failure messages.
func excerpt(body string) string {
	if m := mainRE.FindStringSubmatch(body); m != nil {
		body = m[1]
	}
	if len(body) > 3000 {
		body = body[:3000]
	}
	return body
}

// tokensRE finds the values that differ between two renderings of one page.
var tokensRE = regexp.MustCompile(`(name="(csrf_token|form_key)" value=")[^"]*"`)

func maskTokens(s string) string { return tokensRE.ReplaceAllString(s, `${1}…"`) }
