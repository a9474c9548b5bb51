package loadgen

import (
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/domain/worktime"
)

func TestBuildDesksFollowsTheTree(t *testing.T) {
	w := SmallProvince()
	got := map[string]int{}
	for _, d := range w.Desks {
		got[d.Unit] = len(d.Procs)
	}
	want := map[string]int{"C": 3, "D": 1, "X": 1} // the closed commune receives nothing
	if len(got) != len(want) {
		t.Fatalf("desks %v, want %v", got, want)
	}
	for u, n := range want {
		if got[u] != n {
			t.Errorf("desk %s receives %d procedures, want %d", u, got[u], n)
		}
	}
	if sub := strings.Join(w.Subtree("D"), ","); sub != "D,X,XC" {
		t.Errorf("Subtree(D) = %s", sub)
	}
}

// Once the district is closed (a two-tier province), its procedures go to
// the communes; with no agency of a known kind, every open agency is a
// desk for every procedure.
func TestBuildDesksWithoutADistrict(t *testing.T) {
	w := SmallProvince()
	d := w.Agencies["D"]
	d.Closed = true
	w.Agencies["D"] = d
	procs := make([]Procedure, 0, len(w.Procs))
	for _, p := range w.Procs {
		procs = append(procs, p)
	}
	w.BuildDesks(procs)
	for _, dk := range w.Desks {
		if dk.Unit == "D" {
			t.Fatal("a closed district still receives")
		}
		if dk.Unit == "X" && len(dk.Procs) != 2 {
			t.Errorf("the commune receives %d procedures, want its own and the district's", len(dk.Procs))
		}
	}
	w.Agencies = map[string]Agency{"A": {Code: "A", Kind: "department"}, "B": {Code: "B", Kind: "department", Closed: true}}
	w.BuildDesks(procs)
	if len(w.Desks) != 1 || w.Desks[0].Unit != "A" || len(w.Desks[0].Procs) != len(procs) {
		t.Errorf("fallback desks %+v", w.Desks)
	}
}

func TestDueAfter(t *testing.T) {
	plain := worktime.NewCalendar(worktime.DefaultLocation())
	official, err := OfficialCalendar(worktime.DefaultLocation())
	if err != nil {
		t.Fatal(err)
	}
	at := func(y int, m time.Month, d, h, min int) time.Time {
		return time.Date(y, m, d, h, min, 0, 0, worktime.DefaultLocation())
	}
	fri := at(2026, 11, 20, 16, 0)
	for _, c := range []struct {
		cal  *worktime.Calendar
		from time.Time
		v    int
		unit worktime.Unit
		want time.Time
		why  string
	}{
		{plain, fri, 1, "working_days", at(2026, 11, 23, 16, 0), "Fri → Mon"},
		{plain, fri, 5, "working_days", at(2026, 11, 27, 16, 0), "a working week"},
		{plain, fri, 2, "working_hours", at(2026, 11, 23, 8, 0), "16:00 + 1 h, then Mon 07:00 + 1 h"},
		{plain, at(2026, 11, 23, 10, 0), 4, "working_hours", at(2026, 11, 23, 16, 0), "the lunch break is not working time"},
		{plain, fri, 1, "days", at(2026, 11, 23, 17, 0), "Sat is not a working day → Mon 17:00"},
		{plain, fri, 3, "days", at(2026, 11, 23, 17, 0), "Mon"},
		{plain, fri, 0, "working_days", at(2026, 11, 23, 16, 0), "at least one"},
		{official, at(2026, 8, 28, 16, 0), 1, "working_days", at(2026, 9, 3, 16, 0), "National Day holidays skipped"},
		{official, at(2026, 8, 21, 16, 0), 1, "working_days", at(2026, 8, 22, 16, 0), "a make-up Saturday is worked"},
	} {
		if got := dueAfter(c.cal, c.from, c.v, c.unit); !got.Equal(c.want) {
			t.Errorf("%d %s from %v = %v, want %v (%s)", c.v, c.unit, c.from, got, c.want, c.why)
		}
	}
}

// The official calendar is the shipped years, every one of them read.
func TestOfficialCalendarHasTheShippedYears(t *testing.T) {
	cal, err := OfficialCalendar(worktime.DefaultLocation())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"2021-01-01", "2024-09-02", "2026-09-02"} {
		if cal.IsWorkingDay(worktime.MustParseDate(d)) {
			t.Errorf("%s is a holiday of the official calendar", d)
		}
	}
	if !cal.IsWorkingDay(worktime.MustParseDate("2026-08-22")) {
		t.Error("the make-up Saturday 2026-08-22 is a working day")
	}
}
