package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"time"

	"github.com/motcua/motcua/cmd/internal/benchkit"
	"github.com/motcua/motcua/domain"
)

// Load-generator limits: every load is bounded in count as well as time.
const (
	maxRate        = 100_000 // calls a second a load may make at most
	openMaxInFlght = 256     // concurrent requests of the open loop
	reportBudget   = 2 * time.Minute
)

func (b *bench) spec() loadSpec {
	secs := (b.o.Warmup + b.o.Duration).Seconds()
	return loadSpec{Warmup: b.o.Warmup, Duration: b.o.Duration, MaxCalls: int64(secs*maxRate) + 1}
}

// serverPool is the server's database pool size (repository.Open), which
// the lookup floor gets too.
func (b *bench) serverPool() int {
	if b.db.Engine == "sqlite" {
		return 4
	}
	return 20
}

// copyFloor loads the same generated rows into a scratch copy of the
// dossiers table the fastest plain way, then drops it.
func (b *bench) copyFloor(ctx context.Context) error {
	if b.o.Dossiers == 0 {
		return nil
	}
	if err := b.fdb.prepareFloorTable(ctx); err != nil {
		return err
	}
	how := "COPY (pgx CopyFrom)"
	if b.db.Engine == "sqlite" {
		how = fmt.Sprintf("one transaction of prepared %d-row INSERTs", b.o.SQLiteRows)
	}
	b.logf("floor: %s of %s rows into a scratch copy of dossiers", how, thousands(b.o.Dossiers))
	var d time.Duration
	var err error
	b.measureCPU("import floor", func() {
		d, err = b.fdb.bulkLoad(ctx, floorTable, b.generator(), int(b.o.Dossiers), b.o.SQLiteRows, domain.NewPinHasher([]byte(benchkit.DataKey)), b.loc)
	})
	if err != nil {
		return err
	}
	b.copyElapsed = d
	b.logf("floor: %s rows in %v (%.0f/s)", thousands(b.o.Dossiers), d.Round(time.Millisecond), float64(b.o.Dossiers)/d.Seconds())
	return b.fdb.exec(ctx, "DROP TABLE "+floorTable)
}

func (b *bench) analyze(ctx context.Context) error {
	if b.db.Engine != "postgres" {
		return nil
	}
	b.logf("database: VACUUM ANALYZE after the bulk load (what autovacuum does shortly after)")
	return b.fdb.analyze(ctx)
}

// startFloor runs a lookup floor as its own process: the two reads (the
// dossier, then its stages), or with one the server's one statement.
func (b *bench) startFloor(ctx context.Context, one bool) (*benchkit.Process, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	addr, err := benchkit.FreeAddr()
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(b.srv.LogPath)
	env := append(os.Environ(), envFloorKey+"="+benchkit.DataKey)
	args := []string{"floor-server", "-engine", b.db.Engine, "-dsn", b.db.DSN,
		"-addr", addr, "-pool", strconv.Itoa(b.serverPool()), "-zone", b.o.Zone}
	name, log := "lookup floor", "floor.log"
	if one {
		args, name, log = append(args, "-one"), "one-statement lookup floor", "floor-one.log"
	}
	return benchkit.StartProcess(ctx, name, exe, args, env, dir, filepath.Join(dir, log), addr, "/readyz", time.Minute)
}

// lookupURLs are the lookups of the registered pairs against base.
func (b *bench) lookupURLs(base string) []string {
	out := make([]string, len(b.pairs))
	for i, p := range b.pairs {
		out[i] = base + "/api/v1/public/dossiers/" + url.PathEscape(p.Code) + "?pin=" + p.Pin
	}
	return out
}

// getOK sends GET u with hc and drains the answer; anything but 200 is an error.
func getOK(ctx context.Context, hc *http.Client, u string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return &statusError{Method: http.MethodGet, Path: redactQuery(u), Status: resp.StatusCode}
	}
	return err
}

