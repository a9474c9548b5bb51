package worktime_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // the zone database, whatever the machine has

	"github.com/motcua/motcua/domain/worktime"
)

func wd(n int) worktime.Duration { return worktime.Duration{Value: n, Unit: worktime.WorkingDays} }
func wh(n int) worktime.Duration { return worktime.Duration{Value: n, Unit: worktime.WorkingHours} }
func cd(n int) worktime.Duration { return worktime.Duration{Value: n, Unit: worktime.CalendarDays} }

func TestSeedCalendarsValid(t *testing.T) {
	years := loadYears(t)
	seen := map[int]bool{}
	for _, y := range years {
		seen[y.Year] = true
		if errs := y.Validate(); len(errs) != 0 {
			t.Errorf("%d: Validate() = %v", y.Year, errs)
		}
		for _, h := range y.Holidays {
			if h.IsWeekend() {
				t.Errorf("%d: holiday %s is a weekend day", y.Year, h)
			}
		}
		if len(y.Sessions) != 2 || y.Sessions[0].String() != "07:00-11:30" || y.Sessions[1].String() != "13:30-17:00" {
			t.Errorf("%d: sessions %v", y.Year, y.Sessions)
		}
	}
	for y := 2021; y <= 2027; y++ {
		if !seen[y] {
			t.Errorf("no seed calendar for %d", y)
		}
	}
}

