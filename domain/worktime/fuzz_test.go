package worktime_test

import (
	"testing"
	"time"

	"github.com/motcua/motcua/domain/worktime"
)

var fuzzUnits = []worktime.Unit{worktime.WorkingDays, worktime.WorkingHours, worktime.CalendarDays}

// fuzzRange is the receipt window of FuzzDueAt: 2020-01-01 to 2028-12-31.
var (
	fuzzFrom = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	fuzzSpan = int64(time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC).Sub(fuzzFrom) / time.Second)
)

func FuzzDueAt(f *testing.F) {
	seed := func(s string, value, unit int, nanos int64) {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(int64(t.Sub(fuzzFrom)/time.Second), nanos, value, unit)
	}
	seed("2026-11-23T09:00:00+07:00", 1, 0, 0)
	seed("2026-11-27T16:00:00+07:00", 1, 0, 0)
	seed("2026-11-23T18:00:00+07:00", 1, 0, 0)
	seed("2026-11-23T12:00:00+07:00", 4, 1, 0)
	seed("2026-11-23T17:00:00+07:00", 0, 0, 0)
	seed("2026-11-23T17:00:00+07:00", 0, 2, 0)
	seed("2026-11-23T18:00:00+07:00", 0, 2, 0)
	seed("2026-11-23T11:30:00+07:00", 0, 1, 0)
	seed("2026-02-13T16:00:00+07:00", 3, 0, 0)
	seed("2026-02-18T09:00:00+07:00", 7, 2, 0)
	seed("2021-02-05T16:00:00+07:00", 5, 0, 0)
	seed("2025-12-31T16:00:00+07:00", 1, 0, 0)
	seed("2026-12-31T16:59:59+07:00", 9, 1, 999999999)
	seed("2024-01-22T08:00:00+07:00", 30, 0, 0)
	seed("2024-05-03T16:00:00+07:00", 1, 0, 0)
	seed("2020-01-01T00:00:00Z", 400, 0, 0)
	seed("2028-12-31T23:59:59Z", 400, 2, 5)
	seed("2023-01-19T23:00:00Z", 17, 1, 123)

	cal := officialCalendar(f)
	f.Fuzz(func(t *testing.T, secs, nanos int64, value, unit int) {
		secs %= fuzzSpan
		if secs < 0 {
			secs += fuzzSpan
		}
		nanos %= int64(time.Second)
		if nanos < 0 {
			nanos = -nanos
		}
		value %= 401
		if value < 0 {
			value = -value
		}
		unit %= len(fuzzUnits)
		if unit < 0 {
			unit = -unit
		}
		u := fuzzUnits[unit]
		recv := fuzzFrom.Add(time.Duration(secs)*time.Second + time.Duration(nanos))
		p := worktime.Duration{Value: value, Unit: u}

		due := cal.DueAt(recv, p)
		if due.Before(recv) {
			t.Fatalf("DueAt(%v, %+v) = %v is before the receipt", recv, p, due)
		}
		if !cal.InSession(due) {
			t.Fatalf("DueAt(%v, %+v) = %v is not in a session", recv, p, due)
		}
		if due.Location() != cal.Location() {
			t.Fatalf("location %v", due.Location())
		}
		next := cal.DueAt(recv, worktime.Duration{Value: value + 1, Unit: u})
		if next.Before(due) {
			t.Fatalf("not monotone: %+v → %v, +1 → %v", p, due, next)
		}
		start := cal.NextWorkingInstant(recv)
		switch u {
		case worktime.WorkingDays, worktime.WorkingHours:
			want := time.Duration(value) * time.Hour
			if u == worktime.WorkingDays {
				want *= 8
			}
			if got := cal.WorkingBetween(start, due); got != want {
				t.Fatalf("WorkingBetween(%v, %v) = %v, want %v", start, due, got, want)
			}
			if !next.After(due) {
				t.Fatalf("working count %d+1 did not move the due time %v", value, due)
			}
			if value == 0 && !due.Equal(start) {
				t.Fatalf("0 %s: %v, want the clock start %v", u, due, start)
			}
			if value > 0 && !due.After(start) {
				t.Fatalf("due %v not after the clock start %v", due, start)
			}
			if want <= 24*time.Hour {
				// Independent oracle: walk minute by minute on the wall
				// clock from a minute-aligned receipt.
				r := recv.Truncate(time.Minute)
				if got, ref := cal.DueAt(r, p), minuteOracle(cal, r, want); !got.Equal(ref) {
					t.Fatalf("DueAt(%v, %+v) = %v, oracle %v", r, p, got, ref)
				}
			}
		case worktime.CalendarDays:
			loc := cal.Location()
			dd := worktime.DateOf(due, loc)
			if !cal.IsWorkingDay(dd) {
				t.Fatalf("calendar-days due %v on a non-working day", due)
			}
			target := worktime.DateOf(recv, loc).AddDays(value)
			if dd.Before(target) {
				t.Fatalf("calendar-days due %v before the target date %v", due, target)
			}
			for d := target; d.Before(dd); d = d.AddDays(1) {
				if cal.IsWorkingDay(d) && d != worktime.DateOf(recv, loc) {
					t.Fatalf("calendar-days due %v skips working day %v", due, d)
				}
			}
			if h, m, s := due.Clock(); h != 17 || m != 0 || s != 0 || due.Nanosecond() != 0 {
				t.Fatalf("calendar-days due %v is not at 17:00", due)
			}
		}
	})
}

