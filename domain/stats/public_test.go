package stats

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/catalog"
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

// TestPublicMonth: a closed month (with or without a cut-off day) is form 06
// by agency over the whole province; an open or future month, a missing or
// malformed one, or another period is KindValidation on month.
func TestPublicMonth(t *testing.T) {
	t.Parallel()
	tree := catalog.NewTree([]catalog.Agency{{Code: "P"}, {Code: "D", ParentCode: "P"}})
	st := &fakeStore{rows: []Row{{Group: "D", Counts: Counts{ResolvedTotal: 4, ResolvedOnTime: 3}}, {Group: "P", Counts: Counts{ResolvedTotal: 1}}}}
	at := func(s string, cutoff int) *Service {
		now, err := time.ParseInLocation("2006-01-02T15:04", s, hcm)
		if err != nil {
			t.Fatal(err)
		}
		return NewService(st, fakeCatalog{tree}, hcm, cutoff, func() time.Time { return now })
	}
	f, err := at("2026-12-07T09:00", 0).PublicMonth(context.Background(), PeriodInput{Month: " 2026-11 "})
	if err != nil {
		t.Fatal(err)
	}
	if f.GroupBy != ByAgency || !f.Scope.All() || st.q.Units != nil || f.Period.Name != "2026-11" ||
		f.Period.From.String() != "2026-11-01" || !f.Period.AsOf.Equal(f.Period.End) {
		t.Fatalf("public month %+v, query %+v", f, st.q)
	}
	if len(f.Rows) != 2 || f.Rows[0].Group != "D" || f.Rows[0].Name != "Tên D" || f.Total.ResolvedTotal != 5 {
		t.Fatalf("rows %+v total %+v", f.Rows, f.Total)
	}
	// The first instant after the month closes publishes it.
	if _, err := at("2026-12-01T00:00", 0).PublicMonth(context.Background(), PeriodInput{Month: "2026-11"}); err != nil {
		t.Fatalf("at the close: %v", err)
	}
	// Cut-off 15: 2026-12 runs 15 Nov to 14 Dec.
	if f, err := at("2026-12-07T09:00", 15).PublicMonth(context.Background(), PeriodInput{Month: "2026-11"}); err != nil || f.Period.To.String() != "2026-11-14" {
		t.Fatalf("cut-off 15, 2026-11: %v %v", f.Period.To, err)
	}
	for _, c := range []struct {
		now    string
		cutoff int
		in     PeriodInput
	}{
		{"2026-11-30T23:59", 0, PeriodInput{Month: "2026-11"}},
		{"2026-12-07T09:00", 0, PeriodInput{Month: "2026-12"}},
		{"2026-12-07T09:00", 0, PeriodInput{Month: "2027-01"}},
		{"2026-12-15T09:00", 15, PeriodInput{Month: "2027-01"}},
		{"2026-12-14T23:00", 15, PeriodInput{Month: "2026-12"}},
		{"2026-12-07T09:00", 0, PeriodInput{}},
		{"2026-12-07T09:00", 0, PeriodInput{Month: "2026-13"}},
		{"2026-12-07T09:00", 0, PeriodInput{Month: "2026-1"}},
		{"2026-12-07T09:00", 0, PeriodInput{Month: "1899-12"}},
		{"2026-12-07T09:00", 0, PeriodInput{Month: "2026-10", From: "2026-10-01"}},
		{"2026-12-07T09:00", 0, PeriodInput{Month: "2026-10", Year: "2026"}},
		{"2026-12-07T09:00", 0, PeriodInput{From: "2026-10-01", To: "2026-10-31"}},
	} {
		_, err := at(c.now, c.cutoff).PublicMonth(context.Background(), c.in)
		var de *domain.Error
		if !errors.As(err, &de) || de.Kind != domain.KindValidation || de.Fields["month"] == "" {
			t.Errorf("%s cut-off %d %+v: %v, want a validation error on month", c.now, c.cutoff, c.in, err)
		}
	}
}
