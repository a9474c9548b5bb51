package api_test

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/cmd/motcua/demo"
)

func TestAgencyCRUD(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	admin := e.tok("admin")
	const code = "000.51.03.H99"
	created := obj(t, apptest.Want(t, e.post("/api/v1/agencies", admin, map[string]any{
		"code": code, "name": "UBND xã Nà Tăm", "kind": "commune", "parent_code": demo.District}), http.StatusCreated))
	if created["code"] != code || created["parent_code"] != demo.District || created["closed"] != false {
		t.Fatalf("created %v", created)
	}
	if ts := created["created_at"].(string); !strings.HasSuffix(ts, "+07:00") {
		t.Fatalf("created_at %q is not in the configured zone", ts)
	}
	got := obj(t, apptest.Want(t, e.get("/api/v1/agencies/"+code, admin), http.StatusOK))
	if got["name"] != "UBND xã Nà Tăm" || got["kind"] != "commune" {
		t.Fatalf("get %v", got)
	}
	upd := obj(t, apptest.Want(t, e.patch("/api/v1/agencies/"+code, admin, map[string]any{"name": "UBND xã Nà Tăm (mới)", "closed": true}), http.StatusOK))
	if upd["name"] != "UBND xã Nà Tăm (mới)" || upd["closed"] != true || upd["parent_code"] != demo.District {
		t.Fatalf("patch %v", upd)
	}
	if got := obj(t, e.get("/api/v1/agencies/"+code, admin)); got["closed"] != true {
		t.Fatalf("patch not stored: %v", got)
	}
	// "" would detach it as a second root, which the one-root tree refuses;
	// null and absence leave the parent.
	wantError(t, e.patch("/api/v1/agencies/"+code, admin, map[string]any{"parent_code": ""}), http.StatusConflict, "conflict")
	if got := obj(t, e.get("/api/v1/agencies/"+code, admin)); got["parent_code"] != demo.District {
		t.Fatalf("parent_code %v after a refused detach", got["parent_code"])
	}

	wantError(t, e.post("/api/v1/agencies", admin, map[string]any{"code": code, "name": "Trùng", "kind": "commune"}),
		http.StatusConflict, "conflict")
	wantError(t, e.get("/api/v1/agencies/000.99.99.H99", admin), http.StatusNotFound, "not_found")
	wantError(t, e.patch("/api/v1/agencies/000.99.99.H99", admin, map[string]any{"name": "x"}), http.StatusNotFound, "not_found")
}

func TestAgencyValidation(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	admin := e.tok("admin")
	ok := map[string]any{"code": "X1", "name": "Xã", "kind": "commune", "parent_code": demo.District}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for kk, vv := range ok {
			m[kk] = vv
		}
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
		{"no code", with("code", nil), []string{"code"}},
		{"code with spaces", with("code", "000 51"), []string{"code"}},
		{"code too long", with("code", strings.Repeat("9", 65)), []string{"code"}},
		{"no name", with("name", nil), []string{"name"}},
		{"blank name", with("name", "   "), []string{"name"}},
		{"name of 301 characters", with("name", strings.Repeat("ạ", 301)), []string{"name"}},
		{"unknown kind", with("kind", "ministry"), []string{"kind"}},
		{"unknown parent", with("parent_code", "000.99.99.H99"), []string{"parent_code"}},
		{"own parent", with("parent_code", "X1"), []string{"parent_code"}},
		{"everything at once", map[string]any{"code": "a b", "kind": "x"}, []string{"code", "name", "kind"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantFields(t, e.post("/api/v1/agencies", admin, tt.body), tt.fields...)
		})
	}
	wantError(t, e.get("/api/v1/agencies/X1", admin), http.StatusNotFound, "not_found")
	apptest.Want(t, e.post("/api/v1/agencies", admin, with("name", strings.Repeat("ạ", 300))), http.StatusCreated)

	// PATCH validates the merged agency.
	wantFields(t, e.patch("/api/v1/agencies/X1", admin, map[string]any{"kind": "ministry", "name": ""}), "kind", "name")
	wantFields(t, e.patch("/api/v1/agencies/X1", admin, map[string]any{"parent_code": "000.99.99.H99"}), "parent_code")
}

