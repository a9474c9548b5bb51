package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/cmd/motcua/demo"
)

func newProcedure(code string) map[string]any {
	return map[string]any{
		"code": code, "name": "Cấp giấy phép thử nghiệm", "field": "Thử nghiệm", "agency_code": demo.Justice,
		"level": "province", "processing_time": map[string]any{"value": 5, "unit": "working_days"}, "fee": 50000,
		"online_level": "partial", "on_spot_eligible": true, "national_portal_integrated": false,
	}
}

func TestProcedureCRUD(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	admin := e.tok("admin")
	p := obj(t, apptest.Want(t, e.post("/api/v1/procedures", admin, newProcedure("9.000001")), http.StatusCreated))
	if p["status"] != "active" || p["agency_code"] != demo.Justice || p["fee"] != float64(50000) || p["on_spot_eligible"] != true {
		t.Fatalf("created %v", p)
	}
	pt := p["processing_time"].(map[string]any)
	if pt["value"] != float64(5) || pt["unit"] != "working_days" {
		t.Fatalf("processing_time %v", pt)
	}
	got := obj(t, apptest.Want(t, e.get("/api/v1/procedures/9.000001", admin), http.StatusOK))
	if got["name"] != "Cấp giấy phép thử nghiệm" || got["field"] != "Thử nghiệm" || got["online_level"] != "partial" {
		t.Fatalf("get %v", got)
	}
	upd := obj(t, apptest.Want(t, e.patch("/api/v1/procedures/9.000001", admin, map[string]any{
		"fee": 0, "on_spot_eligible": false, "processing_time": map[string]any{"value": 4, "unit": "working_hours"},
		"agency_code": demo.Planning}), http.StatusOK))
	if upd["fee"] != float64(0) || upd["on_spot_eligible"] != false || upd["agency_code"] != demo.Planning ||
		upd["processing_time"].(map[string]any)["unit"] != "working_hours" || upd["name"] != "Cấp giấy phép thử nghiệm" {
		t.Fatalf("patch %v", upd)
	}
	if got := obj(t, e.get("/api/v1/procedures/9.000001", admin)); got["agency_code"] != demo.Planning || got["fee"] != float64(0) {
		t.Fatalf("patch not stored: %v", got)
	}
	wantError(t, e.post("/api/v1/procedures", admin, newProcedure("9.000001")), http.StatusConflict, "conflict")
	wantError(t, e.post("/api/v1/procedures", admin, newProcedure("2.000908")), http.StatusConflict, "conflict")
	wantError(t, e.get("/api/v1/procedures/9.999999", admin), http.StatusNotFound, "not_found")
	wantError(t, e.patch("/api/v1/procedures/9.999999", admin, map[string]any{"fee": 1}), http.StatusNotFound, "not_found")
}

func TestProcedureValidation(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	admin := e.tok("admin")
	with := func(k string, v any) map[string]any {
		m := newProcedure("9.000002")
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
		{"bad code", with("code", "9/1"), []string{"code"}},
		{"no name", with("name", nil), []string{"name"}},
		{"name too long", with("name", strings.Repeat("ủ", 301)), []string{"name"}},
		{"no field", with("field", ""), []string{"field"}},
		{"no agency", with("agency_code", nil), []string{"agency_code"}},
		{"unknown agency", with("agency_code", "000.99.99.H99"), []string{"agency_code"}},
		{"bad level", with("level", "national"), []string{"level"}},
		{"no processing time", with("processing_time", nil), []string{"processing_time"}},
		{"bad unit", with("processing_time", map[string]any{"value": 5, "unit": "weeks"}), []string{"processing_time.unit"}},
		{"negative time", with("processing_time", map[string]any{"value": -1, "unit": "days"}), []string{"processing_time.value"}},
		{"negative fee", with("fee", -1), []string{"fee"}},
		{"bad online level", with("online_level", "4"), []string{"online_level"}},
		{"bad status", with("status", "draft"), []string{"status"}},
		{"several", map[string]any{"code": "9.000002", "processing_time": map[string]any{"value": 1, "unit": "x"}},
			[]string{"name", "field", "agency_code", "level", "processing_time.unit", "online_level"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantFields(t, e.post("/api/v1/procedures", admin, tt.body), tt.fields...)
		})
	}
	wantError(t, e.get("/api/v1/procedures/9.000002", admin), http.StatusNotFound, "not_found")
	wantFields(t, e.patch("/api/v1/procedures/2.000908", admin, map[string]any{"agency_code": "000.99.99.H99"}), "agency_code")
	wantFields(t, e.patch("/api/v1/procedures/2.000908", admin, map[string]any{"status": "draft", "fee": -5}), "status", "fee")
	wantFields(t, e.patch("/api/v1/procedures/2.000908", admin, map[string]any{"processing_time": map[string]any{"value": 3651, "unit": "days"}}),
		"processing_time.value")
}

