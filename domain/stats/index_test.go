package stats

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/domain/user"
	"github.com/motcua/motcua/domain/worktime"
)

// TestIndex766Rule applies the 766 on-time rule to hand-made dossiers of
// August 2026 (asof 1 September 00:00) in every end state.
func TestIndex766Rule(t *testing.T) {
	t.Parallel()
	at := func(month time.Month, day, hour int) *time.Time {
		x := time.Date(2026, month, day, hour, 0, 0, 0, hcm)
		return &x
	}
	start, end := *at(8, 1, 0), *at(9, 1, 0)
	due := at(8, 20, 17)
	rec := at(8, 5, 9)
	sup := func(req *time.Time, due *time.Time, supplied *time.Time) Supplement {
		return Supplement{RequestedAt: *req, DueAt: due, SuppliedAt: supplied}
	}
	cases := []struct {
		name   string
		d      IndexDossier
		in     bool // in the population
		onTime bool
	}{
		{"never received", IndexDossier{}, false, false},
		{"received after the period", IndexDossier{ReceivedAt: at(9, 2, 9), DueAt: at(9, 20, 17)}, false, false},
		{"resolved before the due time", IndexDossier{ReceivedAt: rec, DueAt: due, ResolvedAt: at(8, 19, 10)}, true, true},
		{"resolved at the due time", IndexDossier{ReceivedAt: rec, DueAt: due, ResolvedAt: due}, true, true},
		{"resolved late", IndexDossier{ReceivedAt: rec, DueAt: due, ResolvedAt: at(8, 21, 8)}, true, false},
		{"resolved after the period's end, overdue at it", IndexDossier{ReceivedAt: rec, DueAt: due, ResolvedAt: at(9, 3, 8)}, true, false},
		{"resolved after the period's end, not due at it", IndexDossier{ReceivedAt: rec, DueAt: at(9, 10, 17), ResolvedAt: at(9, 3, 8)}, true, true},
		{"withdrawn in time", IndexDossier{ReceivedAt: rec, DueAt: due, WithdrawnAt: at(8, 10, 9)}, true, true},
		{"withdrawn late", IndexDossier{ReceivedAt: rec, DueAt: due, WithdrawnAt: at(8, 25, 9)}, true, false},
		{"stopped in time", IndexDossier{ReceivedAt: rec, DueAt: due, StoppedAt: at(8, 12, 9)}, true, true},
		{"stopped late", IndexDossier{ReceivedAt: rec, DueAt: due, StoppedAt: at(8, 22, 9)}, true, false},
		{"open before its due time", IndexDossier{ReceivedAt: at(8, 28, 9), DueAt: at(9, 10, 17)}, true, true},
		{"open after its due time", IndexDossier{ReceivedAt: rec, DueAt: due}, true, false},
		{"open, due exactly at the period's end", IndexDossier{ReceivedAt: rec, DueAt: &end}, true, true},
		{"no due time (history without a clock)", IndexDossier{ReceivedAt: rec}, true, true},
		{"carried over, resolved late in the period", IndexDossier{ReceivedAt: at(7, 1, 9), DueAt: at(7, 20, 17), ResolvedAt: at(8, 3, 9)}, true, false},
		{"carried over, still open and not due", IndexDossier{ReceivedAt: at(7, 25, 9), DueAt: at(9, 15, 17)}, true, true},
		{"carried over, resolved before the period", IndexDossier{ReceivedAt: at(7, 1, 9), DueAt: at(7, 20, 17), ResolvedAt: at(7, 30, 9)}, false, false},
		{"withdrawn before the period", IndexDossier{ReceivedAt: at(7, 1, 9), DueAt: at(7, 20, 17), WithdrawnAt: at(7, 3, 9)}, false, false},
		// One supplement request, waiting at the period's end: judged at the request.
		{"waiting, requested before the due time", IndexDossier{ReceivedAt: rec, DueAt: due,
			Supplements: []Supplement{sup(at(8, 15, 9), due, nil)}}, true, true},
		{"waiting, requested after the due time", IndexDossier{ReceivedAt: rec, DueAt: due,
			Supplements: []Supplement{sup(at(8, 21, 9), due, nil)}}, true, false},
		// Supplied after the period's end: waiting then; the due time moved
		// later does not count, the one at the request does.
		{"waiting at the end, supplied after it", IndexDossier{ReceivedAt: rec, DueAt: at(9, 30, 17),
			Supplements: []Supplement{sup(at(8, 15, 9), due, at(9, 5, 9))}}, true, true},
		{"in progress at the end, the due time moved after it does not count", IndexDossier{ReceivedAt: rec, DueAt: at(9, 30, 17),
			Supplements: []Supplement{sup(at(9, 2, 9), due, at(9, 5, 9))}}, true, false},
		// Supplied in the period: the due time moved by the waiting time.
		{"supplied, in progress within the moved due time", IndexDossier{ReceivedAt: rec, DueAt: at(9, 4, 17),
			Supplements: []Supplement{sup(at(8, 10, 9), due, at(8, 25, 9))}}, true, true},
		{"supplied, resolved within the moved due time", IndexDossier{ReceivedAt: rec, DueAt: at(9, 4, 17), ResolvedAt: at(8, 28, 9),
			Supplements: []Supplement{sup(at(8, 10, 9), due, at(8, 25, 9))}}, true, true},
		// Two requests by the period's end, waiting: late whatever the times.
		{"two requests, waiting, both before the due time", IndexDossier{ReceivedAt: rec, DueAt: at(9, 4, 17),
			Supplements: []Supplement{sup(at(8, 10, 9), due, at(8, 11, 9)), sup(at(8, 12, 9), at(8, 21, 17), nil)}}, true, false},
		{"two requests, the second after the period's end", IndexDossier{ReceivedAt: rec, DueAt: at(9, 30, 17),
			Supplements: []Supplement{sup(at(8, 10, 9), due, at(8, 11, 9)), sup(at(9, 2, 9), at(9, 4, 17), at(9, 10, 9))}}, true, true},
		{"two requests, resolved in time: the resolution decides", IndexDossier{ReceivedAt: rec, DueAt: at(9, 4, 17), ResolvedAt: at(8, 30, 9),
			Supplements: []Supplement{sup(at(8, 10, 9), due, at(8, 11, 9)), sup(at(8, 12, 9), at(8, 21, 17), at(8, 20, 9))}}, true, true},
		{"withdrawn while waiting, in time", IndexDossier{ReceivedAt: rec, DueAt: due, WithdrawnAt: at(8, 18, 9),
			Supplements: []Supplement{sup(at(8, 15, 9), due, nil)}}, true, true},
		{"withdrawn while waiting after two requests, in time", IndexDossier{ReceivedAt: rec, DueAt: due, WithdrawnAt: at(8, 18, 9),
			Supplements: []Supplement{sup(at(8, 10, 9), due, at(8, 11, 9)), sup(at(8, 15, 9), due, nil)}}, true, true},
		{"request with no recorded due time: the current one", IndexDossier{ReceivedAt: rec, DueAt: due,
			Supplements: []Supplement{sup(at(8, 15, 9), nil, nil)}}, true, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := InIndexPopulation(c.d, start, end); got != c.in {
				t.Fatalf("in population = %v, want %v", got, c.in)
			}
			if !c.in {
				return
			}
			if got := OnTime766(c.d, end); got != c.onTime {
				t.Errorf("on time = %v, want %v", got, c.onTime)
			}
		})
	}
	// A period not yet over is judged now: open, due tomorrow, on time today.
	now := *at(8, 19, 12)
	if !OnTime766(IndexDossier{ReceivedAt: rec, DueAt: due}, now) {
		t.Error("open and not yet due at as_of: want on time")
	}
}

