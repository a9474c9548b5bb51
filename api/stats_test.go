package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
)

// Statistics tests run through the HTTP API on the engine apptest opens:
// SQLite by default, PostgreSQL under .ci/with-postgres.

type rateJSON struct {
	Value       *float64 `json:"value"`
	Numerator   int64    `json:"numerator"`
	Denominator int64    `json:"denominator"`
}

type figuresJSON struct {
	ReceivedTotal        int64    `json:"received_total"`
	ReceivedOnline       int64    `json:"received_online"`
	ReceivedDirectPostal int64    `json:"received_direct_postal"`
	CarriedOver          int64    `json:"carried_over"`
	ResolvedTotal        int64    `json:"resolved_total"`
	ResolvedEarly        int64    `json:"resolved_early"`
	ResolvedOnTime       int64    `json:"resolved_on_time"`
	ResolvedLate         int64    `json:"resolved_late"`
	InProgressTotal      int64    `json:"in_progress_total"`
	InProgressWithin     int64    `json:"in_progress_within"`
	InProgressOverdue    int64    `json:"in_progress_overdue"`
	Withdrawn            int64    `json:"withdrawn"`
	Stopped              int64    `json:"stopped"`
	Rejected             int64    `json:"rejected"`
	OnTimeRate           rateJSON `json:"on_time_rate"`
	OnlineRate           rateJSON `json:"online_rate"`
	OnSpotResolved       int64    `json:"on_spot_resolved"`
	OnSpotRate           rateJSON `json:"on_spot_rate"`
}

type periodJSON struct {
	Kind  string  `json:"kind"`
	Name  *string `json:"name"`
	AsOf  string  `json:"as_of"`
	From  string  `json:"from"`
	To    string  `json:"to"`
	Month *string `json:"month"`
	Start string  `json:"start"`
	End   string  `json:"end"`
	Label string  `json:"label"`
}

type scopeJSON struct {
	UnitCode *string `json:"unit_code"`
	UnitName *string `json:"unit_name"`
	Label    string  `json:"label"`
}

type form06JSON struct {
	Period  periodJSON `json:"period"`
	Scope   scopeJSON  `json:"scope"`
	GroupBy string     `json:"group_by"`
	Rows    []struct {
		Group string `json:"group"`
		Name  string `json:"name"`
		figuresJSON
	} `json:"rows"`
	Total figuresJSON `json:"total"`
}

// wantRate checks a rate object against numerator and denominator and
// the value big.Rat rounds to.
func wantRate(t *testing.T, what string, got rateJSON, n, d int64) {
	t.Helper()
	want := rateValue(n, d)
	if got.Numerator != n || got.Denominator != d {
		t.Errorf("%s: %d/%d, want %d/%d", what, got.Numerator, got.Denominator, n, d)
	}
	switch {
	case want == nil && got.Value != nil:
		t.Errorf("%s: value %v, want null", what, *got.Value)
	case want != nil && (got.Value == nil || *got.Value != *want):
		t.Errorf("%s: value %v, want %v", what, got.Value, *want)
	}
}

// wantFigures checks every column, every rate and both identities.
func wantFigures(t *testing.T, what string, got figuresJSON, want countedFigures) {
	t.Helper()
	exp := figuresJSON{
		ReceivedTotal: want.carried + want.online + want.directPostal, ReceivedOnline: want.online,
		ReceivedDirectPostal: want.directPostal, CarriedOver: want.carried, ResolvedTotal: want.resolved,
		ResolvedEarly: want.early, ResolvedOnTime: want.onTime, ResolvedLate: want.late,
		InProgressTotal: want.within + want.overdue, InProgressWithin: want.within, InProgressOverdue: want.overdue,
		Withdrawn: want.withdrawn, Stopped: want.stopped, Rejected: want.rejected, OnSpotResolved: want.onSpot,
	}
	g := got
	g.OnTimeRate, g.OnlineRate, g.OnSpotRate = rateJSON{}, rateJSON{}, rateJSON{}
	if g != exp {
		t.Errorf("%s:\n got  %+v\n want %+v", what, g, exp)
	}
	if got.ReceivedTotal != got.CarriedOver+got.ReceivedOnline+got.ReceivedDirectPostal {
		t.Errorf("%s: received_total %d != carried_over + online + direct/postal", what, got.ReceivedTotal)
	}
	if got.ReceivedTotal != got.ResolvedTotal+got.InProgressTotal+got.Withdrawn+got.Stopped {
		t.Errorf("%s: received_total %d != resolved %d + in progress %d + withdrawn %d + stopped %d", what,
			got.ReceivedTotal, got.ResolvedTotal, got.InProgressTotal, got.Withdrawn, got.Stopped)
	}
	if got.ResolvedTotal != got.ResolvedEarly+got.ResolvedOnTime+got.ResolvedLate ||
		got.InProgressTotal != got.InProgressWithin+got.InProgressOverdue {
		t.Errorf("%s: totals are not the sums of their parts: %+v", what, got)
	}
	wantRate(t, what+" on_time_rate", got.OnTimeRate, want.early+want.onTime, want.resolved)
	wantRate(t, what+" online_rate", got.OnlineRate, want.online, want.online+want.directPostal)
	wantRate(t, what+" on_spot_rate", got.OnSpotRate, want.onSpot, want.resolved)
}