func (b *bench) lookupLoad(ctx context.Context, base string, conns int) *result {
	hc := &http.Client{Transport: newTransport(conns), Timeout: 10 * time.Second}
	defer hc.CloseIdleConnections()
	urls := b.lookupURLs(base)
	return closedLoop(ctx, conns, b.spec(), func(ctx context.Context, w int, seq int64) error {
		return getOK(ctx, hc, urls[(int(seq)*conns+w)%len(urls)])
	})
}

// sameLookup checks that the floor answers what the server answers.
func (b *bench) sameLookup(ctx context.Context, floor *benchkit.Process) error {
	p := b.pairs[0]
	var got [2]map[string]any
	for i, base := range []string{b.srv.Base, floor.Base} {
		c := newAPIClient(base, 1, 10*time.Second)
		err := c.do(ctx, http.MethodGet, "/api/v1/public/dossiers/"+url.PathEscape(p.Code)+"?pin="+p.Pin, "", nil, http.StatusOK, &got[i])
		c.close()
		if err != nil {
			return err
		}
	}
	if !reflect.DeepEqual(got[0], got[1]) {
		s, _ := json.Marshal(got[0])
		f, _ := json.Marshal(got[1])
		b.problemf("the lookup floor's answer differs from the server's:\n  server %s\n  floor  %s", s, f)
	}
	return nil
}

func (b *bench) lookups(ctx context.Context) error {
	two, err := b.startFloor(ctx, false)
	if err != nil {
		return err
	}
	defer two.Stop()
	one, err := b.startFloor(ctx, true)
	if err != nil {
		return err
	}
	defer one.Stop()
	b.floor = two
	twoRSS, oneRSS := newRSSSampler(two.Pid()), newRSSSampler(one.Pid())
	defer func() {
		twoRSS.stop()
		oneRSS.stop()
		b.rep.Extra["lookup_floor_peak_rss_mb"] = strconv.FormatInt(twoRSS.hwmKB()/1024, 10)
		b.rep.Extra["lookup_one_statement_floor_peak_rss_mb"] = strconv.FormatInt(oneRSS.hwmKB()/1024, 10)
	}()
	for _, f := range []*benchkit.Process{two, one} {
		if err := b.sameLookup(ctx, f); err != nil {
			return err
		}
	}
	for _, conns := range []int{16, 64} {
		var m, f, f1 *result
		b.logf("lookup: %d connections, motcua", conns)
		b.measureCPU(fmt.Sprintf("lookup %d conns", conns), func() {
			b.profiled(ctx, fmt.Sprintf("lookup-%d", conns), func() { m = b.lookupLoad(ctx, b.srv.Base, conns) })
		})
		b.logf("lookup: %d connections, floor (two reads)", conns)
		b.floor = two // what the CPU meter counts as the floor
		b.measureCPU(fmt.Sprintf("lookup %d conns, floor", conns), func() { f = b.lookupLoad(ctx, two.Base, conns) })
		b.logf("lookup: %d connections, one-statement floor", conns)
		b.floor = one
		b.measureCPU(fmt.Sprintf("lookup %d conns, one-statement floor", conns), func() { f1 = b.lookupLoad(ctx, one.Base, conns) })
		b.floor = two
		if ctx.Err() != nil {
			return ctx.Err()
		}
		b.logf("lookup: %d conns: motcua %.0f/s p50 %.2f ms p99 %.2f ms; floor %.0f/s p50 %.2f ms p99 %.2f ms; one-statement floor %.0f/s p50 %.2f ms p99 %.2f ms",
			conns, m.Rate(), ms(m.Percentile(50)), ms(m.Percentile(99)), f.Rate(), ms(f.Percentile(50)), ms(f.Percentile(99)),
			f1.Rate(), ms(f1.Percentile(50)), ms(f1.Percentile(99)))
		for who, r := range map[string]*result{"motcua": m, "floor": f, "one-statement floor": f1} {
			if r.Failed > 0 {
				b.problemf("lookup at %d conns (%s): %s", conns, who, r.describeFailures())
			}
		}
		name := fmt.Sprintf("public lookup, %d conns", conns)
		fig := figure{Name: name, Unit: "req/s", Motcua: num(m.Rate()), Floor: num(f.Rate()), RatioKind: ratioMF, Target: "≥ 0.70× floor"}
		if f.Rate() > 0 {
			fig.Verdict = verdict(m.Rate()/f.Rate() >= 0.7)
		}
		b.rep.add(fig)
		b.rep.add(figure{Name: "  p50", Unit: "ms", Motcua: num(ms(m.Percentile(50))), Floor: num(ms(f.Percentile(50))), RatioKind: ratioFM})
		b.rep.add(figure{Name: "  p99", Unit: "ms", Motcua: num(ms(m.Percentile(99))), Floor: num(ms(f.Percentile(99))), RatioKind: ratioFM})
		fig1 := figure{Name: fmt.Sprintf("public lookup vs one-statement floor, %d conns", conns), Unit: "req/s",
			Motcua: num(m.Rate()), Floor: num(f1.Rate()), RatioKind: ratioMF, Target: "≥ 0.80× floor"}
		if f1.Rate() > 0 {
			fig1.Verdict = verdict(m.Rate()/f1.Rate() >= 0.8)
		}
		b.rep.add(fig1)
		p99 := figure{Name: "  p99", Unit: "ms", Motcua: num(ms(m.Percentile(99))), Floor: num(ms(f1.Percentile(99))),
			RatioKind: ratioFM, Target: "≤ 1.3× the floor's"}
		if f1.Percentile(99) > 0 {
			p99.Verdict = verdict(float64(m.Percentile(99)) <= 1.3*float64(f1.Percentile(99)))
		}
		b.rep.add(p99)
	}
	return nil
}

