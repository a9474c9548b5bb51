package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
)

// The component routes in the auth matrix. The matrix's POST row creates
// components 1 to 4 (admin and admin.unit, own side then other side), so
// component 1 belongs to the own side's procedure: the PATCH row changes it
// on the own side and, on the other side, asks for it under another
// procedure (404).
func init() {
	adminsOnly := func(ownOK, otherOK int) cols {
		return cols{{ownOK, otherOK}, {ownOK, otherOK}, same(403), same(403), same(403), same(403)}
	}
	matrixRows = append(matrixRows,
		matrixRow{method: "GET", pattern: "/api/v1/procedures/:code/components", path: "/api/v1/procedures/{procedure}/components",
			want: everyone(200)},
		matrixRow{method: "POST", pattern: "/api/v1/procedures/:code/components", path: "/api/v1/procedures/{procedure}/components",
			want: adminsOnly(201, 201),
			body: func(f *matrixFixtures, _ side) any {
				return map[string]any{"name": fmt.Sprintf("Thành phần thử %d", f.next())}
			}},
		matrixRow{method: "PATCH", pattern: "/api/v1/procedures/:code/components/:id", path: "/api/v1/procedures/{procedure}/components/1",
			want: adminsOnly(200, 404),
			body: func(*matrixFixtures, side) any { return map[string]any{"required": true} }},
	)
}

const compProc = "2.000488" // demo: Sở Tư pháp

func compPath(code string) string { return "/api/v1/procedures/" + code + "/components" }

func compID(t *testing.T, m map[string]any) string {
	t.Helper()
	return fmt.Sprint(int64(m["id"].(float64)))
}

func ids(list []map[string]any) []string {
	var out []string
	for _, m := range list {
		out = append(out, fmt.Sprint(int64(m["id"].(float64))))
	}
	return out
}

func TestComponentsCreateListAndOrder(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	admin := e.tok("admin")
	if got := items(t, apptest.Want(t, e.get(compPath(compProc), e.tok("officer")), http.StatusOK)); len(got) != 0 {
		t.Fatalf("a procedure without components lists %v", got)
	}
	a := obj(t, apptest.Want(t, e.post(compPath(compProc), admin, map[string]any{"name": "Tờ khai đề nghị"}), http.StatusCreated))
	if a["procedure_code"] != compProc || a["code"] != nil || a["template"] != nil || a["condition"] != "" ||
		a["originals"] != float64(1) || a["copies"] != float64(0) || a["required"] != true || a["active"] != true ||
		a["position"] != float64(0) || a["created_at"] == nil || a["updated_at"] == nil {
		t.Fatalf("defaults: %v", a)
	}
	b := obj(t, apptest.Want(t, e.post(compPath(compProc), admin, map[string]any{"name": "Giấy ủy quyền", "code": "TP-02",
		"originals": 0, "copies": 2, "required": false, "condition": "Khi nộp thay\nngười khác", "template": "Mẫu số 02.docx",
		"position": 5}), http.StatusCreated))
	if b["code"] != "TP-02" || b["template"] != "Mẫu số 02.docx" || b["required"] != false || b["condition"] != "Khi nộp thay\nngười khác" ||
		b["position"] != float64(5) || b["originals"] != float64(0) || b["copies"] != float64(2) {
		t.Fatalf("given fields: %v", b)
	}
	c := obj(t, apptest.Want(t, e.post(compPath(compProc), admin, map[string]any{"name": "Ảnh 4x6"}), http.StatusCreated))
	if c["position"] != float64(6) {
		t.Fatalf("without a position a component goes after the last: %v", c["position"])
	}
	d := obj(t, apptest.Want(t, e.post(compPath(compProc), admin, map[string]any{"name": "Bản sao CCCD", "position": 5}), http.StatusCreated))
	retired := obj(t, apptest.Want(t, e.post(compPath(compProc), admin, map[string]any{"name": "Bản cũ", "position": 1, "active": false}), http.StatusCreated))
	// By position, then id; the retired one only with include_retired.
	want := []string{compID(t, a), compID(t, b), compID(t, d), compID(t, c)}
	if got := ids(items(t, apptest.Want(t, e.get(compPath(compProc), e.tok("viewer")), http.StatusOK))); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("order %v, want %v", got, want)
	}
	withRetired := []string{compID(t, a), compID(t, retired), compID(t, b), compID(t, d), compID(t, c)}
	if got := ids(items(t, apptest.Want(t, e.get(compPath(compProc)+"?include_retired=true", e.tok("clerk")), http.StatusOK))); strings.Join(got, ",") != strings.Join(withRetired, ",") {
		t.Fatalf("with the retired %v, want %v", got, withRetired)
	}
	if got := ids(items(t, apptest.Want(t, e.get(compPath(compProc)+"?include_retired=false", admin), http.StatusOK))); len(got) != 4 {
		t.Fatalf("include_retired=false: %v", got)
	}
	// GET procedure carries the active ones in order; lists carry none.
	p := obj(t, apptest.Want(t, e.get("/api/v1/procedures/"+compProc, e.tok("leader")), http.StatusOK))
	pc, _ := p["components"].([]any)
	if len(pc) != 4 || fmt.Sprint(int64(pc[0].(map[string]any)["id"].(float64))) != compID(t, a) {
		t.Fatalf("the procedure's components: %v", p["components"])
	}
	for _, it := range items(t, apptest.Want(t, e.get("/api/v1/procedures?page_size=500", admin), http.StatusOK)) {
		if _, there := it["components"]; there {
			t.Fatalf("a list carries components: %v", it)
		}
	}
}

