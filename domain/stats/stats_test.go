package stats

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/user"
	"github.com/motcua/motcua/domain/worktime"
)

var hcm = func() *time.Location {
	l, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		return time.FixedZone("+07", 7*3600)
	}
	return l
}()

func TestParsePeriod(t *testing.T) {
	t.Parallel()
	d := worktime.MustParseDate
	cases := []struct {
		name     string
		in       PeriodInput
		cutoff   int
		from, to string
		month    string
	}{
		{"calendar month", PeriodInput{Month: "2021-08"}, 0, "2021-08-01", "2021-08-31", "2021-08"},
		{"february leap", PeriodInput{Month: "2024-02"}, 0, "2024-02-01", "2024-02-29", "2024-02"},
		{"december", PeriodInput{Month: "2021-12"}, 0, "2021-12-01", "2021-12-31", "2021-12"},
		{"cut-off 1 is the calendar month", PeriodInput{Month: "2021-08"}, 1, "2021-08-01", "2021-08-31", "2021-08"},
		{"cut-off 15", PeriodInput{Month: "2021-08"}, 15, "2021-07-15", "2021-08-14", "2021-08"},
		{"cut-off 15 january crosses the year", PeriodInput{Month: "2022-01"}, 15, "2021-12-15", "2022-01-14", "2022-01"},
		{"cut-off 28 march", PeriodInput{Month: "2023-03"}, 28, "2023-02-28", "2023-03-27", "2023-03"},
		{"from/to", PeriodInput{From: "2021-01-01", To: "2021-12-31"}, 15, "2021-01-01", "2021-12-31", ""},
		{"one day", PeriodInput{From: "2021-08-02", To: "2021-08-02"}, 0, "2021-08-02", "2021-08-02", ""},
		{"quarter", PeriodInput{Quarter: "2026-Q3"}, 0, "2026-07-01", "2026-09-30", ""},
		{"quarter lower case", PeriodInput{Quarter: "2026-q4"}, 0, "2026-10-01", "2026-12-31", ""},
		{"quarter cut-off 15", PeriodInput{Quarter: "2026-Q1"}, 15, "2025-12-15", "2026-03-14", ""},
		{"half", PeriodInput{Half: "2026-H1"}, 0, "2026-01-01", "2026-06-30", ""},
		{"half cut-off 15", PeriodInput{Half: "2026-H2"}, 15, "2026-06-15", "2026-12-14", ""},
		{"year", PeriodInput{Year: "2021"}, 0, "2021-01-01", "2021-12-31", ""},
		{"year cut-off 15", PeriodInput{Year: "2026"}, 15, "2025-12-15", "2026-12-14", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := ParsePeriod(c.in, c.cutoff, hcm)
			if err != nil {
				t.Fatal(err)
			}
			if p.From != d(c.from) || p.To != d(c.to) || p.Month() != c.month {
				t.Fatalf("got %s..%s month %q, want %s..%s %q", p.From, p.To, p.Month(), c.from, c.to, c.month)
			}
			f, to := d(c.from), d(c.to).AddDays(1)
			if want := time.Date(f.Year, f.Month, f.Day, 0, 0, 0, 0, hcm); !p.Start.Equal(want) {
				t.Errorf("start %v, want %v", p.Start, want)
			}
			if want := time.Date(to.Year, to.Month, to.Day, 0, 0, 0, 0, hcm); !p.End.Equal(want) {
				t.Errorf("end %v, want %v", p.End, want)
			}
		})
	}
}

func TestPeriodNamesAndLabels(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in         PeriodInput
		kind, name string
		label      string
	}{
		{PeriodInput{Month: "2021-08"}, KindMonth, "2021-08", "Tháng 08/2021 (từ ngày 01/08/2021 đến ngày 31/08/2021)"},
		{PeriodInput{Quarter: "2021-q3"}, KindQuarter, "2021-Q3", "Quý III/2021 (từ ngày 01/07/2021 đến ngày 30/09/2021)"},
		{PeriodInput{Half: "2021-H1"}, KindHalf, "2021-H1", "6 tháng đầu năm 2021 (từ ngày 01/01/2021 đến ngày 30/06/2021)"},
		{PeriodInput{Half: "2021-H2"}, KindHalf, "2021-H2", "6 tháng cuối năm 2021 (từ ngày 01/07/2021 đến ngày 31/12/2021)"},
		{PeriodInput{Year: "2021"}, KindYear, "2021", "Năm 2021 (từ ngày 01/01/2021 đến ngày 31/12/2021)"},
		{PeriodInput{From: "2021-01-01", To: "2021-01-31"}, KindRange, "", "Từ ngày 01/01/2021 đến ngày 31/01/2021"},
	} {
		p, err := ParsePeriod(c.in, 0, hcm)
		if err != nil {
			t.Fatal(err)
		}
		if p.Kind != c.kind || p.Name != c.name || p.Label() != c.label {
			t.Errorf("%+v: kind %q name %q label %q, want %q %q %q", c.in, p.Kind, p.Name, p.Label(), c.kind, c.name, c.label)
		}
	}
}