// checkForm06 compares a form-06 answer with the independent count.
func checkForm06(t *testing.T, what string, got form06JSON, by string, want map[string]countedFigures) {
	t.Helper()
	if got.GroupBy != by {
		t.Errorf("%s: group_by %q", what, got.GroupBy)
	}
	seen := map[string]bool{}
	var total countedFigures
	for _, r := range got.Rows {
		if seen[r.Group] {
			t.Errorf("%s: group %q twice", what, r.Group)
		}
		seen[r.Group] = true
		if name := groupName(by, r.Group); r.Name != name {
			t.Errorf("%s: group %q named %q, want %q", what, r.Group, r.Name, name)
		}
		w, ok := want[r.Group]
		if !ok && r.figuresJSON != (figuresJSON{OnTimeRate: r.OnTimeRate, OnlineRate: r.OnlineRate, OnSpotRate: r.OnSpotRate}) {
			t.Errorf("%s: unexpected group %q: %+v", what, r.Group, r.figuresJSON)
		}
		wantFigures(t, what+" row "+r.Group, r.figuresJSON, w)
		total.add(w)
	}
	for k := range want {
		if !seen[k] {
			t.Errorf("%s: group %q missing", what, k)
		}
	}
	var all countedFigures
	for _, w := range want {
		all.add(w)
	}
	wantFigures(t, what+" total", got.Total, all)
}

func getForm06(t *testing.T, s *apptest.Server, tok, query string) form06JSON {
	t.Helper()
	r := apptest.Want(t, s.Get("/api/v1/stats/dossiers?"+query, tok), http.StatusOK)
	var out form06JSON
	r.Decode(t, &out)
	return out
}

var (
	augustStart = time.Date(2021, 8, 1, 0, 0, 0, 0, apptest.Loc)
	augustEnd   = time.Date(2021, 9, 1, 0, 0, 0, 0, apptest.Loc)
)

var allGroupBys = []string{"unit", "agency", "procedure", "field", "level", "channel"}

// TestStatsDossiersGenerated checks form 06 for every grouping against the
// independent count over a generated province: every column, every rate,
// the identities on every row and the total.
func TestStatsDossiersGenerated(t *testing.T) {
	t.Parallel()
	s := statsServer(t, nil)
	w := populate(t, s, 2021, 1500)
	tok := s.Token("viewer")

	// The generated data exercises every column.
	var all countedFigures
	for _, f := range countForm06(w.dossiers, "unit", augustStart, augustEnd, nil) {
		all.add(f)
	}
	for name, v := range map[string]int64{"carried": all.carried, "online": all.online, "direct/postal": all.directPostal,
		"early": all.early, "on time": all.onTime, "late": all.late, "on spot": all.onSpot, "within": all.within,
		"overdue": all.overdue, "withdrawn": all.withdrawn, "stopped": all.stopped, "rejected": all.rejected} {
		if v == 0 {
			t.Errorf("the generated data has no %s dossier in August", name)
		}
	}

	for _, by := range allGroupBys {
		got := getForm06(t, s, tok, "month=2021-08&group_by="+by)
		checkForm06(t, "month "+by, got, by, countForm06(w.dossiers, by, augustStart, augustEnd, nil))
		if got.Scope.UnitCode != nil || got.Scope.Label != "Toàn tỉnh" {
			t.Errorf("viewer scope %+v", got.Scope)
		}
	}
	got := getForm06(t, s, tok, "month=2021-08")
	if got.GroupBy != "unit" || got.Period.From != "2021-08-01" || got.Period.To != "2021-08-31" || got.Period.Month == nil ||
		*got.Period.Month != "2021-08" || got.Period.Start != "2021-08-01T00:00:00+07:00" || got.Period.End != "2021-09-01T00:00:00+07:00" {
		t.Errorf("default grouping and period: %s %+v", got.GroupBy, got.Period)
	}

	// from/to is the same month; a longer range counts over its own bounds.
	byDates := getForm06(t, s, tok, "from=2021-08-01&to=2021-08-31&group_by=procedure")
	checkForm06(t, "from/to", byDates, "procedure", countForm06(w.dossiers, "procedure", augustStart, augustEnd, nil))
	if byDates.Period.Month != nil {
		t.Errorf("from/to period has a month: %+v", byDates.Period)
	}
	q3s, q3e := time.Date(2021, 6, 15, 0, 0, 0, 0, apptest.Loc), time.Date(2021, 10, 1, 0, 0, 0, 0, apptest.Loc)
	checkForm06(t, "range", getForm06(t, s, tok, "from=2021-06-15&to=2021-09-30&group_by=level"), "level",
		countForm06(w.dossiers, "level", q3s, q3e, nil))
}

