package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/chromedp"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/cmd/motcua/demo"
)

// The staff pages in a real browser: staff.js logs in through the JSON
// API, keeps the token in sessionStorage only, and fills the dashboard and
// a dossier's detail with what the API answers the same user. Every
// figure the page shows is compared with the API's answer fetched here in
// Go for that user, never with a number written in the test.
//
// The clock. The service runs on apptest's fake clock; staff.js reads
// "this month" from the browser's own clock (in the service's zone). A
// browser whose clock is months away from the server's would ask for
// another month than the one the data is in, so each tab gets the server's
// clock: a script the browser runs before any of the page's own shifts
// Date by the server clock's offset from the real one (time then runs on
// as usual). Chromium's virtual time was tried and is no fit: "advance"
// races hours ahead in a second, and "pause" stalls the navigation.

// staffStart and staffNow bracket the test data: the demo and the test's
// dossiers and feedback are made on Monday 2 November 2026, and the
// dashboard is looked at three weeks later, when the dossiers are past
// their due time and the feedback is due within three working days.
var (
	staffStart = time.Date(2026, 11, 2, 9, 0, 0, 0, apptest.Loc)
	staffNow   = time.Date(2026, 11, 23, 9, 0, 0, 0, apptest.Loc)
)

// staffFixture is what the test made through the API.
type staffFixture struct {
	processing, received string // two overdue dossiers of the Sở Tư pháp
	feedback             []string
}

// staffLogin logs username in afresh: a cached token would have expired
// while the clock moved.
func staffLogin(t *testing.T, s *apptest.Server, username string) string {
	t.Helper()
	r := apptest.Want(t, s.Post("/api/v1/auth/login", "", map[string]string{"username": username, "password": demo.Password}), http.StatusOK)
	tok, _ := r.JSON(t)["access_token"].(string)
	if tok == "" {
		t.Fatalf("login %s: no access_token in %s", username, r.Body)
	}
	return tok
}

// staffSite starts the service on staffStart with the demo data, adds
// through the API two dossiers that will be overdue, three resolved in
// November (one late) and two feedback items, moves the clock to staffNow,
// and checks that the lists the dashboard shows hold what was added.
func staffSite(t *testing.T) (*apptest.Server, func() *tab, staffFixture) {
	t.Helper()
	s, newTab := browserSite(t, apptest.Options{Now: staffStart})
	var fx staffFixture
	at := func(day, hour int) { s.Clock.Set(time.Date(2026, 11, day, hour, 0, 0, 0, apptest.Loc)) }
	post := func(path, tok string, body map[string]any, status int) map[string]any {
		t.Helper()
		return apptest.Want(t, s.Post(path, tok, body), status).JSON(t)
	}
	registerOne := func(tok, procedure, name string) string {
		t.Helper()
		r := post("/api/v1/dossiers", tok, map[string]any{
			"procedure_code": procedure, "channel": "direct",
			"applicant": map[string]any{"name": name, "id_number": "001234567890", "phone": "0912345678"},
			"documents": []map[string]any{{"name": "Tờ khai", "copies": 1}},
		}, http.StatusCreated)
		return r["code"].(string)
	}
	act := func(tok, code string, body map[string]any) {
		t.Helper()
		post("/api/v1/dossiers/"+code+"/actions", tok, body, http.StatusOK)
	}
	resolve := map[string]any{"action": "resolve", "outcome": "approved"}

	// Monday 2 November: the Sở Tư pháp's desk receives four dossiers
	// (10 working days each, due on 16 November), the commune one.
	clerk, clerkCommune := staffLogin(t, s, "clerk"), staffLogin(t, s, "clerk.commune")
	fx.processing = registerOne(clerk, "2.000488", "Nguyễn Văn An")
	fx.received = registerOne(clerk, "2.000488", "Trần Thị Bình")
	onTime := registerOne(clerk, "2.000488", "Lê Văn Cường")
	late := registerOne(clerk, "2.000488", "Phạm Thị Dung")
	commune := registerOne(clerkCommune, "1.001612", "Hoàng Văn Em")
	at(2, 10)
	officer, leaderCommune := staffLogin(t, s, "officer"), staffLogin(t, s, "leader.commune")
	for _, code := range []string{fx.processing, onTime, late} {
		act(officer, code, map[string]any{"action": "start"})
	}
	act(leaderCommune, commune, map[string]any{"action": "start"})
	// Resolved on time, and one late, so that November's on-time rates
	// differ between agencies (and stay empty for the others).
	at(3, 10)
	act(staffLogin(t, s, "leader"), onTime, resolve)
	act(staffLogin(t, s, "leader.commune"), commune, resolve)
	// An answer is due 15 working days after receipt: these two feedback
	// items fall due on 24 and 25 November, within three working days of
	// staffNow.
	for _, day := range []int{3, 4} {
		at(day, 11)
		r := post("/api/v1/feedback", staffLogin(t, s, "clerk"), map[string]any{
			"channel": "hotline", "category": "procedure", "title": fmt.Sprintf("Hỏi tiến độ hồ sơ (%d/11)", day),
			"content": "Công dân gọi hỏi vì sao hồ sơ chưa có kết quả.", "agency_code": demo.Justice,
		}, http.StatusCreated)
		fx.feedback = append(fx.feedback, r["code"].(string))
	}
	at(20, 10)
	act(staffLogin(t, s, "leader"), late, resolve)
	s.Clock.Set(staffNow)

	// The lists are what they are meant to be, or the test proves little.
	viewer := staffLogin(t, s, "viewer")
	overdue := staffAPI(t, s, viewer, staffOverduePath)
	for _, code := range []string{fx.processing, fx.received} {
		if !slices.Contains(apiListCodes(overdue), code) {
			t.Fatalf("setup: %s is not in the overdue list %v", code, apiListCodes(overdue))
		}
	}
	due := staffAPI(t, s, viewer, staffFeedbackDuePath)
	for _, code := range fx.feedback {
		if !slices.Contains(apiListCodes(due), code) {
			t.Fatalf("setup: feedback %s is not due within 3 working days: %v", code, apiListCodes(due))
		}
	}
	return s, newTab, fx
}