func TestDueAtOfficial(t *testing.T) {
	cal := officialCalendar(t)
	tests := []struct {
		name     string
		received string
		p        worktime.Duration
		want     string
	}{
		// Tết 2021: off Wed 10 – Tue 16 Feb.
		{"Friday before Tết 2021, 1 working day", "2021-02-05T16:00:00+07:00", wd(1), "2021-02-08T16:00:00+07:00"},
		{"Tuesday before Tết 2021, 1 working day", "2021-02-09T10:00:00+07:00", wd(1), "2021-02-17T10:00:00+07:00"},
		{"inside Tết 2021", "2021-02-11T10:00:00+07:00", wd(1), "2021-02-17T17:00:00+07:00"},
		{"working hours across Tết 2021", "2021-02-09T15:00:00+07:00", wh(4), "2021-02-17T09:00:00+07:00"},
		{"calendar days landing in Tết 2021", "2021-02-05T09:00:00+07:00", cd(5), "2021-02-17T17:00:00+07:00"},
		// Tết 2026: off Mon 16 – Fri 20 Feb (plus weekends).
		{"Friday before Tết 2026, 1 working day", "2026-02-13T16:00:00+07:00", wd(1), "2026-02-23T16:00:00+07:00"},
		{"Friday before Tết 2026, hours across lunch", "2026-02-13T08:00:00+07:00", wh(4), "2026-02-13T14:00:00+07:00"},
		{"inside Tết 2026, working hours", "2026-02-19T09:00:00+07:00", wh(9), "2026-02-24T08:00:00+07:00"},
		{"inside Tết 2026, 0 working days", "2026-02-19T09:00:00+07:00", wd(0), "2026-02-23T07:00:00+07:00"},
		{"calendar days landing on Tết 2026", "2026-02-12T10:00:00+07:00", cd(4), "2026-02-23T17:00:00+07:00"},
		// Make-up Saturdays.
		{"make-up Saturday 2026-01-10", "2026-01-09T16:00:00+07:00", wd(1), "2026-01-10T16:00:00+07:00"},
		{"make-up Saturday 2026-08-22", "2026-08-21T16:00:00+07:00", wd(1), "2026-08-22T16:00:00+07:00"},
		{"received on make-up Saturday", "2026-01-10T12:00:00+07:00", wh(1), "2026-01-10T14:30:00+07:00"},
		{"calendar days landing on make-up Saturday", "2026-01-07T10:00:00+07:00", cd(3), "2026-01-10T17:00:00+07:00"},
		{"Sunday after make-up Saturday is off", "2026-01-10T16:00:00+07:00", wd(1), "2026-01-12T16:00:00+07:00"},
		{"National Day 2026 (31 Aug – 2 Sep)", "2026-08-28T16:00:00+07:00", wd(1), "2026-09-03T16:00:00+07:00"},
		// Lunch.
		{"lunch, 0 working hours", "2026-11-23T12:00:00+07:00", wh(0), "2026-11-23T13:30:00+07:00"},
		{"exactly 11:30, 0 working days", "2026-11-23T11:30:00+07:00", wd(0), "2026-11-23T13:30:00+07:00"},
		{"lunch, 1 working day ends at 11:30 next day", "2026-11-23T12:15:00+07:00", wd(1), "2026-11-24T11:30:00+07:00"},
		{"exactly 13:30", "2026-11-23T13:30:00+07:00", wh(1), "2026-11-23T14:30:00+07:00"},
		// Session-end rule.
		{"ends exactly at 11:30", "2026-11-23T07:00:00+07:00", wh(4), "2026-11-23T11:00:00+07:00"},
		{"ends exactly at 11:30 (from 09:30)", "2026-11-23T09:30:00+07:00", wh(2), "2026-11-23T11:30:00+07:00"},
		{"ends exactly at 17:00 (from 07:00)", "2026-11-23T07:00:00+07:00", wd(1), "2026-11-23T17:00:00+07:00"},
		{"ends exactly at 11:30 next day (from 13:30)", "2026-11-23T13:30:00+07:00", wd(1), "2026-11-24T11:30:00+07:00"},
		{"ends exactly at 17:00 before a weekend", "2026-11-27T15:00:00+07:00", wh(2), "2026-11-27T17:00:00+07:00"},
		{"ends exactly at 17:00 before Tết", "2026-02-13T07:00:00+07:00", wd(1), "2026-02-13T17:00:00+07:00"},
		{"received exactly 17:00", "2026-11-23T17:00:00+07:00", wh(1), "2026-11-24T08:00:00+07:00"},
		{"received exactly 07:00, 5 working days", "2026-11-23T07:00:00+07:00", wd(5), "2026-11-27T17:00:00+07:00"},
		// Calendar days.
		{"days 0 on a weekday morning", "2026-11-23T09:00:00+07:00", cd(0), "2026-11-23T17:00:00+07:00"},
		{"days 0 on a Saturday", "2026-11-28T09:00:00+07:00", cd(0), "2026-11-30T17:00:00+07:00"},
		{"days 0 at 17:00", "2026-11-23T17:00:00+07:00", cd(0), "2026-11-23T17:00:00+07:00"},
		{"days 0 after hours is never before receipt", "2026-11-23T18:00:00+07:00", cd(0), "2026-11-24T17:00:00+07:00"},
		{"days 1 after hours", "2026-11-23T18:00:00+07:00", cd(1), "2026-11-24T17:00:00+07:00"},
		{"days landing on 30/4 2026", "2026-04-28T10:00:00+07:00", cd(2), "2026-05-04T17:00:00+07:00"},
		{"days landing on Hùng Kings day 2026", "2026-04-20T10:00:00+07:00", cd(7), "2026-04-28T17:00:00+07:00"},
		{"30 days", "2026-11-23T10:00:00+07:00", cd(30), "2026-12-23T17:00:00+07:00"},
		// Year ends.
		{"year end 2025 → 2026, days", "2025-12-30T10:00:00+07:00", cd(2), "2026-01-05T17:00:00+07:00"},
		{"year end 2025 → 2026, hours", "2025-12-31T15:00:00+07:00", wh(3), "2026-01-05T08:00:00+07:00"},
		{"year end 2026 → 2027", "2026-12-31T16:00:00+07:00", wd(1), "2027-01-04T16:00:00+07:00"},
		{"year end 2026 → 2027, days", "2026-12-30T16:00:00+07:00", cd(2), "2027-01-04T17:00:00+07:00"},
		{"Tết 2027 (derived calendar)", "2027-02-03T16:00:00+07:00", wd(1), "2027-02-11T16:00:00+07:00"},
		// Working hours across days.
		{"working hours across two nights", "2026-11-23T16:00:00+07:00", wh(10), "2026-11-25T08:00:00+07:00"},
		{"working hours across two nights, ends at 17:00", "2026-11-23T16:00:00+07:00", wh(17), "2026-11-25T17:00:00+07:00"},
		{"working hours across a weekend", "2026-11-27T16:00:00+07:00", wh(8), "2026-11-30T16:00:00+07:00"},
		{"24 working hours = 3 working days", "2026-11-23T09:00:00+07:00", wh(24), "2026-11-26T09:00:00+07:00"},
		// Inputs in other zones.
		{"UTC input", "2026-11-23T02:00:00Z", wd(1), "2026-11-24T09:00:00+07:00"},
		{"UTC input on the previous UTC day", "2026-11-22T23:30:00Z", wh(1), "2026-11-23T08:00:00+07:00"},
		{"UTC input, calendar days use the local date", "2026-11-22T18:00:00Z", cd(1), "2026-11-24T17:00:00+07:00"},
		{"New York input", "2026-11-22T21:00:00-05:00", wd(1), "2026-11-24T09:00:00+07:00"},
		// Negative values count as 0.
		{"negative working days", "2026-11-23T18:00:00+07:00", wd(-3), "2026-11-24T07:00:00+07:00"},
		{"negative calendar days", "2026-11-23T09:00:00+07:00", cd(-3), "2026-11-23T17:00:00+07:00"},
		// Unknown units count as working days.
		{"empty unit", "2026-11-23T09:00:00+07:00", worktime.Duration{Value: 1}, "2026-11-24T09:00:00+07:00"},
		// Years without an entry: weekends only.
		{"2030, no calendar", "2030-01-04T16:00:00+07:00", wd(1), "2030-01-07T16:00:00+07:00"},
		{"2030 new year's day is a working day without a calendar", "2029-12-31T16:00:00+07:00", wd(1), "2030-01-01T16:00:00+07:00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			recv := at(t, tc.received)
			want := at(t, tc.want)
			got := cal.DueAt(recv, tc.p)
			if !got.Equal(want) {
				t.Errorf("DueAt(%s, %+v) = %s, want %s", tc.received, tc.p, got.Format(time.RFC3339), tc.want)
			}
			if got.Location() != cal.Location() {
				t.Errorf("location %v, want %v", got.Location(), cal.Location())
			}
			if !cal.InSession(got) {
				t.Errorf("due %s is not in a session", got)
			}
		})
	}
}