func TestComponentsPatchAndRetire(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	admin := e.tok("admin")
	a := obj(t, apptest.Want(t, e.post(compPath(compProc), admin, map[string]any{"name": "Tờ khai", "code": "TK",
		"template": "Mẫu 01.docx"}), http.StatusCreated))
	path := compPath(compProc) + "/" + compID(t, a)
	e.s.Clock.Advance(time.Minute) // so that updated_at moves
	u := obj(t, apptest.Want(t, e.patch(path, admin, map[string]any{"name": "Tờ khai (mẫu mới)", "code": "TK-2", "originals": 2,
		"copies": 3, "required": false, "condition": "Khi có thay đổi", "position": 9}), http.StatusOK))
	if u["name"] != "Tờ khai (mẫu mới)" || u["code"] != "TK-2" || u["originals"] != float64(2) || u["copies"] != float64(3) ||
		u["required"] != false || u["condition"] != "Khi có thay đổi" || u["position"] != float64(9) || u["template"] != "Mẫu 01.docx" ||
		u["id"] != a["id"] || u["created_at"] != a["created_at"] || u["updated_at"] == a["updated_at"] {
		t.Fatalf("patched %v", u)
	}
	// null clears code and template; absent fields stay.
	u = obj(t, apptest.Want(t, e.patch(path, admin, map[string]any{"code": nil, "template": nil}), http.StatusOK))
	if u["code"] != nil || u["template"] != nil || u["name"] != "Tờ khai (mẫu mới)" {
		t.Fatalf("cleared %v", u)
	}
	// Retired: out of the list and of the procedure, kept with include_retired.
	u = obj(t, apptest.Want(t, e.patch(path, admin, map[string]any{"active": false}), http.StatusOK))
	if u["active"] != false {
		t.Fatalf("retired %v", u)
	}
	if got := items(t, e.get(compPath(compProc), admin)); len(got) != 0 {
		t.Fatalf("a retired component is listed: %v", got)
	}
	if got := obj(t, e.get("/api/v1/procedures/"+compProc, admin))["components"].([]any); len(got) != 0 {
		t.Fatalf("a retired component is on the procedure: %v", got)
	}
	if got := items(t, e.get(compPath(compProc)+"?include_retired=true", admin)); len(got) != 1 || got[0]["active"] != false {
		t.Fatalf("the retired one is kept: %v", got)
	}
	// And back.
	apptest.Want(t, e.patch(path, admin, map[string]any{"active": true}), http.StatusOK)
	if got := items(t, e.get(compPath(compProc), admin)); len(got) != 1 {
		t.Fatalf("brought back: %v", got)
	}
	// The audit trail has the three kinds of write as changes of the procedure.
	details := map[string]bool{}
	for _, en := range auditEntries(t, e, admin, "action=procedure.update", 100) {
		if en["subject"] == compProc {
			details[en["detail"].(string)] = true
		}
	}
	id := compID(t, a)
	for _, d := range []string{"component=" + id + " create", "component=" + id + " update", "component=" + id + " retire"} {
		if !details[d] {
			t.Errorf("audit lacks %q: %v", d, details)
		}
	}
}