const (
	staffOverduePath     = "/api/v1/dossiers?overdue=true&page_size=20"
	staffFeedbackDuePath = "/api/v1/feedback?due_within=3&page_size=20"
)

func staffForm06Path(month string) string {
	return "/api/v1/stats/dossiers?month=" + url.QueryEscape(month) + "&group_by=agency"
}

// staffAPI GETs path with tok and answers the decoded body with its status.
func staffAPI(t *testing.T, s *apptest.Server, tok, path string) map[string]any {
	t.Helper()
	r := s.Get(path, tok)
	body := r.JSON(t)
	body["_status"] = float64(r.Status)
	return body
}

func apiListItems(body map[string]any) []map[string]any {
	raw, _ := body["items"].([]any)
	out := make([]map[string]any, 0, len(raw))
	for _, it := range raw {
		if m, ok := it.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func apiListCodes(body map[string]any) []string {
	var out []string
	for _, it := range apiListItems(body) {
		out = append(out, fmt.Sprint(it["code"]))
	}
	return out
}

// staffTab is a new tab whose clock reads the server's.
func staffTab(t *testing.T, s *apptest.Server, newTab func() *tab) *tab {
	t.Helper()
	tb := newTab()
	offset := s.Clock.Now().UnixMilli() - time.Now().UnixMilli()
	shim := fmt.Sprintf(`(() => {
  const Real = Date;
  const offset = %d;
  class ServerDate extends Real {
    constructor(...args) {
      if (args.length === 0) { super(Real.now() + offset); } else { super(...args); }
    }
    static now() { return Real.now() + offset; }
  }
  globalThis.Date = ServerDate;
})();`, offset)
	tb.must(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: shim})
		return err
	}))
	return tb
}

// eval evaluates a JavaScript expression in the tab.
func staffEval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tb.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitFor polls a JavaScript predicate until it holds (at most 15 s).
func staffWait(tb *tab, what, predicate string) {
	tb.t.Helper()
	_, err := chromedp.Run(tb.ctx, chromedp.Poll[bool](predicate,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(15*time.Second)))
	if err != nil {
		tb.t.Fatalf("waiting for %s: %v", what, err)
	}
}

// loginThroughForm opens path, types username and the demo password into
// the login form and submits it.
func loginThroughForm(tb *tab, path, username string) {
	tb.t.Helper()
	tb.open(path)
	tb.must(chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), username),
		chromedp.SendKeys(chromedp.CSS("#password"), demo.Password),
		chromedp.Click(chromedp.CSS("#login-submit")))
	staffWait(tb, "the page after the login", `document.getElementById('login-form').hidden && !document.getElementById('staff-app').hidden`)
}

// dashboardSettled holds once every part of the dashboard has its figures
// or the API's refusal in place.
const dashboardSettled = `(() => {
  const p = (id) => document.getElementById(id);
  const sec = (id) => p(id) && p(id).closest('section');
  const settled = (el, ok) => !!el && (!!ok(el) || !!el.querySelector('[data-error]'));
  return settled(p('form06'), (e) => e.querySelector('[data-field]')) &&
    settled(sec('trend-table'), (e) => e.querySelectorAll('tbody tr[data-month]').length === 12) &&
    settled(sec('agency-table'), (e) => e.querySelector('tbody tr')) &&
    settled(p('overdue'), (e) => e.dataset.total !== undefined) &&
    settled(p('feedback-due'), (e) => e.dataset.total !== undefined);
})()`

// staffFig is one [data-field] element as the page rendered it.
type staffFig struct {
	Field string  `json:"field"`
	Value *string `json:"value"`
	Num   *string `json:"num"`
	Den   *string `json:"den"`
	Text  string  `json:"text"`
}

type staffError struct {
	Code string `json:"code"`
	Text string `json:"text"`
}

type staffRow struct {
	Key   *string    `json:"key"` // data-agency or data-month
	Cells []staffFig `json:"cells"`
}

type staffHead struct {
	Field string  `json:"field"`
	Sort  *string `json:"sort"`
}