func TestWorkingBetween(t *testing.T) {
	cal := officialCalendar(t)
	tests := []struct {
		name string
		a, b string
		want time.Duration
	}{
		{"empty", "2026-11-23T09:00:00+07:00", "2026-11-23T09:00:00+07:00", 0},
		{"reversed", "2026-11-24T09:00:00+07:00", "2026-11-23T09:00:00+07:00", 0},
		{"one day", "2026-11-23T00:00:00+07:00", "2026-11-24T00:00:00+07:00", 8 * time.Hour},
		{"across lunch", "2026-11-23T11:00:00+07:00", "2026-11-23T14:00:00+07:00", time.Hour},
		{"inside lunch", "2026-11-23T11:30:00+07:00", "2026-11-23T13:30:00+07:00", 0},
		{"across a weekend", "2026-11-27T16:00:00+07:00", "2026-11-30T08:00:00+07:00", 2 * time.Hour},
		{"across 30/4 and 1/5 2026", "2026-04-29T16:00:00+07:00", "2026-05-04T08:00:00+07:00", 2 * time.Hour},
		{"across Tết 2026", "2026-02-13T07:00:00+07:00", "2026-02-23T07:00:00+07:00", 8 * time.Hour},
		{"make-up Saturday counts", "2026-01-10T00:00:00+07:00", "2026-01-11T23:00:00+07:00", 8 * time.Hour},
		{"UTC bounds (07:00-15:00 local)", "2026-11-23T00:00:00Z", "2026-11-23T08:00:00Z", 6 * time.Hour},
		{"seconds", "2026-11-23T16:59:30+07:00", "2026-11-24T07:00:15+07:00", 45 * time.Second},
		// 2021: 261 weekdays, 11 weekday holidays, no make-up days.
		{"all of 2021", "2021-01-01T00:00:00+07:00", "2022-01-01T00:00:00+07:00", 250 * 8 * time.Hour},
		// 2026: 261 weekdays, 13 weekday holidays, 2 make-up Saturdays.
		{"all of 2026", "2026-01-01T00:00:00+07:00", "2027-01-01T00:00:00+07:00", 250 * 8 * time.Hour},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := cal.WorkingBetween(at(t, tc.a), at(t, tc.b)); got != tc.want {
				t.Errorf("WorkingBetween(%s, %s) = %v, want %v", tc.a, tc.b, got, tc.want)
			}
		})
	}
}

func TestAddWorking(t *testing.T) {
	cal := officialCalendar(t)
	tests := []struct {
		name string
		t    string
		d    time.Duration
		want string
	}{
		{"zero in session", "2026-11-23T09:00:00+07:00", 0, "2026-11-23T09:00:00+07:00"},
		{"zero at session end stays", "2026-11-23T17:00:00+07:00", 0, "2026-11-23T17:00:00+07:00"},
		{"zero at 11:30 stays", "2026-11-23T11:30:00+07:00", 0, "2026-11-23T11:30:00+07:00"},
		{"zero at lunch moves", "2026-11-23T12:00:00+07:00", 0, "2026-11-23T13:30:00+07:00"},
		{"zero on Sunday moves", "2026-11-29T12:00:00+07:00", 0, "2026-11-30T07:00:00+07:00"},
		{"negative is zero", "2026-11-29T12:00:00+07:00", -time.Hour, "2026-11-30T07:00:00+07:00"},
		{"minutes", "2026-11-23T11:20:00+07:00", 15 * time.Minute, "2026-11-23T13:35:00+07:00"},
		{"to 11:30 exactly", "2026-11-23T11:20:00+07:00", 10 * time.Minute, "2026-11-23T11:30:00+07:00"},
		{"to 17:00 exactly", "2026-11-23T16:00:00+07:00", time.Hour, "2026-11-23T17:00:00+07:00"},
		{"from 17:00", "2026-11-23T17:00:00+07:00", time.Minute, "2026-11-24T07:01:00+07:00"},
		{"sub-second", "2026-11-23T16:59:59.5+07:00", time.Second, "2026-11-24T07:00:00.5+07:00"},
		{"one second to the end", "2026-11-23T16:59:59+07:00", time.Second, "2026-11-23T17:00:00+07:00"},
		{"over Tết 2021", "2021-02-09T16:00:00+07:00", 2 * time.Hour, "2021-02-17T08:00:00+07:00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := cal.AddWorking(at(t, tc.t), tc.d)
			want := at(t, tc.want)
			if !got.Equal(want) {
				t.Errorf("AddWorking(%s, %v) = %s, want %s", tc.t, tc.d, got.Format(time.RFC3339Nano), tc.want)
			}
			if got.Location() != cal.Location() {
				t.Errorf("location %v", got.Location())
			}
		})
	}
}