// TestStatsPeriodEdges: a dossier received at 23:59 local on the last day
// is in the month, one at 00:00 the next day is not (it is in the next
// month), one at 23:59:59 the day before is carried over.
func TestStatsPeriodEdges(t *testing.T) {
	t.Parallel()
	s := statsServer(t, nil)
	ds := edgeDossiers()
	insertDossiers(t, s.App.DB, ds)
	tok := s.Token("viewer")
	aug := getForm06(t, s, tok, "month=2021-08&group_by=unit")
	if len(aug.Rows) != 1 || aug.Total.ReceivedDirectPostal != 2 || aug.Total.CarriedOver != 1 || aug.Total.ReceivedTotal != 3 {
		t.Fatalf("August: %+v", aug.Total)
	}
	sep := getForm06(t, s, tok, "month=2021-09&group_by=unit")
	// September: EDGE-3 is new; EDGE-1, 2 and 4 are carried over (never finished).
	if sep.Total.ReceivedDirectPostal != 1 || sep.Total.CarriedOver != 3 {
		t.Fatalf("September: %+v", sep.Total)
	}
	day := getForm06(t, s, tok, "from=2021-08-31&to=2021-08-31")
	if day.Total.ReceivedDirectPostal != 1 || day.Total.CarriedOver != 2 {
		t.Fatalf("31 August: %+v", day.Total)
	}
}

// TestStatsCutoffMonth: with MOTCUA_REPORT_CUTOFF_DAY=15, month=2021-08 is
// 2021-07-15 to 2021-08-14 and counts over exactly those days.
func TestStatsCutoffMonth(t *testing.T) {
	t.Parallel()
	s := statsServer(t, map[string]string{"MOTCUA_REPORT_CUTOFF_DAY": "15"})
	w := populate(t, s, 15, 600)
	tok := s.Token("viewer")
	got := getForm06(t, s, tok, "month=2021-08&group_by=channel")
	if got.Period.From != "2021-07-15" || got.Period.To != "2021-08-14" || got.Period.Start != "2021-07-15T00:00:00+07:00" ||
		got.Period.End != "2021-08-15T00:00:00+07:00" {
		t.Fatalf("cut-off period %+v", got.Period)
	}
	start, end := time.Date(2021, 7, 15, 0, 0, 0, 0, apptest.Loc), time.Date(2021, 8, 15, 0, 0, 0, 0, apptest.Loc)
	checkForm06(t, "cut-off", got, "channel", countForm06(w.dossiers, "channel", start, end, nil))
	// January crosses the year: 2020-12-15 to 2021-01-14.
	jan := getForm06(t, s, tok, "month=2021-01")
	if jan.Period.From != "2020-12-15" || jan.Period.To != "2021-01-14" {
		t.Errorf("January with cut-off: %+v", jan.Period)
	}
}

// TestStatsScoping: a leader sees their own subtree only, unit_code narrows
// but never widens, a viewer sees the province; clerks and officers get 403.
func TestStatsScoping(t *testing.T) {
	t.Parallel()
	s := statsServer(t, nil)
	w := populate(t, s, 7, 900)
	district := subtree(districtCode)

	leader := s.Token("leader.district")
	got := getForm06(t, s, leader, "month=2021-08&group_by=agency")
	checkForm06(t, "leader.district", got, "agency", countForm06(w.dossiers, "agency", augustStart, augustEnd, district))
	if got.Scope.UnitCode == nil || *got.Scope.UnitCode != districtCode || *got.Scope.UnitName != agencyName(districtCode) {
		t.Errorf("leader scope %+v", got.Scope)
	}
	// The district's view is smaller than the province's.
	prov := getForm06(t, s, s.Token("viewer"), "month=2021-08&group_by=agency")
	if got.Total.ReceivedTotal >= prov.Total.ReceivedTotal {
		t.Errorf("district %d not below province %d", got.Total.ReceivedTotal, prov.Total.ReceivedTotal)
	}
	// A viewer narrowed to the district sees what the district's leader sees.
	vd := getForm06(t, s, s.Token("viewer"), "month=2021-08&group_by=agency&unit_code="+districtCode)
	checkForm06(t, "viewer unit_code=district", vd, "agency", countForm06(w.dossiers, "agency", augustStart, augustEnd, district))
	// A viewer with a unit sees that unit's subtree by default.
	vu := getForm06(t, s, s.Token("viewer.district"), "month=2021-08&group_by=unit")
	checkForm06(t, "viewer.district", vu, "unit", countForm06(w.dossiers, "unit", augustStart, augustEnd, district))
	// The leader narrows to one commune.
	commune := getForm06(t, s, leader, "month=2021-08&group_by=procedure&unit_code="+communeACode)
	checkForm06(t, "leader.district unit_code=commune", commune, "procedure",
		countForm06(w.dossiers, "procedure", augustStart, augustEnd, subtree(communeACode)))
	// A department's leader sees the centre's dossiers of their department.
	justice := getForm06(t, s, s.Token("leader.justice"), "month=2021-08&group_by=unit")
	checkForm06(t, "leader.justice", justice, "unit", countForm06(w.dossiers, "unit", augustStart, augustEnd, subtree(justiceCode)))

	for _, c := range []struct {
		user, query string
		status      int
		code        string
	}{
		{"leader.district", "month=2021-08&unit_code=" + provinceCode, 403, "forbidden"},
		{"leader.district", "month=2021-08&unit_code=" + centerCode, 403, "forbidden"},
		{"leader.commune", "month=2021-08&unit_code=" + districtCode, 403, "forbidden"},
		{"viewer.district", "month=2021-08&unit_code=" + justiceCode, 403, "forbidden"},
		{"clerk", "month=2021-08", 403, "forbidden"},
		{"officer", "month=2021-08", 403, "forbidden"},
		{"clerk", "", 403, "forbidden"},
		{"viewer", "month=2021-08&unit_code=NOPE", 422, "validation_failed"},
		{"admin", "month=2021-08&unit_code=" + communeBCode, 200, ""},
	} {
		for _, path := range []string{"dossiers", "online", "digitisation", "feedback", "procedures", "satisfaction"} {
			r := s.Get("/api/v1/stats/"+path+"?"+c.query, s.Token(c.user))
			if r.Status != c.status || r.ErrorCode() != c.code {
				t.Errorf("%s %s?%s: %d %s, want %d %s", c.user, path, c.query, r.Status, r.ErrorCode(), c.status, c.code)
			}
		}
	}
	if r := s.Get("/api/v1/stats/dossiers?month=2021-08", ""); r.Status != 401 || r.ErrorCode() != "unauthenticated" {
		t.Errorf("no token: %d %s", r.Status, r.ErrorCode())
	}
}