// staffDashboardState is everything the dashboard shows that the test checks.
type staffDashboardState struct {
	Visible  bool                    `json:"visible"`
	Month    *string                 `json:"month"`
	Figures  []staffFig              `json:"figures"`
	Trend    []staffRow              `json:"trend"`
	Canvases int                     `json:"canvases"`
	Agencies []staffRow              `json:"agencies"`
	Heads    []staffHead             `json:"heads"`
	Overdue  *string                 `json:"overdue"`
	Links    []string                `json:"links"`
	Due      *string                 `json:"due"`
	DueCodes []string                `json:"dueCodes"`
	Errors   map[string][]staffError `json:"errors"`
}

const readDashboard = `(() => {
  const p = (id) => document.getElementById(id);
  const sec = (id) => p(id) && p(id).closest('section');
  const all = (root, sel) => (root ? Array.from(root.querySelectorAll(sel)) : []);
  const fig = (e) => ({ field: e.dataset.field, value: e.dataset.value ?? null, num: e.dataset.numerator ?? null,
    den: e.dataset.denominator ?? null, text: e.textContent.trim() });
  const errs = (el) => all(el, '[data-error]').map((e) => ({ code: e.dataset.error, text: e.textContent.trim() }));
  return {
    visible: !!p('dashboard') && p('dashboard').checkVisibility(),
    month: p('form06').dataset.month ?? null,
    figures: all(p('form06'), '[data-field]').map(fig),
    trend: all(p('trend-table'), 'tbody tr').map((tr) => ({ key: tr.dataset.month ?? null,
      cells: all(tr, '[data-field="on_time_rate"]').map(fig) })),
    canvases: all(p('trend-chart'), 'canvas').length,
    agencies: all(p('agency-table'), 'tbody tr').map((tr) => ({ key: tr.dataset.agency ?? null,
      cells: all(tr, '[data-field]').map(fig) })),
    heads: all(p('agency-table'), 'thead th[data-field]').map((th) => ({ field: th.dataset.field, sort: th.getAttribute('aria-sort') })),
    overdue: p('overdue').dataset.total ?? null,
    links: all(p('overdue'), 'a').map((a) => a.getAttribute('href')),
    due: p('feedback-due').dataset.total ?? null,
    dueCodes: all(p('feedback-due'), '[data-code]').map((e) => e.dataset.code),
    errors: { form06: errs(p('form06')), trend: errs(sec('trend-table')), agencies: errs(sec('agency-table')),
      overdue: errs(p('overdue')), feedback: errs(p('feedback-due')) },
  };
})()`

func staffDashboard(tb *tab) staffDashboardState {
	tb.t.Helper()
	staffWait(tb, "the dashboard", dashboardSettled)
	return staffEval[staffDashboardState](tb, readDashboard)
}

func orAbsent(p *string) string {
	if p == nil {
		return "<absent>"
	}
	return *p
}

// wantFigure checks one rendered figure against the API's value: a count,
// or a rate {value, numerator, denominator} whose value may be null.
func wantStaffFigure(t *testing.T, where string, got staffFig, want any) {
	t.Helper()
	sameNumber := func(attr *string, v any) bool {
		f, ok := v.(float64)
		if !ok || attr == nil {
			return false
		}
		g, err := strconv.ParseFloat(*attr, 64)
		return err == nil && g == f
	}
	switch w := want.(type) {
	case float64:
		if !sameNumber(got.Value, w) {
			t.Errorf("%s %s: data-value %s, the API says %v", where, got.Field, orAbsent(got.Value), w)
		}
	case map[string]any:
		if w["value"] == nil {
			if got.Value == nil || *got.Value != "" {
				t.Errorf("%s %s: data-value %s, the API's rate has no value (want \"\")", where, got.Field, orAbsent(got.Value))
			}
		} else if !sameNumber(got.Value, w["value"]) {
			t.Errorf("%s %s: data-value %s, the API says %v", where, got.Field, orAbsent(got.Value), w["value"])
		}
		if !sameNumber(got.Num, w["numerator"]) || !sameNumber(got.Den, w["denominator"]) {
			t.Errorf("%s %s: %s / %s, the API says %v / %v", where, got.Field, orAbsent(got.Num), orAbsent(got.Den), w["numerator"], w["denominator"])
		}
	default:
		t.Errorf("%s %s: the API's value %v (%T) is no figure", where, got.Field, want, want)
	}
	if got.Text == "" {
		t.Errorf("%s %s: shows no text", where, got.Field)
	}
}

// wantAgencyRow checks one agency row's cells against the API's row: one
// cell per column of the head, each with the API's figure.
func wantAgencyRow(t *testing.T, code string, cells []staffFig, heads []staffHead, row map[string]any) {
	t.Helper()
	where := "agency " + code
	seen := map[string]int{}
	for _, c := range cells {
		seen[c.Field]++
		if c.Field == "name" {
			if orAbsent(c.Value) != fmt.Sprint(row["name"]) {
				t.Errorf("%s name: %s, the API says %v", where, orAbsent(c.Value), row["name"])
			}
			continue
		}
		w, ok := row[c.Field]
		if !ok {
			t.Errorf("%s: a cell for %s, which the API's row lacks", where, c.Field)
			continue
		}
		wantStaffFigure(t, where, c, w)
	}
	for _, h := range heads {
		if seen[h.Field] != 1 {
			t.Errorf("%s: %d cells for the column %s, want 1", where, seen[h.Field], h.Field)
		}
	}
}