func TestNextWorkingInstantAndInSession(t *testing.T) {
	cal := officialCalendar(t)
	tests := []struct {
		t         string
		next      string
		inSession bool
	}{
		{"2026-11-23T06:59:59+07:00", "2026-11-23T07:00:00+07:00", false},
		{"2026-11-23T07:00:00+07:00", "2026-11-23T07:00:00+07:00", true},
		{"2026-11-23T11:29:59+07:00", "2026-11-23T11:29:59+07:00", true},
		{"2026-11-23T11:30:00+07:00", "2026-11-23T13:30:00+07:00", true},
		{"2026-11-23T11:30:01+07:00", "2026-11-23T13:30:00+07:00", false},
		{"2026-11-23T17:00:00+07:00", "2026-11-24T07:00:00+07:00", true},
		{"2026-11-23T17:00:01+07:00", "2026-11-24T07:00:00+07:00", false},
		{"2026-11-27T18:00:00+07:00", "2026-11-30T07:00:00+07:00", false},
		{"2026-02-13T17:30:00+07:00", "2026-02-23T07:00:00+07:00", false},
		{"2026-02-17T09:00:00+07:00", "2026-02-23T07:00:00+07:00", false},
		{"2026-01-10T09:00:00+07:00", "2026-01-10T09:00:00+07:00", true},
		{"2026-01-11T09:00:00+07:00", "2026-01-12T07:00:00+07:00", false},
		{"2026-12-31T17:30:00+07:00", "2027-01-04T07:00:00+07:00", false},
		{"2026-11-23T10:00:00Z", "2026-11-24T07:00:00+07:00", true},
		{"2026-11-23T10:00:01Z", "2026-11-24T07:00:00+07:00", false},
	}
	for _, tc := range tests {
		in := at(t, tc.t)
		if got := cal.NextWorkingInstant(in); !got.Equal(at(t, tc.next)) || got.Location() != cal.Location() {
			t.Errorf("NextWorkingInstant(%s) = %s, want %s", tc.t, got, tc.next)
		}
		if got := cal.InSession(in); got != tc.inSession {
			t.Errorf("InSession(%s) = %v, want %v", tc.t, got, tc.inSession)
		}
	}
}

func TestIsWorkingDay(t *testing.T) {
	cal := officialCalendar(t)
	tests := []struct {
		d    string
		want bool
	}{
		{"2021-02-09", true}, {"2021-02-10", false}, {"2021-02-16", false}, {"2021-02-17", true},
		{"2026-01-01", false}, {"2026-01-02", false}, {"2026-01-05", true},
		{"2026-01-10", true}, {"2026-01-11", false}, {"2026-08-22", true}, {"2026-08-31", false},
		{"2026-11-24", true}, {"2026-11-28", false}, {"2026-11-29", false},
		{"2024-05-04", true}, {"2024-04-29", false}, {"2025-04-26", true}, {"2025-05-02", false},
		{"2030-01-01", true}, {"2030-01-05", false},
	}
	for _, tc := range tests {
		if got := cal.IsWorkingDay(worktime.MustParseDate(tc.d)); got != tc.want {
			t.Errorf("IsWorkingDay(%s) = %v, want %v", tc.d, got, tc.want)
		}
	}
}