// TestStatsValidation: a bad or missing period, grouping or format is 422
// naming the parameter, never a 500.
func TestStatsValidation(t *testing.T) {
	t.Parallel()
	s := statsServer(t, nil)
	tok := s.Token("viewer")
	for _, c := range []struct{ query, field string }{
		{"", "month"},
		{"group_by=unit", "month"},
		{"month=2021-13", "month"},
		{"month=21-08", "month"},
		{"month=2021-08&from=2021-08-01&to=2021-08-31", "month"},
		{"from=2021-08-01", "to"},
		{"to=2021-08-01", "from"},
		{"from=2021-02-29&to=2021-03-01", "from"},
		{"from=2021-09-01&to=2021-08-01", "to"},
		{"from=0001-01-01&to=9999-12-31", "from"},
		{"month=2021-08&group_by=weekday", "group_by"},
		{"month=2021-08&format=pdf", "format"},
		{"month=" + url.QueryEscape("2021-08'; DROP TABLE dossiers;--"), "month"},
	} {
		for _, path := range []string{"dossiers", "online", "digitisation", "feedback", "procedures", "satisfaction"} {
			if path != "dossiers" && c.field == "group_by" {
				continue
			}
			r := s.Get("/api/v1/stats/"+path+"?"+c.query, tok)
			if r.Status != 422 || r.ErrorCode() != "validation_failed" {
				t.Errorf("%s?%s: %d %s", path, c.query, r.Status, r.Body)
				continue
			}
			var body struct {
				Error struct {
					Message string `json:"message"`
					Details struct {
						Fields map[string]string `json:"fields"`
					} `json:"details"`
				} `json:"error"`
			}
			r.Decode(t, &body)
			if _, ok := body.Error.Details.Fields[c.field]; !ok || body.Error.Message == "" {
				t.Errorf("%s?%s: fields %v, want %q", path, c.query, body.Error.Details.Fields, c.field)
			}
		}
	}
}

// TestStatsOtherReportsGenerated checks /online, /feedback, /procedures and
// /satisfaction against the independent count, for the province and a
// district leader.
func TestStatsOtherReportsGenerated(t *testing.T) {
	t.Parallel()
	s := statsServer(t, nil)
	w := populate(t, s, 99, 1200)
	for _, c := range []struct {
		user  string
		scope map[string]bool
	}{{"viewer", nil}, {"leader.district", subtree(districtCode)}, {"leader.justice", subtree(justiceCode)}} {
		tok := s.Token(c.user)
		t.Run(c.user, func(t *testing.T) {
			checkOnline(t, s, tok, w, c.scope)
			checkFeedback(t, s, tok, w, c.scope)
			checkProcedures(t, s, tok, w, c.scope)
			checkSatisfaction(t, s, tok, w, c.scope)
		})
	}
}

func checkOnline(t *testing.T, s *apptest.Server, tok string, w statsWorld, scope map[string]bool) {
	t.Helper()
	var got struct {
		Levels []struct {
			OnlineLevel    string   `json:"online_level"`
			Name           string   `json:"name"`
			Services       int64    `json:"services"`
			Dossiers       int64    `json:"dossiers"`
			DossiersOnline int64    `json:"dossiers_online"`
			OnlineRate     rateJSON `json:"online_rate"`
		} `json:"levels"`
		Integration rateJSON `json:"national_portal_integration"`
	}
	apptest.Want(t, s.Get("/api/v1/stats/online?month=2021-08", tok), 200).Decode(t, &got)
	type lv struct{ services, dossiers, online int64 }
	want := map[string]*lv{"info": {}, "partial": {}, "full": {}}
	var integrated, base int64
	for _, p := range worldProcedures {
		if p.Status != "active" || (scope != nil && !scope[p.AgencyCode]) {
			continue
		}
		want[string(p.OnlineLevel)].services++
		if p.OnlineLevel != "info" {
			base++
			if p.NationalPortalIntegrated {
				integrated++
			}
		}
	}
	for _, d := range w.dossiers {
		if dossierInScope(d, scope) && inPeriod(d.received, augustStart, augustEnd) {
			want[d.procOnline].dossiers++
			if d.channel == "online" {
				want[d.procOnline].online++
			}
		}
	}
	if len(got.Levels) != 3 || got.Levels[0].OnlineLevel != "info" || got.Levels[1].OnlineLevel != "partial" || got.Levels[2].OnlineLevel != "full" {
		t.Fatalf("levels %+v", got.Levels)
	}
	for _, l := range got.Levels {
		wl := want[l.OnlineLevel]
		if l.Services != wl.services || l.Dossiers != wl.dossiers || l.DossiersOnline != wl.online || l.Name == "" {
			t.Errorf("online %s: %+v, want %+v", l.OnlineLevel, l, *wl)
		}
		wantRate(t, "online rate "+l.OnlineLevel, l.OnlineRate, wl.online, wl.dossiers)
	}
	wantRate(t, "integration", got.Integration, integrated, base)
}