func apiRows(body map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	raw, _ := body["rows"].([]any)
	for _, r := range raw {
		if m, ok := r.(map[string]any); ok {
			out[fmt.Sprint(m["group"])] = m
		}
	}
	return out
}

func apiRowOrder(body map[string]any) []string {
	var out []string
	raw, _ := body["rows"].([]any)
	for _, r := range raw {
		if m, ok := r.(map[string]any); ok {
			out = append(out, fmt.Sprint(m["group"]))
		}
	}
	return out
}

func rowKeys(rows []staffRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = orAbsent(r.Key)
	}
	return out
}

// monthsEndingWith lists the n months up to and including the month of at
// (in the service's zone), oldest first.
func staffMonths(at time.Time, n int) []string {
	first := time.Date(at.In(apptest.Loc).Year(), at.In(apptest.Loc).Month(), 1, 12, 0, 0, 0, apptest.Loc)
	out := make([]string, n)
	for i := range n {
		out[i] = first.AddDate(0, i-n+1, 0).Format("2006-01")
	}
	return out
}

// wantDashboardEqualsAPI reads the dashboard of tb, logged in as username,
// and compares every part with the API's answers for that user: the
// figures when the API gives them, its refusal in their place when not.
// It answers the page's state.
func wantDashboardEqualsAPI(t *testing.T, s *apptest.Server, tb *tab, username string) staffDashboardState {
	t.Helper()
	got := staffDashboard(tb)
	tok := staffLogin(t, s, username)
	month := staffNow.Format("2006-01")
	if !got.Visible {
		t.Errorf("%s: #dashboard is not shown", username)
	}
	if orAbsent(got.Month) != month {
		t.Errorf("%s: #form06 data-month %s, want the server's month %s", username, orAbsent(got.Month), month)
	}

	f06 := staffAPI(t, s, tok, staffForm06Path(month))
	switch status := f06["_status"]; status {
	case float64(http.StatusOK):
		total, _ := f06["total"].(map[string]any)
		if len(got.Figures) != len(total) {
			t.Errorf("%s: %d figures in #form06, the API's total has %d fields", username, len(got.Figures), len(total))
		}
		seen := map[string]bool{}
		for _, fg := range got.Figures {
			if seen[fg.Field] {
				t.Errorf("%s: #form06 shows %s twice", username, fg.Field)
			}
			seen[fg.Field] = true
			w, ok := total[fg.Field]
			if !ok {
				t.Errorf("%s: #form06 shows %s, which the API's total lacks", username, fg.Field)
				continue
			}
			wantStaffFigure(t, username+" #form06", fg, w)
		}

		// The trend: the total on-time rate of each of the 12 months.
		months := staffMonths(staffNow, 12)
		if !slices.Equal(rowKeys(got.Trend), months) {
			t.Errorf("%s: trend rows %v, want %v", username, rowKeys(got.Trend), months)
		}
		for i, r := range got.Trend {
			if i >= len(months) {
				break
			}
			if len(r.Cells) != 1 {
				t.Errorf("%s: trend %s has %d on_time_rate cells, want 1", username, orAbsent(r.Key), len(r.Cells))
				continue
			}
			m := apptest.Want(t, s.Get(staffForm06Path(months[i]), tok), http.StatusOK).JSON(t)
			mt, _ := m["total"].(map[string]any)
			wantStaffFigure(t, username+" trend "+months[i], r.Cells[0], mt["on_time_rate"])
		}
		if got.Canvases == 0 {
			t.Errorf("%s: #trend-chart holds no canvas: uPlot drew nothing", username)
		}

		// The agency table: the API's rows, in its order before any sort.
		if want := apiRowOrder(f06); !slices.Equal(rowKeys(got.Agencies), want) {
			t.Errorf("%s: agency rows %v, the API's rows %v", username, rowKeys(got.Agencies), want)
		}
		rows := apiRows(f06)
		for _, r := range got.Agencies {
			if row, ok := rows[orAbsent(r.Key)]; ok {
				wantAgencyRow(t, orAbsent(r.Key), r.Cells, got.Heads, row)
			}
		}
		for part, errs := range got.Errors {
			if (part == "form06" || part == "trend" || part == "agencies") && len(errs) > 0 {
				t.Errorf("%s: %s shows an error %v although the API answered", username, part, errs)
			}
		}
	case float64(http.StatusForbidden):
		e, _ := f06["error"].(map[string]any)
		for _, part := range []string{"form06", "trend", "agencies"} {
			errs := got.Errors[part]
			if len(errs) != 1 || errs[0].Code != fmt.Sprint(e["code"]) || errs[0].Text != fmt.Sprint(e["message"]) {
				t.Errorf("%s: %s shows %v, want the API's refusal %v %q", username, part, errs, e["code"], e["message"])
			}
		}
		if len(got.Figures) != 0 || len(got.Trend) != 0 || len(got.Agencies) != 0 {
			t.Errorf("%s: refused, yet the page shows %d figures, %d trend rows, %d agency rows",
				username, len(got.Figures), len(got.Trend), len(got.Agencies))
		}
	default:
		t.Fatalf("%s: the API answers form 06 with %v: %v", username, status, f06)
	}

	// The two lists, which every role gets.
	overdue := apptest.Want(t, s.Get(staffOverduePath, tok), http.StatusOK).JSON(t)
	if orAbsent(got.Overdue) != fmt.Sprint(overdue["total"]) {
		t.Errorf("%s: #overdue data-total %s, the API's total %v", username, orAbsent(got.Overdue), overdue["total"])
	}
	var wantLinks []string
	for _, c := range apiListCodes(overdue) {
		wantLinks = append(wantLinks, "/quan-tri/ho-so/"+c)
	}
	if !slices.Equal(got.Links, wantLinks) {
		t.Errorf("%s: #overdue links %v, want %v", username, got.Links, wantLinks)
	}
	due := apptest.Want(t, s.Get(staffFeedbackDuePath, tok), http.StatusOK).JSON(t)
	if orAbsent(got.Due) != fmt.Sprint(due["total"]) {
		t.Errorf("%s: #feedback-due data-total %s, the API's total %v", username, orAbsent(got.Due), due["total"])
	}
	if want := apiListCodes(due); !slices.Equal(got.DueCodes, want) {
		t.Errorf("%s: #feedback-due items %v, want %v", username, got.DueCodes, want)
	}
	if len(got.Errors["overdue"]) > 0 || len(got.Errors["feedback"]) > 0 {
		t.Errorf("%s: a list shows an error: %v %v", username, got.Errors["overdue"], got.Errors["feedback"])
	}
	return got
}