func TestIndicatorScoreIsExact(t *testing.T) {
	t.Parallel()
	cases := []struct {
		num, den int64
		points   int
		fullAt   int64
		want     Score
		ok       bool
	}{
		{6, 10, 20, 100, 1200, true},            // 60 % of 20 points
		{3, 10, 6, 50, 360, true},               // 30 % of a 50 % threshold: 6 × 30/50
		{6, 10, 6, 50, 600, true},               // above the threshold: capped
		{67, 200, 3, 100, 101, true},            // 1.005 exactly: half-up, where float64 gives 1.00
		{1, 8, 1, 100, 13, true},                // 0.125 → 0.13
		{1, 3, 8, 80, 333, true},                // 8 × (33.33…/80) = 3.333…
		{9, 10, 6, 90, 600, true},               // at the threshold
		{0, 0, 6, 100, 0, false},                // no denominator: no score
		{5, 5, 0, 100, 0, true},                 // no points
		{1000003, 1000007, 20, 100, 2000, true}, // 19.99992 → 20.00
	}
	for _, c := range cases {
		got, ok := IndicatorScore(NewRate(c.num, c.den), c.points, c.fullAt)
		if got != c.want || ok != c.ok {
			t.Errorf("score(%d/%d, %d points, full at %d) = %d %v, want %d %v", c.num, c.den, c.points, c.fullAt, got, ok, c.want, c.ok)
		}
	}
}

