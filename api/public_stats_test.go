package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/cmd/motcua/demo"
)

// ==== public figures (prefix pubStats)

// pubStatsFigures are the fields GET /api/v1/public/stats publishes of a
// form-06 row or total, and nothing else.
var pubStatsFigures = []string{"received_total", "resolved_total", "on_time_rate", "online_rate", "on_spot_rate"}

// pubStatsGet asks for the public figures of month, without a token.
func pubStatsGet(e *env, month string, header map[string]string) apptest.Response {
	e.t.Helper()
	return e.do(apptest.Request{Method: http.MethodGet, Path: "/api/v1/public/stats?month=" + month, Header: header})
}

// pubStatsLine is an imported dossier of the Sở Tư pháp (procedure
// 2.000488) received and resolved in October 2026.
func pubStatsLine(code string) string {
	return fmt.Sprintf(`{"code":%q,"procedure_code":"2.000488","unit_code":%q,"channel":"online","status":"returned",`+
		`"applicant":{"name":"Lò Thị Dung","id_number":"012345678901"},"received_at":"2026-10-05T08:00:00+07:00",`+
		`"resolved_at":"2026-10-07T10:00:00+07:00","outcome":"approved","returned_at":"2026-10-08T09:00:00+07:00"}`, code, demo.Center)
}

// pubStatsKeys are the keys of m, sorted.
func pubStatsKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// pubStatsSameAsForm06 checks that the public answer is the staff form 06
// by agency for the same month: the period, the total, and row for row the
// agency, its name and the published figures, with nothing else in them.
// It returns the public answer's agencies by code.
func pubStatsSameAsForm06(t *testing.T, e *env, month string) map[string]map[string]any {
	t.Helper()
	pub := obj(t, apptest.Want(t, pubStatsGet(e, month, nil), http.StatusOK))
	staff := obj(t, apptest.Want(t, e.get("/api/v1/stats/dossiers?group_by=agency&month="+month, e.tok("viewer")), http.StatusOK))
	if got := pubStatsKeys(pub); !slices.Equal(got, []string{"agencies", "computed_at", "period", "total"}) {
		t.Fatalf("%s: public answer has %v", month, got)
	}
	if !reflect.DeepEqual(pub["period"], staff["period"]) {
		t.Errorf("%s: period %v, form 06 %v", month, pub["period"], staff["period"])
	}
	want := slices.Sorted(slices.Values(pubStatsFigures))
	same := func(what string, p, s map[string]any) {
		t.Helper()
		for _, k := range pubStatsFigures {
			if !reflect.DeepEqual(p[k], s[k]) {
				t.Errorf("%s %s: %s %v, form 06 %v", month, what, k, p[k], s[k])
			}
		}
	}
	total := pub["total"].(map[string]any)
	if got := pubStatsKeys(total); !slices.Equal(got, want) {
		t.Errorf("%s: total has %v, want %v", month, got, want)
	}
	same("total", total, staff["total"].(map[string]any))
	rows, _ := staff["rows"].([]any)
	agencies, _ := pub["agencies"].([]any)
	if len(agencies) != len(rows) {
		t.Fatalf("%s: %d agencies, form 06 has %d rows", month, len(agencies), len(rows))
	}
	byCode := map[string]map[string]any{}
	withRow := append([]string{"agency_code", "name"}, pubStatsFigures...)
	slices.Sort(withRow)
	for i := range rows {
		a, r := agencies[i].(map[string]any), rows[i].(map[string]any)
		if got := pubStatsKeys(a); !slices.Equal(got, withRow) {
			t.Errorf("%s: agency row has %v, want %v", month, got, withRow)
		}
		if a["agency_code"] != r["group"] || a["name"] != r["name"] {
			t.Errorf("%s row %d: %v %v, form 06 %v %v", month, i, a["agency_code"], a["name"], r["group"], r["name"])
		}
		same(fmt.Sprint(r["group"]), a, r)
		byCode[a["agency_code"].(string)] = a
	}
	return byCode
}