// TestStaffBrowserViewerDashboard: a viewer logs in through the form, and
// every part of the dashboard is the API's answer for the viewer.
func TestStaffBrowserViewerDashboard(t *testing.T) {
	s, newTab, fx := staffSite(t)
	tb := staffTab(t, s, newTab)
	loginThroughForm(tb, "/quan-tri", "viewer")
	got := wantDashboardEqualsAPI(t, s, tb, "viewer")
	// The data made for the test is among what the page shows.
	for _, c := range []string{fx.processing, fx.received} {
		if !slices.Contains(got.Links, "/quan-tri/ho-so/"+c) {
			t.Errorf("#overdue does not link %s", c)
		}
	}
	for _, c := range fx.feedback {
		if !slices.Contains(got.DueCodes, c) {
			t.Errorf("#feedback-due does not list %s", c)
		}
	}
	if len(got.Agencies) < 2 {
		t.Errorf("the viewer sees %d agency rows: the province has more", len(got.Agencies))
	}
	tb.checkClean()
}

// sortValue is what a cell sorts by: its number, or nil for "no figure".
func cellSortValue(c staffFig) *float64 {
	if c.Value == nil || *c.Value == "" {
		return nil
	}
	f, err := strconv.ParseFloat(*c.Value, 64)
	if err != nil {
		return nil
	}
	return &f
}

func apiSortValue(v any) *float64 {
	if m, ok := v.(map[string]any); ok {
		v = m["value"]
	}
	if f, ok := v.(float64); ok {
		return &f
	}
	return nil
}

func fmtSortValues(vs []*float64) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = "null"
		if v != nil {
			parts[i] = strconv.FormatFloat(*v, 'f', -1, 64)
		}
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// expectedOrder is the column's API values sorted, nulls last whichever
// the direction.
func staffSortedValues(rows map[string]map[string]any, field string, ascending bool) []*float64 {
	var vals, nulls []*float64
	for _, r := range rows {
		if v := apiSortValue(r[field]); v != nil {
			vals = append(vals, v)
		} else {
			nulls = append(nulls, nil)
		}
	}
	sort.Slice(vals, func(i, j int) bool {
		if ascending {
			return *vals[i] < *vals[j]
		}
		return *vals[i] > *vals[j]
	})
	return append(vals, nulls...)
}

func sameSortValues(a, b []*float64) bool {
	return slices.EqualFunc(a, b, func(x, y *float64) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) })
}