// minuteOracle adds work minute by minute: a minute is working when its
// date is a working day and its wall clock is in 07:00-11:30 or 13:30-17:00.
// A zero amount yields the first working minute.
func minuteOracle(cal *worktime.Calendar, t time.Time, work time.Duration) time.Time {
	t = t.In(cal.Location())
	working := func(m time.Time) bool {
		if !cal.IsWorkingDay(worktime.DateOf(m, nil)) {
			return false
		}
		c := m.Hour()*60 + m.Minute()
		return (c >= 7*60 && c < 11*60+30) || (c >= 13*60+30 && c < 17*60)
	}
	for !working(t) {
		t = t.Add(time.Minute)
	}
	for n := int(work / time.Minute); n > 0; t = t.Add(time.Minute) {
		if working(t) {
			n--
			if n == 0 {
				return t.Add(time.Minute)
			}
		}
	}
	return t
}

func BenchmarkDueAt(b *testing.B) {
	cal := officialCalendar(b)
	recv := time.Date(2024, 1, 22, 8, 0, 0, 0, cal.Location())
	p := worktime.Duration{Value: 30, Unit: worktime.WorkingDays}
	want := time.Date(2024, 3, 11, 8, 0, 0, 0, cal.Location())
	b.ReportAllocs()
	for b.Loop() {
		if got := cal.DueAt(recv, p); !got.Equal(want) {
			b.Fatalf("DueAt = %v, want %v", got, want)
		}
	}
}

// FuzzWait checks the due time against a wait for the applicant (the
// supplement pause: the working time waited is added to the due time with
// AddWorking). Invariants: the due time is monotone in the processing time
// and in the wait, never lies inside a non-working interval, and adding a
// wait then taking it off again restores the due time.
func FuzzWait(f *testing.F) {
	for _, s := range []struct {
		at          string
		v1, v2      int
		unit        int
		wait, wait2 int64 // minutes of working time
	}{
		{"2026-11-23T09:00:00+07:00", 1, 2, 0, 60, 120},
		{"2026-11-27T16:00:00+07:00", 3, 1, 1, 8 * 60, 30},
		{"2026-11-23T11:30:00+07:00", 0, 0, 1, 0, 1},
		{"2026-02-13T16:00:00+07:00", 5, 10, 0, 5 * 8 * 60, 6 * 8 * 60},
		{"2026-11-23T17:00:00+07:00", 2, 2, 2, 210, 211},
		{"2025-12-31T23:59:59+07:00", 30, 29, 0, 100 * 8 * 60, 1},
	} {
		t, err := time.Parse(time.RFC3339, s.at)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(int64(t.Sub(fuzzFrom)/time.Second), s.v1, s.v2, s.unit, s.wait, s.wait2)
	}
	cal := officialCalendar(f)
	norm := func(v, n int) int {
		v %= n
		if v < 0 {
			v = -v
		}
		return v
	}
	f.Fuzz(func(t *testing.T, secs int64, v1, v2, unit int, wait, wait2 int64) {
		secs %= fuzzSpan
		if secs < 0 {
			secs += fuzzSpan
		}
		recv := fuzzFrom.Add(time.Duration(secs) * time.Second)
		u := fuzzUnits[norm(unit, len(fuzzUnits))]
		v1, v2 = norm(v1, 401), norm(v2, 401)
		if v2 < v1 {
			v1, v2 = v2, v1
		}
		// A wait of up to 200 working days, to the minute.
		const maxWait = 200 * 8 * 60
		w1 := time.Duration(norm(int(wait%(maxWait+1)), maxWait+1)) * time.Minute
		w2 := time.Duration(norm(int(wait2%(maxWait+1)), maxWait+1)) * time.Minute
		if w2 < w1 {
			w1, w2 = w2, w1
		}

		d1 := cal.DueAt(recv, worktime.Duration{Value: v1, Unit: u})
		d2 := cal.DueAt(recv, worktime.Duration{Value: v2, Unit: u})
		if d2.Before(d1) {
			t.Fatalf("not monotone in the duration: %d %s → %v, %d → %v", v1, u, d1, v2, d2)
		}

		p1, p2 := cal.AddWorking(d1, w1), cal.AddWorking(d1, w2)
		if p2.Before(p1) {
			t.Fatalf("not monotone in the wait: %v → %v, %v → %v", w1, p1, w2, p2)
		}
		for _, p := range []time.Time{d1, d2, p1, p2} {
			if !cal.InSession(p) {
				t.Fatalf("%v is inside a non-working interval (receipt %v, %d/%d %s, waits %v/%v)", p, recv, v1, v2, u, w1, w2)
			}
		}
		if p1.Before(d1) {
			t.Fatalf("a wait moved the due time back: %v → %v", d1, p1)
		}
		// Taking the wait off again: the working time from the clock's
		// start to the paused due time, less the wait, leads back to the
		// due time.
		if got := cal.WorkingBetween(d1, p1); got != w1 {
			t.Fatalf("WorkingBetween(due %v, paused %v) = %v, want the wait %v", d1, p1, got, w1)
		}
		if u != worktime.CalendarDays && w1 > 0 {
			start := cal.NextWorkingInstant(recv)
			total := cal.WorkingBetween(start, p1)
			back := cal.AddWorking(start, total-w1)
			if v1 == 0 {
				back = cal.NextWorkingInstant(back)
			}
			if !back.Equal(d1) {
				t.Fatalf("receipt %v, %d %s, wait %v: due %v, paused %v, wait taken off %v", recv, v1, u, w1, d1, p1, back)
			}
		}
	})
}
