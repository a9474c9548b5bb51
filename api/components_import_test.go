package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/cmd/motcua/demo"
)

// Fee lines of procedures, and procedure import lines with components and
// fee lines.

func feeLines(amounts ...int) []map[string]any {
	var out []map[string]any
	for i, a := range amounts {
		kind := "charge"
		if i%2 == 1 {
			kind = "fee"
		}
		out = append(out, map[string]any{"kind": kind, "name": "Khoản " + string(rune('A'+i)), "amount": a})
	}
	return out
}

func TestProcedureFeeLines(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	admin := e.tok("admin")
	// Lines without a fee: the server sums them.
	p := newProcedure("9.100001")
	delete(p, "fee")
	p["fee_lines"] = feeLines(100000, 50000)
	got := obj(t, apptest.Want(t, e.post("/api/v1/procedures", admin, p), http.StatusCreated))
	if got["fee"] != float64(150000) || len(got["fee_lines"].([]any)) != 2 {
		t.Fatalf("summed: %v %v", got["fee"], got["fee_lines"])
	}
	if l := got["fee_lines"].([]any)[1].(map[string]any); l["kind"] != "fee" || l["name"] != "Khoản B" || l["amount"] != float64(50000) {
		t.Fatalf("line %v", l)
	}
	if cs, ok := got["components"].([]any); !ok || len(cs) != 0 {
		t.Fatalf("a new procedure answers its (no) components: %v", got["components"])
	}
	// Both, agreeing, is fine; a fee that is not the sum is 422 naming fee.
	p = newProcedure("9.100002")
	p["fee"], p["fee_lines"] = 30000, feeLines(10000, 20000)
	apptest.Want(t, e.post("/api/v1/procedures", admin, p), http.StatusCreated)
	p = newProcedure("9.100003")
	p["fee"], p["fee_lines"] = 30001, feeLines(10000, 20000)
	wantFields(t, e.post("/api/v1/procedures", admin, p), "fee")
	// A fee alone keeps its meaning: a lump sum, no lines.
	got = obj(t, apptest.Want(t, e.post("/api/v1/procedures", admin, newProcedure("9.100004")), http.StatusCreated))
	if got["fee"] != float64(50000) || len(got["fee_lines"].([]any)) != 0 {
		t.Fatalf("lump sum: %v %v", got["fee"], got["fee_lines"])
	}
	// Bad lines, each named.
	bad := func(lines any, fields ...string) {
		t.Helper()
		p := newProcedure("9.100005")
		delete(p, "fee")
		p["fee_lines"] = lines
		wantFields(t, e.post("/api/v1/procedures", admin, p), fields...)
	}
	bad([]map[string]any{{"kind": "tax", "name": "Thuế", "amount": 1}}, "fee_lines[0].kind")
	bad([]map[string]any{{"kind": "fee", "name": "", "amount": 1}}, "fee_lines[0].name")
	bad([]map[string]any{{"kind": "fee", "name": strings.Repeat("p", 301), "amount": 1}}, "fee_lines[0].name")
	bad([]map[string]any{{"kind": "fee", "name": "Phí", "amount": -1}}, "fee_lines[0].amount")
	bad([]map[string]any{{"kind": "charge", "name": "Lệ phí", "amount": 1}, {"kind": "fee", "name": "Phí", "amount": 1_000_000_000_001}}, "fee_lines[1].amount")
	many := make([]int, 51)
	bad(feeLines(many...), "fee_lines")
	wantError(t, e.post("/api/v1/procedures", admin, map[string]any{"code": "9.100006", "fee_lines": []map[string]any{{"kind": "fee", "name": "P", "amount": 1, "vat": 0}}}),
		http.StatusBadRequest, "invalid_request")
	apptest.Want(t, e.post("/api/v1/procedures", admin, func() map[string]any {
		p := newProcedure("9.100007")
		delete(p, "fee")
		p["fee_lines"] = feeLines(make([]int, 50)...)
		return p
	}()), http.StatusCreated)

	// PATCH: new lines set the fee; a fee alone drops them; [] keeps the fee.
	path := "/api/v1/procedures/9.100001"
	got = obj(t, apptest.Want(t, e.patch(path, admin, map[string]any{"fee_lines": feeLines(5000, 7000, 1)}), http.StatusOK))
	if got["fee"] != float64(12001) || len(got["fee_lines"].([]any)) != 3 {
		t.Fatalf("patched lines: %v %v", got["fee"], got["fee_lines"])
	}
	wantFields(t, e.patch(path, admin, map[string]any{"fee_lines": feeLines(5000), "fee": 4000}), "fee")
	wantFields(t, e.patch(path, admin, map[string]any{"fee_lines": []map[string]any{{"kind": "x", "name": "y", "amount": 1}}}), "fee_lines[0].kind")
	got = obj(t, apptest.Want(t, e.patch(path, admin, map[string]any{"fee_lines": []any{}}), http.StatusOK))
	if got["fee"] != float64(12001) || len(got["fee_lines"].([]any)) != 0 {
		t.Fatalf("emptied lines: %v %v", got["fee"], got["fee_lines"])
	}
	apptest.Want(t, e.patch(path, admin, map[string]any{"fee_lines": feeLines(5000)}), http.StatusOK)
	got = obj(t, apptest.Want(t, e.patch(path, admin, map[string]any{"fee": 9000}), http.StatusOK))
	if got["fee"] != float64(9000) || len(got["fee_lines"].([]any)) != 0 {
		t.Fatalf("a fee alone: %v %v", got["fee"], got["fee_lines"])
	}
	// Lists carry the fee lines; GET one too.
	apptest.Want(t, e.patch(path, admin, map[string]any{"fee_lines": feeLines(1000, 2000)}), http.StatusOK)
	found := false
	for _, it := range items(t, apptest.Want(t, e.get("/api/v1/procedures?q=9.100001", e.tok("clerk")), http.StatusOK)) {
		if it["code"] == "9.100001" {
			found = it["fee"] == float64(3000) && len(it["fee_lines"].([]any)) == 2
		}
	}
	if !found {
		t.Fatal("the list lacks the fee lines")
	}
	if got := obj(t, e.get(path, admin)); got["fee"] != float64(3000) || len(got["fee_lines"].([]any)) != 2 {
		t.Fatalf("GET %v %v", got["fee"], got["fee_lines"])
	}
}

