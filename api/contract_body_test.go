package api_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/dossier"
)

// The body contract, generated from docs/openapi.yaml: every operation
// whose JSON request body has an example in the document (and whose path
// parameters have theirs) is sent that example, which must succeed; then, one change
// at a time, bodies the schema calls invalid (a wrong type, one past a
// length or a bound, a value outside an enum or against a pattern, a
// required field missing or null, a field the schema does not have) must
// be refused with 400 or 422 and the error body, and bodies it calls valid
// (every enum value, each bound, the longest string) must not be refused
// with 400 or 422. The changes come from the schema, not from a list here.
func TestBodyContractFromTheDocument(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	spec := loadSpec(t)
	paths := spec.Paths.Map()
	tpls := slices.Sorted(maps.Keys(paths))
	ops, checks := 0, 0
	for _, tpl := range tpls {
		for method, op := range paths[tpl].Operations() {
			if op.RequestBody == nil || op.RequestBody.Value == nil {
				continue
			}
			mt := op.RequestBody.Value.Content.Get("application/json")
			if mt == nil || mt.Example == nil || mt.Schema == nil || mt.Schema.Value == nil {
				continue
			}
			// Path parameters at their examples (the paths sort so that a
			// record's creation comes before its own path).
			path, ok := examplePath(tpl, paths[tpl], op)
			if !ok {
				continue
			}
			ops++
			send := func(body any, tok string) apptest.Response {
				return e.do(apptest.Request{Method: method, Path: path, Token: tok, Body: body})
			}
			// The caller: none for a public operation, else the first of
			// the roles the example succeeds for.
			var tok string
			ok = false
			if op.Security != nil && len(*op.Security) == 0 {
				ok = send(mt.Example, "").Status/100 == 2
			} else {
				for _, u := range []string{"admin", "clerk"} {
					if r := send(mt.Example, freshToken(e, u)); r.Status/100 == 2 {
						tok, ok = freshToken(e, u), true
						break
					}
				}
			}
			if !ok {
				t.Errorf("%s %s: the document's example is refused: %s", method, tpl, send(mt.Example, freshToken(e, "admin")).Body)
				continue
			}
			for _, m := range bodyMutations(mt.Schema.Value, nil, mt.Example) {
				body := m.apply(t, mt.Example)
				checks++
				r := send(body, tok)
				refused := r.Status == http.StatusBadRequest || r.Status == http.StatusUnprocessableEntity
				switch {
				case m.valid && refused:
					t.Errorf("%s %s with %s: the document calls it valid, the server answers %d %s", method, tpl, m, r.Status, r.Body)
				case !m.valid && !refused:
					t.Errorf("%s %s with %s: the document calls it invalid, the server answers %d %s", method, tpl, m, r.Status, r.Body)
				case !m.valid && r.ErrorCode() == "":
					t.Errorf("%s %s with %s: %d without the error body", method, tpl, m, r.Status)
				}
			}
		}
	}
	t.Logf("body contract: %d operations, %d requests", ops, checks)
	if ops < 12 || checks < 250 {
		t.Fatalf("only %d operations and %d requests: the generator lost its inputs", ops, checks)
	}
}

// examplePath is tpl with every path parameter at its example, or false
// when one has none.
func examplePath(tpl string, item *openapi3.PathItem, op *openapi3.Operation) (string, bool) {
	path := tpl
	for _, list := range []openapi3.Parameters{item.Parameters, op.Parameters} {
		for _, ref := range list {
			if p := ref.Value; p != nil && p.In == "path" {
				if p.Example == nil {
					return "", false
				}
				path = strings.ReplaceAll(path, "{"+p.Name+"}", fmt.Sprint(p.Example))
			}
		}
	}
	return path, !strings.Contains(path, "{")
}

// mutation changes one field of a body: sets it to value, or deletes it.
type mutation struct {
	path   []string
	value  any
	delete bool
	valid  bool
	why    string
}

func (m mutation) String() string {
	if m.delete {
		return fmt.Sprintf("%s absent (%s)", strings.Join(m.path, "."), m.why)
	}
	v := fmt.Sprint(m.value)
	if len(v) > 24 {
		v = v[:24] + "…"
	}
	return fmt.Sprintf("%s=%q (%s)", strings.Join(m.path, "."), v, m.why)
}

// apply returns a deep copy of example with m made.
func (m mutation) apply(t *testing.T, example any) any {
	t.Helper()
	b, err := json.Marshal(example)
	if err != nil {
		t.Fatal(err)
	}
	var body any
	if err := json.Unmarshal(b, &body); err != nil {
		t.Fatal(err)
	}
	cur := body
	for i, key := range m.path {
		last := i == len(m.path)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				if m.delete {
					delete(c, key)
				} else {
					c[key] = m.value
				}
				return body
			}
			cur = c[key]
		case []any:
			n, _ := strconv.Atoi(key)
			if last {
				c[n] = m.value
				return body
			}
			cur = c[n]
		default:
			t.Fatalf("%s: no object at %s", m, key)
		}
	}
	return body
}

func with(path []string, key string) []string {
	return append(append([]string(nil), path...), key)
}

