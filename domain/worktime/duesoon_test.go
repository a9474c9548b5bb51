package worktime_test

import "testing"

// TestDueSoonBound: the due-soon horizon counts working hours on the
// official calendar, skipping lunch, evenings, weekends and holidays.
func TestDueSoonBound(t *testing.T) {
	cal := officialCalendar(t)
	for _, tt := range []struct {
		name, now string
		hours     int
		want      string
	}{
		{"inside a session", "2026-11-23T08:00:00+07:00", 2, "2026-11-23T10:00:00+07:00"},
		{"across lunch", "2026-11-23T10:30:00+07:00", 2, "2026-11-23T14:30:00+07:00"},
		{"across the evening", "2026-11-23T16:00:00+07:00", 2, "2026-11-24T08:00:00+07:00"},
		{"in the evening", "2026-11-23T19:00:00+07:00", 1, "2026-11-24T08:00:00+07:00"},
		{"across the weekend", "2026-11-27T16:00:00+07:00", 8, "2026-11-30T16:00:00+07:00"},
		{"on a Sunday", "2026-11-29T10:00:00+07:00", 1, "2026-11-30T08:00:00+07:00"},
		{"on National Day 2026", "2026-09-01T16:00:00+07:00", 2, "2026-09-03T09:00:00+07:00"},
		{"running out at a session's end", "2026-11-23T16:00:00+07:00", 1, "2026-11-23T17:00:00+07:00"},
		{"from lunch's start", "2026-11-23T11:30:00+07:00", 1, "2026-11-23T14:30:00+07:00"},
		{"across Tết 2026", "2026-02-13T16:00:00+07:00", 8, "2026-02-23T16:00:00+07:00"},
		{"on a make-up working Saturday", "2026-01-10T10:00:00+07:00", 2, "2026-01-10T14:00:00+07:00"},
		{"a Friday evening to a Monday", "2026-11-27T18:00:00+07:00", 8, "2026-11-30T17:00:00+07:00"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := cal.DueSoonBound(at(t, tt.now), tt.hours)
			if !got.Equal(at(t, tt.want)) {
				t.Errorf("DueSoonBound(%s, %d) = %s, want %s", tt.now, tt.hours, got, tt.want)
			}
		})
	}
}
