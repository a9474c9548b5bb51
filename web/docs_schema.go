package web

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Reading JSON schemas for the reference: an object's properties in the
// file's order, a short name of a type, and the allowed values.

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

// schemaType is a short name of a schema's type: the component's name for
// a referenced object, "array of X", "string (date)", "… | null".
func schemaType(ref *openapi3.SchemaRef) string {
	return schemaTypeDepth(ref, 0)
}

// schemaTypeDepth is schemaType at depth levels of nesting; it gives up
// with "any" past 8, so a schema that includes itself ends.
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