func verdict(ok bool) string {
	if ok {
		return verdictPass
	}
	return verdictMiss
}

// registrationCall registers one dossier per call; clerkOf picks the clerk.
func (b *bench) registrationCall(hc *http.Client, phase string, clerkOf func(w int, seq int64) int) call {
	rng := rand.New(rand.NewPCG(b.o.Seed, 2))
	bodies := make([][][]byte, len(b.clerks))
	for i, c := range b.clerks {
		for j := 0; j < 256; j++ {
			bodies[i] = append(bodies[i], registrationBody(rng, c.Procs[rng.IntN(len(c.Procs))]))
		}
	}
	u := b.srv.Base + "/api/v1/dossiers"
	return func(ctx context.Context, w int, seq int64) error {
		ci := clerkOf(w, seq)
		body := bodies[ci][seq%int64(len(bodies[ci]))]
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+b.clerks[ci].Token)
		if b.o.Idempotency {
			req.Header.Set("Idempotency-Key", "bench-"+b.runID+"-"+phase+"-"+strconv.Itoa(w)+"-"+strconv.FormatInt(seq, 10))
		}
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		var msg []byte
		if resp.StatusCode != http.StatusCreated {
			msg, _ = io.ReadAll(io.LimitReader(resp.Body, 300))
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			return &statusError{Method: http.MethodPost, Path: "/api/v1/dossiers", Status: resp.StatusCode, Body: string(msg)}
		}
		return err
	}
}

// registrationConns are the connections of the registration closed loop.
const registrationConns = 16

// closedRegistrations runs the registration closed loop at
// registrationConns connections, the clerks taking turns by connection;
// phase tells its Idempotency-Keys apart, cpuLabel and profile name its
// CPU table row and its profiles (-pprof).
func (b *bench) closedRegistrations(ctx context.Context, phase, cpuLabel, profile string) *result {
	n := len(b.clerks)
	hc := &http.Client{Transport: newTransport(registrationConns), Timeout: 30 * time.Second}
	defer hc.CloseIdleConnections()
	b.logf("registration (%s): closed loop, %d connections, clerks %d", phase, registrationConns, n)
	var closed *result
	b.measureCPU(cpuLabel, func() {
		b.profiledSQL(ctx, profile, func() {
			closed = closedLoop(ctx, registrationConns, b.spec(), b.registrationCall(hc, phase, func(w int, _ int64) int { return w % n }))
		})
	})
	if closed.Failed > 0 {
		b.problemf("registration (%s), closed loop: %s", phase, closed.describeFailures())
	}
	b.logf("registration (%s): closed loop %.0f/s p50 %.2f ms p99 %.2f ms", phase, closed.Rate(), ms(closed.Percentile(50)), ms(closed.Percentile(99)))
	return closed
}