// A period is judged at its end once it has ended, and at now while it runs.
func TestPeriodAsOf(t *testing.T) {
	t.Parallel()
	p := MonthPeriod(2026, time.December, 0, hcm)
	now := time.Date(2026, 12, 5, 10, 0, 0, 0, hcm)
	if got := p.At(now).AsOf; !got.Equal(now) {
		t.Errorf("running month: as_of %v, want now %v", got, now)
	}
	if got := p.At(time.Date(2027, 1, 3, 0, 0, 0, 0, hcm)).AsOf; !got.Equal(p.End) {
		t.Errorf("ended month: as_of %v, want its end %v", got, p.End)
	}
	if got := p.At(p.End).AsOf; !got.Equal(p.End) {
		t.Errorf("at the end instant: as_of %v, want %v", got, p.End)
	}
}

func TestPeriodEdges(t *testing.T) {
	t.Parallel()
	p, err := ParsePeriod(PeriodInput{Month: "2021-08"}, 0, hcm)
	if err != nil {
		t.Fatal(err)
	}
	// 2021-08-01 00:00 +07 is 2021-07-31 17:00 UTC.
	if want := time.Date(2021, 7, 31, 17, 0, 0, 0, time.UTC); !p.Start.Equal(want) {
		t.Fatalf("start = %v, want %v", p.Start.UTC(), want)
	}
	for _, c := range []struct {
		at   time.Time
		want bool
	}{
		{time.Date(2021, 8, 1, 0, 0, 0, 0, hcm), true},
		{time.Date(2021, 7, 31, 23, 59, 59, 999999000, hcm), false},
		{time.Date(2021, 8, 31, 23, 59, 0, 0, hcm), true},
		{time.Date(2021, 8, 31, 23, 59, 59, 999999000, hcm), true},
		{time.Date(2021, 9, 1, 0, 0, 0, 0, hcm), false},
	} {
		if got := p.Contains(c.at); got != c.want {
			t.Errorf("Contains(%v) = %v, want %v", c.at, got, c.want)
		}
	}
}

func TestParsePeriodErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in    PeriodInput
		field string
	}{
		{PeriodInput{}, "month"},
		{PeriodInput{Month: "2021-8"}, "month"},
		{PeriodInput{Month: "2021-13"}, "month"},
		{PeriodInput{Month: "2021-00"}, "month"},
		{PeriodInput{Month: "+021-01"}, "month"},
		{PeriodInput{Month: "abcd-ef"}, "month"},
		{PeriodInput{Month: "1899-12"}, "month"},
		{PeriodInput{Month: "2021-08", From: "2021-01-01"}, "month"},
		{PeriodInput{Quarter: "2021-Q3", Year: "2021"}, "quarter"},
		{PeriodInput{Quarter: "2021-Q5"}, "quarter"},
		{PeriodInput{Quarter: "2021-Q0"}, "quarter"},
		{PeriodInput{Quarter: "2021-3"}, "quarter"},
		{PeriodInput{Half: "2021-H3"}, "half"},
		{PeriodInput{Half: "2021-Q1"}, "half"},
		{PeriodInput{Year: "21"}, "year"},
		{PeriodInput{Year: "1899"}, "year"},
		{PeriodInput{Year: "2021", To: "2021-01-01"}, "year"},
		{PeriodInput{From: "2021-01-01"}, "to"},
		{PeriodInput{To: "2021-01-01"}, "from"},
		{PeriodInput{From: "2021-02-30", To: "2021-03-01"}, "from"},
		{PeriodInput{From: "2021-01-01", To: "2021/12/31"}, "to"},
		{PeriodInput{From: "2021-12-31", To: "2021-01-01"}, "to"},
		{PeriodInput{From: "2021-01-01", To: "9999-12-31"}, "to"},
		{PeriodInput{From: "-001-01-01", To: "2021-01-01"}, "from"},
	}
	for _, c := range cases {
		_, err := ParsePeriod(c.in, 0, hcm)
		var de *domain.Error
		if !errors.As(err, &de) || de.Kind != domain.KindValidation {
			t.Errorf("%+v: err = %v, want validation", c.in, err)
			continue
		}
		if _, ok := de.Fields[c.field]; !ok {
			t.Errorf("%+v: fields %v, want %q", c.in, de.Fields, c.field)
		}
	}
}