func TestReparentingIntoOwnSubtreeIs422(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	admin := e.tok("admin")
	tests := []struct{ code, parent string }{
		{demo.Province, demo.CommuneA}, // the root under its grandchild
		{demo.District, demo.CommuneB}, // the district under its own commune
		{demo.District, demo.District}, // itself
	}
	for _, tt := range tests {
		wantFields(t, e.patch("/api/v1/agencies/"+tt.code, admin, map[string]any{"parent_code": tt.parent}), "parent_code")
		got := obj(t, e.get("/api/v1/agencies/"+tt.code, admin))
		if got["parent_code"] == tt.parent {
			t.Fatalf("%s was moved under %s", tt.code, tt.parent)
		}
	}
	// A legal move: commune B from the district to the province; then
	// commune A may go under B, since B is no longer below anything of A's.
	apptest.Want(t, e.patch("/api/v1/agencies/"+demo.CommuneB, admin, map[string]any{"parent_code": demo.Province}), http.StatusOK)
	apptest.Want(t, e.patch("/api/v1/agencies/"+demo.CommuneA, admin, map[string]any{"parent_code": demo.CommuneB}), http.StatusOK)
	// And now B may not go under A (A is below B).
	wantFields(t, e.patch("/api/v1/agencies/"+demo.CommuneB, admin, map[string]any{"parent_code": demo.CommuneA}), "parent_code")
}

func TestAgencyFiltersAndPagination(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	tok := e.tok("viewer")
	all := items(t, apptest.Want(t, e.get("/api/v1/agencies?page_size=500", tok), http.StatusOK))
	if len(all) < 9 {
		t.Fatalf("the demo has 9 agencies, listed %d", len(all))
	}
	sorted := sort.SliceIsSorted(all, func(i, j int) bool { return all[i]["code"].(string) < all[j]["code"].(string) })
	if !sorted {
		t.Fatalf("agencies are listed by code: %v", codes(all))
	}
	expect := func(pred func(map[string]any) bool) []string {
		var out []string
		for _, a := range all {
			if pred(a) {
				out = append(out, a["code"].(string))
			}
		}
		return out
	}
	tests := []struct {
		query string
		want  []string
	}{
		{"kind=commune", expect(func(a map[string]any) bool { return a["kind"] == "commune" })},
		{"kind=department", expect(func(a map[string]any) bool { return a["kind"] == "department" })},
		{"parent_code=" + demo.Province + "&kind=commune", []string{demo.CommuneA, demo.CommuneB}},
		{"parent_code=" + demo.District, nil}, // two tiers since 2025-07-01: the former district has no communes
		{"parent_code=" + demo.Province + "&kind=district", []string{demo.District}},
		{"q=" + demo.Center, []string{demo.Center}},
		{"q=h%C3%A0nh%20ch%C3%ADnh", []string{demo.Center}}, // "hành chính", part of the centre's name
		{"q=ubnd", []string{demo.Province, demo.District, demo.CommuneA, demo.CommuneB}},
		{"q=%25", nil}, // a literal % matches nothing: wildcards are escaped
		{"q=_", nil},
		{"q=51.01", []string{demo.CommuneA}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			resp := apptest.Want(t, e.get("/api/v1/agencies?page_size=500&"+tt.query, tok), http.StatusOK)
			got := codes(items(t, resp))
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			if total(t, resp) != len(tt.want) {
				t.Fatalf("total %d, want %d", total(t, resp), len(tt.want))
			}
		})
	}
	if n := len(expect(func(a map[string]any) bool { return a["kind"] == "commune" })); n != 2 {
		t.Fatalf("the demo has 2 communes, found %d", n)
	}
	// Pages partition the list.
	var paged []string
	for page := 1; ; page++ {
		resp := apptest.Want(t, e.get("/api/v1/agencies?page_size=4&page="+strconv.Itoa(page), tok), http.StatusOK)
		m := obj(t, resp)
		if m["page"] != float64(page) || m["page_size"] != float64(4) || int(m["total"].(float64)) != len(all) {
			t.Fatalf("page %d envelope %v", page, m)
		}
		got := codes(items(t, resp))
		if len(got) == 0 {
			break
		}
		paged = append(paged, got...)
	}
	if fmt.Sprint(paged) != fmt.Sprint(codes(all)) {
		t.Fatalf("pages %v, all %v", paged, codes(all))
	}
	d := obj(t, e.get("/api/v1/agencies", tok))
	if d["page"] != float64(1) || d["page_size"] != float64(50) {
		t.Fatalf("default paging %v", d)
	}
	for q, field := range map[string]string{
		"page_size=501": "page_size", "page_size=0": "page_size", "page_size=ten": "page_size",
		"page=0": "page", "page=-1": "page", "page=x": "page", "kind=ministry": "kind",
	} {
		wantFields(t, e.get("/api/v1/agencies?"+q, tok), field)
	}
	apptest.Want(t, e.get("/api/v1/agencies?page_size=500", tok), http.StatusOK)
}
