package web_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"
	"golang.org/x/net/html"

	"github.com/motcua/motcua/docs"
	"github.com/motcua/motcua/web"
)

// The reference and the staff shells need none of the services, so these
// tests build the pages alone, without a database: a page that reached for
// a service would panic on its nil.

// pagesOnly is a router with nothing but the pages, on the embedded
// contract.
func pagesOnly(t *testing.T) http.Handler {
	t.Helper()
	p, err := web.New(web.Deps{DataKey: bytes.Repeat([]byte{7}, 32), OpenAPI: docs.OpenAPI})
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	gin.SetMode(gin.TestMode)
	r := gin.New()
	p.Register(r, web.Hooks{})
	return r
}

// fetched is one answer, its body parsed.
type fetched struct {
	status int
	header http.Header
	body   string
	root   *html.Node
}

func fetch(t *testing.T, h http.Handler, path string) fetched {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	f := fetched{status: rec.Code, header: rec.Header(), body: rec.Body.String()}
	if strings.HasPrefix(f.header.Get("Content-Type"), "text/html") {
		root, err := html.Parse(strings.NewReader(f.body))
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		f.root = root
	}
	return f
}

// elements lists the elements under n for which match holds, in document
// order.
func elements(n *html.Node, match func(*html.Node) bool) []*html.Node {
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

func (f fetched) all(match func(*html.Node) bool) []*html.Node { return elements(f.root, match) }

func (f fetched) tag(name string) []*html.Node {
	return f.all(func(n *html.Node) bool { return n.Data == name })
}

func (f fetched) id(id string) *html.Node {
	if l := f.all(func(n *html.Node) bool { v, _ := attrOf(n, "id"); return v == id }); len(l) > 0 {
		return l[0]
	}
	return nil
}

func attrOf(n *html.Node, name string) (string, bool) {
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

func textOf(n *html.Node) string {
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

// wantNoInlineCode fails for what the pages' policy refuses: a script
// without src or with a body, a <style> element, a style= or on…=
// attribute, a javascript: address. The policy would block them in a
// browser; this finds them before one does.
func wantNoInlineCode(t *testing.T, what string, f fetched) {
	t.Helper()
	for _, n := range f.all(func(*html.Node) bool { return true }) {
		if n.Data == "style" {
			t.Errorf("%s: a <style> element", what)
		}
		if n.Data == "script" {
			if src, ok := attrOf(n, "src"); !ok || src == "" || textOf(n) != "" {
				t.Errorf("%s: an inline <script>", what)
			}
		}
		for _, a := range n.Attr {
			k := strings.ToLower(a.Key)
			if k == "style" || strings.HasPrefix(k, "on") {
				t.Errorf("%s: <%s %s=%q>", what, n.Data, a.Key, a.Val)
			}
			if (k == "href" || k == "src" || k == "action") && strings.HasPrefix(strings.ToLower(strings.TrimSpace(a.Val)), "javascript:") {
				t.Errorf("%s: <%s %s=%q>", what, n.Data, a.Key, a.Val)
			}
		}
	}
}

// operationKey is one operation as the page's section names it.
type operationKey struct{ method, path string }

func TestDocsListsEveryOperationOnce(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(docs.OpenAPI)
	if err != nil {
		t.Fatalf("docs/openapi.yaml does not load: %v", err)
	}
	want := map[operationKey]*openapi3.Operation{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			want[operationKey{strings.ToLower(method), path}] = op
		}
	}
	if len(want) < 40 {
		t.Fatalf("only %d operations in the document: the test reads it wrongly", len(want))
	}

	f := fetch(t, pagesOnly(t), "/docs")
	if f.status != http.StatusOK || f.header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET /docs: %d %q", f.status, f.header.Get("Content-Type"))
	}
	if f.header.Get("Content-Security-Policy") == "" {
		t.Error("GET /docs: no Content-Security-Policy")
	}
	if strings.Contains(strings.ToLower(f.body), "<script") {
		t.Error("/docs has a <script>: the reference needs none")
	}
	wantNoInlineCode(t, "/docs", f)
	if body := f.tag("body"); len(body) != 1 || attrValue(body[0], "data-page") != "docs" {
		t.Errorf("/docs: want <body data-page=docs>")
	}
	if n := len(f.tag("h1")); n != 1 {
		t.Errorf("/docs: %d <h1>, want 1", n)
	}
	if l := f.all(func(n *html.Node) bool { return n.Data == "a" && attrValue(n, "href") == "/openapi.yaml" }); len(l) == 0 {
		t.Error("/docs: no link to /openapi.yaml")
	}

	// One section per operation, each once, named as the document names it.
	seen := map[operationKey]int{}
	sections := f.all(func(n *html.Node) bool { _, ok := attrOf(n, "data-method"); return n.Data == "section" && ok })
	for _, s := range sections {
		k := operationKey{attrValue(s, "data-method"), attrValue(s, "data-path")}
		seen[k]++
		op, ok := want[k]
		if !ok {
			t.Errorf("section %v is no operation of the document", k)
			continue
		}
		h3 := elements(s, func(n *html.Node) bool { return n.Data == "h3" })
		if op.Summary != "" && (len(h3) != 1 || textOf(h3[0]) != strings.Join(strings.Fields(op.Summary), " ")) {
			t.Errorf("section %v: want one <h3> with the summary %q", k, op.Summary)
		}
		for code := range op.Responses.Map() {
			if len(elements(s, func(n *html.Node) bool { return n.Data == "tr" && attrValue(n, "data-status") == code })) != 1 {
				t.Errorf("section %v: no row for the answer %s", k, code)
			}
		}
	}
	for k := range want {
		if seen[k] != 1 {
			t.Errorf("operation %s %s: %d sections, want 1", k.method, k.path, seen[k])
		}
	}

	// Each section sits under the <h2> of its first tag, the untagged
	// last; within a tag the file's order holds; the table of contents
	// links to every tag's heading.
	ids := map[string]bool{}
	for _, n := range f.all(func(n *html.Node) bool { _, ok := attrOf(n, "id"); return ok }) {
		if ids[attrValue(n, "id")] {
			t.Errorf("id %q twice", attrValue(n, "id"))
		}
		ids[attrValue(n, "id")] = true
	}
	fileOrder := map[string]int{}
	for i, m := range regexp.MustCompile(`(?m)^\s+operationId:\s*(\S+)`).FindAllStringSubmatch(string(docs.OpenAPI), -1) {
		fileOrder[m[1]] = i
	}
	heading, last, untaggedSeen := "", -1, false
	for _, n := range f.all(func(n *html.Node) bool {
		_, op := attrOf(n, "data-method")
		return (n.Data == "h2" && strings.HasPrefix(attrValue(n, "id"), "tag-")) || (n.Data == "section" && op)
	}) {
		if n.Data == "h2" {
			heading, last = textOf(n), -1
			if attrValue(n, "id") == "tag-untagged" {
				untaggedSeen = true
			} else if untaggedSeen {
				t.Errorf("tag %q after the untagged operations", heading)
			}
			continue
		}
		op := want[operationKey{attrValue(n, "data-method"), attrValue(n, "data-path")}]
		if op == nil {
			continue
		}
		if len(op.Tags) > 0 && op.Tags[0] != heading {
			t.Errorf("%s %s under %q, want its tag %q", attrValue(n, "data-method"), attrValue(n, "data-path"), heading, op.Tags[0])
		}
		if i, ok := fileOrder[op.OperationID]; ok {
			if i < last {
				t.Errorf("%s out of the file's order under %q", op.OperationID, heading)
			}
			last = i
		}
	}
	toc := f.id("toc")
	if toc == nil {
		t.Fatal("/docs: no table of contents (#toc)")
	}
	links := elements(toc, func(n *html.Node) bool { return n.Data == "a" })
	tags := f.all(func(n *html.Node) bool { return n.Data == "h2" && strings.HasPrefix(attrValue(n, "id"), "tag-") })
	if len(links) != len(tags) || len(tags) == 0 {
		t.Errorf("table of contents: %d links for %d tags", len(links), len(tags))
	}
	for _, a := range links {
		if href := attrValue(a, "href"); !strings.HasPrefix(href, "#") || !ids[href[1:]] {
			t.Errorf("table of contents links to %q, which is no id of the page", href)
		}
	}
}

func TestDocsShowParametersBodiesAndAnswers(t *testing.T) {
	f := fetch(t, pagesOnly(t), "/docs")
	section := func(method, path string) *html.Node {
		l := f.all(func(n *html.Node) bool {
			return n.Data == "section" && attrValue(n, "data-method") == method && attrValue(n, "data-path") == path
		})
		if len(l) != 1 {
			t.Fatalf("no section for %s %s", method, path)
		}
		return l[0]
	}
	cells := func(tr *html.Node) []string {
		var out []string
		for _, td := range elements(tr, func(n *html.Node) bool { return n.Data == "td" }) {
			out = append(out, textOf(td))
		}
		return out
	}
	row := func(s *html.Node, attr, val string) []string {
		l := elements(s, func(n *html.Node) bool { return n.Data == "tr" && attrValue(n, attr) == val })
		if len(l) != 1 {
			t.Fatalf("section %s %s: no row %s=%q", attrValue(s, "data-method"), attrValue(s, "data-path"), attr, val)
		}
		return cells(l[0])
	}

	get := section("get", "/api/v1/dossiers/{code}")
	if c := row(get, "data-param", "code"); c[1] != "path" || c[2] != "string" || c[3] != "có" {
		t.Errorf("the code parameter reads %q", c)
	}
	var statuses []string
	for _, tr := range elements(get, func(n *html.Node) bool { _, ok := attrOf(n, "data-status"); return n.Data == "tr" && ok }) {
		statuses = append(statuses, attrValue(tr, "data-status"))
	}
	if strings.Join(statuses, " ") != "200 400 401 404 422" {
		t.Errorf("answers of GET /api/v1/dossiers/{code} in the order %v, want by status", statuses)
	}

	// The login body: its schema is a $ref, followed to its properties.
	login := section("post", "/api/v1/auth/login")
	for _, name := range []string{"username", "password"} {
		if c := row(login, "data-field", name); c[1] != "string" && !strings.HasPrefix(c[1], "string") || c[2] != "có" {
			t.Errorf("login field %s reads %q", name, c)
		}
	}

	// A query parameter whose schema is a referenced enum lists its values.
	list := section("get", "/api/v1/dossiers")
	if c := row(list, "data-param", "status"); c[3] != "không" || !strings.Contains(c[4], "supplement_requested") {
		t.Errorf("the status parameter reads %q", c)
	}
	if c := row(list, "data-param", "page_size"); c[2] != "integer" {
		t.Errorf("the page_size parameter reads %q", c)
	}

	// The registration body's nested applicant is named by its schema.
	reg := section("post", "/api/v1/dossiers")
	if c := row(reg, "data-field", "applicant"); c[1] != "DossierApplicantInput" || c[2] != "có" {
		t.Errorf("the applicant field reads %q", c)
	}
	if c := row(reg, "data-field", "note"); c[2] != "không" {
		t.Errorf("the note field reads %q", c)
	}

	// The actions' table in a description is a table, its code spans code.
	act := section("post", "/api/v1/dossiers/{code}/actions")
	if len(elements(act, func(n *html.Node) bool { return n.Data == "code" && textOf(n) == "request_supplement" })) == 0 {
		t.Error("the actions' description table lost its code spans")
	}
}

func TestDocsNeedALoadableDocument(t *testing.T) {
	for name, doc := range map[string][]byte{
		"empty":    nil,
		"not YAML": []byte("openapi: [3.0.3\n"),
		"a $ref to nothing": []byte("openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths:\n  /x:\n    get:\n" +
			"      responses:\n        '200': {$ref: '#/components/responses/Missing'}\n"),
	} {
		if _, err := web.New(web.Deps{DataKey: bytes.Repeat([]byte{7}, 32), OpenAPI: doc}); err == nil {
			t.Errorf("%s: web.New accepted a document that does not load", name)
		}
	}
}

func attrValue(n *html.Node, name string) string { v, _ := attrOf(n, name); return v }