func TestProcedureFiltersAndPagination(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	admin := e.tok("admin")
	// One abolished procedure, so the status filter has something to find.
	apptest.Want(t, e.post("/api/v1/procedures/1.001193/publications", admin,
		map[string]any{"kind": "abolished", "decision": "15/QĐ-UBND", "decided_on": "2026-11-20"}), http.StatusCreated)
	tok := e.tok("officer")
	all := items(t, apptest.Want(t, e.get("/api/v1/procedures?page_size=500", tok), http.StatusOK))
	if len(all) < 20 {
		t.Fatalf("the demo has 20+ procedures, listed %d", len(all))
	}
	for _, p := range all {
		if _, ok := p["publications"]; ok {
			t.Fatalf("lists do not carry publications: %v", p)
		}
	}
	expect := func(pred func(map[string]any) bool) []string {
		var out []string
		for _, p := range all {
			if pred(p) {
				out = append(out, p["code"].(string))
			}
		}
		return out
	}
	eq := func(k string, v any) func(map[string]any) bool {
		return func(p map[string]any) bool { return p[k] == v }
	}
	tests := []struct {
		query string
		want  []string
	}{
		{"agency_code=" + demo.Justice, expect(eq("agency_code", demo.Justice))},
		{"agency_code=" + demo.CommuneA, expect(eq("agency_code", demo.CommuneA))},
		{"level=province", expect(eq("level", "province"))},
		{"level=district", expect(eq("level", "district"))},
		{"level=commune", expect(eq("level", "commune"))},
		{"online_level=info", expect(eq("online_level", "info"))},
		{"online_level=partial", expect(eq("online_level", "partial"))},
		{"online_level=full", expect(eq("online_level", "full"))},
		{"status=active", expect(eq("status", "active"))},
		{"status=abolished", []string{"1.001193"}},
		{"on_spot_eligible=true", expect(eq("on_spot_eligible", true))},
		{"on_spot_eligible=false", expect(eq("on_spot_eligible", false))},
		{"field=" + "Ch%E1%BB%A9ng%20th%E1%BB%B1c", expect(eq("field", "Chứng thực"))},
		{"q=khai%20sinh", expect(func(p map[string]any) bool { return strings.Contains(p["name"].(string), "khai sinh") })},
		{"q=2.0009", expect(func(p map[string]any) bool { return strings.Contains(p["code"].(string), "2.0009") })},
		{"q=%25", nil},
		{"q=_", nil},
		{"level=province&on_spot_eligible=true&agency_code=" + demo.Justice, expect(func(p map[string]any) bool {
			return p["level"] == "province" && p["on_spot_eligible"] == true && p["agency_code"] == demo.Justice
		})},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			resp := apptest.Want(t, e.get("/api/v1/procedures?page_size=500&"+tt.query, tok), http.StatusOK)
			got := codes(items(t, resp))
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("got %v\nwant %v", got, tt.want)
			}
			if total(t, resp) != len(tt.want) {
				t.Fatalf("total %d, want %d", total(t, resp), len(tt.want))
			}
		})
	}
	// Each filter value splits the list without loss: the filters are real.
	for _, k := range []string{"level", "online_level", "on_spot_eligible"} {
		n := 0
		values := map[string][]string{"level": {"province", "district", "commune"}, "online_level": {"info", "partial", "full"},
			"on_spot_eligible": {"true", "false"}}[k]
		nonEmpty := 0
		for _, v := range values {
			c := total(t, e.get("/api/v1/procedures?"+k+"="+v, tok))
			n += c
			if c > 0 {
				nonEmpty++
			}
		}
		if n != len(all) || nonEmpty < 2 {
			t.Errorf("%s: the values cover %d of %d procedures, %d non-empty", k, n, len(all), nonEmpty)
		}
	}
	// Pages.
	p1 := codes(items(t, e.get("/api/v1/procedures?page_size=7&page=1", tok)))
	p2 := codes(items(t, e.get("/api/v1/procedures?page_size=7&page=2", tok)))
	if len(p1) != 7 || len(p2) != 7 || fmt.Sprint(append(p1, p2...)) != fmt.Sprint(codes(all)[:14]) {
		t.Fatalf("pages %v %v", p1, p2)
	}
	last := obj(t, e.get("/api/v1/procedures?page_size=7&page=1000", tok))
	if len(last["items"].([]any)) != 0 || int(last["total"].(float64)) != len(all) {
		t.Fatalf("past the last page: %v", last)
	}
	for q, field := range map[string]string{
		"page_size=501": "page_size", "page=0": "page", "on_spot_eligible=maybe": "on_spot_eligible",
		"level=national": "level", "online_level=4": "online_level", "status=draft": "status",
	} {
		wantFields(t, e.get("/api/v1/procedures?"+q, tok), field)
	}
}