// TestStaffBrowserAgencySort: a column head's button sorts the agency table
// ascending, a second click descending, nulls last both ways, with
// aria-sort on that head only; the rows move whole.
func TestStaffBrowserAgencySort(t *testing.T) {
	s, newTab, _ := staffSite(t)
	tb := staffTab(t, s, newTab)
	loginThroughForm(tb, "/quan-tri", "viewer")
	staffDashboard(tb)
	f06 := apptest.Want(t, s.Get(staffForm06Path(staffNow.Format("2006-01")), staffLogin(t, s, "viewer")), http.StatusOK).JSON(t)
	rows := apiRows(f06)

	// The column must have a null and two different figures, and the API's
	// order must not be the sorted one, or the clicks prove nothing.
	const field = "on_time_rate"
	var apiVals []*float64
	for _, code := range apiRowOrder(f06) {
		apiVals = append(apiVals, apiSortValue(rows[code][field]))
	}
	distinct := map[float64]bool{}
	for _, v := range apiVals {
		if v != nil {
			distinct[*v] = true
		}
	}
	if !slices.Contains(apiVals, nil) || len(distinct) < 2 || sameSortValues(apiVals, staffSortedValues(rows, field, true)) {
		t.Fatalf("setup: the API's %s column %s cannot show a sort", field, fmtSortValues(apiVals))
	}

	click := func(f string) staffDashboardState {
		t.Helper()
		tb.must(chromedp.Click(chromedp.CSS(`#agency-table thead th[data-field="` + f + `"] button`)))
		return staffEval[staffDashboardState](tb, readDashboard)
	}
	check := func(st staffDashboardState, f, sortWord string) {
		t.Helper()
		var vals []*float64
		for _, r := range st.Agencies {
			row, ok := rows[orAbsent(r.Key)]
			if !ok {
				t.Errorf("after sorting by %s: a row for %s, which the API lacks", f, orAbsent(r.Key))
				continue
			}
			wantAgencyRow(t, orAbsent(r.Key), r.Cells, st.Heads, row) // the row moved whole
			for _, c := range r.Cells {
				if c.Field == f {
					vals = append(vals, cellSortValue(c))
				}
			}
		}
		got := rowKeys(st.Agencies)
		slices.Sort(got)
		want := apiRowOrder(f06)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("after sorting by %s: rows %v, want the API's %v", f, got, want)
		}
		if exp := staffSortedValues(rows, f, sortWord == "ascending"); !sameSortValues(vals, exp) {
			t.Errorf("sorted by %s %s: %s, want %s", f, sortWord, fmtSortValues(vals), fmtSortValues(exp))
		}
		for _, h := range st.Heads {
			switch {
			case h.Field == f && orAbsent(h.Sort) != sortWord:
				t.Errorf("th[data-field=%s] aria-sort %s, want %s", f, orAbsent(h.Sort), sortWord)
			case h.Field != f && h.Sort != nil:
				t.Errorf("sorted by %s, yet th[data-field=%s] has aria-sort=%s", f, h.Field, *h.Sort)
			}
		}
	}
	check(click(field), field, "ascending")
	check(click(field), field, "descending")
	check(click(field), field, "ascending")
	// Another column takes the sort; the first head loses its aria-sort.
	check(click("received_total"), "received_total", "ascending")
	check(click("received_total"), "received_total", "descending")
	tb.checkClean()
}

// TestStaffBrowserScopes: a leader of the Sở Tư pháp sees the statistics of
// that department only, the API's answer for the leader and not the
// viewer's; a clerk and an officer get the API's refusal in place of the
// statistics and still both lists.
func TestStaffBrowserScopes(t *testing.T) {
	s, newTab, _ := staffSite(t)
	month := staffNow.Format("2006-01")
	viewerRows := apiRowOrder(apptest.Want(t, s.Get(staffForm06Path(month), staffLogin(t, s, "viewer")), http.StatusOK).JSON(t))
	leaderRows := apiRowOrder(apptest.Want(t, s.Get(staffForm06Path(month), staffLogin(t, s, "leader")), http.StatusOK).JSON(t))
	if len(leaderRows) == 0 || len(leaderRows) >= len(viewerRows) {
		t.Fatalf("setup: the leader's rows %v are no smaller scope than the viewer's %v", leaderRows, viewerRows)
	}

	leader := staffTab(t, s, newTab)
	loginThroughForm(leader, "/quan-tri", "leader")
	got := wantDashboardEqualsAPI(t, s, leader, "leader")
	if slices.Equal(rowKeys(got.Agencies), viewerRows) {
		t.Errorf("the leader's agency table %v is the viewer's", rowKeys(got.Agencies))
	}
	leader.checkClean()

	for _, username := range []string{"clerk", "officer"} {
		if r := s.Get(staffForm06Path(month), staffLogin(t, s, username)); r.Status != http.StatusForbidden {
			t.Fatalf("setup: the API answers %s's form 06 with %d, want 403", username, r.Status)
		}
		tb := staffTab(t, s, newTab)
		loginThroughForm(tb, "/quan-tri", username)
		st := wantDashboardEqualsAPI(t, s, tb, username)
		if len(st.Links) == 0 {
			t.Errorf("%s sees no overdue dossier", username)
		}
		tb.checkClean()
	}
}

// staffRequests records the headers of every request a tab sends.
type staffRequests struct {
	mu   sync.Mutex
	reqs []*network.Request
}

func watchRequests(tb *tab) *staffRequests {
	l := &staffRequests{}
	events := chromedp.Events(tb.ctx, network.RequestWillBeSent)
	go func() {
		for ev, err := range events {
			if err != nil {
				return
			}
			l.mu.Lock()
			l.reqs = append(l.reqs, ev.Request)
			l.mu.Unlock()
		}
	}()
	return l
}

func headerValue(h network.Headers, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return fmt.Sprint(v)
		}
	}
	return ""
}