func checkFeedback(t *testing.T, s *apptest.Server, tok string, w statsWorld, scope map[string]bool) {
	t.Helper()
	var got struct {
		Received       int64            `json:"received"`
		ByChannel      map[string]int64 `json:"by_channel"`
		ByCategory     map[string]int64 `json:"by_category"`
		ByStatus       map[string]int64 `json:"by_status"`
		Open           int64            `json:"open"`
		OpenOverdue    int64            `json:"open_overdue"`
		Answered       int64            `json:"answered"`
		AnsweredOnTime int64            `json:"answered_on_time"`
		Refused        int64            `json:"refused"`
		RefusedOnTime  int64            `json:"refused_on_time"`
		OnTimeRate     rateJSON         `json:"on_time_rate"`
		Published      int64            `json:"published"`
	}
	apptest.Want(t, s.Get("/api/v1/stats/feedback?month=2021-08", tok), 200).Decode(t, &got)
	want := countFeedback(w.feedback, augustStart, augustEnd, scope)
	if got.Received != want.received || !reflect.DeepEqual(got.ByChannel, want.byChannel) ||
		!reflect.DeepEqual(got.ByCategory, want.byCategory) || !reflect.DeepEqual(got.ByStatus, want.byStatus) ||
		got.Answered != want.answered || got.AnsweredOnTime != want.answeredOnTime || got.Refused != want.refused ||
		got.RefusedOnTime != want.refusedOnTime || got.Published != want.published ||
		got.Open != want.open || got.OpenOverdue != want.openOverdue {
		t.Errorf("feedback\n got  %+v\n want %+v", got, want)
	}
	if want.received == 0 || want.answered == 0 || want.open == 0 || (scope == nil && want.openOverdue == 0) {
		t.Errorf("the generated feedback is too thin: %+v", want)
	}
	wantRate(t, "feedback on time", got.OnTimeRate, want.answeredOnTime+want.refusedOnTime, want.answered+want.refused)
}

func checkProcedures(t *testing.T, s *apptest.Server, tok string, w statsWorld, scope map[string]bool) {
	t.Helper()
	var got struct {
		Publications      map[string]int64 `json:"publications"`
		PublicationsTotal int64            `json:"publications_total"`
		Active            int64            `json:"active"`
		ByLevel           map[string]int64 `json:"by_level"`
		ByOnlineLevel     map[string]int64 `json:"by_online_level"`
		OnSpotEligible    struct {
			Total    int64 `json:"total"`
			ByAgency []struct {
				AgencyCode string `json:"agency_code"`
				Name       string `json:"name"`
				Count      int64  `json:"count"`
			} `json:"by_agency"`
		} `json:"on_spot_eligible"`
	}
	apptest.Want(t, s.Get("/api/v1/stats/procedures?month=2021-08", tok), 200).Decode(t, &got)
	pubs := map[string]int64{"new": 0, "amended": 0, "abolished": 0}
	var total int64
	for _, p := range w.publications {
		if p.on.Year == 2021 && p.on.Month == 8 && (scope == nil || scope[worldProcedure(p.proc).AgencyCode]) {
			pubs[p.kind]++
			total++
		}
	}
	byLevel := map[string]int64{"province": 0, "district": 0, "commune": 0}
	byOnline := map[string]int64{"info": 0, "partial": 0, "full": 0}
	onSpot := map[string]int64{}
	var active int64
	for _, p := range worldProcedures {
		if p.Status != "active" || (scope != nil && !scope[p.AgencyCode]) {
			continue
		}
		active++
		byLevel[string(p.Level)]++
		byOnline[string(p.OnlineLevel)]++
		if p.OnSpotEligible {
			onSpot[p.AgencyCode]++
		}
	}
	if !reflect.DeepEqual(got.Publications, pubs) || got.PublicationsTotal != total || got.Active != active ||
		!reflect.DeepEqual(got.ByLevel, byLevel) || !reflect.DeepEqual(got.ByOnlineLevel, byOnline) {
		t.Errorf("procedures\n got  %+v\n want pubs %v active %d levels %v online %v", got, pubs, active, byLevel, byOnline)
	}
	gotSpot := map[string]int64{}
	var spotTotal int64
	for _, a := range got.OnSpotEligible.ByAgency {
		gotSpot[a.AgencyCode] = a.Count
		spotTotal += a.Count
		if a.Name != agencyName(a.AgencyCode) {
			t.Errorf("on-spot agency %s named %q", a.AgencyCode, a.Name)
		}
	}
	if !reflect.DeepEqual(gotSpot, onSpot) || got.OnSpotEligible.Total != spotTotal {
		t.Errorf("on-spot eligible %v (total %d), want %v", gotSpot, got.OnSpotEligible.Total, onSpot)
	}
}

