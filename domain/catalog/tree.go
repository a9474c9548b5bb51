package catalog

import "sort"

// Tree is an immutable snapshot of the agency tree, for scope checks: a unit
// and the units below it.
type Tree struct {
	parent   map[string]string
	children map[string][]string
	kind     map[string]AgencyKind
}

// NewTree builds a tree from agencies. Unknown parents are treated as roots;
// cycles (which validation prevents) cannot make lookups loop.
func NewTree(agencies []Agency) *Tree {
	t := &Tree{parent: map[string]string{}, children: map[string][]string{}, kind: map[string]AgencyKind{}}
	for _, a := range agencies {
		t.parent[a.Code] = a.ParentCode
		t.kind[a.Code] = a.Kind
		if a.ParentCode != "" {
			t.children[a.ParentCode] = append(t.children[a.ParentCode], a.Code)
		}
	}
	for k := range t.children {
		sort.Strings(t.children[k])
	}
	return t
}

// Has reports whether code is an agency of the tree.
func (t *Tree) Has(code string) bool {
	_, ok := t.parent[code]
	return ok
}

// Within reports whether unit is ancestor itself or below it.
func (t *Tree) Within(unit, ancestor string) bool {
	if unit == "" || ancestor == "" {
		return false
	}
	for i := 0; unit != "" && i <= len(t.parent); i++ {
		if unit == ancestor {
			return true
		}
		unit = t.parent[unit]
	}
	return false
}

// Subtree returns code and every unit below it, code first.
func (t *Tree) Subtree(code string) []string {
	out := []string{code}
	seen := map[string]bool{code: true}
	for i := 0; i < len(out); i++ {
		for _, c := range t.children[out[i]] {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	return out
}

// Root returns the root of the tree above code (code itself when it has no
// known parent; "" for "").
func (t *Tree) Root(code string) string {
	for i := 0; code != "" && i <= len(t.parent); i++ {
		p := t.parent[code]
		if p == "" || !t.Has(p) {
			return code
		}
		code = p
	}
	return code
}
