package main

import (
	"context"
	"fmt"
	"time"

	"github.com/motcua/motcua/cmd/internal/loadgen"
)

// monthFillOrdinals starts the month fill's code ordinals past any the
// history's generator gives one unit on one day (at 10 M dossiers over a
// year the busiest unit-day takes a few tens of thousands).
const monthFillOrdinals = 1_000_000

// monthFill asks whether registration stays flat as its month fills: it
// imports -month-fill dossiers received in the current month before today
// (from its 1st to yesterday, codes apart from the history's), then runs
// the registration closed loop of the register step again, into a month
// that now holds them. The figure is the full month's rate against the
// register step's, into the month as the year of history left it; a cost
// of at most 1.2× is the target (a ratio of at least 0.83). It runs last,
// so the reports and the export measure the history alone.
func (b *bench) monthFill(ctx context.Context) error {
	if b.o.MonthFill <= 0 || b.emptyMonth == nil {
		return nil
	}
	now := time.Now().In(b.loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, b.loc)
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, b.loc)
	days := today.Day() - 1
	name := "registration into a month holding the fill, 16 conns"
	if days < 1 {
		b.logf("month fill: today is the month's first day, no day before it to fill; skipped")
		b.rep.add(figure{Name: name, Unit: "dossiers/s", Target: "cost ≤ 1.2× the month before the fill", Verdict: "—",
			Note: "skipped: run on the 2nd of a month or later"})
		return nil
	}
	before, err := b.fdb.countReceivedSince(ctx, first)
	if err != nil {
		return err
	}
	gen := loadgen.NewGenerator(b.world, b.o.Seed+2, today, days, time.Now())
	gen.OrdinalFrom = monthFillOrdinals
	gen.FlagPercent = 40
	b.logf("month fill: importing %s dossiers received %s to %s (the month holds %s)", thousands(b.o.MonthFill),
		first.Format("2006-01-02"), today.AddDate(0, 0, -1).Format("2006-01-02"), thousands(before))
	var res *importResult
	b.measureCPU("month fill import", func() {
		res, err = runImport(ctx, b.srv.Base, b.tokens["admin"], gen, b.loc, b.o.MonthFill, b.o.ImportLines, b.o.ImportBytes,
			func(sent int64, el time.Duration) {
				b.logf("month fill: %s lines sent (%.0f/s)", thousands(sent), float64(sent)/el.Seconds())
			})
	})
	if err != nil {
		return fmt.Errorf("the month fill import: %w", err)
	}
	if len(res.Errors) > 0 {
		b.problemf("the month fill import rejected %d line(s) (first: line %d: %s)", len(res.Errors), res.Errors[0].Line, res.Errors[0].Error)
	}
	if res.Skipped > 0 {
		b.problemf("the month fill import skipped %d line(s) as duplicates: its codes met the history's", res.Skipped)
	}
	after, err := b.fdb.countReceivedSince(ctx, first)
	if err != nil {
		return err
	}
	if err := b.analyze(ctx); err != nil { // what autovacuum does within a minute of such a load
		return err
	}
	full := b.closedRegistrations(ctx, "full-month", "registration closed loop, full month", "registration-full-month")
	if ctx.Err() != nil {
		return ctx.Err()
	}
	empty := b.emptyMonth
	ok := full.Failed == 0 && full.OK > 0 && full.Rate() >= empty.Rate()/1.2
	b.rep.add(figure{Name: name, Unit: "dossiers/s", Motcua: num(full.Rate()), Floor: num(empty.Rate()), RatioKind: ratioMF,
		Target: "≥ 0.83× (cost ≤ 1.2×)", Verdict: verdict(ok),
		Note: fmt.Sprintf("floor: the same loop before the fill; the month held %s, then %s", thousands(before), thousands(after))})
	b.rep.add(figure{Name: "  p99", Unit: "ms", Motcua: num(ms(full.Percentile(99))), Floor: num(ms(empty.Percentile(99))), RatioKind: ratioFM})
	b.rep.Extra["month_fill_import_lines_per_second"] = fmt.Sprintf("%.0f", res.Rate())
	return nil
}
