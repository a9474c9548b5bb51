package catalog

import (
	"sort"

	"github.com/motcua/motcua/domain"
)

// checkShape says whether a (new, or changed) fits the shape of the tree:
//
//   - the tree has one root: an agency without a parent while another
//     agency already stands without one is a conflict;
//   - a commune never stands above a department or a district, so a
//     department or district below a commune, or a commune with one below
//     it, is a validation error.
//
// Closed former districts under the province, with the communes as they
// were below them, fit: only the commune-above rule constrains districts.
func (t *Tree) checkShape(a Agency) error {
	if a.ParentCode == "" {
		var roots []string
		for code, parent := range t.parent {
			if parent == "" && code != a.Code {
				roots = append(roots, code)
			}
		}
		if len(roots) > 0 {
			sort.Strings(roots)
			return &domain.Error{Kind: domain.KindConflict,
				Message: "Cây đơn vị chỉ có một gốc; đơn vị mới cần có đơn vị cấp trên (parent_code)",
				Details: map[string]any{"root": roots[0]}}
		}
	}
	if a.Kind == KindDepartment || a.Kind == KindDistrict {
		for p, i := a.ParentCode, 0; p != "" && i <= len(t.parent); p, i = t.parent[p], i+1 {
			if p == a.Code {
				break
			}
			if t.kind[p] == KindCommune {
				return domain.FieldErrors{"parent_code": "sở hoặc huyện không thể đứng dưới một xã"}.Err()
			}
		}
	}
	if a.Kind == KindCommune {
		for _, c := range t.Subtree(a.Code)[1:] {
			if k := t.kind[c]; k == KindDepartment || k == KindDistrict {
				return domain.FieldErrors{"kind": "một xã không thể đứng trên sở hoặc huyện"}.Err()
			}
		}
	}
	return nil
}
