package web

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"
)

// The API reference (/docs) is the contract itself, docs/openapi.yaml, laid
// out as a page: it is rendered from the same bytes /openapi.yaml serves, so
// the two cannot disagree, and it is plain HTML: no script, nothing but
// the pages' own style sheets.

// docsView is the reference page's data.
type docsView struct {
	Title       string
	Version     string
	Description []docBlock
	Tags        []docTag
}

// docTag is one group of operations: a tag of the document, or the
// operations without one, last.
type docTag struct {
	ID, Name    string
	Description []docBlock
	Ops         []docOp
}

// docOp is one operation. Method is lower case, Path as the document
// writes it; the section's data attributes carry both, so a test or a
// reader's tool can find an operation without parsing the text.
type docOp struct {
	ID          string
	Method      string
	Verb        string // the method as HTTP writes it, for the reader
	Path        string
	Summary     string
	Description []docBlock
	Bearer      bool
	Deprecated  bool
	Params      []docParam
	Body        *docBody
	Responses   []docResponse
}

type docParam struct {
	Name, In, Type string
	Required       bool
	Description    []docSpan
}

// docBody is a request body: its media type and, for an object schema, its
// top-level properties.
type docBody struct {
	MediaType string
	Type      string
	Required  bool
	Fields    []docField
	Note      []docSpan
}

type docField struct {
	Name, Type  string
	Required    bool
	Description []docSpan
}

type docResponse struct {
	Status      string
	Description []docSpan
	Content     string
}

// docBlock is a paragraph or a table of a description. The document's
// descriptions are CommonMark; the reference shows the two forms it uses
// (paragraphs with `code` spans, and pipe tables) rather than pulling in a
// Markdown renderer whose raw-HTML rules would have to be trusted.
type docBlock struct {
	Para  []docSpan
	Table *docTable
}

type docTable struct {
	Head []docCell
	Rows [][]docCell
}

type docCell []docSpan

// docSpan is a run of text, shown as code when Code is set. Every span is
// escaped by html/template: nothing in the document becomes markup.
type docSpan struct {
	Text string
	Code bool
}

// renderDocs loads the OpenAPI document and renders the whole reference
// page once, at start: it depends on nothing of the request, so every
// answer is the same bytes. A document that does not load is an error, so
// a broken contract stops the server at start rather than at the first
// reader.
func (p *Pages) renderDocs(openapi []byte) ([]byte, error) {
	if len(openapi) == 0 {
		return nil, errors.New("web: the OpenAPI document is needed for the API reference")
	}
	loader := openapi3.NewLoader()
	// Origins give the document's own order of paths and operations, which
	// the loaded maps lose; the reference follows the file.
	loader.IncludeOrigin = true
	doc, err := loader.LoadFromData(openapi)
	if err != nil {
		return nil, fmt.Errorf("web: the OpenAPI document does not load: %w", err)
	}
	t, ok := p.views.pages["docs"]
	if !ok {
		return nil, errors.New("web: the docs template is missing")
	}
	v := view{Page: "docs", Title: "Tài liệu API", Styles: []string{"css/staff.css"}, Data: buildDocs(doc)}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return nil, fmt.Errorf("web: the API reference does not render: %w", err)
	}
	return buf.Bytes(), nil
}

// docsPage serves the reference rendered at start.
func (p *Pages) docsPage(c *gin.Context) {
	c.Data(http.StatusOK, "text/html; charset=utf-8", p.docs)
}

// buildDocs turns the loaded document into the page's data.
func buildDocs(doc *openapi3.T) docsView {
	v := docsView{Title: "motcua API"}
	if doc.Info != nil {
		v.Title, v.Version = doc.Info.Title, doc.Info.Version
		v.Description = docBlocks(doc.Info.Description)
	}
	byTag := map[string]*docTag{}
	var order []string
	addTag := func(name, description string) *docTag {
		if t, ok := byTag[name]; ok {
			return t
		}
		t := &docTag{ID: "tag-" + anchor(name), Name: name, Description: docBlocks(description)}
		byTag[name] = t
		order = append(order, name)
		return t
	}
	// The document's tag list sets the order; tags that only operations
	// name follow in the order they first appear.
	for _, t := range doc.Tags {
		if t != nil {
			addTag(t.Name, t.Description)
		}
	}
	var untagged docTag
	for _, op := range operations(doc) {
		if len(op.op.Tags) == 0 {
			untagged.Ops = append(untagged.Ops, op.doc(doc))
			continue
		}
		// An operation under several tags is listed once, under its
		// first, so the page has one section per operation.
		t := addTag(op.op.Tags[0], "")
		t.Ops = append(t.Ops, op.doc(doc))
	}
	for _, name := range order {
		if t := byTag[name]; len(t.Ops) > 0 {
			v.Tags = append(v.Tags, *t)
		}
	}
	if len(untagged.Ops) > 0 {
		untagged.ID, untagged.Name = "tag-untagged", "Khác"
		v.Tags = append(v.Tags, untagged)
	}
	return v
}