func TestComponentsCodeIsUniqueWithinAProcedure(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	admin := e.tok("admin")
	a := obj(t, apptest.Want(t, e.post(compPath(compProc), admin, map[string]any{"name": "Tờ khai", "code": "TK-01"}), http.StatusCreated))
	b := wantError(t, e.post(compPath(compProc), admin, map[string]any{"name": "Khác", "code": "TK-01"}), http.StatusConflict, "conflict")
	if b.Error.Details["field"] != "code" {
		t.Errorf("the conflict names code: %v", b.Error.Details)
	}
	apptest.Want(t, e.post(compPath("2.000908"), admin, map[string]any{"name": "Tờ khai", "code": "TK-01"}), http.StatusCreated)
	// A retired component keeps its code.
	apptest.Want(t, e.patch(compPath(compProc)+"/"+compID(t, a), admin, map[string]any{"active": false}), http.StatusOK)
	wantError(t, e.post(compPath(compProc), admin, map[string]any{"name": "Khác", "code": "TK-01"}), http.StatusConflict, "conflict")
	// Several without a code are fine; a code taken by PATCH is a conflict.
	for range 2 {
		apptest.Want(t, e.post(compPath(compProc), admin, map[string]any{"name": "Không mã"}), http.StatusCreated)
	}
	c := obj(t, apptest.Want(t, e.post(compPath(compProc), admin, map[string]any{"name": "Ảnh", "code": "ANH"}), http.StatusCreated))
	wantError(t, e.patch(compPath(compProc)+"/"+compID(t, c), admin, map[string]any{"code": "TK-01"}), http.StatusConflict, "conflict")
	if got := items(t, e.get(compPath(compProc)+"?include_retired=true", admin)); len(got) != 4 {
		t.Fatalf("the refused writes stored something: %d components", len(got))
	}
}

func TestComponentsNotFoundAndForbidden(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	admin := e.tok("admin")
	a := obj(t, apptest.Want(t, e.post(compPath(compProc), admin, map[string]any{"name": "Tờ khai"}), http.StatusCreated))
	body := map[string]any{"name": "X"}
	wantError(t, e.get(compPath("9.999999"), admin), http.StatusNotFound, "not_found")
	wantError(t, e.post(compPath("9.999999"), admin, body), http.StatusNotFound, "not_found")
	wantError(t, e.patch(compPath("9.999999")+"/"+compID(t, a), admin, body), http.StatusNotFound, "not_found")
	wantError(t, e.patch(compPath(compProc)+"/999999", admin, body), http.StatusNotFound, "not_found")
	wantError(t, e.patch(compPath(compProc)+"/abc", admin, body), http.StatusNotFound, "not_found")
	wantError(t, e.patch(compPath("2.000908")+"/"+compID(t, a), admin, body), http.StatusNotFound, "not_found")
	for _, who := range []string{"clerk", "officer", "leader", "viewer"} {
		tok := e.tok(who)
		wantError(t, e.post(compPath(compProc), tok, body), http.StatusForbidden, "forbidden")
		wantError(t, e.patch(compPath(compProc)+"/"+compID(t, a), tok, body), http.StatusForbidden, "forbidden")
		apptest.Want(t, e.get(compPath(compProc), tok), http.StatusOK)
	}
	if got := items(t, e.get(compPath(compProc), admin)); len(got) != 1 || got[0]["name"] != "Tờ khai" {
		t.Fatalf("a refused write changed something: %v", got)
	}
}