func TestCustomSessions(t *testing.T) {
	loc := hcm(t)
	cal := worktime.NewCalendar(loc, worktime.Year{
		Year:     2030,
		Holidays: []worktime.Date{worktime.MustParseDate("2030-01-01")},
		Sessions: []worktime.Session{{Start: worktime.NewClock(8, 0), End: worktime.NewClock(12, 0)}},
	})
	tests := []struct {
		name     string
		received string
		p        worktime.Duration
		want     string
	}{
		// One working day is 8 working hours whatever the sessions: two
		// four-hour mornings here.
		{"1 working day = two mornings, ends at 12:00", "2030-01-07T08:00:00+07:00", wd(1), "2030-01-08T12:00:00+07:00"},
		{"afternoon receipt starts next morning", "2030-01-07T13:00:00+07:00", wh(4), "2030-01-08T12:00:00+07:00"},
		{"working hours", "2030-01-07T09:00:00+07:00", wh(4), "2030-01-08T09:00:00+07:00"},
		{"holiday skipped, 2029 in default sessions", "2029-12-31T16:00:00+07:00", wh(2), "2030-01-02T09:00:00+07:00"},
		{"calendar days end at 12:00", "2030-01-07T09:00:00+07:00", cd(1), "2030-01-08T12:00:00+07:00"},
		{"days 0 after the session", "2030-01-07T12:30:00+07:00", cd(0), "2030-01-08T12:00:00+07:00"},
		{"2029 keeps default sessions", "2029-12-28T16:00:00+07:00", wh(2), "2029-12-31T08:00:00+07:00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := cal.DueAt(at(t, tc.received), tc.p)
			if !got.Equal(at(t, tc.want)) {
				t.Errorf("DueAt(%s, %+v) = %s, want %s", tc.received, tc.p, got.Format(time.RFC3339), tc.want)
			}
		})
	}
	if got := cal.WorkingBetween(at(t, "2030-01-07T00:00:00+07:00"), at(t, "2030-01-14T00:00:00+07:00")); got != 20*time.Hour {
		t.Errorf("WorkingBetween over a custom week = %v, want 20h", got)
	}
	if got := cal.Sessions(worktime.MustParseDate("2030-06-01")); len(got) != 1 || got[0].String() != "08:00-12:00" {
		t.Errorf("Sessions(2030) = %v", got)
	}
	if got := cal.Sessions(worktime.MustParseDate("2031-06-01")); len(got) != 2 {
		t.Errorf("Sessions(2031) = %v, want defaults", got)
	}
}

func TestNewCalendarIsLenientAndCopies(t *testing.T) {
	hol := []worktime.Date{worktime.MustParseDate("2030-01-02"), worktime.MustParseDate("2031-01-03")}
	ss := []worktime.Session{
		{Start: worktime.NewClock(13, 0), End: worktime.NewClock(17, 0)},
		{Start: worktime.NewClock(8, 0), End: worktime.NewClock(12, 0)},
		{Start: worktime.NewClock(11, 0), End: worktime.NewClock(12, 30)}, // overlaps: merged
		{Start: worktime.NewClock(18, 0), End: worktime.NewClock(18, 0)},  // empty: dropped
	}
	cal := worktime.NewCalendar(nil, worktime.Year{Year: 2030, Holidays: hol, Sessions: ss,
		WorkingWeekends: []worktime.Date{worktime.MustParseDate("2030-01-05"), worktime.MustParseDate("2030-01-02")}})
	hol[0] = worktime.MustParseDate("2030-01-04")
	ss[0].End = worktime.NewClock(23, 0)

	if cal.Location().String() != "Asia/Ho_Chi_Minh" && cal.Location().String() != "+07" {
		t.Errorf("default location %v", cal.Location())
	}
	if cal.IsWorkingDay(worktime.MustParseDate("2030-01-02")) {
		t.Error("holiday that is also a working weekend must stay a holiday")
	}
	if !cal.IsWorkingDay(worktime.MustParseDate("2030-01-04")) {
		t.Error("calendar did not copy its holidays")
	}
	if !cal.IsWorkingDay(worktime.MustParseDate("2030-01-05")) {
		t.Error("working Saturday not honoured")
	}
	if !cal.IsWorkingDay(worktime.MustParseDate("2031-01-03")) {
		t.Error("a 2031 date in the 2030 entry must be ignored")
	}
	got := cal.Sessions(worktime.MustParseDate("2030-03-01"))
	if fmt.Sprint(got) != "[08:00-12:30 13:00-17:00]" {
		t.Errorf("normalised sessions = %v", got)
	}
	got[0].Start = 0
	if cal.Sessions(worktime.MustParseDate("2030-03-01"))[0].Start != worktime.NewClock(8, 0) {
		t.Error("Sessions must return a copy")
	}
}