func TestPeriodLabel(t *testing.T) {
	t.Parallel()
	p := MonthPeriod(2021, 8, 15, hcm)
	if got, want := p.Label(), "Tháng 08/2021 (từ ngày 15/07/2021 đến ngày 14/08/2021)"; got != want {
		t.Errorf("label = %q, want %q", got, want)
	}
	q := NewPeriod(worktime.MustParseDate("2021-01-01"), worktime.MustParseDate("2021-12-31"), hcm)
	if got, want := q.Label(), "Từ ngày 01/01/2021 đến ngày 31/12/2021"; got != want {
		t.Errorf("label = %q, want %q", got, want)
	}
}

func TestRate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		n, d int64
		want int64 // hundredths of a percent; -1: no value
	}{
		{0, 0, -1},
		{5, 0, -1},
		{0, 7, 0},
		{7, 7, 10000},
		{1, 3, 3333},
		{2, 3, 6667},
		{1, 6, 1667},
		{1, 8, 1250},
		{1, 800, 13},  // 0.125 % → 0.13 (half-up)
		{3, 800, 38},  // 0.375 → 0.38
		{1, 1600, 6},  // 0.0625 → 0.06
		{1, 80000, 0}, // 0.00125 → 0.00
		{1, 20000, 1}, // 0.005 → 0.01 (exactly half)
		{9796, 9799, 9997},
		{5009, 9799, 5112},
		{4957, 53350, 929},
		{14173, 28279, 5012}, // the report prints 50,11 (truncated); half-up is 50.12
		{764, 1071, 7134},    // 71.3352… → 71.34
		{675, 1062, 6356},
		{1 << 40, 1 << 40, 10000},
	}
	for _, c := range cases {
		r := NewRate(c.n, c.d)
		h, ok := r.Hundredths()
		v := r.Value()
		if c.want < 0 {
			if ok || v != nil {
				t.Errorf("%d/%d: got %d %v, want no value", c.n, c.d, h, v)
			}
			continue
		}
		if !ok || h != c.want {
			t.Errorf("%d/%d: hundredths %d (%v), want %d", c.n, c.d, h, ok, c.want)
		}
		if v == nil || *v != float64(c.want)/100 {
			t.Errorf("%d/%d: value %v, want %v", c.n, c.d, v, float64(c.want)/100)
		}
	}
}

func TestRoundDivNegative(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ n, d, want int64 }{{-1, 2, -1}, {-1, 3, 0}, {1, -2, -1}, {-5, -2, 3}} {
		if got, _ := roundDiv(c.n, c.d); got != c.want {
			t.Errorf("roundDiv(%d, %d) = %d, want %d", c.n, c.d, got, c.want)
		}
	}
}

func TestAverage(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		sum, count, want int64
	}{{0, 0, -1}, {9, 2, 450}, {13, 3, 433}, {14, 3, 467}, {41, 8, 513}, {1, 8, 13}} {
		a := Average{Sum: c.sum, Count: c.count}
		h, ok := a.Hundredths()
		if c.want < 0 {
			if ok || a.Value() != nil {
				t.Errorf("%+v: want no value", a)
			}
			continue
		}
		if !ok || h != c.want || *a.Value() != float64(c.want)/100 {
			t.Errorf("%+v: %d, want %d", a, h, c.want)
		}
	}
}