// TestPublicStatsAreForm06ByAgency: without login, a closed month's answer
// is the staff form 06 by agency for that month, field for field, with only
// the published fields, no dossier code and no applicant in it, and headers
// for shared caches.
func TestPublicStatsAreForm06ByAgency(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	// The demo's dossiers (the last two months) fill September and October
	// 2026; August is empty.
	for _, month := range []string{"2026-10", "2026-09", "2026-08"} {
		pubStatsSameAsForm06(t, e, month)
	}
	oct := pubStatsSameAsForm06(t, e, "2026-10")
	if j := oct[demo.Justice]; j == nil || j["received_total"].(float64) == 0 || j["resolved_total"].(float64) == 0 {
		t.Fatalf("the Sở Tư pháp's October: %v", j)
	}
	r := apptest.Want(t, pubStatsGet(e, "2026-10", nil), http.StatusOK)
	if cc := r.Header.Get("Cache-Control"); cc != "public, max-age=3600" {
		t.Errorf("Cache-Control %q", cc)
	}
	if et := r.Header.Get("ETag"); !strings.HasPrefix(et, `"`) || !strings.HasSuffix(et, `"`) || len(et) < 10 {
		t.Errorf("ETag %q is not a strong tag", et)
	}
	var codes []string
	if err := e.s.App.DB.Raw("SELECT code FROM dossiers").Scan(&codes).Error; err != nil || len(codes) == 0 {
		t.Fatalf("dossier codes: %v %v", codes, err)
	}
	for _, c := range codes {
		if strings.Contains(string(r.Body), c) {
			t.Fatalf("the public figures name dossier %s", c)
		}
	}
	for _, name := range []string{"Nguyễn", "Trần", "Lò", "Lê"} {
		if strings.Contains(string(r.Body), name) {
			t.Fatalf("the public figures hold a person's name (%s): %s", name, r.Body)
		}
	}
	// A token changes nothing: the same figures for a citizen and for staff.
	withTok := apptest.Want(t, e.get("/api/v1/public/stats?month=2026-10", e.tok("clerk")), http.StatusOK)
	if string(withTok.Body) != string(r.Body) {
		t.Errorf("with a token: %s\nwithout: %s", withTok.Body, r.Body)
	}
}

// TestPublicStatsETagCacheAndImport: If-None-Match with the ETag is 304;
// the kept answer is served (computed_at unchanged) until an import of
// dossiers into that month discards it, then the figures move with form
// 06, and the old ETag no longer matches; past the cache time the answer is
// computed again.
func TestPublicStatsETagCacheAndImport(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	first := apptest.Want(t, pubStatsGet(e, "2026-10", nil), http.StatusOK)
	etag := first.Header.Get("ETag")
	for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
		r := apptest.Want(t, pubStatsGet(e, "2026-10", map[string]string{"If-None-Match": inm}), http.StatusNotModified)
		if len(r.Body) != 0 || r.Header.Get("ETag") != etag || !strings.HasPrefix(r.Header.Get("Cache-Control"), "public, max-age=") {
			t.Errorf("If-None-Match %s: %q ETag %q Cache-Control %q", inm, r.Body, r.Header.Get("ETag"), r.Header.Get("Cache-Control"))
		}
	}
	apptest.Want(t, pubStatsGet(e, "2026-10", map[string]string{"If-None-Match": `"not-it"`}), http.StatusOK)

	// Ten minutes on: the kept answer, its life shortened by as much.
	e.s.Clock.Advance(10 * time.Minute)
	kept := apptest.Want(t, pubStatsGet(e, "2026-10", nil), http.StatusOK)
	if string(kept.Body) != string(first.Body) || kept.Header.Get("ETag") != etag {
		t.Fatalf("not the kept answer:\n%s\n%s", kept.Body, first.Body)
	}
	if cc := kept.Header.Get("Cache-Control"); cc != "public, max-age=3000" {
		t.Errorf("Cache-Control after 10 minutes %q", cc)
	}
	before := pubStatsSameAsForm06(t, e, "2026-10")[demo.Justice]

	// An import of a dossier resolved in October discards it.
	if r := runImport(t, e.s, "dossiers", pubStatsLine("PUBSTATS-1")); r.Imported != 1 {
		t.Fatalf("import: %+v", r)
	}
	after := pubStatsSameAsForm06(t, e, "2026-10")[demo.Justice]
	for _, k := range []string{"received_total", "resolved_total"} {
		if after[k].(float64) != before[k].(float64)+1 {
			t.Errorf("the Sở Tư pháp's %s: %v before the import, %v after", k, before[k], after[k])
		}
	}
	moved := apptest.Want(t, pubStatsGet(e, "2026-10", map[string]string{"If-None-Match": etag}), http.StatusOK)
	if moved.Header.Get("ETag") == etag {
		t.Error("the ETag did not change with the figures")
	}
	var a, b struct {
		ComputedAt time.Time `json:"computed_at"`
	}
	first.Decode(t, &a)
	moved.Decode(t, &b)
	if !b.ComputedAt.After(a.ComputedAt) {
		t.Errorf("computed_at %v after the import, %v before", b.ComputedAt, a.ComputedAt)
	}
	// A second import of the same line stores nothing and changes nothing.
	runImport(t, e.s, "dossiers", pubStatsLine("PUBSTATS-1"))
	if again := pubStatsSameAsForm06(t, e, "2026-10")[demo.Justice]; !reflect.DeepEqual(again, after) {
		t.Errorf("after a duplicate import %v, before %v", again, after)
	}

	// Past the cache time it is computed again.
	kept = apptest.Want(t, pubStatsGet(e, "2026-10", nil), http.StatusOK)
	e.s.Clock.Advance(time.Hour)
	later := apptest.Want(t, pubStatsGet(e, "2026-10", nil), http.StatusOK)
	var c, d struct {
		ComputedAt time.Time `json:"computed_at"`
	}
	kept.Decode(t, &c)
	later.Decode(t, &d)
	if !d.ComputedAt.Equal(c.ComputedAt.Add(time.Hour)) {
		t.Errorf("computed_at %v an hour after %v", d.ComputedAt, c.ComputedAt)
	}
}