func (b *bench) registrations(ctx context.Context) error {
	const conns = registrationConns
	n := len(b.clerks)
	closed := b.closedRegistrations(ctx, "closed", "registration closed loop", "registration")
	b.emptyMonth = closed
	if ctx.Err() != nil {
		return ctx.Err()
	}
	hc := &http.Client{Transport: newTransport(openMaxInFlght), Timeout: 30 * time.Second}
	defer hc.CloseIdleConnections()
	var open *result
	b.logf("registration: open loop, %d/s", b.o.OpenRate)
	b.measureCPU(fmt.Sprintf("registration %d/s", b.o.OpenRate), func() {
		open = openLoop(ctx, b.o.OpenRate, openMaxInFlght, b.spec(), b.registrationCall(hc, "open", func(_ int, seq int64) int { return int(seq % int64(n)) }))
	})
	if open.Failed > 0 {
		b.problemf("registration, open loop: %s", open.describeFailures())
	}
	b.logf("registration: open loop %.0f/s p50 %.2f ms p99 %.2f ms", open.Rate(), ms(open.Percentile(50)), ms(open.Percentile(99)))
	closedFig := figure{Name: fmt.Sprintf("registration, closed loop %d conns", conns), Unit: "dossiers/s", Motcua: num(closed.Rate())}
	if b.db.Engine == "postgres" {
		closedFig.Target, closedFig.Verdict = "≥ 1,000/s", verdict(closed.Failed == 0 && closed.Rate() >= 1000)
	}
	b.rep.add(closedFig)
	b.rep.add(figure{Name: "  p50", Unit: "ms", Motcua: num(ms(closed.Percentile(50)))})
	b.rep.add(figure{Name: "  p99", Unit: "ms", Motcua: num(ms(closed.Percentile(99)))})
	b.rep.add(figure{Name: fmt.Sprintf("registration, open loop %d/s", b.o.OpenRate), Unit: "dossiers/s", Motcua: num(open.Rate())})
	b.rep.add(figure{Name: "  p50 (from scheduled send)", Unit: "ms", Motcua: num(ms(open.Percentile(50)))})
	p99 := open.Percentile(99)
	b.rep.add(figure{Name: "  p99 (from scheduled send)", Unit: "ms", Motcua: num(ms(p99)), Target: "< 50 ms",
		Verdict: verdict(p99 < 50*time.Millisecond && open.Failed == 0 && open.OK > 0)})
	return ctx.Err()
}

// reportMonth is the last full calendar month before today (local), the
// month an officer would report on now.
func (b *bench) reportMonth() (month string, start, end time.Time) {
	now := time.Now().In(b.loc)
	end = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, b.loc)
	start = end.AddDate(0, -1, 0)
	return start.Format("2006-01"), start, end
}

// serverForm06 is the JSON of GET /stats/dossiers that the comparison reads.
type serverForm06 struct {
	Period struct {
		Start time.Time `json:"start"`
		End   time.Time `json:"end"`
	} `json:"period"`
	Rows []struct {
		Group string `json:"group"`
		counts
	} `json:"rows"`
	Total counts `json:"total"`
}

func (s serverForm06) answer() form06Answer {
	a := form06Answer{Rows: map[string]counts{}, Total: s.Total}
	for _, r := range s.Rows {
		a.Rows[r.Group] = r.counts
	}
	return a
}