// TestStaffBrowserToken: the token is in sessionStorage["motcua.token"]
// and nowhere else (no cookie, no localStorage, no address), it goes as a
// bearer header with every API call, and a refused token sends the page
// back to the login form.
func TestStaffBrowserToken(t *testing.T) {
	s, newTab, _ := staffSite(t)
	tb := staffTab(t, s, newTab)
	reqs := watchRequests(tb)
	loginThroughForm(tb, "/quan-tri", "viewer")
	staffDashboard(tb)

	tok := staffEval[string](tb, `sessionStorage.getItem('motcua.token') || ''`)
	if tok == "" {
		t.Fatal(`no token in sessionStorage["motcua.token"] after the login`)
	}
	me := apptest.Want(t, s.Get("/api/v1/auth/me", tok), http.StatusOK).JSON(t)
	if me["username"] != "viewer" {
		t.Fatalf("the stored token is %v's", me["username"])
	}
	if c := staffEval[string](tb, `document.cookie`); strings.Contains(c, tok) {
		t.Errorf("document.cookie holds the token: %q", c)
	}
	local := staffEval[map[string]string](tb, `Object.fromEntries(Array.from({ length: localStorage.length },
		(_, i) => [localStorage.key(i), localStorage.getItem(localStorage.key(i))]))`)
	for k, v := range local {
		if strings.Contains(k, tok) || strings.Contains(v, tok) {
			t.Errorf("localStorage[%q] holds the token", k)
		}
	}
	var cookies []*network.Cookie
	tb.must(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		r, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{tb.base + "/", tb.base + "/api/v1/"}})
		if err != nil {
			return err
		}
		cookies = append(cookies, r.Cookies...)
		all, err := chromedp.Call(ctx, storage.GetCookies, storage.GetCookiesParams{})
		if err != nil {
			return err
		}
		cookies = append(cookies, all.Cookies...)
		return nil
	}))
	for _, c := range cookies {
		if strings.Contains(c.Name, tok) || strings.Contains(c.Value, tok) {
			t.Errorf("the browser keeps the token in the cookie %s", c.Name)
		}
	}

	// Every API call but the login carried the token, as a bearer header.
	reqs.mu.Lock()
	var calls int
	for _, r := range reqs.reqs {
		if strings.Contains(r.URL, tok) {
			t.Errorf("the token is in an address: %s", r.URL)
		}
		u, err := url.Parse(r.URL)
		if err != nil || !strings.HasPrefix(u.Path, "/api/v1/") {
			continue
		}
		calls++
		auth := headerValue(r.Headers, "Authorization")
		if u.Path == "/api/v1/auth/login" {
			if auth != "" {
				t.Errorf("the login call carries Authorization %q", auth)
			}
			continue
		}
		if auth != "Bearer "+tok {
			t.Errorf("%s %s: Authorization %q, want the bearer token", r.Method, r.URL, auth)
		}
	}
	reqs.mu.Unlock()
	if calls < 10 {
		t.Errorf("recorded %d API calls: the dashboard makes more", calls)
	}

	// A token the API refuses: after a reload the login form is back, the
	// token gone and the API's reason shown.
	const bad = "not.a.valid-token"
	refusal := s.Get("/api/v1/auth/me", bad)
	if refusal.Status != http.StatusUnauthorized {
		t.Fatalf("setup: the API answers a bad token with %d", refusal.Status)
	}
	reason, _ := refusal.JSON(t)["error"].(map[string]any)
	tb.must(chromedp.Evaluate[chromedp.Void](`sessionStorage.setItem('motcua.token', '`+bad+`')`),
		chromedp.Reload())
	staffWait(tb, "the login form after a refused token", `(() => {
	  const f = document.getElementById('login-form'), app = document.getElementById('staff-app');
	  return !!f && !f.hidden && !!app && app.hidden && !document.getElementById('login-error').hidden;
	})()`)
	if v := staffEval[*string](tb, `sessionStorage.getItem('motcua.token')`); v != nil {
		t.Errorf("the refused token stays in sessionStorage: %q", *v)
	}
	if msg := tb.text("#login-error"); msg != fmt.Sprint(reason["message"]) {
		t.Errorf("#login-error %q, want the API's %q", msg, reason["message"])
	}
	if n := staffEval[int](tb, `document.querySelectorAll('#dashboard [data-value], #dashboard [data-total], #dashboard [data-code], #dashboard [data-month], #dashboard [data-error]').length`); n != 0 {
		t.Errorf("signed out, the page still holds %d filled places", n)
	}
	tb.checkClean()
}

// staffDetail is what the detail page shows.
type staffDetail struct {
	Code        string   `json:"code"`
	Status      *string  `json:"status"`
	Applicant   string   `json:"applicant"`
	Procedure   string   `json:"procedure"`
	DueAt       *string  `json:"dueAt"`
	Appointment *string  `json:"appointment"`
	Actions     []string `json:"actions"`
	Times       []string `json:"times"`
	Error       *string  `json:"error"`
	ErrorText   string   `json:"errorText"`
	BodyError   *string  `json:"bodyError"`
}

const readDetail = `(() => {
  const p = (id) => document.getElementById(id);
  const err = document.querySelector('#dossier-error [data-error]');
  return {
    code: p('code').textContent.trim(),
    status: p('status').dataset.status ?? null,
    applicant: p('applicant').textContent.trim(),
    procedure: p('procedure').textContent.trim(),
    dueAt: p('due-at').getAttribute('datetime'),
    appointment: p('appointment-at').getAttribute('datetime'),
    actions: Array.from(p('history').children).filter((li) => li.tagName === 'LI').map((li) => li.dataset.action ?? ''),
    times: Array.from(p('history').querySelectorAll(':scope > li')).map((li) => {
      const t = li.querySelector('time');
      return t ? t.getAttribute('datetime') : '';
    }),
    error: err ? err.dataset.error : null,
    errorText: err ? err.textContent.trim() : '',
    bodyError: document.body.dataset.error ?? null,
  };
})()`