func TestRunawayGuard(t *testing.T) {
	// Every day of 2030-2034 is a holiday (weekdays listed, weekends off).
	var years []worktime.Year
	for y := 2030; y <= 2034; y++ {
		yr := worktime.Year{Year: y}
		for d := (worktime.Date{Year: y, Month: time.January, Day: 1}); d.Year == y; d = d.AddDays(1) {
			yr.Holidays = append(yr.Holidays, d)
		}
		years = append(years, yr)
	}
	cal := worktime.NewCalendar(hcm(t), years...)
	start := at(t, "2030-01-01T09:00:00+07:00")
	done := make(chan struct{})
	go func() {
		defer close(done)
		if got := cal.NextWorkingInstant(start); !got.Equal(start) {
			t.Errorf("NextWorkingInstant = %v, want the input back", got)
		}
		cal.DueAt(start, wd(3))
		cal.DueAt(start, wh(3))
		cal.DueAt(start, cd(3))
		cal.AddWorking(start, time.Hour)
		if cal.InSession(start) {
			t.Error("InSession on a holiday")
		}
		// Before the blackout the clock still works and stops at the last
		// instant reached.
		got := cal.AddWorking(at(t, "2029-12-31T16:00:00+07:00"), 2*time.Hour)
		if want := at(t, "2029-12-31T17:00:00+07:00"); !got.Equal(want) {
			t.Errorf("AddWorking into blackout = %v, want %v", got, want)
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("runaway loop")
	}
	// After 2034 the default calendar resumes: the clock starts on Monday
	// 2035-01-01 at 07:00.
	if got := cal.DueAt(at(t, "2034-12-29T09:00:00+07:00"), wd(1)); !got.Equal(at(t, "2035-01-01T17:00:00+07:00")) {
		t.Errorf("DueAt across the blackout end = %v", got)
	}
}

func TestHugeValues(t *testing.T) {
	cal := officialCalendar(t)
	recv := at(t, "2026-11-23T09:00:00+07:00")
	for _, u := range []worktime.Unit{worktime.WorkingDays, worktime.WorkingHours, worktime.CalendarDays} {
		a := cal.DueAt(recv, worktime.Duration{Value: worktime.MaxValue, Unit: u})
		b := cal.DueAt(recv, worktime.Duration{Value: int(^uint(0) >> 1), Unit: u})
		if !a.Equal(b) || a.Before(recv) {
			t.Errorf("%s: MaxValue %v, MaxInt %v", u, a, b)
		}
	}
}

func TestConcurrentReads(t *testing.T) {
	cal := officialCalendar(t)
	recv := at(t, "2024-01-22T08:00:00+07:00")
	want := cal.DueAt(recv, wd(30))
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				if got := cal.DueAt(recv, wd(30)); !got.Equal(want) {
					t.Errorf("concurrent DueAt = %v, want %v", got, want)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestValidate(t *testing.T) {
	d := worktime.MustParseDate
	s := func(a, b string) worktime.Session {
		x, _ := worktime.ParseClock(a)
		y, _ := worktime.ParseClock(b)
		return worktime.Session{Start: x, End: y}
	}
	tests := []struct {
		name string
		y    worktime.Year
		keys []string
	}{
		{"valid", worktime.Year{Year: 2026, Holidays: []worktime.Date{d("2026-01-01")},
			WorkingWeekends: []worktime.Date{d("2026-01-10")}, Sessions: worktime.DefaultSessions()}, nil},
		{"touching sessions are fine", worktime.Year{Year: 2026,
			Sessions: []worktime.Session{s("07:00", "11:30"), s("11:30", "12:00")}}, nil},
		{"bad year", worktime.Year{Year: 0, Sessions: worktime.DefaultSessions()}, []string{"year"}},
		{"holiday outside the year", worktime.Year{Year: 2026, Holidays: []worktime.Date{d("2027-01-01")},
			Sessions: worktime.DefaultSessions()}, []string{"holidays[0]"}},
		{"invalid date", worktime.Year{Year: 2026, Holidays: []worktime.Date{{Year: 2026, Month: 2, Day: 30}},
			Sessions: worktime.DefaultSessions()}, []string{"holidays[0]"}},
		{"duplicate holiday", worktime.Year{Year: 2026, Holidays: []worktime.Date{d("2026-01-01"), d("2026-01-02"), d("2026-01-01")},
			Sessions: worktime.DefaultSessions()}, []string{"holidays[2]"}},
		{"holiday also working weekend", worktime.Year{Year: 2026, Holidays: []worktime.Date{d("2026-01-10")},
			WorkingWeekends: []worktime.Date{d("2026-01-10")}, Sessions: worktime.DefaultSessions()}, []string{"working_weekends[0]"}},
		{"working weekend on a weekday", worktime.Year{Year: 2026, WorkingWeekends: []worktime.Date{d("2026-01-09")},
			Sessions: worktime.DefaultSessions()}, []string{"working_weekends[0]"}},
		{"working weekend outside the year", worktime.Year{Year: 2026, WorkingWeekends: []worktime.Date{d("2025-01-04")},
			Sessions: worktime.DefaultSessions()}, []string{"working_weekends[0]"}},
		{"duplicate working weekend", worktime.Year{Year: 2026, WorkingWeekends: []worktime.Date{d("2026-01-10"), d("2026-01-10")},
			Sessions: worktime.DefaultSessions()}, []string{"working_weekends[1]"}},
		{"no sessions", worktime.Year{Year: 2026}, []string{"working_hours"}},
		{"start after end", worktime.Year{Year: 2026, Sessions: []worktime.Session{s("11:30", "07:00")}}, []string{"working_hours[0]"}},
		{"start equals end", worktime.Year{Year: 2026, Sessions: []worktime.Session{s("07:00", "07:00")}}, []string{"working_hours[0]"}},
		{"unsorted", worktime.Year{Year: 2026, Sessions: []worktime.Session{s("13:30", "17:00"), s("07:00", "11:30")}}, []string{"working_hours[1]"}},
		{"overlapping", worktime.Year{Year: 2026, Sessions: []worktime.Session{s("07:00", "12:00"), s("11:30", "17:00")}}, []string{"working_hours[1]"}},
		{"clock out of range", worktime.Year{Year: 2026, Sessions: []worktime.Session{{Start: 0, End: 1440}}}, []string{"working_hours[0]"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			errs := tc.y.Validate()
			if errs == nil {
				t.Fatal("Validate returned nil map")
			}
			if len(errs) != len(tc.keys) {
				t.Errorf("Validate() = %v, want keys %v", errs, tc.keys)
			}
			for _, k := range tc.keys {
				if strings.TrimSpace(errs[k]) == "" {
					t.Errorf("missing reason for %q in %v", k, errs)
				}
			}
		})
	}
}

func TestUnit(t *testing.T) {
	for _, u := range []worktime.Unit{worktime.WorkingDays, worktime.WorkingHours, worktime.CalendarDays} {
		if !u.Valid() {
			t.Errorf("%q not valid", u)
		}
	}
	for _, u := range []worktime.Unit{"", "day", "hours", "Working_days"} {
		if u.Valid() {
			t.Errorf("%q valid", u)
		}
	}
	if (worktime.Duration{Value: -1, Unit: worktime.WorkingDays}).Valid() {
		t.Error("negative duration valid")
	}
	var p worktime.Duration
	if err := json.Unmarshal([]byte(`{"value":15,"unit":"working_days"}`), &p); err != nil || p != wd(15) {
		t.Errorf("json duration = %+v, %v", p, err)
	}
}

func TestDate(t *testing.T) {
	d, err := worktime.ParseDate("2024-02-28")
	if err != nil || d != (worktime.Date{Year: 2024, Month: time.February, Day: 28}) {
		t.Fatalf("ParseDate = %v, %v", d, err)
	}
	for _, bad := range []string{"", "2024-2-28", "2024-02-30", "2024/02/28", "24-02-28", "2024-02-28T00:00:00Z", "2024-13-01"} {
		if _, err := worktime.ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) succeeded", bad)
		}
	}
	if s := d.String(); s != "2024-02-28" {
		t.Errorf("String = %q", s)
	}
	if got := d.AddDays(1).String(); got != "2024-02-29" {
		t.Errorf("AddDays(1) = %s", got)
	}
	if got := d.AddDays(2).String(); got != "2024-03-01" {
		t.Errorf("AddDays(2) = %s", got)
	}
	if got := worktime.MustParseDate("2026-01-01").AddDays(-1).String(); got != "2025-12-31" {
		t.Errorf("AddDays(-1) = %s", got)
	}
	if got := worktime.MustParseDate("2026-11-23").AddDays(-20000).String(); got != time.Date(2026, 11, 23-20000, 0, 0, 0, 0, time.UTC).Format("2006-01-02") {
		t.Errorf("AddDays(-20000) = %s", got)
	}
	// Weekday and AddDays agree with package time over a long range.
	base := time.Date(1900, 1, 1, 12, 0, 0, 0, time.UTC)
	start := worktime.Date{Year: 1900, Month: time.January, Day: 1}
	for i := 0; i < 200*366; i += 7 {
		tt := base.AddDate(0, 0, i)
		got := start.AddDays(i)
		if got != worktime.DateOf(tt, nil) || got.Weekday() != tt.Weekday() || !got.Valid() {
			t.Fatalf("day %d: %v (%v), want %v (%v)", i, got, got.Weekday(), tt.Format("2006-01-02"), tt.Weekday())
		}
	}
	if (worktime.Date{Year: 2025, Month: 2, Day: 29}).Valid() || (worktime.Date{}).Valid() {
		t.Error("invalid date reported valid")
	}
	loc := hcm(t)
	if got := worktime.DateOf(at(t, "2026-11-22T18:00:00Z"), loc).String(); got != "2026-11-23" {
		t.Errorf("DateOf in HCM = %s", got)
	}
	if got := worktime.DateOf(at(t, "2026-11-22T18:00:00Z"), time.UTC).String(); got != "2026-11-22" {
		t.Errorf("DateOf in UTC = %s", got)
	}
	a, b := worktime.MustParseDate("2025-12-31"), worktime.MustParseDate("2026-01-01")
	if !a.Before(b) || !b.After(a) || a.Compare(a) != 0 || b.Compare(a) != 1 {
		t.Error("Compare")
	}
	var js struct {
		D worktime.Date `json:"d"`
	}
	if err := json.Unmarshal([]byte(`{"d":"2026-02-17"}`), &js); err != nil || js.D.String() != "2026-02-17" {
		t.Errorf("json date = %v, %v", js.D, err)
	}
	out, _ := json.Marshal(js)
	if string(out) != `{"d":"2026-02-17"}` {
		t.Errorf("json date out = %s", out)
	}
}

func TestClock(t *testing.T) {
	good := map[string]worktime.Clock{"00:00": 0, "07:00": 420, "11:30": 690, "23:59": 1439}
	for s, want := range good {
		c, err := worktime.ParseClock(s)
		if err != nil || c != want || c.String() != s {
			t.Errorf("ParseClock(%q) = %v (%d), %v", s, c, int(c), err)
		}
	}
	for _, s := range []string{"24:00", "7:00", "07:60", "0700", "", "07:00:00", "-1:00", "ab:cd", "07-00"} {
		if _, err := worktime.ParseClock(s); err == nil {
			t.Errorf("ParseClock(%q) succeeded", s)
		}
	}
	ds := worktime.DefaultSessions()
	if fmt.Sprint(ds) != "[07:00-11:30 13:30-17:00]" {
		t.Errorf("DefaultSessions = %v", ds)
	}
	ds[0].Start = 0
	if worktime.DefaultSessions()[0].Start != 420 {
		t.Error("DefaultSessions must return a new slice")
	}
	var total time.Duration
	for _, s := range worktime.DefaultSessions() {
		total += s.Length()
	}
	if total != 8*time.Hour {
		t.Errorf("default sessions last %v, want 8h", total)
	}
	var ss []worktime.Session
	if err := json.Unmarshal([]byte(`[["07:00","11:30"],{"start":"13:30","end":"17:00"}]`), &ss); err != nil || fmt.Sprint(ss) != "[07:00-11:30 13:30-17:00]" {
		t.Errorf("json sessions = %v, %v", ss, err)
	}
	out, err := json.Marshal(ss)
	if err != nil || string(out) != `[["07:00","11:30"],["13:30","17:00"]]` {
		t.Errorf("json sessions out = %s, %v", out, err)
	}
	for _, bad := range []string{`["07:00"]`, `["07:00","24:00"]`, `{"start":"07:00"}`, `"07:00-11:30"`} {
		var s worktime.Session
		if err := json.Unmarshal([]byte(bad), &s); err == nil {
			t.Errorf("json session %s accepted", bad)
		}
	}
}

func TestDaylightSavingLocation(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal("America/New_York:", err) // time/tzdata is linked in, so the zone always exists
	}
	// 2026-03-08 (a Sunday, 23 hours long) is a working day here.
	cal := worktime.NewCalendar(ny, worktime.Year{Year: 2026, Sessions: worktime.DefaultSessions(),
		WorkingWeekends: []worktime.Date{worktime.MustParseDate("2026-03-08")}})
	got := cal.DueAt(at(t, "2026-03-06T16:00:00-05:00"), wd(1))
	if want := at(t, "2026-03-08T16:00:00-04:00"); !got.Equal(want) {
		t.Errorf("DueAt across the DST switch = %v, want %v", got, want)
	}
	day := cal.WorkingBetween(at(t, "2026-03-08T00:00:00-05:00"), at(t, "2026-03-09T00:00:00-04:00"))
	if day != 8*time.Hour {
		t.Errorf("working time of the DST day = %v, want 8h", day)
	}
	if !cal.InSession(at(t, "2026-03-08T07:00:00-04:00")) || cal.InSession(at(t, "2026-03-08T06:59:00-04:00")) {
		t.Error("InSession on the DST day")
	}
}

