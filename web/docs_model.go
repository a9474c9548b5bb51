package web

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Building the reference's model from the loaded OpenAPI document: the
// operations in the file's order, their parameters, bodies and answers.

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

// doc builds the section of one operation: its anchor, summary, whether it
// needs a bearer token, its parameters, body and answers.
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