// TestStaffBrowserDossierDetail: an overdue link of the dashboard opens the
// dossier's detail, which is the API's dossier with its history oldest
// first; an unknown code shows "not found".
func TestStaffBrowserDossierDetail(t *testing.T) {
	s, newTab, fx := staffSite(t)
	tb := staffTab(t, s, newTab)
	loginThroughForm(tb, "/quan-tri", "viewer")
	staffDashboard(tb)
	tok := staffLogin(t, s, "viewer")

	// Add to the history first, so its order is worth checking.
	clerk := staffLogin(t, s, "clerk")
	apptest.Want(t, s.Post("/api/v1/dossiers/"+fx.processing+"/actions", staffLogin(t, s, "officer"),
		map[string]any{"action": "request_payment", "amount": 50000}), http.StatusOK)
	s.Clock.Advance(10 * time.Minute)
	apptest.Want(t, s.Post("/api/v1/dossiers/"+fx.processing+"/actions", clerk,
		map[string]any{"action": "confirm_payment"}), http.StatusOK)

	link := `#overdue a[href="/quan-tri/ho-so/` + fx.processing + `"]`
	if _, err := chromedp.RunResponse(tb.ctx, chromedp.Click(chromedp.CSS(link))); err != nil {
		t.Fatalf("follow %s: %v", link, err)
	}
	if path := staffEval[string](tb, `location.pathname`); path != "/quan-tri/ho-so/"+fx.processing {
		t.Fatalf("the link led to %s", path)
	}
	staffWait(tb, "the dossier", `(() => !document.getElementById('dossier').hidden && !document.getElementById('history-section').hidden
	  || !!document.body.dataset.error)()`)
	got := staffEval[staffDetail](tb, readDetail)
	d := apptest.Want(t, s.Get("/api/v1/dossiers/"+fx.processing, tok), http.StatusOK).JSON(t)
	if got.Code != d["code"] {
		t.Errorf("#code %q, the API says %v", got.Code, d["code"])
	}
	if orAbsent(got.Status) != d["status"] {
		t.Errorf("#status data-status %s, the API says %v", orAbsent(got.Status), d["status"])
	}
	applicant, _ := d["applicant"].(map[string]any)
	if name := fmt.Sprint(applicant["name"]); name == "" || !strings.Contains(got.Applicant, name) {
		t.Errorf("#applicant %q, the API's applicant %q", got.Applicant, name)
	}
	if pc := fmt.Sprint(d["procedure_code"]); !strings.Contains(got.Procedure, pc) {
		t.Errorf("#procedure %q, the API's procedure %s", got.Procedure, pc)
	}
	wantTime := func(id string, got *string, api any) {
		t.Helper()
		if api == nil {
			if got != nil {
				t.Errorf("#%s datetime %s, the API has none", id, *got)
			}
			return
		}
		g, err1 := time.Parse(time.RFC3339, orAbsent(got))
		w, err2 := time.Parse(time.RFC3339, fmt.Sprint(api))
		if err1 != nil || err2 != nil || !g.Equal(w) {
			t.Errorf("#%s datetime %s, the API says %v", id, orAbsent(got), api)
		}
	}
	wantTime("due-at", got.DueAt, d["due_at"])
	wantTime("appointment-at", got.Appointment, d["appointment_at"])
	history, _ := d["history"].([]any)
	var actions, times []string
	for _, h := range history {
		e, _ := h.(map[string]any)
		actions = append(actions, fmt.Sprint(e["action"]))
		times = append(times, fmt.Sprint(e["at"]))
	}
	if len(history) < 3 {
		t.Fatalf("setup: the API's history has %d entries", len(history))
	}
	if !slices.Equal(got.Actions, actions) {
		t.Errorf("#history actions %v, the API's %v", got.Actions, actions)
	}
	if len(got.Times) != len(times) {
		t.Errorf("#history has %d times, the API's history %d entries", len(got.Times), len(times))
	} else {
		for i := range times {
			wantTime(fmt.Sprintf("history li %d", i+1), &got.Times[i], times[i])
		}
	}
	if got.Error != nil || got.BodyError != nil {
		t.Errorf("the detail shows an error: %s %s", orAbsent(got.Error), orAbsent(got.BodyError))
	}

	// An unknown code: the API says 404, the page "not found".
	const unknown = "000.00.20.H99-261123-9999"
	if r := s.Get("/api/v1/dossiers/"+unknown, tok); r.Status != http.StatusNotFound {
		t.Fatalf("setup: the API answers %s with %d", unknown, r.Status)
	}
	tb.open("/quan-tri/ho-so/" + unknown)
	staffWait(tb, "the not-found answer", `!!document.body.dataset.error`)
	nf := staffEval[staffDetail](tb, readDetail)
	if orAbsent(nf.Error) != "not_found" || nf.ErrorText != "Không tìm thấy hồ sơ" || orAbsent(nf.BodyError) != "not_found" {
		t.Errorf("unknown code: [data-error=%s] %q, body data-error %s; want not_found \"Không tìm thấy hồ sơ\"",
			orAbsent(nf.Error), nf.ErrorText, orAbsent(nf.BodyError))
	}
	if nf.Code != "" || nf.Status != nil || len(nf.Actions) != 0 {
		t.Errorf("unknown code, yet the page shows %q %s %v", nf.Code, orAbsent(nf.Status), nf.Actions)
	}
	tb.checkClean()
}