func TestCountsIdentities(t *testing.T) {
	t.Parallel()
	good := Counts{CarriedOver: 3, ReceivedOnline: 4, ReceivedDirectPostal: 5, ResolvedTotal: 6, ResolvedEarly: 1,
		ResolvedOnTime: 4, ResolvedLate: 1, InProgressWithin: 2, InProgressOverdue: 1, Withdrawn: 2, Stopped: 1,
		Rejected: 9, OnSpotResolved: 2}
	if err := good.Check(); err != nil {
		t.Fatal(err)
	}
	if good.ReceivedTotal() != 12 || good.ReceivedNew() != 9 || good.InProgressTotal() != 3 {
		t.Fatalf("derived totals wrong: %d %d %d", good.ReceivedTotal(), good.ReceivedNew(), good.InProgressTotal())
	}
	if h, _ := good.OnTimeRate().Hundredths(); h != 8333 {
		t.Errorf("on-time rate %d", h)
	}
	if h, _ := good.OnlineRate().Hundredths(); h != 4444 {
		t.Errorf("online rate %d", h)
	}
	if h, _ := good.OnSpotRate().Hundredths(); h != 3333 {
		t.Errorf("on-spot rate %d", h)
	}
	bad := []func(c *Counts){
		func(c *Counts) { c.CarriedOver++ },
		func(c *Counts) { c.Withdrawn++ },
		func(c *Counts) { c.ResolvedLate++ },
		func(c *Counts) { c.OnSpotResolved = c.ResolvedTotal + 1 },
	}
	for i, mut := range bad {
		c := good
		mut(&c)
		if c.Check() == nil {
			t.Errorf("mutation %d: Check passed", i)
		}
	}
	f := Form06{Rows: []Row{{Group: "a", Counts: good}, {Group: "b", Counts: good}}}
	f.Total.Add(good)
	if f.Check() == nil {
		t.Error("a total that is not the sum of the rows passed")
	}
	f.Total.Add(good)
	if err := f.Check(); err != nil {
		t.Error(err)
	}
}

func TestSortRows(t *testing.T) {
	t.Parallel()
	rows := []Row{{Group: "commune"}, {Group: ""}, {Group: "province"}, {Group: "district"}}
	sortRows(ByLevel, rows)
	if got := []string{rows[0].Group, rows[1].Group, rows[2].Group, rows[3].Group}; !reflect.DeepEqual(got, []string{"province", "district", "commune", ""}) {
		t.Errorf("level order %v", got)
	}
	ch := []Row{{Group: "postal"}, {Group: "direct"}, {Group: "online"}}
	sortRows(ByChannel, ch)
	if ch[0].Group != "online" || ch[1].Group != "direct" || ch[2].Group != "postal" {
		t.Errorf("channel order %v", ch)
	}
}

// ---- service: roles, scopes, names, with a fake store

type fakeStore struct {
	mu    sync.Mutex // the service index reads concurrently
	q     Query
	rows  []Row
	index IndexCounts
	spans []ResolvedSpan
}

func (f *fakeStore) setQ(q Query) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.q = q
}

func (f *fakeStore) Form06(_ context.Context, q Query, _ GroupBy) ([]Row, error) {
	f.setQ(q)
	return append([]Row(nil), f.rows...), nil
}
func (f *fakeStore) Online(_ context.Context, q Query) (OnlineCounts, error) {
	f.setQ(q)
	return OnlineCounts{Levels: []LevelCounts{{Level: OnlineFull, Services: 2, Dossiers: 10, DossiersOnline: 5}}}, nil
}
func (f *fakeStore) Digitisation(_ context.Context, q Query) (DigitisationCounts, error) {
	f.setQ(q)
	return DigitisationCounts{Received: 4, ReceivedWithFiles: 3, ReceivedDigitised: 1}, nil
}
func (f *fakeStore) DVCQGSync(_ context.Context, q Query) (DVCQGCounts, error) {
	f.q = q
	return DVCQGCounts{Received: 4, Synced: 3, Pending: 1}, nil
}
func (f *fakeStore) Feedback(_ context.Context, q Query) (FeedbackCounts, error) {
	f.setQ(q)
	return FeedbackCounts{Received: 2, ByChannel: map[string]int64{"hotline": 2}}, nil
}
func (f *fakeStore) Procedures(_ context.Context, q Query) (ProcedureCounts, error) {
	f.setQ(q)
	return ProcedureCounts{Publications: map[string]int64{"new": 1},
		OnSpot: []AgencyCount{{AgencyCode: "B", Count: 2}, {AgencyCode: "A", Count: 1}}}, nil
}
func (f *fakeStore) Satisfaction(_ context.Context, q Query) (SatisfactionCounts, error) {
	f.setQ(q)
	return SatisfactionCounts{ByScore: map[int]int64{5: 3, 1: 1}}, nil
}
func (f *fakeStore) AgencyNames(_ context.Context, codes []string) (map[string]string, error) {
	m := map[string]string{}
	for _, c := range codes {
		m[c] = "Tên " + c
	}
	return m, nil
}
func (f *fakeStore) ProcedureNames(_ context.Context, codes []string) (map[string]string, error) {
	return map[string]string{"1.1": "Thủ tục một"}, nil
}
func (f *fakeStore) ServiceIndex(_ context.Context, q Query) (IndexCounts, error) {
	f.setQ(q)
	return f.index, nil
}
func (f *fakeStore) ResolvedSpans(_ context.Context, q Query, fn func(ResolvedSpan) error) error {
	f.setQ(q)
	for _, s := range f.spans {
		if err := fn(s); err != nil {
			return err
		}
	}
	return nil
}