func checkSatisfaction(t *testing.T, s *apptest.Server, tok string, w statsWorld, scope map[string]bool) {
	t.Helper()
	var got struct {
		Count     int64            `json:"count"`
		Average   *float64         `json:"average"`
		Satisfied rateJSON         `json:"satisfied"`
		ByScore   map[string]int64 `json:"by_score"`
	}
	apptest.Want(t, s.Get("/api/v1/stats/satisfaction?month=2021-08", tok), 200).Decode(t, &got)
	byScore := map[string]int64{"1": 0, "2": 0, "3": 0, "4": 0, "5": 0}
	var n, sum, sat int64
	for _, r := range w.ratings {
		if !inPeriod(&r.at, augustStart, augustEnd) || (scope != nil && !scope[r.dossier.unit] && !scope[r.dossier.agency]) {
			continue
		}
		n++
		sum += int64(r.score)
		byScore[fmt.Sprint(r.score)]++
		if r.score >= 4 {
			sat++
		}
	}
	if got.Count != n || !reflect.DeepEqual(got.ByScore, byScore) {
		t.Errorf("satisfaction %+v, want %d %v", got, n, byScore)
	}
	var avg *float64
	if n > 0 {
		avg = rateValue(sum, n*100) // sum/n to 2 decimals, via the same big.Rat rounding
	}
	if (avg == nil) != (got.Average == nil) || (avg != nil && *avg != *got.Average) {
		t.Errorf("average %v, want %v", got.Average, avg)
	}
	wantRate(t, "satisfied", got.Satisfied, sat, n)
}

// TestStatsThroughDossierAPI registers and handles dossiers through the
// real dossier API with the clock at the month's edges: what the dossier
// store writes is what the report counts. Received 23:59 local on 31
// August is in August; 00:00 on 1 September is not.
func TestStatsThroughDossierAPI(t *testing.T) {
	t.Parallel()
	// Tokens issued at the start of August must live through September.
	s := statsServer(t, map[string]string{"MOTCUA_TOKEN_TTL_MINUTES": "100000"})
	s.Clock.Set(time.Date(2021, 8, 1, 8, 0, 0, 0, apptest.Loc))
	clerk, leader, viewer := s.Token("clerk"), s.Token("leader.justice"), s.Token("viewer")
	register := func(at time.Time, proc string, onSpot bool) string {
		t.Helper()
		s.Clock.Set(at)
		r := apptest.Want(t, s.Post("/api/v1/dossiers", clerk, map[string]any{"procedure_code": proc, "channel": "direct",
			"on_spot": onSpot, "applicant": map[string]any{"name": "Lò Thị Thử"}}), http.StatusCreated)
		return r.JSON(t)["code"].(string)
	}
	act := func(at time.Time, tok, code string, body map[string]any) {
		t.Helper()
		s.Clock.Set(at)
		apptest.Want(t, s.Post("/api/v1/dossiers/"+code+"/actions", tok, body), http.StatusOK)
	}
	// Monday 2 August: registered, started, resolved the next day (early: 5 working days).
	a := register(time.Date(2021, 8, 2, 9, 0, 0, 0, apptest.Loc), "1.001", false)
	act(time.Date(2021, 8, 2, 10, 0, 0, 0, apptest.Loc), clerk, a, map[string]any{"action": "start"})
	act(time.Date(2021, 8, 3, 10, 0, 0, 0, apptest.Loc), leader, a, map[string]any{"action": "resolve", "outcome": "approved"})
	// On the spot: received and resolved at once by the department's leader.
	b := register(time.Date(2021, 8, 4, 8, 0, 0, 0, apptest.Loc), "1.002", true)
	act(time.Date(2021, 8, 4, 9, 0, 0, 0, apptest.Loc), leader, b, map[string]any{"action": "resolve", "outcome": "approved"})
	// Withdrawn in August.
	c := register(time.Date(2021, 8, 5, 8, 0, 0, 0, apptest.Loc), "1.001", false)
	act(time.Date(2021, 8, 6, 8, 0, 0, 0, apptest.Loc), clerk, c, map[string]any{"action": "withdraw", "reason": "Người nộp rút"})
	// The edges.
	register(time.Date(2021, 8, 31, 23, 59, 0, 0, apptest.Loc), "1.001", false)
	register(time.Date(2021, 9, 1, 0, 0, 0, 0, apptest.Loc), "1.001", false)

	// Both resolutions come days before their due day (5 working days): early.
	aug := getForm06(t, s, viewer, "month=2021-08&group_by=unit")
	wantFigures(t, "August", aug.Total, countedFigures{directPostal: 4, resolved: 2, early: 2, onSpot: 1, withdrawn: 1, within: 1})
	if len(aug.Rows) != 1 || aug.Rows[0].Group != centerCode || aug.Rows[0].Name != agencyName(centerCode) {
		t.Errorf("rows %+v", aug.Rows)
	}
	// Both open dossiers were due in early September: overdue at its end
	// (asked for once September is over).
	s.Clock.Set(time.Date(2021, 10, 4, 8, 0, 0, 0, apptest.Loc))
	viewer = s.Token("viewer")
	sep := getForm06(t, s, viewer, "month=2021-09&group_by=agency")
	wantFigures(t, "September", sep.Total, countedFigures{carried: 1, directPostal: 1, overdue: 2})
	// The same dossiers through the department leader's scope (handling agency).
	mine := getForm06(t, s, leader, "month=2021-08&group_by=procedure")
	wantFigures(t, "leader August", mine.Total, countedFigures{directPostal: 4, resolved: 2, early: 2, onSpot: 1, withdrawn: 1, within: 1})
}

