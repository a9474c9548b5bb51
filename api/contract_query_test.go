package api_test

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
)

// The query contract, generated from docs/openapi.yaml: for every GET
// without path parameters, each query parameter's schema yields values
// the document calls valid (its bounds, every enum value, a date, both
// booleans) and values it calls invalid (one past each bound, a word for
// a number or a boolean, a value outside the enum, an impossible date, a
// string over maxLength or against its pattern). A valid value is not
// refused with 400/422; an invalid one is, with the error body. Nothing
// here is hand-picked: a parameter added to the document is tested.
func TestQueryContractFromTheDocument(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	admin := e.tok("admin")
	spec := loadSpec(t)
	paths := spec.Paths.Map()
	tpls := slices.Sorted(maps.Keys(paths))
	covered, checks := 0, 0
	var skipped []string
	for _, tpl := range tpls {
		item := paths[tpl]
		op := item.Get
		if op == nil || strings.Contains(tpl, "{") || !strings.HasPrefix(tpl, "/api/") {
			continue
		}
		params := queryParams(item, op)
		if len(params) == 0 {
			continue
		}
		// The baseline: required parameters at a valid value, and the first
		// group of an x-exclusive-query (exactly one group of parameters,
		// such as the report period) whose members all have one. Operations
		// that do not answer 200 to it as admin are not this test's (their
		// role or another parameter decides first).
		groups := exclusiveGroups(t, op)
		inGroup := map[string]int{}
		for gi, g := range groups {
			for _, name := range g {
				inGroup[name] = gi
			}
		}
		first := map[string]string{}
		for _, p := range params {
			if vs := validValues(p.Schema.Value, p.Example); len(vs) > 0 {
				first[p.Name] = vs[0]
			}
		}
		withGroup := func(q url.Values, g []string) url.Values {
			q = cloneValues(q)
			for name := range inGroup {
				q.Del(name)
			}
			for _, name := range g {
				q.Set(name, first[name])
			}
			return q
		}
		base := url.Values{}
		for _, p := range params {
			if _, grouped := inGroup[p.Name]; p.Required && !grouped {
				if v, ok := first[p.Name]; ok {
					base.Set(p.Name, v)
				}
			}
		}
		if len(groups) > 0 {
			base = withGroup(base, groups[0])
		}
		if r := e.get(withQuery(tpl, base), admin); r.Status != http.StatusOK {
			skipped = append(skipped, fmt.Sprintf("%s (%d)", tpl, r.Status))
			continue
		}
		covered++
		for _, p := range params {
			s := p.Schema.Value
			// A member of an exclusive group is tested inside its own group.
			start := base
			if gi, ok := inGroup[p.Name]; ok {
				start = withGroup(base, groups[gi])
			}
			for _, v := range validValues(s, p.Example) {
				q := cloneValues(start)
				q.Set(p.Name, v)
				checks++
				if r := e.get(withQuery(tpl, q), admin); r.Status == http.StatusBadRequest || r.Status == http.StatusUnprocessableEntity {
					t.Errorf("GET %s ?%s=%q: the document calls it valid, the server answers %d %s", tpl, p.Name, v, r.Status, r.Body)
				}
			}
			for _, v := range invalidValues(s) {
				q := cloneValues(start)
				q.Set(p.Name, v)
				checks++
				if r := e.get(withQuery(tpl, q), admin); r.Status != http.StatusBadRequest && r.Status != http.StatusUnprocessableEntity {
					t.Errorf("GET %s ?%s=%q: the document calls it invalid, the server answers %d", tpl, p.Name, v, r.Status)
				}
			}
		}
		// Exactly one group: two at once and none at all are refused.
		if len(groups) > 1 {
			two := withGroup(base, groups[0])
			for _, name := range groups[1] {
				two.Set(name, first[name])
			}
			none := withGroup(base, nil)
			for _, q := range []url.Values{two, none} {
				checks++
				if r := e.get(withQuery(tpl, q), admin); r.Status != http.StatusUnprocessableEntity {
					t.Errorf("GET %s?%s: the document allows exactly one of %v, the server answers %d", tpl, q.Encode(), groups, r.Status)
				}
			}
		}
	}
	t.Logf("query contract: %d operations, %d requests; not covered (baseline not 200): %v", covered, checks, skipped)
	if covered < 8 || checks < 60 {
		t.Fatalf("only %d operations and %d requests covered: the generator lost its inputs", covered, checks)
	}
}

func queryParams(item *openapi3.PathItem, op *openapi3.Operation) []*openapi3.Parameter {
	var out []*openapi3.Parameter
	for _, list := range []openapi3.Parameters{item.Parameters, op.Parameters} {
		for _, ref := range list {
			if p := ref.Value; p != nil && p.In == "query" && p.Schema != nil && p.Schema.Value != nil {
				out = append(out, p)
			}
		}
	}
	return out
}