// located is an operation with where it is in the file.
type located struct {
	path, method string
	item         *openapi3.PathItem
	op           *openapi3.Operation
	line, opLine int
}

// operations lists every operation of the document in the file's order
// (paths, then methods within a path); without origins, by path and then
// by the usual order of methods, so the page is stable either way.
func operations(doc *openapi3.T) []located {
	var out []located
	if doc.Paths == nil {
		return nil
	}
	for path, item := range doc.Paths.Map() {
		if item == nil {
			continue
		}
		pathLine := originLine(item.Origin)
		for method, op := range item.Operations() {
			if op == nil {
				continue
			}
			l := located{path: path, method: strings.ToLower(method), item: item, op: op, line: pathLine}
			l.opLine = originLine(op.Origin)
			out = append(out, l)
		}
	}
	slices.SortFunc(out, func(a, b located) int {
		return cmp.Or(cmp.Compare(a.line, b.line), strings.Compare(a.path, b.path),
			cmp.Compare(a.opLine, b.opLine), cmp.Compare(methodRank(a.method), methodRank(b.method)),
			strings.Compare(a.method, b.method))
	})
	return out
}

// originLine is where an element starts in the file, 0 when unknown.
func originLine(o *openapi3.Origin) int {
	if o == nil || o.Key == nil {
		return 0
	}
	return o.Key.Line
}

// methodRank orders methods as readers expect them when the file's order
// is unknown.
func methodRank(m string) int {
	for i, x := range []string{"get", "head", "post", "put", "patch", "delete", "options", "trace"} {
		if m == x {
			return i
		}
	}
	return 99
}

func (l located) doc(doc *openapi3.T) docOp {
	op := l.op
	o := docOp{Method: l.method, Verb: strings.ToUpper(l.method), Path: l.path, Summary: op.Summary, Deprecated: op.Deprecated,
		Description: docBlocks(op.Description)}
	if o.Summary == "" {
		o.Summary = o.Verb + " " + l.path
	}
	if op.OperationID != "" {
		o.ID = "op-" + anchor(op.OperationID)
	} else {
		o.ID = "op-" + anchor(l.method+"-"+l.path)
	}
	security := doc.Security
	if op.Security != nil {
		security = *op.Security
	}
	for _, req := range security {
		if _, ok := req["bearer"]; ok {
			o.Bearer = true
		}
	}
	o.Params = params(l.item.Parameters, op.Parameters)
	if op.RequestBody != nil && op.RequestBody.Value != nil {
		o.Body = body(op.RequestBody.Value)
	}
	o.Responses = responses(op.Responses)
	return o
}

// params merges the path's parameters with the operation's: the
// operation's replace the path's of the same name and location, as the
// specification says.
func params(shared, own openapi3.Parameters) []docParam {
	var list []*openapi3.Parameter
	for _, refs := range []openapi3.Parameters{shared, own} {
		for _, r := range refs {
			if r == nil || r.Value == nil {
				continue
			}
			list = slices.DeleteFunc(list, func(x *openapi3.Parameter) bool {
				return x.Name == r.Value.Name && x.In == r.Value.In
			})
			list = append(list, r.Value)
		}
	}
	out := make([]docParam, 0, len(list))
	for _, x := range list {
		d := docParam{Name: x.Name, In: x.In, Required: x.Required, Description: docSpans(x.Description)}
		if x.Schema != nil {
			d.Type = schemaType(x.Schema)
			if x.Description == "" && x.Schema.Value != nil {
				d.Description = docSpans(x.Schema.Value.Description)
			}
			d.Description = joinSpans(d.Description, enumSpans(x.Schema))
		}
		out = append(out, d)
	}
	return out
}

// body describes a request body through its JSON schema when it has one,
// else through its first media type (an NDJSON upload, a text).
func body(rb *openapi3.RequestBody) *docBody {
	b := &docBody{Required: rb.Required, Note: docSpans(rb.Description)}
	types := make([]string, 0, len(rb.Content))
	for mt := range rb.Content {
		types = append(types, mt)
	}
	slices.Sort(types)
	if len(types) == 0 {
		return b
	}
	b.MediaType = types[0]
	if slices.Contains(types, "application/json") {
		b.MediaType = "application/json"
	}
	mt := rb.Content[b.MediaType]
	if mt == nil || mt.Schema == nil {
		return b
	}
	b.Type = schemaType(mt.Schema)
	props, required := properties(mt.Schema, 0)
	for _, name := range props.names {
		s := props.byName[name]
		f := docField{Name: name, Type: schemaType(s), Required: slices.Contains(required, name)}
		if s.Value != nil {
			f.Description = docSpans(s.Value.Description)
			if len(f.Description) == 0 && len(s.Value.AllOf) == 1 && s.Value.AllOf[0].Value != nil {
				f.Description = docSpans(s.Value.AllOf[0].Value.Description)
			}
		}
		f.Description = joinSpans(f.Description, enumSpans(s))
		b.Fields = append(b.Fields, f)
	}
	return b
}

