package stats

import (
	"testing"
	"time"
)

func TestLastClosedMonthAndYearSoFar(t *testing.T) {
	loc := time.FixedZone("+07", 7*3600)
	for _, c := range []struct {
		now          string
		cutoff       int
		month, from  string
		firstOfMonth string
	}{
		{"2026-12-07T09:00:00+07:00", 0, "2026-11", "2026-01-01", "2026-11-01"},
		{"2026-12-01T00:00:00+07:00", 0, "2026-11", "2026-01-01", "2026-11-01"},
		{"2026-11-30T23:59:00+07:00", 0, "2026-10", "2026-01-01", "2026-10-01"},
		{"2026-01-03T10:00:00+07:00", 0, "2025-12", "2026-01-01", "2025-12-01"},
		// Cut-off 15: 2026-12 runs 15 Nov to 14 Dec.
		{"2026-12-07T09:00:00+07:00", 15, "2026-11", "2025-12-15", "2026-10-15"},
		{"2026-12-15T08:00:00+07:00", 15, "2026-12", "2025-12-15", "2026-11-15"},
		{"2026-12-20T08:00:00+07:00", 15, "2026-12", "2025-12-15", "2026-11-15"},
	} {
		now, _ := time.Parse(time.RFC3339, c.now)
		p := LastClosedMonth(now, c.cutoff, loc)
		if p.Name != c.month || p.From.String() != c.firstOfMonth {
			t.Errorf("%s cut-off %d: last closed month %s from %s, want %s from %s", c.now, c.cutoff, p.Name, p.From, c.month, c.firstOfMonth)
		}
		from, to := YearSoFar(now, c.cutoff, loc)
		if from.String() != c.from || to.String() != c.now[:10] {
			t.Errorf("%s cut-off %d: year so far %s..%s, want %s..%s", c.now, c.cutoff, from, to, c.from, c.now[:10])
		}
	}
}