func TestComponentsValidation(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	admin := e.tok("admin")
	with := func(k string, v any) map[string]any {
		m := map[string]any{"name": "Tờ khai", "code": "TK", "originals": 1, "copies": 0, "template": "Mẫu.docx"}
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name   string
		body   map[string]any
		fields []string
	}{
		{"no name", with("name", nil), []string{"name"}},
		{"blank name", with("name", "  "), []string{"name"}},
		{"name too long", with("name", strings.Repeat("ữ", 301)), []string{"name"}},
		{"empty code", with("code", ""), []string{"code"}},
		{"code not ASCII", with("code", "mã-01"), []string{"code"}},
		{"code too long", with("code", strings.Repeat("A", 51)), []string{"code"}},
		{"code with a trailing space", with("code", "TK "), []string{"code"}},
		{"originals over 100", with("originals", 101), []string{"originals"}},
		{"negative originals", with("originals", -1), []string{"originals"}},
		{"copies over 100", with("copies", 101), []string{"copies"}},
		{"negative copies", with("copies", -1), []string{"copies"}},
		{"neither original nor copy", with("originals", 0), []string{"originals", "copies"}},
		{"condition too long", with("condition", strings.Repeat("a", 10001)), []string{"condition"}},
		{"empty template", with("template", ""), []string{"template"}},
		{"template with a slash", with("template", "mau/01.docx"), []string{"template"}},
		{"template with a backslash", with("template", `mau\01.docx`), []string{"template"}},
		{"template too long", with("template", strings.Repeat("a", 256)), []string{"template"}},
		{"template of spaces", with("template", "   "), []string{"template"}},
		{"template with a tab", with("template", "a\tb.docx"), []string{"template"}},
		{"negative position", with("position", -1), []string{"position"}},
		{"position too far", with("position", 1_000_001), []string{"position"}},
		{"several", map[string]any{"originals": 0, "copies": 0, "position": -2}, []string{"name", "originals", "copies", "position"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantFields(t, e.post(compPath(compProc), admin, tt.body), tt.fields...)
		})
	}
	wantFields(t, e.get(compPath(compProc)+"?include_retired=maybe", admin), "include_retired")
	wantError(t, e.post(compPath(compProc), admin, map[string]any{"name": "X", "id": 7}), http.StatusBadRequest, "invalid_request")
	wantError(t, e.post(compPath(compProc), admin, map[string]any{"name": "X", "originals": "1"}), http.StatusBadRequest, "invalid_request")
	wantError(t, e.post(compPath(compProc), admin, map[string]any{"name": "X", "procedure_code": "2.000908"}), http.StatusBadRequest, "invalid_request")
	wantFields(t, e.post(compPath(compProc), admin, map[string]any{"name": nil}), "name")

	a := obj(t, apptest.Want(t, e.post(compPath(compProc), admin, map[string]any{"name": "Tờ khai", "copies": 1}), http.StatusCreated))
	path := compPath(compProc) + "/" + compID(t, a)
	wantFields(t, e.patch(path, admin, map[string]any{"originals": 0, "copies": 0}), "originals", "copies")
	wantFields(t, e.patch(path, admin, map[string]any{"name": ""}), "name")
	wantFields(t, e.patch(path, admin, map[string]any{"code": "", "template": "x/y"}), "code", "template")
	wantFields(t, e.patch(path, admin, map[string]any{"position": -1, "copies": 101}), "position", "copies")
	wantError(t, e.patch(path, admin, map[string]any{"id": 9}), http.StatusBadRequest, "invalid_request")
	wantError(t, e.patch(path, admin, map[string]any{"active": "no"}), http.StatusBadRequest, "invalid_request")
	if got := obj(t, e.get("/api/v1/procedures/"+compProc, admin))["components"].([]any); len(got) != 1 ||
		got[0].(map[string]any)["name"] != "Tờ khai" || got[0].(map[string]any)["copies"] != float64(1) {
		t.Fatalf("refused patches changed the component: %v", got)
	}
}