func TestIndexPoints(t *testing.T) {
	t.Parallel()
	def := DefaultIndexPoints()
	groups := map[int]int{}
	for _, d := range Indicators {
		groups[d.Group] += def[d.ID]
	}
	for _, g := range IndexGroups {
		if groups[g.Group] != g.Points {
			t.Errorf("group %d: default points add up to %d, want %d", g.Group, groups[g.Group], g.Points)
		}
	}
	if len(Indicators) != 17 {
		t.Fatalf("%d indicators, want 17", len(Indicators))
	}
	p, err := IndexPointsWith(map[string]int{"3.3": 6, "4.2": 7, "1.4": 2})
	if err != nil || p["4.2"] != 7 || p["1.4"] != 2 || p["2.1"] != 20 {
		t.Fatalf("overrides: %v %v", p, err)
	}
	for in, want := range map[string]string{
		"9.9=1":  `"9.9" is not a scored indicator`,
		"2.2=1":  `"2.2" is not a scored indicator`,
		"2.1=21": "group 2",
		"4.1=7":  "group 4",
		"3.1=-1": "3.1: points must be 0 to 100",
	} {
		o, err := ParseIndexPoints(in)
		if err == nil {
			_, err = IndexPointsWith(o)
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", in, err, want)
		}
	}
	for _, bad := range []string{"3.3", "3.3=x", "=4", "3.3=1.5", "3.3=1,3.3=2"} {
		if _, err := ParseIndexPoints(bad); err == nil {
			t.Errorf("ParseIndexPoints(%q) accepted", bad)
		}
	}
	if o, err := ParseIndexPoints(" 3.3 = 5 , "); err != nil || o["3.3"] != 5 || len(o) != 1 {
		t.Errorf("spaces: %v %v", o, err)
	}
}

func TestWorkedTimeExcludesWaits(t *testing.T) {
	t.Parallel()
	cal := worktime.NewCalendar(hcm)
	at := func(day, hour int) time.Time { return time.Date(2026, 8, day, hour, 0, 0, 0, hcm) }
	// Monday 3 Aug 8:00 to Wednesday 5 Aug 8:00: two working days; a wait
	// from Tuesday 8:00 to Wednesday 8:00 takes one of them away.
	span := ResolvedSpan{ReceivedAt: at(3, 8), ResolvedAt: at(5, 8)}
	full := WorkedTime(cal, span)
	span.Waits = []Supplement{{RequestedAt: at(4, 8), SuppliedAt: ptrTime(at(5, 8))}}
	if got := WorkedTime(cal, span); got != full-cal.WorkingBetween(at(4, 8), at(5, 8)) || got <= 0 || got >= full {
		t.Errorf("worked %v of %v", got, full)
	}
	// Never supplied (resolved while waiting): the wait runs to the resolution.
	span.Waits = []Supplement{{RequestedAt: at(4, 8)}}
	if got := WorkedTime(cal, span); got != cal.WorkingBetween(at(3, 8), at(4, 8)) {
		t.Errorf("worked %v", got)
	}
	a := AverageTime{Worked: 3 * WorkingDay, Dossiers: 2}
	if v := a.Value(); v == nil || *v != 1.5 {
		t.Errorf("average %v", v)
	}
	if (AverageTime{}).Value() != nil {
		t.Error("no dossiers: want no average")
	}
}

func ptrTime(t time.Time) *time.Time { return &t }