// timed runs fn untimed warm times, then n times or until budget runs out
// (at least 3 times), and returns the latencies.
func timed(ctx context.Context, warm, n int, budget time.Duration, fn func() error) ([]time.Duration, error) {
	for i := 0; i < warm; i++ {
		if err := fn(); err != nil {
			return nil, err
		}
	}
	deadline := time.Now().Add(budget)
	var out []time.Duration
	for i := 0; i < n && ctx.Err() == nil; i++ {
		if i >= 3 && time.Now().After(deadline) {
			break
		}
		t0 := time.Now()
		if err := fn(); err != nil {
			return out, err
		}
		out = append(out, time.Since(t0))
	}
	return out, ctx.Err()
}

func (b *bench) reports(ctx context.Context) error {
	month, start, end := b.reportMonth()
	viewer := b.tokens["viewer"]
	if _, ok := b.world.Agencies[b.o.Unit]; !ok {
		return fmt.Errorf("-unit %s is not an agency of the server", b.o.Unit)
	}
	scopes := []struct {
		label string
		unit  string
		units []string
	}{
		{"province", "", nil},
		{"unit " + b.o.Unit, b.o.Unit, b.world.Subtree(b.o.Unit)},
	}
	client := newAPIClient(b.srv.Base, 1, 5*time.Minute)
	defer client.close()
	for _, sc := range scopes {
		path := "/api/v1/stats/dossiers?month=" + month + "&group_by=unit"
		if sc.unit != "" {
			path += "&unit_code=" + url.QueryEscape(sc.unit)
		}
		b.logf("form-06 %s, %s: motcua", month, sc.label)
		var srv serverForm06
		var mLat, fLat []time.Duration
		var err error
		b.measureCPU("form-06 "+sc.label, func() {
			mLat, err = timed(ctx, 2, b.o.Reports, reportBudget, func() error {
				srv = serverForm06{}
				return client.do(ctx, http.MethodGet, path, viewer, nil, http.StatusOK, &srv)
			})
		})
		if err != nil {
			return err
		}
		if !srv.Period.Start.Equal(start) || !srv.Period.End.Equal(end) {
			b.problemf("form-06 %s: the server's period [%v, %v) is not the calendar month [%v, %v)", month, srv.Period.Start, srv.Period.End, start, end)
		}
		b.logf("form-06 %s, %s: floor (one SQL scan)", month, sc.label)
		var fl form06Answer
		b.measureCPU("form-06 "+sc.label+", floor", func() {
			fLat, err = timed(ctx, 1, b.o.Reports, reportBudget, func() error {
				var err error
				fl, err = b.fdb.form06(ctx, start, end, sc.units)
				return err
			})
		})
		if err != nil {
			return fmt.Errorf("floor scan: %w", err)
		}
		m50, m99 := percentile(mLat, 50), percentile(mLat, 99)
		f50, f99 := percentile(fLat, 50), percentile(fLat, 99)
		b.logf("form-06 %s: motcua p50 %.1f ms p99 %.1f ms (%d calls); floor p50 %.1f ms p99 %.1f ms (%d calls); received_total %d",
			sc.label, ms(m50), ms(m99), len(mLat), ms(f50), ms(f99), len(fLat), srv.Total.ReceivedTotal)
		target := "≤ 50 ms at 10 M"
		b.rep.add(figure{Name: "form-06 month, " + sc.label + ", p50", Unit: "ms", Motcua: num(ms(m50)), Floor: num(ms(f50)),
			RatioKind: ratioFM, Target: target, Verdict: verdict(m50 <= 50*time.Millisecond), Note: scaleNote(b.o.Dossiers)})
		b.rep.add(figure{Name: "  p99", Unit: "ms", Motcua: num(ms(m99)), Floor: num(ms(f99)), RatioKind: ratioFM})
		diffs := srv.answer().compare(fl)
		v := verdictMatch
		note := fmt.Sprintf("received_total %d, resolved_total %d", srv.Total.ReceivedTotal, srv.Total.ResolvedTotal)
		if len(diffs) > 0 {
			v = verdictMismatch
			note = fmt.Sprintf("%d difference(s), first: %s", len(diffs), diffs[0])
			shown := diffs
			if len(shown) > 5 {
				shown = append(shown[:5:5], fmt.Sprintf("… %d more", len(diffs)-5))
			}
			b.problemf("form-06 %s, %s: the server's answer differs from the full scan: %v", month, sc.label, shown)
		}
		b.rep.add(figure{Name: "  answer = full scan", Unit: "", Target: "equal", Verdict: v, Note: note})
		if err := b.digitisationReport(ctx, client, viewer, month, start, end, sc.label, sc.unit, sc.units); err != nil {
			return err
		}
	}
	return nil
}