// TestStatsOnDemoData: on the demo province (dossiers and feedback made by
// the real services), every endpoint and export answers, and the identities
// hold on every row and the total, whatever the grouping.
func TestStatsOnDemoData(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, apptest.Options{})
	for _, user := range []string{"viewer", "admin", "leader", "leader.commune"} {
		tok := s.Token(user)
		for _, by := range allGroupBys {
			for _, period := range []string{"month=2026-11", "from=2020-01-01&to=2026-12-31"} {
				got := getForm06(t, s, tok, period+"&group_by="+by)
				var sum figuresJSON
				for _, r := range got.Rows {
					f := r.figuresJSON
					if f.ReceivedTotal != f.CarriedOver+f.ReceivedOnline+f.ReceivedDirectPostal ||
						f.ReceivedTotal != f.ResolvedTotal+f.InProgressTotal+f.Withdrawn+f.Stopped {
						t.Errorf("%s %s %s row %q breaks an identity: %+v", user, by, period, r.Group, f)
					}
					if r.Name == "" {
						t.Errorf("%s %s row %q has no name", user, by, r.Group)
					}
					sum.ReceivedTotal += f.ReceivedTotal
					sum.ResolvedTotal += f.ResolvedTotal
					sum.InProgressTotal += f.InProgressTotal
					sum.Rejected += f.Rejected
				}
				if sum.ReceivedTotal != got.Total.ReceivedTotal || sum.ResolvedTotal != got.Total.ResolvedTotal ||
					sum.InProgressTotal != got.Total.InProgressTotal || sum.Rejected != got.Total.Rejected {
					t.Errorf("%s %s %s: total %+v is not the sum of the rows", user, by, period, got.Total)
				}
			}
		}
		for _, path := range []string{"dossiers", "online", "digitisation", "feedback", "procedures", "satisfaction"} {
			for _, format := range []string{"json", "csv", "xlsx"} {
				r := s.Get("/api/v1/stats/"+path+"?month=2026-11&format="+format, tok)
				if r.Status != http.StatusOK || len(r.Body) == 0 {
					t.Errorf("%s %s %s: %d %s", user, path, format, r.Status, r.Body)
				}
			}
		}
	}
	// The demo has dossiers this month, so the report is not trivially empty.
	if got := getForm06(t, s, s.Token("viewer"), "from=2020-01-01&to=2026-12-31"); got.Total.ReceivedTotal == 0 {
		t.Error("the demo data has no received dossier")
	}
}