// componentsOf reads the components of code, retired ones included, by
// name.
func componentsOf(t *testing.T, e *env, code string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, c := range items(t, apptest.Want(t, e.get(compPath(code)+"?include_retired=true", e.tok("admin")), http.StatusOK)) {
		out[c["name"].(string)] = c
	}
	return out
}

func TestImportProceduresWithComponents(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	s := e.s
	head := `"field":"Thử nghiệm","agency_code":"` + demo.Justice + `","level":"province","processing_time":{"value":5,"unit":"working_days"},"online_level":"partial"`
	good := `{"code":"9.200001","name":"Cấp phép nhập khẩu thử",` + head + `,` +
		`"fee_lines":[{"kind":"charge","name":"Lệ phí cấp phép","amount":100000},{"kind":"fee","name":"Phí thẩm định","amount":25000}],` +
		`"components":[{"code":"9.200001-01","name":"Đơn đề nghị","template":"Mẫu số 01.docx"},` +
		`{"name":"Giấy ủy quyền","originals":0,"copies":1,"required":false,"condition":"Khi nộp thay"},` +
		`{"code":"9.200001-03","name":"Bản cũ","active":false}]}`
	lines := strings.Join([]string{
		good,
		`{"code":"9.200002","name":"Thành phần sai",` + head + `,"components":[{"name":"Được"},{"name":"","originals":0}]}`,
		`{"code":"9.200003","name":"Trùng mã",` + head + `,"components":[{"code":"A","name":"Một"},{"code":"A","name":"Hai"}]}`,
		`{"code":"9.200004","name":"Phí lệch",` + head + `,"fee":1,"fee_lines":[{"kind":"fee","name":"Phí","amount":2}]}`,
		`{"code":"9.200005","name":"Trường lạ",` + head + `,"components":[{"name":"Một","id":3}]}`,
	}, "\n")
	r := runImport(t, s, "procedures", lines)
	if r.Imported != 1 || r.ErrorsTotal != 4 {
		t.Fatalf("import %+v", r)
	}
	for i, want := range []string{"components[1].name: bắt buộc", "components[1].code: trùng mã với components[0]", "fee: phải bằng tổng", "components[0].id"} {
		if r.Errors[i].Line != int64(i+2) || !strings.Contains(r.Errors[i].Error, want) {
			t.Errorf("line %d: %+v, want %q", i+2, r.Errors[i], want)
		}
	}
	if !strings.Contains(r.Errors[0].Error, "components[1].originals") {
		t.Errorf("line 2 names every problem: %q", r.Errors[0].Error)
	}
	for _, code := range []string{"9.200002", "9.200003", "9.200004", "9.200005"} {
		wantError(t, e.get("/api/v1/procedures/"+code, s.Token("admin")), http.StatusNotFound, "not_found")
	}
	p := obj(t, apptest.Want(t, e.get("/api/v1/procedures/9.200001", s.Token("officer")), http.StatusOK))
	if p["fee"] != float64(125000) || len(p["fee_lines"].([]any)) != 2 || len(p["components"].([]any)) != 2 {
		t.Fatalf("imported %v %v %v", p["fee"], p["fee_lines"], p["components"])
	}
	cs := componentsOf(t, e, "9.200001")
	if cs["Đơn đề nghị"]["template"] != "Mẫu số 01.docx" || cs["Đơn đề nghị"]["position"] != float64(0) ||
		cs["Giấy ủy quyền"]["required"] != false || cs["Giấy ủy quyền"]["position"] != float64(1) || cs["Giấy ủy quyền"]["code"] != nil ||
		cs["Bản cũ"]["active"] != false || cs["Bản cũ"]["position"] != float64(2) {
		t.Fatalf("components %v", cs)
	}

	// The same file again changes nothing.
	sum := componentChecksum(t, s)
	r = runImport(t, s, "procedures", good)
	if r.Imported != 0 || r.SkippedDuplicates != 1 || componentChecksum(t, s) != sum {
		t.Fatalf("re-import %+v (changed: %v)", r, componentChecksum(t, s) != sum)
	}

	// The catalogue moved on: matched by code (renamed), by name (takes a
	// code), a retired one back, one no longer listed retired, one new;
	// the fee lines replaced; the procedure's own fields stay.
	next := `{"code":"9.200001","name":"Tên mới bị bỏ qua",` + head + `,` +
		`"fee_lines":[{"kind":"charge","name":"Lệ phí cấp phép","amount":120000}],` +
		`"components":[{"code":"9.200001-01","name":"Đơn đề nghị (mẫu mới)","template":"Mẫu số 01a.docx"},` +
		`{"code":"9.200001-03","name":"Bản cũ"},{"code":"9.200001-04","name":"Sơ đồ"}]}`
	before := componentsOf(t, e, "9.200001")
	r = runImport(t, s, "procedures", next+"\n"+next)
	if r.Imported != 1 || r.SkippedDuplicates != 1 || r.ErrorsTotal != 0 {
		t.Fatalf("update import %+v", r)
	}
	cs = componentsOf(t, e, "9.200001")
	renamed := cs["Đơn đề nghị (mẫu mới)"]
	if len(cs) != 4 || renamed["id"] != before["Đơn đề nghị"]["id"] || renamed["template"] != "Mẫu số 01a.docx" ||
		cs["Bản cũ"]["active"] != true || cs["Giấy ủy quyền"]["active"] != false || cs["Sơ đồ"]["active"] != true ||
		cs["Sơ đồ"]["position"] != float64(2) {
		t.Fatalf("synced %v", cs)
	}
	p = obj(t, e.get("/api/v1/procedures/9.200001", s.Token("admin")))
	if p["name"] != "Cấp phép nhập khẩu thử" || p["fee"] != float64(120000) || len(p["fee_lines"].([]any)) != 1 || len(p["components"].([]any)) != 3 {
		t.Fatalf("after the update %v %v %v %v", p["name"], p["fee"], p["fee_lines"], p["components"])
	}

	// A line without components or fee lines leaves them; [] retires every
	// component and drops the lines, keeping the fee.
	bare := `{"code":"9.200001","name":"Cấp phép nhập khẩu thử",` + head + `}`
	if r = runImport(t, s, "procedures", bare); r.Imported != 0 || r.SkippedDuplicates != 1 || len(componentsOf(t, e, "9.200001")) != 4 {
		t.Fatalf("a bare line %+v", r)
	}
	r = runImport(t, s, "procedures", `{"code":"9.200001","name":"N",`+head+`,"components":[],"fee_lines":[]}`)
	p = obj(t, e.get("/api/v1/procedures/9.200001", s.Token("admin")))
	if r.Imported != 1 || len(p["components"].([]any)) != 0 || p["fee"] != float64(120000) || len(p["fee_lines"].([]any)) != 0 {
		t.Fatalf("emptied %+v: %v %v %v", r, p["components"], p["fee"], p["fee_lines"])
	}
	// An existing procedure of the demo gets components too.
	r = runImport(t, s, "procedures", `{"code":"`+compProc+`","name":"x",`+head+`,"components":[{"name":"Tờ khai"}]}`)
	if got := items(t, e.get(compPath(compProc), s.Token("admin"))); r.Imported != 1 || len(got) != 1 || got[0]["name"] != "Tờ khai" {
		t.Fatalf("demo procedure %+v %v", r, got)
	}
}

// componentChecksum is every component row and the checksum of the tables
// imports write (tableChecksum), so that a test sees any change.
func componentChecksum(t *testing.T, s *apptest.Server) string {
	t.Helper()
	var b strings.Builder
	rows, err := s.App.DB.Raw("SELECT * FROM procedure_components ORDER BY id").Rows()
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			if x, ok := v.([]byte); ok {
				v = string(x)
			}
			fmt.Fprintf(&b, "%v\x1f", v)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String() + tableChecksum(t, s.App.DB)
}