// propertyList is an object schema's properties in the file's order.
type propertyList struct {
	names  []string
	byName map[string]*openapi3.SchemaRef
}

// properties collects the top-level properties of an object schema,
// through $ref (resolved by the loader) and allOf, with the names it
// requires. depth stops a schema that includes itself.
func properties(ref *openapi3.SchemaRef, depth int) (propertyList, []string) {
	pl := propertyList{byName: map[string]*openapi3.SchemaRef{}}
	if ref == nil || ref.Value == nil || depth > 8 {
		return pl, nil
	}
	s := ref.Value
	var required []string
	add := func(name string, r *openapi3.SchemaRef) {
		if _, ok := pl.byName[name]; !ok {
			pl.names = append(pl.names, name)
		}
		pl.byName[name] = r
	}
	for _, part := range s.AllOf {
		sub, req := properties(part, depth+1)
		for _, name := range sub.names {
			add(name, sub.byName[name])
		}
		required = append(required, req...)
	}
	names := make([]string, 0, len(s.Properties))
	for name := range s.Properties {
		names = append(names, name)
	}
	slices.SortFunc(names, func(a, b string) int {
		return cmp.Or(cmp.Compare(fieldLine(s, a), fieldLine(s, b)), strings.Compare(a, b))
	})
	for _, name := range names {
		add(name, s.Properties[name])
	}
	return pl, append(required, s.Required...)
}

// fieldLine is where a property is written in the file, for the file's
// order (0, so by name, when unknown).
func fieldLine(s *openapi3.Schema, name string) int {
	r := s.Properties[name]
	if r == nil {
		return 0
	}
	if r.Origin != nil && r.Origin.Key != nil {
		return r.Origin.Key.Line
	}
	if r.Value != nil && r.Ref == "" {
		return originLine(r.Value.Origin)
	}
	if s.Origin != nil {
		if l, ok := s.Origin.Fields.Lookup(name); ok {
			return l.Line
		}
	}
	return 0
}

// responses lists the answers by status, "default" last.
func responses(rs *openapi3.Responses) []docResponse {
	if rs == nil {
		return nil
	}
	m := rs.Map()
	codes := make([]string, 0, len(m))
	for code := range m {
		codes = append(codes, code)
	}
	rank := func(code string) int {
		if n, err := strconv.Atoi(code); err == nil {
			return n
		}
		if len(code) == 3 && strings.HasSuffix(strings.ToUpper(code), "XX") {
			return int(code[0]-'0')*100 + 99
		}
		return 1000
	}
	slices.SortFunc(codes, func(a, b string) int { return cmp.Or(cmp.Compare(rank(a), rank(b)), strings.Compare(a, b)) })
	out := make([]docResponse, 0, len(codes))
	for _, code := range codes {
		r := docResponse{Status: code}
		if ref := m[code]; ref != nil && ref.Value != nil {
			if ref.Value.Description != nil {
				r.Description = docSpans(*ref.Value.Description)
			}
			r.Content = contentSummary(ref.Value.Content)
		}
		out = append(out, r)
	}
	return out
}