func TestPublications(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	admin := e.tok("admin")
	const code = "2.000488"
	abolished := obj(t, apptest.Want(t, e.post("/api/v1/procedures/"+code+"/publications", admin,
		map[string]any{"kind": "abolished", "decision": "602/QĐ-UBND", "decided_on": "2021-05-26"}), http.StatusCreated))
	if abolished["status"] != "abolished" {
		t.Fatalf("status after abolishing: %v", abolished["status"])
	}
	pubs := abolished["publications"].([]any)
	if len(pubs) != 1 {
		t.Fatalf("publications %v", pubs)
	}
	if p := pubs[0].(map[string]any); p["kind"] != "abolished" || p["decision"] != "602/QĐ-UBND" || p["decided_on"] != "2021-05-26" {
		t.Fatalf("publication %v", p)
	}
	if got := obj(t, e.get("/api/v1/procedures/"+code, admin)); got["status"] != "abolished" || len(got["publications"].([]any)) != 1 {
		t.Fatalf("stored: %v", got)
	}
	if !contains(codes(items(t, e.get("/api/v1/procedures?status=abolished", admin))), code) {
		t.Fatal("the abolished procedure is not listed as abolished")
	}
	amended := obj(t, apptest.Want(t, e.post("/api/v1/procedures/"+code+"/publications", admin,
		map[string]any{"kind": "amended", "decision": "700/QĐ-UBND", "decided_on": "2022-01-10"}), http.StatusCreated))
	if amended["status"] != "active" || len(amended["publications"].([]any)) != 2 {
		t.Fatalf("after amending: %v", amended)
	}
	// Publications come in decision-date order.
	first := amended["publications"].([]any)[0].(map[string]any)
	if first["decided_on"] != "2021-05-26" {
		t.Fatalf("order %v", amended["publications"])
	}
	wantFields(t, e.post("/api/v1/procedures/"+code+"/publications", admin,
		map[string]any{"kind": "repealed", "decision": "", "decided_on": "2021-05-26"}), "kind", "decision")
	for _, bad := range []string{"26/05/2021", "2021-02-30", "", "2021-5-26"} {
		wantFields(t, e.post("/api/v1/procedures/"+code+"/publications", admin,
			map[string]any{"kind": "new", "decision": "1/QĐ", "decided_on": bad}), "decided_on")
	}
	wantError(t, e.post("/api/v1/procedures/9.999999/publications", admin,
		map[string]any{"kind": "new", "decision": "1/QĐ", "decided_on": "2021-05-26"}), http.StatusNotFound, "not_found")
	if got := obj(t, e.get("/api/v1/procedures/"+code, admin)); len(got["publications"].([]any)) != 2 {
		t.Fatalf("refused publications were stored: %v", got["publications"])
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