// scaleNote marks a target set for 10 M dossiers on a smaller run.
func scaleNote(n int64) string {
	if n >= 10_000_000 {
		return ""
	}
	return "(this run: " + thousands(n) + ")"
}

// finish adds the import and memory figures and the problems.
func (b *bench) finish() {
	pg := b.db.Engine == "postgres"
	if r := b.importRes; r != nil && r.Elapsed > 0 {
		fig := figure{Name: "import", Unit: "dossiers/s", Motcua: num(r.Rate()), RatioKind: ratioMF, Target: "≥ 50,000/s (PostgreSQL)"}
		if b.copyElapsed > 0 {
			fig.Floor = num(float64(b.o.Dossiers) / b.copyElapsed.Seconds())
		}
		if pg {
			fig.Verdict = verdict(r.Rate() >= 50_000 && len(r.Errors) == 0)
		}
		b.rep.add(fig)
		samples := b.rss.phaseSamples("import")
		if len(samples) > 0 {
			first, second, startKB := halvesPeak(samples)
			flat := second <= first+first/10+16*1024
			f := figure{Name: "  server RSS during import", Unit: "MB", Motcua: num(mb(b.rss.peakKB("import"))),
				Target: "flat", Note: fmt.Sprintf("start %.0f, peak 1st half %.0f, 2nd half %.0f (%.0f MB sent)", mb(startKB), mb(first), mb(second), float64(r.Bytes)/(1<<20))}
			if len(samples) >= 10 {
				f.Verdict = verdict(flat)
			} else {
				f.Verdict = "n/a"
				f.Note += "; too short to judge"
			}
			b.rep.add(f)
		}
	}
	load := max(b.rss.peakKB("lookup"), b.rss.peakKB("register"), b.rss.peakKB("reports"))
	b.rep.add(figure{Name: "server peak RSS under load", Unit: "MB", Motcua: num(mb(load)), Target: "≤ 150 MB", Verdict: verdict(load <= 150*1024),
		Note: "lookups, registrations, reports"})
	for _, ph := range []string{"startup", "register-pins", "import", "floor-copy", "lookup", "register", "reports", "export"} {
		if kb := b.rss.peakKB(ph); kb > 0 {
			b.rep.PeakRSSMB[ph] = kb / 1024
		}
	}
	b.rep.PeakRSSMB["lifetime (VmHWM)"] = b.rss.hwmKB() / 1024
	if errs := benchkit.ServerErrors(b.srv.LogPath); len(errs) > 0 {
		b.rep.Errors = errs
		b.problemf("the server answered 5xx: %v", errs)
	}
	b.rep.Problems = b.problem
}

// halvesPeak returns the peak RSS of the first and second half (by time)
// of samples, and the first reading.
func halvesPeak(samples []rssSample) (first, second, startKB int64) {
	if len(samples) == 0 {
		return 0, 0, 0
	}
	t0, t1 := samples[0].At, samples[len(samples)-1].At
	mid := t0 + (t1-t0)/2
	for _, s := range samples {
		if s.At <= mid {
			first = max(first, s.KB)
		} else {
			second = max(second, s.KB)
		}
	}
	return first, second, samples[0].KB
}