// contentSummary names an answer's body: "application/json: Dossier".
func contentSummary(c openapi3.Content) string {
	types := make([]string, 0, len(c))
	for mt := range c {
		types = append(types, mt)
	}
	slices.Sort(types)
	parts := make([]string, 0, len(types))
	for _, mt := range types {
		s := mt
		if m := c[mt]; m != nil && m.Schema != nil {
			s += ": " + schemaType(m.Schema)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// schemaType is a short name of a schema's type: the component's name for
// a referenced object, "array of X", "string (date)", "… | null".
func schemaType(ref *openapi3.SchemaRef) string {
	return schemaTypeDepth(ref, 0)
}

func schemaTypeDepth(ref *openapi3.SchemaRef, depth int) string {
	if ref == nil || ref.Value == nil || depth > 8 {
		return "any"
	}
	s := ref.Value
	name := ref.Ref
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	var t string
	switch {
	case s.Type.Is("array"):
		t = "array of " + schemaTypeDepth(s.Items, depth+1)
	case s.Type != nil && !s.Type.IsEmpty():
		t = strings.Join(s.Type.Slice(), " | ")
		if s.Format != "" {
			t += " (" + s.Format + ")"
		}
	case len(s.AllOf) == 1:
		// allOf with one member is how 3.0 makes a referenced schema
		// nullable or gives it its own description.
		t = schemaTypeDepth(s.AllOf[0], depth+1)
	case len(s.AllOf) > 1 || len(s.Properties) > 0:
		t = "object"
	case len(s.OneOf) > 0 || len(s.AnyOf) > 0:
		parts := []string{}
		for _, x := range append(slices.Clone(s.OneOf), s.AnyOf...) {
			parts = append(parts, schemaTypeDepth(x, depth+1))
		}
		t = strings.Join(parts, " | ")
	default:
		t = "any"
	}
	if name != "" && !s.Type.Is("array") {
		if t == "object" {
			t = name
		} else if !strings.HasPrefix(t, name) {
			t = name + ": " + t
		}
	}
	if s.Nullable && !strings.HasSuffix(t, "| null") {
		t += " | null"
	}
	return t
}

// enumSpans lists a schema's allowed values, "One of: `a`, `b`.", looking
// through a single allOf.
func enumSpans(ref *openapi3.SchemaRef) []docSpan {
	for depth := 0; ref != nil && ref.Value != nil && depth < 4; depth++ {
		s := ref.Value
		if len(s.Enum) > 0 {
			out := []docSpan{{Text: "Một trong: "}}
			for i, e := range s.Enum {
				if i > 0 {
					out = append(out, docSpan{Text: ", "})
				}
				out = append(out, docSpan{Text: fmt.Sprint(e), Code: true})
			}
			return append(out, docSpan{Text: "."})
		}
		if len(s.AllOf) != 1 {
			return nil
		}
		ref = s.AllOf[0]
	}
	return nil
}

// joinSpans appends b to a description a, a space between them.
func joinSpans(a, b []docSpan) []docSpan {
	if len(a) == 0 || len(b) == 0 {
		return append(a, b...)
	}
	return append(append(a, docSpan{Text: " "}), b...)
}

// anchor makes an id fragment from a name: letters, digits and "-".
func anchor(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// docBlocks splits a description into paragraphs (at blank lines) and pipe
// tables (blocks whose every line starts with "|").
func docBlocks(text string) []docBlock {
	var out []docBlock
	for _, chunk := range strings.Split(strings.ReplaceAll(strings.TrimSpace(text), "\r\n", "\n"), "\n\n") {
		lines := strings.Split(strings.TrimSpace(chunk), "\n")
		if len(lines) == 0 || strings.TrimSpace(chunk) == "" {
			continue
		}
		var prose []string
		flush := func() {
			if len(prose) > 0 {
				out = append(out, docBlock{Para: docSpans(strings.Join(prose, " "))})
				prose = nil
			}
		}
		for i := 0; i < len(lines); {
			if !isTableLine(lines[i]) {
				prose = append(prose, strings.TrimSpace(lines[i]))
				i++
				continue
			}
			flush()
			j := i
			for j < len(lines) && isTableLine(lines[j]) {
				j++
			}
			out = append(out, tableBlock(lines[i:j]))
			i = j
		}
		flush()
	}
	return out
}

func isTableLine(l string) bool { return strings.HasPrefix(strings.TrimSpace(l), "|") }

// tableBlock reads a pipe table: a head row, a rule row of dashes, then
// body rows. Without the rule row every line is a body row.
func tableBlock(lines []string) docBlock {
	t := &docTable{}
	rows := make([][]docCell, 0, len(lines))
	for _, l := range lines {
		rows = append(rows, tableCells(l))
	}
	if len(rows) >= 2 && isRule(lines[1]) {
		t.Head = rows[0]
		rows = rows[2:]
	}
	t.Rows = rows
	return docBlock{Table: t}
}

func isRule(l string) bool {
	s := strings.Trim(strings.TrimSpace(l), "|")
	return s != "" && strings.Trim(s, "-:| ") == ""
}

func tableCells(l string) []docCell {
	s := strings.TrimSpace(l)
	s = strings.TrimPrefix(s, "|")
	s = strings.TrimSuffix(s, "|")
	var cells []docCell
	for _, c := range strings.Split(s, "|") {
		cells = append(cells, docCell(docSpans(strings.TrimSpace(c))))
	}
	return cells
}

// docSpans splits text into plain and `code` runs; newlines become spaces.
func docSpans(text string) []docSpan {
	text = strings.Join(strings.Fields(text), " ")
	if text == "" {
		return nil
	}
	var out []docSpan
	for i, part := range strings.Split(text, "`") {
		if part == "" {
			continue
		}
		out = append(out, docSpan{Text: part, Code: i%2 == 1})
	}
	return out
}