type fakeCatalog struct{ tree *catalog.Tree }

func (c fakeCatalog) Calendar(context.Context) (*worktime.Calendar, error) {
	return worktime.NewCalendar(hcm), nil
}

func (c fakeCatalog) Tree(context.Context) (*catalog.Tree, error) { return c.tree, nil }
func (c fakeCatalog) Agency(_ context.Context, code string) (catalog.Agency, error) {
	if !c.tree.Has(code) {
		return catalog.Agency{}, domain.NotFound("đơn vị")
	}
	return catalog.Agency{Code: code, Name: "Tên " + code}, nil
}

func newTestService(st *fakeStore) *Service {
	tree := catalog.NewTree([]catalog.Agency{
		{Code: "P"}, {Code: "C", ParentCode: "P"}, {Code: "D", ParentCode: "P"}, {Code: "X", ParentCode: "D"}, {Code: "Y", ParentCode: "D"},
	})
	return NewService(st, fakeCatalog{tree}, hcm, 0, nil)
}

func TestServiceScopes(t *testing.T) {
	t.Parallel()
	month := Request{Period: PeriodInput{Month: "2021-08"}}
	cases := []struct {
		name  string
		by    user.Principal
		unit  string
		kind  domain.Kind // 0 = success
		units []string
	}{
		{"viewer sees the province", user.Principal{Role: user.RoleViewer}, "", 0, nil},
		{"admin sees the province", user.Principal{Role: user.RoleAdmin}, "", 0, nil},
		{"viewer narrows", user.Principal{Role: user.RoleViewer}, "D", 0, []string{"D", "X", "Y"}},
		{"viewer with a unit", user.Principal{Role: user.RoleViewer, Unit: "D"}, "", 0, []string{"D", "X", "Y"}},
		{"leader sees own subtree", user.Principal{Role: user.RoleLeader, Unit: "D"}, "", 0, []string{"D", "X", "Y"}},
		{"leader narrows inside", user.Principal{Role: user.RoleLeader, Unit: "D"}, "X", 0, []string{"X"}},
		{"leader cannot widen", user.Principal{Role: user.RoleLeader, Unit: "D"}, "P", domain.KindForbidden, nil},
		{"leader cannot go sideways", user.Principal{Role: user.RoleLeader, Unit: "D"}, "C", domain.KindForbidden, nil},
		{"unknown unit", user.Principal{Role: user.RoleViewer}, "nope", domain.KindValidation, nil},
		{"leader without unit", user.Principal{Role: user.RoleLeader}, "", domain.KindForbidden, nil},
		{"clerk", user.Principal{Role: user.RoleClerk, Unit: "C"}, "", domain.KindForbidden, nil},
		{"officer", user.Principal{Role: user.RoleOfficer, Unit: "D"}, "", domain.KindForbidden, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := &fakeStore{}
			s := newTestService(st)
			req := month
			req.UnitCode = c.unit
			f, err := s.Dossiers(context.Background(), c.by, req, ByUnit)
			if c.kind != 0 {
				if domain.KindOf(err) != c.kind {
					t.Fatalf("err = %v, want kind %v", err, c.kind)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(st.q.Units, c.units) {
				t.Errorf("units = %v, want %v", st.q.Units, c.units)
			}
			if c.units != nil && (f.Scope.UnitCode != c.units[0] || f.Scope.UnitName != "Tên "+c.units[0]) {
				t.Errorf("scope = %+v", f.Scope)
			}
			if c.units == nil && (!f.Scope.All() || f.Scope.Label() != "Toàn tỉnh") {
				t.Errorf("scope = %+v", f.Scope)
			}
			if !st.q.Start.Equal(time.Date(2021, 7, 31, 17, 0, 0, 0, time.UTC)) || st.q.Start.Location() != time.UTC {
				t.Errorf("query start %v", st.q.Start)
			}
		})
	}
}

func TestServiceValidation(t *testing.T) {
	t.Parallel()
	s := newTestService(&fakeStore{})
	viewer := user.Principal{Role: user.RoleViewer}
	_, err := s.Dossiers(context.Background(), viewer, Request{UnitCode: "nope"}, "weekday")
	var de *domain.Error
	if !errors.As(err, &de) || de.Kind != domain.KindValidation {
		t.Fatalf("err = %v", err)
	}
	for _, f := range []string{"group_by", "month", "unit_code"} {
		if _, ok := de.Fields[f]; !ok {
			t.Errorf("fields %v lack %q", de.Fields, f)
		}
	}
	// A clerk is refused before anything is validated.
	if _, err := s.Dossiers(context.Background(), user.Principal{Role: user.RoleClerk, Unit: "C"}, Request{}, "weekday"); domain.KindOf(err) != domain.KindForbidden {
		t.Errorf("clerk: %v", err)
	}
}

func TestServiceNamesAndOrder(t *testing.T) {
	t.Parallel()
	st := &fakeStore{rows: []Row{
		{Group: "commune", Counts: Counts{ReceivedOnline: 1, ResolvedTotal: 1, ResolvedEarly: 1}},
		{Group: "province", Counts: Counts{ReceivedDirectPostal: 2, InProgressWithin: 2}},
		{Group: "", Counts: Counts{Rejected: 1}},
	}}
	s := newTestService(st)
	viewer := user.Principal{Role: user.RoleViewer}
	f, err := s.Dossiers(context.Background(), viewer, Request{Period: PeriodInput{Month: "2021-08"}}, ByLevel)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range f.Rows {
		names = append(names, r.Name)
	}
	if !reflect.DeepEqual(names, []string{"Cấp tỉnh", "Cấp xã", UnknownLabel}) {
		t.Errorf("names %v", names)
	}
	if f.Total.ReceivedTotal() != 3 || f.Total.Rejected != 1 || f.Check() != nil {
		t.Errorf("total %+v: %v", f.Total, f.Check())
	}
	// Default grouping is unit; unit names come from the store.
	st.rows = []Row{{Group: "X"}, {Group: "C"}}
	f, err = s.Dossiers(context.Background(), viewer, Request{Period: PeriodInput{Month: "2021-08"}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if f.GroupBy != ByUnit || f.Rows[0].Group != "C" || f.Rows[0].Name != "Tên C" || f.Rows[1].Name != "Tên X" {
		t.Errorf("rows %+v", f.Rows)
	}
	st.rows = []Row{{Group: "1.1"}, {Group: "9.9"}}
	f, _ = s.Dossiers(context.Background(), viewer, Request{Period: PeriodInput{Month: "2021-08"}}, ByProcedure)
	if f.Rows[0].Name != "Thủ tục một" || f.Rows[1].Name != UnknownLabel {
		t.Errorf("procedure names %+v", f.Rows)
	}
	st.rows = []Row{{Group: "postal"}, {Group: "online"}}
	f, _ = s.Dossiers(context.Background(), viewer, Request{Period: PeriodInput{Month: "2021-08"}}, ByChannel)
	if f.Rows[0].Name != "Trực tuyến" || f.Rows[1].Name != "Bưu chính" {
		t.Errorf("channel names %+v", f.Rows)
	}
}

func TestServiceOtherReports(t *testing.T) {
	t.Parallel()
	s := newTestService(&fakeStore{})
	viewer := user.Principal{Role: user.RoleViewer}
	req := Request{Period: PeriodInput{Month: "2021-08"}}
	ctx := context.Background()
	on, err := s.Online(ctx, viewer, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(on.Levels) != 3 || on.Levels[0].Level != OnlineInfo || on.Levels[2].Dossiers != 10 {
		t.Errorf("levels %+v", on.Levels)
	}
	if h, _ := on.Levels[2].OnlineRate().Hundredths(); h != 5000 {
		t.Errorf("online rate %d", h)
	}
	if on.Integration().Value() != nil {
		t.Errorf("integration without services must have no value")
	}
	fb, err := s.Feedback(ctx, viewer, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(fb.ByChannel) != 4 || fb.ByChannel["hotline"] != 2 || len(fb.ByStatus) != 4 || len(fb.ByCategory) != 4 {
		t.Errorf("feedback %+v", fb.FeedbackCounts)
	}
	pr, err := s.Procedures(ctx, viewer, req)
	if err != nil {
		t.Fatal(err)
	}
	if pr.Publications["abolished"] != 0 || len(pr.Publications) != 3 || pr.OnSpot[0].AgencyCode != "A" || pr.OnSpot[0].Name != "Tên A" || pr.OnSpotTotal() != 3 {
		t.Errorf("procedures %+v", pr.ProcedureCounts)
	}
	sa, err := s.Satisfaction(ctx, viewer, req)
	if err != nil {
		t.Fatal(err)
	}
	if sa.Count() != 4 || len(sa.ByScore) != 5 {
		t.Errorf("satisfaction %+v", sa.SatisfactionCounts)
	}
	if h, _ := sa.Average().Hundredths(); h != 400 {
		t.Errorf("average %d", h)
	}
	if h, _ := sa.Satisfied().Hundredths(); h != 7500 {
		t.Errorf("satisfied %d", h)
	}
	dg, err := s.Digitisation(ctx, viewer, req)
	if err != nil {
		t.Fatal(err)
	}
	if h, _ := dg.ComponentDigitisationRate().Hundredths(); h != 2500 || dg.EResultRate().Value() != nil || dg.Check() != nil {
		t.Errorf("digitisation %+v: rate %d", dg.DigitisationCounts, h)
	}
	if (DigitisationCounts{Received: 1, ReceivedWithFiles: 1, ReceivedDigitised: 2}).Check() == nil {
		t.Error("more digitised than with files passed the check")
	}
	for _, call := range []func() error{
		func() error {
			_, err := s.Online(ctx, user.Principal{Role: user.RoleClerk, Unit: "C"}, req)
			return err
		},
		func() error {
			_, err := s.Feedback(ctx, user.Principal{Role: user.RoleOfficer, Unit: "C"}, req)
			return err
		},
		func() error {
			_, err := s.Procedures(ctx, user.Principal{Role: user.RoleClerk, Unit: "C"}, req)
			return err
		},
		func() error {
			_, err := s.Satisfaction(ctx, user.Principal{Role: user.RoleClerk, Unit: "C"}, req)
			return err
		},
		func() error {
			_, err := s.Digitisation(ctx, user.Principal{Role: user.RoleOfficer, Unit: "C"}, req)
			return err
		},
	} {
		if domain.KindOf(call()) != domain.KindForbidden {
			t.Error("a clerk or officer got statistics")
		}
	}
}

func TestFeedbackAndLabels(t *testing.T) {
	t.Parallel()
	f := FeedbackCounts{Answered: 6, AnsweredOnTime: 5, Refused: 2, RefusedOnTime: 2}
	if h, _ := f.OnTimeRate().Hundredths(); h != 8750 {
		t.Errorf("feedback on-time %d", h)
	}
	for _, v := range append(append(append([]string{}, FeedbackChannels...), FeedbackCategories...), FeedbackStatuses...) {
		if FeedbackLabel(v) == UnknownLabel {
			t.Errorf("no label for %q", v)
		}
	}
	for _, v := range OnlineLevels {
		if OnlineLevelLabel(v) == UnknownLabel {
			t.Errorf("no label for %q", v)
		}
	}
	for _, v := range PublicationKinds {
		if PublicationLabel(v) == UnknownLabel {
			t.Errorf("no label for %q", v)
		}
	}
	for _, g := range GroupBys {
		if g.Heading() == "Nhóm" {
			t.Errorf("no heading for %q", g)
		}
	}
	if LevelLabel("x") != UnknownLabel || ChannelLabel("x") != UnknownLabel {
		t.Error("unknown values must be labelled as unknown")
	}
}
