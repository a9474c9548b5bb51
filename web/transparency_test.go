package web_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/cmd/motcua/demo"
)

// cellValue renders an API figure as the page's data-value: a count as
// its integer, a rate's value with two decimals ("" when null).
func cellValue(v any) string {
	switch x := v.(type) {
	case float64:
		return strconv.FormatInt(int64(x), 10)
	case map[string]any:
		if x["value"] == nil {
			return ""
		}
		return fmt.Sprintf("%.2f", x["value"].(float64))
	}
	return fmt.Sprint(v)
}

// wantTableEqualsAPI compares one form-06 table of the page with the API's
// answer: a row per agency and the total, each cell's data-value.
func wantTableEqualsAPI(t *testing.T, section *html.Node, api map[string]any) {
	t.Helper()
	fields := []string{"received_total", "resolved_total", "resolved_early", "resolved_on_time", "resolved_late",
		"in_progress_overdue", "on_time_rate", "online_rate", "on_spot_rate"}
	rows := map[string]map[string]any{"total": api["total"].(map[string]any)}
	for _, r := range api["rows"].([]any) {
		row := r.(map[string]any)
		rows[row["group"].(string)] = row
	}
	trs := findAll(section, func(n *html.Node) bool { _, ok := attr(n, "data-agency"); return n.Data == "tr" && ok })
	if len(trs) != len(rows) || len(trs) < 2 {
		t.Fatalf("%d rows on the page, %d in the API", len(trs), len(rows))
	}
	for _, tr := range trs {
		code, _ := attr(tr, "data-agency")
		want, ok := rows[code]
		if !ok {
			t.Errorf("row %s is not in the API's answer", code)
			continue
		}
		for _, f := range fields {
			td := find(tr, hasAttr("data-field", f))
			got, _ := attr(td, "data-value")
			if got != cellValue(want[f]) {
				t.Errorf("%s %s: page %q, API %q", code, f, got, cellValue(want[f]))
			}
		}
	}
}

func TestCongKhaiEqualsTheStatistics(t *testing.T) {
	s := apptest.New(t, apptest.Options{Env: map[string]string{"MOTCUA_PUBLIC_CACHE_SECONDS": "0"}})
	v := newVisitor(t, s)
	p := v.get("/cong-khai")
	wantPage(t, p, http.StatusOK, "transparency", "")
	viewer := s.Token("viewer")
	month, _ := attr(p.byID("month"), "data-month")
	if month != "2026-10" { // the clock is 23 November 2026: October is the last closed month
		t.Fatalf("#month data-month %q", month)
	}
	wantTableEqualsAPI(t, p.byID("month"),
		apptest.Want(t, s.Get("/api/v1/stats/dossiers?month="+month+"&group_by=agency", viewer), http.StatusOK).JSON(t))
	from, _ := attr(p.byID("year"), "data-from")
	to, _ := attr(p.byID("year"), "data-to")
	if from != "2026-01-01" || to != "2026-11-23" {
		t.Fatalf("#year %s..%s", from, to)
	}
	wantTableEqualsAPI(t, p.byID("year"),
		apptest.Want(t, s.Get("/api/v1/stats/dossiers?from="+from+"&to="+to+"&group_by=agency", viewer), http.StatusOK).JSON(t))
	fb := apptest.Want(t, s.Get("/api/v1/stats/feedback?from="+from+"&to="+to, viewer), http.StatusOK).JSON(t)
	for _, f := range []string{"received", "answered", "refused", "on_time_rate", "published"} {
		got, _ := attr(find(p.byID("feedback"), hasAttr("data-field", f)), "data-value")
		if got != cellValue(fb[f]) {
			t.Errorf("feedback %s: page %q, API %q", f, got, cellValue(fb[f]))
		}
	}
	pub := apptest.Want(t, s.Get("/api/v1/public/feedback?published=true&page_size=10", ""), http.StatusOK).JSON(t)
	if n := len(findAll(p.byID("published"), func(n *html.Node) bool { return n.Data == "article" })); n != len(pub["items"].([]any)) || n == 0 {
		t.Errorf("%d published answers on the page, %d in the API", n, len(pub["items"].([]any)))
	}
	// No person's data: none of what the demo's dossiers and feedback hold.
	for _, values := range s.StoredPersonalData() {
		for _, pd := range values {
			if pd != "" && strings.Contains(p.Body, pd) {
				t.Errorf("/cong-khai shows personal data %q", pd)
			}
		}
	}
	home := v.get("/")
	for _, f := range []string{"on_time_rate", "online_rate", "on_spot_rate"} {
		got, _ := attr(find(home.byID("summary"), hasAttr("data-field", f)), "data-value")
		wantTotal, _ := attr(find(find(p.byID("month"), hasAttr("data-agency", "total")), hasAttr("data-field", f)), "data-value")
		if got != wantTotal {
			t.Errorf("home %s %q, /cong-khai total %q", f, got, wantTotal)
		}
	}
}

// TestCongKhaiServedFromCache: within MOTCUA_PUBLIC_CACHE_SECONDS the page
// is the same bytes even after a new answer is published; once the time
// has passed, the new answer shows.
func TestCongKhaiServedFromCache(t *testing.T) {
	s := apptest.New(t, apptest.Options{Env: map[string]string{"MOTCUA_PUBLIC_CACHE_SECONDS": "300"}})
	v := newVisitor(t, s)
	first := v.get("/cong-khai")
	wantPage(t, first, http.StatusOK, "transparency", "")

	fb := apptest.Want(t, s.Post("/api/v1/feedback", s.Token("clerk"), map[string]any{"channel": "hotline",
		"category": "procedure", "title": "Hỏi tiến độ", "content": "Vì sao chưa có kết quả?", "agency_code": demo.Justice}),
		http.StatusCreated).JSON(t)["code"].(string)
	for _, st := range []struct {
		who  string
		body map[string]any
	}{
		{"officer", map[string]any{"action": "answer", "answer": "Đã có kết quả."}},
		{"leader", map[string]any{"action": "publish"}},
	} {
		apptest.Want(t, s.Post("/api/v1/feedback/"+fb+"/actions", s.Token(st.who), st.body), http.StatusOK)
	}
	if again := v.get("/cong-khai"); maskTokens(again.Body) != maskTokens(first.Body) {
		t.Fatal("within the cache time the page changed")
	}
	if find(first.doc, hasAttr("data-code", fb)) != nil {
		t.Fatal("the answer was published before the first page was read")
	}
	s.Clock.Advance(301 * time.Second)
	if later := v.get("/cong-khai"); find(later.doc, hasAttr("data-code", fb)) == nil {
		t.Fatalf("after the cache time the new answer is not shown: %s", excerpt(later.Body))
	}
}