// bodyMutations lists the changes of one field at a time the schema s of
// the object at path (whose example is ex) implies.
func bodyMutations(s *openapi3.Schema, path []string, ex any) []mutation {
	obj, _ := ex.(map[string]any)
	if obj == nil {
		return nil
	}
	var out []mutation
	if s.AdditionalProperties.Has != nil && !*s.AdditionalProperties.Has {
		out = append(out, mutation{path: with(path, "not_in_the_document"), value: 1, why: "additionalProperties false"})
	}
	for _, name := range s.Required {
		if _, there := obj[name]; there {
			out = append(out,
				mutation{path: with(path, name), delete: true, why: "required"},
				mutation{path: with(path, name), value: nil, why: "required, not nullable"})
		}
	}
	names := make([]string, 0, len(s.Properties))
	for name := range s.Properties {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		ref := s.Properties[name]
		if ref == nil || ref.Value == nil {
			continue
		}
		ps, p := ref.Value, with(path, name)
		out = append(out, fieldMutations(ps, p)...)
		switch {
		case ps.Type.Is("object"):
			out = append(out, bodyMutations(ps, p, obj[name])...)
		case ps.Type.Is("array") && ps.Items != nil && ps.Items.Value != nil:
			if list, _ := obj[name].([]any); len(list) > 0 {
				out = append(out, bodyMutations(ps.Items.Value, with(p, "0"), list[0])...)
			}
		}
	}
	return out
}

// fieldMutations are the values of one field its schema refuses, and the
// ones it accepts.
func fieldMutations(s *openapi3.Schema, p []string) []mutation {
	bad := func(v any, why string) mutation { return mutation{path: p, value: v, why: why} }
	good := func(v any, why string) mutation { return mutation{path: p, value: v, valid: true, why: why} }
	var out []mutation
	switch {
	case s.Type.Is("string"):
		out = append(out, bad(12345, "a number for a string"))
		if len(s.Enum) > 0 {
			out = append(out, bad("not_a_value", "outside the enum"))
			for _, v := range s.Enum {
				out = append(out, good(v, "in the enum"))
			}
			break
		}
		if s.MaxLength != nil {
			out = append(out, bad(strings.Repeat("a", int(*s.MaxLength)+1), "maxLength+1"))
			if s.Pattern == "" && s.Format == "" {
				out = append(out, good(strings.Repeat("a", int(*s.MaxLength)), "maxLength"))
			}
		}
		if s.MinLength > 0 {
			out = append(out, bad(strings.Repeat("a", int(s.MinLength)-1), "minLength-1"))
		}
		if s.Pattern != "" {
			if re, err := regexp.Compile(s.Pattern); err == nil && !re.MatchString("§ !") {
				out = append(out, bad("§ !", "against the pattern"))
			}
		}
	case s.Type.Is("integer"):
		out = append(out, bad("abc", "a string for an integer"), bad(1.5, "a fraction for an integer"))
		if s.Min != nil {
			out = append(out, bad(*s.Min-1, "minimum-1"), good(*s.Min, "minimum"))
		}
		if s.Max != nil {
			out = append(out, bad(*s.Max+1, "maximum+1"), good(*s.Max, "maximum"))
		}
	case s.Type.Is("boolean"):
		out = append(out, bad("yes", "a string for a boolean"), good(true, "true"), good(false, "false"))
	case s.Type.Is("object"):
		out = append(out, bad("x", "a string for an object"))
	case s.Type.Is("array"):
		out = append(out, bad("x", "a string for an array"))
	}
	return out
}

// TestDocumentedContactPatternsAreTheValidators: the document's patterns
// for phones and ID numbers accept exactly what the service's validators
// accept, on a corpus of near misses.
func TestDocumentedContactPatternsAreTheValidators(t *testing.T) {
	spec := loadSpec(t)
	props := spec.Components.Schemas["DossierApplicantInput"].Value.Properties
	phone := regexp.MustCompile(props["phone"].Value.Pattern)
	maxPhone := int(*props["phone"].Value.MaxLength)
	id := regexp.MustCompile(props["id_number"].Value.Pattern)
	sender := spec.Components.Schemas["FeedbackSenderInput"].Value.Properties["phone"].Value
	if sender.Pattern != props["phone"].Value.Pattern || *sender.MaxLength != *props["phone"].Value.MaxLength {
		t.Errorf("a sender's phone is documented as %q ≤ %d, an applicant's as %q ≤ %d", sender.Pattern, *sender.MaxLength,
			props["phone"].Value.Pattern, maxPhone)
	}
	for _, s := range []string{"0912345678", "0912 345 678", "+84 912 345 678", "(024) 3825.1234", "091-234-5678",
		"1234567", "12345678", "123456789012345", "1234567890123456", "+", "++84912345678", "84+912345678",
		"0912x45678", "", " 0912345678", "0912345678 ", "(((((((((((((((((0912345678", "0912_345_678", "٠٩١٢٣٤٥٦٧٨"} {
		doc := len(s) <= maxPhone && phone.MatchString(s)
		if got := domain.ValidPhone(s); doc != got {
			t.Errorf("phone %q: the document says %v, the service %v", s, doc, got)
		}
	}
	for _, s := range []string{"001234567890", "123456789", "12345678", "1234567890123", "001 234 567 890", "00123456789a",
		" 123456789 ", "", "１２３４５６７８９"} {
		if got, doc := dossier.ValidIDNumber(dossier.NormalizeIDNumber(s)), id.MatchString(s); doc != got {
			t.Errorf("ID number %q: the document says %v, the service %v", s, doc, got)
		}
	}
}
