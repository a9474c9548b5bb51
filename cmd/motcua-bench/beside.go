package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/motcua/motcua/cmd/internal/loadgen"
)

// lookupsBesideImport measures the citizen lookup at 16 connections while
// a second import of about -beside-import-mb streams into the server, over
// days before the imported history (so no code is shared with it), against
// the same lookup with nothing beside it. The goal is a p99 under 50 ms.
func (b *bench) lookupsBesideImport(ctx context.Context) error {
	if b.o.BesideMB <= 0 {
		return nil
	}
	const conns = 16
	lineBytes := int64(600)
	if r := b.importRes; r != nil && r.Lines > 0 {
		lineBytes = max(1, r.Bytes/r.Lines)
	}
	lines := b.o.BesideMB << 20 / lineBytes
	b.logf("lookup beside import: %d connections alone", conns)
	alone := b.lookupLoad(ctx, b.srv.Base, conns)

	end, days := b.window()
	gen := loadgen.NewGenerator(b.world, b.o.Seed+1, end.AddDate(0, 0, -days), days, time.Now())
	ictx, cancel := context.WithTimeout(ctx, b.o.ImportLimit)
	defer cancel()
	type outcome struct {
		res *importResult
		err error
	}
	done := make(chan outcome, 1)
	b.logf("lookup beside import: streaming %s lines (about %d MB) while %d connections look up", thousands(lines), b.o.BesideMB, conns)
	go func() {
		res, err := runImport(ictx, b.srv.Base, b.tokens["admin"], gen, b.loc, lines, b.o.ImportLines, b.o.ImportBytes, func(int64, time.Duration) {})
		done <- outcome{res, err}
	}()
	// The lookups run until the import answers: a context that ends then.
	lctx, stopLookups := context.WithCancel(ctx)
	finished := make(chan outcome, 1)
	go func() { o := <-done; stopLookups(); finished <- o }()
	beside := closedLoop(lctx, conns, loadSpec{Warmup: b.o.Warmup, Duration: b.o.ImportLimit}, b.lookupCall(conns))
	imp := <-finished
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if imp.err != nil {
		return fmt.Errorf("the import beside the lookups: %w", imp.err)
	}
	if len(imp.res.Errors) > 0 {
		b.problemf("the import beside the lookups rejected %d line(s) (first: line %d: %s)", len(imp.res.Errors), imp.res.Errors[0].Line, imp.res.Errors[0].Error)
	}
	if beside.Failed > 0 {
		b.problemf("lookup beside the import: %s", beside.describeFailures())
	}
	b.logf("lookup beside import: %s imported in %v; lookups %.0f/s p99 %.2f ms (alone %.0f/s p99 %.2f ms)",
		thousands(imp.res.Imported), imp.res.Elapsed.Round(time.Millisecond), beside.Rate(), ms(beside.Percentile(99)), alone.Rate(), ms(alone.Percentile(99)))
	p99 := ms(beside.Percentile(99))
	b.rep.add(figure{Name: fmt.Sprintf("lookup p99 beside a %d MB import, %d conns", b.o.BesideMB, conns), Unit: "ms",
		Motcua: num(p99), Floor: num(ms(alone.Percentile(99))), RatioKind: ratioFM, Target: "≤ 50 ms", Verdict: verdict(beside.OK > 0 && p99 <= 50),
		Note: "floor column: the same lookup with nothing beside it"})
	b.rep.Extra["beside_import_lines_per_second"] = fmt.Sprintf("%.0f", imp.res.Rate())
	return nil
}

// lookupCall is one citizen lookup a call, over the registered pairs.
func (b *bench) lookupCall(conns int) call {
	hc := &http.Client{Transport: newTransport(conns), Timeout: 10 * time.Second}
	urls := b.lookupURLs(b.srv.Base)
	return func(ctx context.Context, w int, seq int64) error {
		return getOK(ctx, hc, urls[(int(seq)*conns+w)%len(urls)])
	}
}