func TestYearTextParsesWhatPeopleWrite(t *testing.T) {
	in := worktime.YearText{Year: 2030, Holidays: []string{"2030-01-02", "2030-13-01"}, WorkingWeekends: []string{"2030-01-05"},
		WorkingHours: [][]string{{"07:30", "11:30"}, {"13:00"}, {"13:00", "25:00"}, {"13:30", "17:00"}}}
	y, errs := in.Parse()
	want := map[string]string{"holidays[1]": "ngày phải có dạng YYYY-MM-DD", "working_hours[1]": `mỗi buổi là ["HH:MM","HH:MM"]`,
		"working_hours[2]": "giờ phải có dạng HH:MM"}
	if !reflect.DeepEqual(errs, want) {
		t.Fatalf("errors = %v, want %v", errs, want)
	}
	if len(y.Holidays) != 1 || len(y.WorkingWeekends) != 1 || len(y.Sessions) != 2 {
		t.Fatalf("parsed = %+v", y)
	}
	good := worktime.YearText{Year: 2030, Holidays: []string{"2030-01-02"}, WorkingWeekends: []string{"2030-01-05"},
		WorkingHours: [][]string{{"07:30", "11:30"}, {"13:30", "17:00"}}}
	y, errs = good.Parse()
	if len(errs) != 0 || !reflect.DeepEqual(y.Text(), good) {
		t.Fatalf("round trip: %+v %v", y.Text(), errs)
	}
	if worktime.ValidYear(1899) || !worktime.ValidYear(1900) || !worktime.ValidYear(9999) || worktime.ValidYear(10000) {
		t.Fatal("ValidYear bounds")
	}
}