func TestBuildIndex(t *testing.T) {
	t.Parallel()
	in := IndexInputs{
		Counts: IndexCounts{Population: 10, OnTime: 6, Complained: 5, Received: 8, ReceivedOnline: 4, ReceivedSynced: 6,
			ReceivedOnlineSynced: 3, ActiveProcedures: 10, OnlineProcedures: 6, OnlineProceduresUsed: 3,
			FeedbackHandled: 4, FeedbackHandledOnTime: 3, FeedbackReceived: 5, FeedbackOverdue: 1},
		Digitisation: DigitisationCounts{Received: 8, ReceivedWithFiles: 4, ReceivedReused: 2, Resolved: 4, ResolvedWithEResult: 2,
			ResolvedDigitised: 1, Payable: 0},
		Average: AverageTime{Worked: 10 * WorkingDay, Dossiers: 4},
	}
	ind, groups, total := BuildIndex(in, nil)
	if len(ind) != len(Indicators) {
		t.Fatalf("%d indicators", len(ind))
	}
	want := map[string]struct {
		score *Score
		avail bool
	}{}
	sc := func(v Score) *Score { return &v }
	for id, w := range map[string]*Score{
		"1.4": sc(450),  // 6/8 of 6
		"2.1": sc(1200), // 6/10 of 20
		"3.1": sc(300),  // 60 % of an 80 % threshold, 4 points
		"3.2": sc(200),  // 50 % of 4
		"3.3": sc(450),  // 37.5 % of a 50 % threshold, 6 points
		"3.6": nil,      // nothing payable
		"4.1": sc(300),  // 50 % of 6
		"4.2": sc(250),  // 25 % of an 80 % threshold, 8 points
		"4.3": sc(250),  // 25 %
		"5.2": sc(450),  // 75 % of 6
		"5.3": sc(480),  // 80 % of 6
		"5.4": sc(333),  // 50 % of a 90 % threshold: 3.333…
		"2.2": nil,
	} {
		want[id] = struct {
			score *Score
			avail bool
		}{w, true}
	}
	var sum Score
	for _, x := range ind {
		w, ok := want[x.ID]
		if !ok {
			if x.Available || x.Rate != nil || x.Score != nil || x.Reason == "" {
				t.Errorf("%s: want unavailable with a reason, got %+v", x.ID, x)
			}
			continue
		}
		if !x.Available || x.Reason != "" {
			t.Errorf("%s: want available", x.ID)
		}
		if (w.score == nil) != (x.Score == nil) || (w.score != nil && *w.score != *x.Score) {
			t.Errorf("%s: score %v, want %v", x.ID, x.Score, w.score)
		}
		if x.Score != nil {
			sum += *x.Score
		}
	}
	if a := ind[5]; a.ID != "2.2" || a.Average == nil || *a.Average.Value() != 2.5 || a.Rate != nil {
		t.Errorf("2.2: %+v", a)
	}
	if b := ind[8]; b.ID != "3.3" || b.BeforeSync == nil || *b.BeforeSync != NewRate(4, 8) {
		t.Errorf("3.3 before sync: %+v", b.BeforeSync)
	}
	if f := ind[15]; f.ID != "5.3" || f.Terms == nil || *f.Terms != (FeedbackTerms{Received: 5, Overdue: 1}) {
		t.Errorf("5.3 terms: %+v", f.Terms)
	}
	if total.Score != sum || total.Points != 100 || total.AvailablePoints != 100-16 {
		t.Errorf("total %+v, sum %d", total, sum)
	}
	if groups[0].AvailablePoints != 6 || groups[0].Score != 450 || groups[2].AvailablePoints != 18 || groups[1].Score != 1200 {
		t.Errorf("groups %+v", groups)
	}
}

func TestServiceIndexScopeAndRoles(t *testing.T) {
	t.Parallel()
	st := &fakeStore{index: IndexCounts{Population: 2, OnTime: 1}}
	svc := newTestService(st)
	svc.now = func() time.Time { return time.Date(2026, 9, 15, 0, 0, 0, 0, hcm) }
	leader := user.Principal{Username: "l", Role: user.RoleLeader, Unit: "D"}
	r, err := svc.ServiceIndex(t.Context(), leader, Request{Period: PeriodInput{Month: "2026-08"}})
	if err != nil {
		t.Fatal(err)
	}
	if r.FormulaVersion != IndexFormulaVersion || r.Scope.UnitCode != "D" || len(st.q.Units) != 3 || r.Indicators[4].Rate.Numerator != 1 {
		t.Errorf("report %+v, query %+v", r, st.q)
	}
	if _, err := svc.ServiceIndex(t.Context(), user.Principal{Role: user.RoleClerk, Unit: "C"},
		Request{Period: PeriodInput{Month: "2026-08"}}); err == nil {
		t.Error("a clerk: want forbidden")
	}
}

// TestWorkClockIsTheCalendar: the clock's constant-time answer equals the
// calendar's day-by-day one over random spans of up to two months, in any
// order of questions, across a year end and a holiday.
func TestWorkClockIsTheCalendar(t *testing.T) {
	t.Parallel()
	y := worktime.Year{Year: 2026, Holidays: []worktime.Date{{Year: 2026, Month: 9, Day: 2}}}
	cal := worktime.NewCalendar(hcm, y)
	clock := NewWorkClock(cal)
	base := time.Date(2026, 8, 1, 0, 0, 0, 0, hcm)
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 3000; i++ {
		a := base.Add(time.Duration(r.Int64N(int64(200 * 24 * time.Hour)))).Add(-60 * 24 * time.Hour)
		b := a.Add(time.Duration(r.Int64N(int64(60 * 24 * time.Hour)))).Add(-time.Hour)
		if got, want := clock.WorkingBetween(a, b), cal.WorkingBetween(a, b); got != want {
			t.Fatalf("WorkingBetween(%v, %v) = %v, want %v", a, b, got, want)
		}
	}
}

func BenchmarkWorkedTime(b *testing.B) {
	cal := worktime.NewCalendar(hcm)
	span := ResolvedSpan{ReceivedAt: time.Date(2026, 8, 3, 9, 12, 0, 0, hcm), ResolvedAt: time.Date(2026, 8, 17, 15, 40, 0, 0, hcm)}
	b.Run("calendar", func(b *testing.B) {
		for b.Loop() {
			WorkedTime(cal, span)
		}
	})
	b.Run("clock", func(b *testing.B) {
		clock := NewWorkClock(cal)
		for b.Loop() {
			WorkedTime(clock, span)
		}
	})
}