// TestPublicStatsWithoutCache: MOTCUA_PUBLIC_STATS_CACHE_SECONDS=0 computes
// every answer (max-age=0); the ETag still answers 304 while the body is
// the same.
func TestPublicStatsWithoutCache(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{Env: map[string]string{"MOTCUA_PUBLIC_STATS_CACHE_SECONDS": "0"}})
	r1 := apptest.Want(t, pubStatsGet(e, "2026-10", nil), http.StatusOK)
	if cc := r1.Header.Get("Cache-Control"); cc != "public, max-age=0" {
		t.Errorf("Cache-Control %q", cc)
	}
	apptest.Want(t, pubStatsGet(e, "2026-10", map[string]string{"If-None-Match": r1.Header.Get("ETag")}), http.StatusNotModified)
	e.s.Clock.Advance(time.Second)
	r2 := apptest.Want(t, pubStatsGet(e, "2026-10", nil), http.StatusOK)
	var a, b map[string]any
	_ = json.Unmarshal(r1.Body, &a)
	_ = json.Unmarshal(r2.Body, &b)
	if a["computed_at"] == b["computed_at"] {
		t.Errorf("not computed again: %v", b["computed_at"])
	}
}

// TestPublicStatsOnlyClosedMonths: the current and future months, a
// missing or malformed month and other periods are 422 on month; with a
// cut-off day of 15 the month 2026-11 (15 October to 14 November) is closed
// on 23 November.
func TestPublicStatsOnlyClosedMonths(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{}) // 2026-11-23
	for _, q := range []string{
		"month=2026-11", "month=2026-12", "month=2031-01", "", "month=", "month=2026-13", "month=2026-00", "month=2026-1",
		"month=2026%2F10", "month=26-10", "month=abcd-ef", "month=1899-12", "month=2026-10-01",
		"month=2026-10&from=2026-10-01&to=2026-10-31", "from=2026-10-01&to=2026-10-31", "month=2026-10&year=2026",
		"month=2026-10&quarter=2026-Q4", "month=2026-10&half=2026-H2", "year=2025",
	} {
		r := e.do(apptest.Request{Method: http.MethodGet, Path: "/api/v1/public/stats?" + q})
		wantFields(t, r, "month")
	}
	c := start(t, apptest.Options{Env: map[string]string{"MOTCUA_REPORT_CUTOFF_DAY": "15"}})
	p := obj(t, apptest.Want(t, pubStatsGet(c, "2026-11", nil), http.StatusOK))["period"].(map[string]any)
	if p["from"] != "2026-10-15" || p["to"] != "2026-11-14" {
		t.Errorf("cut-off 15: 2026-11 is %v to %v", p["from"], p["to"])
	}
	wantFields(t, pubStatsGet(c, "2026-12", nil), "month")
}

// TestPublicStatsRateLimited: the public figures spend the public budget
// of the client address (429 with Retry-After), 304s too.
func TestPublicStatsRateLimited(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{Env: map[string]string{"MOTCUA_PUBLIC_RATE_LIMIT": "3"}})
	from := func(addr string, h map[string]string) apptest.Response {
		return e.do(apptest.Request{Method: http.MethodGet, Path: "/api/v1/public/stats?month=2026-10", Remote: addr, Header: h})
	}
	etag := apptest.Want(t, from("203.0.113.7:1", nil), http.StatusOK).Header.Get("ETag")
	apptest.Want(t, from("203.0.113.7:2", map[string]string{"If-None-Match": etag}), http.StatusNotModified)
	apptest.Want(t, from("203.0.113.7:3", nil), http.StatusOK)
	r := from("203.0.113.7:4", nil)
	wantError(t, r, http.StatusTooManyRequests, "rate_limited")
	if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 {
		t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	apptest.Want(t, from("198.51.100.7:1", nil), http.StatusOK)
}