func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// validValues are values the schema accepts: its example, its bounds,
// every enum value, both booleans, a date.
func validValues(s *openapi3.Schema, example any) []string {
	var out []string
	if example != nil {
		out = append(out, fmt.Sprint(example))
	} else if s.Example != nil {
		out = append(out, fmt.Sprint(s.Example))
	}
	switch {
	case len(s.Enum) > 0:
		for _, v := range s.Enum {
			out = append(out, fmt.Sprint(v))
		}
	case s.Type.Is("integer"):
		lo := 1.0
		if s.Min != nil {
			lo = *s.Min
		}
		out = append(out, strconv.Itoa(int(lo)))
		if s.Max != nil {
			out = append(out, strconv.Itoa(int(*s.Max)))
		}
	case s.Type.Is("boolean"):
		out = append(out, "true", "false")
	case s.Type.Is("string") && s.Format == "date":
		out = append(out, "2026-03-15")
	}
	return out
}

// invalidValues are values the schema refuses, one constraint each.
func invalidValues(s *openapi3.Schema) []string {
	var out []string
	switch {
	case s.Type.Is("integer"):
		out = append(out, "abc", "1.5")
		if s.Min != nil {
			out = append(out, strconv.Itoa(int(*s.Min)-1))
		}
		if s.Max != nil {
			out = append(out, strconv.Itoa(int(*s.Max)+1))
		}
	case s.Type.Is("boolean"):
		out = append(out, "maybe")
		// A boolean held to one value: the other one is outside it.
		for _, b := range []bool{true, false} {
			if len(s.Enum) > 0 && !inEnum(s.Enum, b) {
				out = append(out, strconv.FormatBool(b))
			}
		}
	case len(s.Enum) > 0:
		out = append(out, "not_a_value")
	case s.Type.Is("string") && s.Format == "date":
		out = append(out, "2026-02-30", "yesterday")
	}
	if s.Type.Is("string") {
		if s.MaxLength != nil {
			out = append(out, strings.Repeat("a", int(*s.MaxLength)+1))
		}
		if s.Pattern != "" {
			if re, err := regexp.Compile(s.Pattern); err == nil && !re.MatchString("§ !") {
				out = append(out, "§ !")
			}
		}
	}
	return out
}

func inEnum(enum []any, v any) bool {
	for _, e := range enum {
		if e == v {
			return true
		}
	}
	return false
}

// exclusiveGroups reads an operation's x-exclusive-query: a list of groups
// of query parameter names of which a request carries exactly one.
func exclusiveGroups(t *testing.T, op *openapi3.Operation) [][]string {
	t.Helper()
	raw, ok := op.Extensions["x-exclusive-query"]
	if !ok {
		return nil
	}
	list, ok := raw.([]any)
	if !ok {
		t.Fatalf("%s: x-exclusive-query is %T, not a list of lists", op.OperationID, raw)
	}
	var out [][]string
	for _, g := range list {
		members, ok := g.([]any)
		if !ok || len(members) == 0 {
			t.Fatalf("%s: x-exclusive-query group %v is not a non-empty list", op.OperationID, g)
		}
		var names []string
		for _, m := range members {
			name, ok := m.(string)
			if !ok {
				t.Fatalf("%s: x-exclusive-query member %v is not a name", op.OperationID, m)
			}
			names = append(names, name)
		}
		out = append(out, names)
	}
	return out
}

// TestIdempotencyKeyIsOneParameter: every operation that takes an
// Idempotency-Key takes the one of components/parameters by $ref, so its
// rules (length, characters, what a replay means) are stated once; and
// every POST that creates a dossier, a feedback item or a rating, or
// moves one, takes it.
func TestIdempotencyKeyIsOneParameter(t *testing.T) {
	spec := loadSpec(t)
	const ref = "#/components/parameters/IdempotencyKey"
	n := 0
	for tpl, item := range spec.Paths.Map() {
		for method, op := range item.Operations() {
			has := false
			for _, p := range op.Parameters {
				if p.Value != nil && strings.EqualFold(p.Value.Name, "Idempotency-Key") {
					has = true
					if p.Ref != ref {
						t.Errorf("%s %s: Idempotency-Key defined in place, not by $ref %s", method, tpl, ref)
					}
				}
			}
			if has {
				n++
			}
			wants := method == http.MethodPost && (tpl == "/api/v1/dossiers" || tpl == "/api/v1/feedback" || tpl == "/api/v1/public/feedback" ||
				strings.HasSuffix(tpl, "/actions") || strings.HasSuffix(tpl, "/rating"))
			if wants && !has {
				t.Errorf("%s %s: creates or moves a record but takes no Idempotency-Key", method, tpl)
			}
		}
	}
	if n < 6 {
		t.Fatalf("only %d operations take an Idempotency-Key", n)
	}
}
