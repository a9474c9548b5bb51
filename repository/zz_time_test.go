package repository

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/motcua/motcua/domain/stats"
	"github.com/motcua/motcua/domain/worktime"
)

func TestZZTime(t *testing.T) {
	if os.Getenv("ZZ_DSN") == "" {
		return
	}
	ctx := context.Background()
	db, err := Open(Options{URL: os.Getenv("ZZ_DSN")})
	if err != nil {
		t.Fatal(err)
	}
	st := NewStatsStore(db)
	loc := worktime.DefaultLocation()
	q := queryOf(stats.MonthPeriod(2026, 1, 0, loc), nil)
	for i := 0; i < 10; i++ {
		t0 := time.Now()
		st.useRollups(ctx, q)
		t1 := time.Now()
		span, _ := st.span(ctx)
		t2 := time.Now()
		end := q.To.AddDays(1)
		plan := planRollups(signed(1, cover(q.From, end)), stockBefore(q.From, span, st.stocks), stockBefore(end, span, st.stocks))
		_, err := st.sumRollups(ctx, q, "r.unit_code", "", plan)
		t3 := time.Now()
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("zone %v span %v sums %v atoms %v", t1.Sub(t0), t2.Sub(t1), t3.Sub(t2), plan.atoms)
	}
}
