package importer_test

import (
	"strings"
	"testing"

	"github.com/motcua/motcua/domain/importer"
)

// TestProcedureLineComponentsAndFees: a line's components and fee lines
// follow the API's rules, a bad one makes the whole line bad, and the
// record says what the line carried.
func TestProcedureLineComponentsAndFees(t *testing.T) {
	base := obj{"code": "1.009999", "name": "Cấp giấy phép", "field": "Công thương", "agency_code": unitJustice,
		"level": "province", "processing_time": obj{"value": 10, "unit": "working_days"}, "online_level": "full"}
	comps := []obj{{"code": "1.009999-01", "name": "Đơn", "template": "Mẫu 01.docx"}, {"name": "Ảnh", "copies": 2, "position": 7}}
	lines := []obj{{"kind": "charge", "name": "Lệ phí", "amount": 100000}, {"kind": "fee", "name": "Phí", "amount": 5000}}
	cases := []struct {
		name string
		line any
		want string
	}{
		{"components and lines", with(base, "components", comps, "fee_lines", lines), ""},
		{"fee equal to the sum", with(base, "fee", 105000, "fee_lines", lines), ""},
		{"fee against the sum", with(base, "fee", 1, "fee_lines", lines), "fee: phải bằng tổng"},
		{"bad fee line", with(base, "fee_lines", []obj{{"kind": "tax", "name": "Thuế", "amount": -1}}), "fee_lines[0].amount"},
		{"component without a name", with(base, "components", []obj{{"originals": 1}}), "components[0].name: bắt buộc"},
		{"no original nor copy", with(base, "components", []obj{{"name": "Đơn", "originals": 0}}), "components[0].copies"},
		{"template with a slash", with(base, "components", []obj{{"name": "Đơn", "template": "a/b.docx"}}), "components[0].template"},
		{"template with a newline", with(base, "components", []obj{{"name": "Đơn", "template": "a\nb.docx"}}), "components[0].template"},
		{"empty code", with(base, "components", []obj{{"name": "Đơn", "code": ""}}), "components[0].code"},
		{"twice the same code", with(base, "components", []obj{{"name": "Một", "code": "A"}, {"name": "Hai", "code": "A"}}),
			"components[1].code: trùng mã với components[0]"},
		{"an id", with(base, "components", []obj{{"name": "Đơn", "id": 1}}), "components[0].id"},
		{"too many", with(base, "components", make([]obj, importer.MaxComponents+1)), "components: tối đa 200"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := newStore()
			r := importString(t, newService(st, newCatalog()), importer.Procedures, ndjson(t, c.line))
			if c.want == "" {
				if r.Imported != 1 {
					t.Fatalf("good line: %+v", r)
				}
				return
			}
			if r.Imported != 0 || len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Error, c.want) {
				t.Fatalf("want error %q, got %+v", c.want, r)
			}
		})
	}

	st := newStore()
	importString(t, newService(st, newCatalog()), importer.Procedures,
		ndjson(t, with(base, "components", comps, "fee_lines", lines), with(base, "code", "1.009998")))
	rec := st.procs[0]
	if !rec.ComponentsGiven || !rec.FeeLinesGiven || rec.Procedure.Fee != 105000 || len(rec.Procedure.FeeLines) != 2 ||
		len(rec.Components) != 2 || rec.Components[0].Position != 0 || rec.Components[1].Position != 7 ||
		rec.Components[0].Code != "1.009999-01" || rec.Components[1].Copies != 2 || rec.Components[1].Originals != 1 ||
		!rec.Components[0].Active || !rec.Components[0].Required || rec.Components[0].ProcedureCode != "1.009999" {
		t.Fatalf("record %+v", rec)
	}
	if bare := st.procs[1]; bare.ComponentsGiven || bare.FeeLinesGiven || bare.Components != nil || bare.Procedure.FeeLines != nil {
		t.Fatalf("a line without them %+v", bare)
	}
}