// TestStatsAsOf: a period that has not ended is judged at now (period.as_of):
// form 06 calls overdue only what is past its due time now, not what will be
// by the period's end; feedback counts as open what is open now; once the
// period is over it is judged at its end, from history (an item answered
// after the period was still open at its end). A period that starts after
// today is 422, whichever way it is named.
func TestStatsAsOf(t *testing.T) {
	t.Parallel()
	s := statsServer(t, map[string]string{"MOTCUA_TOKEN_TTL_MINUTES": "100000"})
	at := func(m time.Month, d, h int) time.Time { return time.Date(2021, m, d, h, 0, 0, 0, apptest.Loc) }
	s.Clock.Set(at(8, 2, 8))
	clerk, viewer := s.Token("clerk"), s.Token("viewer")
	register := func(when time.Time) {
		t.Helper()
		s.Clock.Set(when)
		apptest.Want(t, s.Post("/api/v1/dossiers", clerk, map[string]any{"procedure_code": "1.001", "channel": "direct",
			"applicant": map[string]any{"name": "Lò Thị Thử"}}), http.StatusCreated)
	}
	register(at(8, 2, 9))  // due 5 working days later: Monday 9 August
	register(at(8, 16, 9)) // due Monday 23 August
	s.Clock.Set(at(8, 3, 9))
	fb := apptest.Want(t, s.Post("/api/v1/feedback", clerk, map[string]any{"channel": "hotline", "category": "procedure",
		"title": "Hỏi tiến độ", "content": "Hỏi tiến độ hồ sơ lý lịch tư pháp.", "sender": map[string]any{"name": "Lò Văn Hỏi"}}),
		http.StatusCreated).JSON(t)
	feedbackCode, feedbackDue := fb["code"].(string), fb["due_at"].(string)

	feedbackStats := func(query string) (map[string]any, periodJSON) {
		t.Helper()
		r := apptest.Want(t, s.Get("/api/v1/stats/feedback?"+query, viewer), http.StatusOK)
		var body struct {
			Period periodJSON `json:"period"`
		}
		r.Decode(t, &body)
		return r.JSON(t), body.Period
	}
	num := func(m map[string]any, k string) int64 { f, _ := m[k].(float64); return int64(f) }

	// Thursday 12 August, 10:00: the first is overdue, the second is not yet.
	now := at(8, 12, 10)
	s.Clock.Set(now)
	for _, q := range []string{"month=2021-08", "quarter=2021-Q3", "year=2021", "half=2021-H2", "from=2021-08-01&to=2021-08-31"} {
		f := getForm06(t, s, viewer, q)
		wantFigures(t, q+" on 12 August", f.Total, countedFigures{directPostal: 2, within: 1, overdue: 1})
		if f.Period.AsOf != now.Format(time.RFC3339) {
			t.Errorf("%s: as_of %q, want now %s", q, f.Period.AsOf, now.Format(time.RFC3339))
		}
	}
	if q := getForm06(t, s, viewer, "quarter=2021-Q3").Period; q.Kind != "quarter" || q.Name == nil || *q.Name != "2021-Q3" ||
		q.From != "2021-07-01" || q.To != "2021-09-30" || q.Month != nil {
		t.Errorf("quarter period = %+v", q)
	}
	fs, _ := feedbackStats("month=2021-08")
	if num(fs, "open") != 1 || num(fs, "open_overdue") != 0 {
		t.Errorf("feedback on 12 August: open %v, overdue %v; want 1, 0 (due %s)", fs["open"], fs["open_overdue"], feedbackDue)
	}

	// Periods that start after today are 422 naming how they were asked for;
	// one that starts today is fine.
	for q, field := range map[string]string{"month=2021-09": "month", "quarter=2021-Q4": "quarter", "half=2022-H1": "half",
		"year=2022": "year", "from=2021-08-13&to=2021-08-20": "from"} {
		wantFields(t, s.Get("/api/v1/stats/dossiers?"+q, viewer), field)
		wantFields(t, s.Get("/api/v1/stats/feedback?"+q, viewer), field)
	}
	apptest.Want(t, s.Get("/api/v1/stats/dossiers?from=2021-08-12&to=2021-08-12", viewer), http.StatusOK)

	// 30 August: the feedback is past its due time and still open.
	s.Clock.Set(at(8, 30, 10))
	if fs, _ := feedbackStats("month=2021-08"); num(fs, "open") != 1 || num(fs, "open_overdue") != 1 {
		t.Errorf("feedback on 30 August: open %v, overdue %v; want 1, 1", fs["open"], fs["open_overdue"])
	}

	// Answered in September; August, asked for in October, is judged at its
	// end: both dossiers overdue, the feedback open and overdue then.
	s.Clock.Set(at(9, 2, 9))
	apptest.Want(t, s.Post("/api/v1/feedback/"+feedbackCode+"/actions", clerk, map[string]any{"action": "assign", "agency_code": justiceCode}), http.StatusOK)
	apptest.Want(t, s.Post("/api/v1/feedback/"+feedbackCode+"/actions", s.Token("officer"), map[string]any{"action": "answer", "answer": "Đã trả lời."}), http.StatusOK)
	s.Clock.Set(at(10, 4, 8))
	aug := getForm06(t, s, viewer, "month=2021-08")
	wantFigures(t, "August asked in October", aug.Total, countedFigures{directPostal: 2, overdue: 2})
	if aug.Period.AsOf != "2021-09-01T00:00:00+07:00" || aug.Period.AsOf != aug.Period.End {
		t.Errorf("ended month: as_of %q, want its end %q", aug.Period.AsOf, aug.Period.End)
	}
	fs, p := feedbackStats("month=2021-08")
	byStatus, _ := fs["by_status"].(map[string]any)
	if num(fs, "open") != 1 || num(fs, "open_overdue") != 1 || num(byStatus, "received") != 1 || num(byStatus, "answered") != 0 || num(fs, "answered") != 0 {
		t.Errorf("August feedback at its end: %v", fs)
	}
	if p.AsOf != "2021-09-01T00:00:00+07:00" {
		t.Errorf("feedback as_of %q", p.AsOf)
	}
	fs, _ = feedbackStats("month=2021-09")
	if byStatus, _ := fs["by_status"].(map[string]any); num(fs, "received") != 0 || num(fs, "answered") != 1 || num(byStatus, "answered") != 0 {
		t.Errorf("September feedback: %v", fs)
	}
	if fs, _ = feedbackStats("quarter=2021-Q3"); num(fs, "open") != 0 || num(fs["by_status"].(map[string]any), "answered") != 1 {
		t.Errorf("Q3 feedback at its end: %v", fs)
	}
}
