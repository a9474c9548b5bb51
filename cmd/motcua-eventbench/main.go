// Command motcua-eventbench measures what the events outbox and the
// webhook deliveries cost and how fast they go, against the real binary,
// on SQLite or PostgreSQL. `make bench-events` runs it on both engines.
//
//	motcua-eventbench -engine sqlite|postgres [-quick] [-conns 4] [-window 10s]
//
// It builds the server twice from the repository: as it ships, and with
// -tags motcua_noevents, the floor of figure 1, the same code minus the
// events and their dispatch jobs (repository/events_off.go; no setting of
// a shipped binary can turn events off). Each server runs `serve --demo`
// on a new database of the engine, on a free loopback port, with 10
// delivery workers and private webhook addresses allowed (the receiver is
// this process, on 127.0.0.1). Figures, each against something measured
// in the same run:
//
//  1. Registration with its event: POST /api/v1/dossiers as the demo clerk
//     on -conns connections in a closed loop for -window, on the shipped
//     build against the floor build. Target: at most 1.3× the floor's time
//     per registration.
//  2. Dispatch: a webhook with events ["*"] to the receiver, which answers
//  204. (a) -backlog events appended in one transaction through the
//     dossier store (each with its dispatch job, as a change writes them):
//     deliveries/s from the first to the last arrival, against the floor of
//     the same number of POSTs sent to the receiver by 10 goroutines. Target
//     ≥ 100/s on SQLite, ≥ 300/s on PostgreSQL. (b) -rate events/s offered
//     for -steady: the lag from an event's occurred_at to its arrival, p99
//     under 1 s.
//  3. Registration as in 1 with -pending webhook deliveries parked
//     (pending, their River jobs scheduled 30 days ahead, as a receiver
//     down for a while leaves them) against the same server before they
//     were written. Target: at most 10 % slower.
//
// Everything is bounded by -timeout; the table goes to stdout, progress to
// stderr. -quick is the smoke run the package's test makes.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"gorm.io/gorm"

	"github.com/motcua/motcua/cmd/internal/benchkit"
	"github.com/motcua/motcua/repository"
)

// The targets.
const (
	targetCostRatio    = 1.3 // figure 1: time per registration, events on / off
	targetSQLiteRate   = 100 // figure 2a, deliveries/s
	targetPostgresRate = 300
	targetLagP99       = time.Second // figure 2b
	targetPendingRatio = 1.10        // figure 3: time per registration, parked / none
	deliveryWorkers    = 10
	// floorBuildTag is the build of figure 1's floor.
	floorBuildTag = "motcua_noevents"
)

type options struct {
	engine  string
	repo    string
	quick   bool
	conns   int
	window  time.Duration
	backlog int
	rate    float64
	steady  time.Duration
	pending int
	timeout time.Duration
	keep    bool
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "motcua-eventbench:", err)
		os.Exit(1)
	}
}

func run() error {
	var o options
	flag.StringVar(&o.engine, "engine", "sqlite", "sqlite or postgres (postgres needs MOTCUA_TEST_POSTGRES: .ci/with-postgres)")
	flag.StringVar(&o.repo, "repo", ".", "repository root (where ./cmd/motcua is)")
	flag.BoolVar(&o.quick, "quick", false, "smoke run: short windows, small backlogs (overrides the sizes below)")
	flag.IntVar(&o.conns, "conns", 4, "connections of the registration loop")
	flag.DurationVar(&o.window, "window", 10*time.Second, "each timed registration window")
	flag.IntVar(&o.backlog, "backlog", 1000, "events of figure 2a's backlog")
	flag.Float64Var(&o.rate, "rate", 200, "events/s offered in figure 2b")
	flag.DurationVar(&o.steady, "steady", 10*time.Second, "how long figure 2b offers its rate")
	flag.IntVar(&o.pending, "pending", 100_000, "parked deliveries of figure 3")
	flag.DurationVar(&o.timeout, "timeout", 15*time.Minute, "bound on the whole run, cleanup included")
	flag.BoolVar(&o.keep, "keep", false, "keep the temp folder (server logs, SQLite files) for a look afterwards")
	flag.Parse()
	if o.quick {
		o.window, o.backlog, o.steady, o.pending = 1500*time.Millisecond, 100, time.Second, 2000
		o.timeout = min(o.timeout, 3*time.Minute)
	}
	switch {
	case flag.NArg() != 0:
		return fmt.Errorf("unexpected arguments %q", flag.Args())
	case o.engine != "sqlite" && o.engine != "postgres":
		return errors.New("-engine must be sqlite or postgres")
	case o.conns < 1 || o.conns > 64:
		return errors.New("-conns must be from 1 to 64")
	case o.window < 500*time.Millisecond || o.window > 10*time.Minute:
		return errors.New("-window must be from 500ms to 10m")
	case o.backlog < 10 || o.backlog > 100_000:
		return errors.New("-backlog must be from 10 to 100000")
	case o.rate < 1 || o.rate > 5000:
		return errors.New("-rate must be from 1 to 5000")
	case o.steady < time.Second || o.steady > 10*time.Minute:
		return errors.New("-steady must be from 1s to 10m")
	case o.pending < 1 || o.pending > 1_000_000:
		return errors.New("-pending must be from 1 to 1000000")
	case o.timeout <= 0:
		return errors.New("-timeout must be positive")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, o.timeout-min(20*time.Second, o.timeout/4))
	defer cancel()
	err := bench(ctx, o)
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("timed out (-timeout %v): %w", o.timeout, err)
	}
	return err
}

// result is what the table shows.
type result struct {
	engine, version, commit string
	load0, load1            string
	floorReg, onReg         loopResult
	backlog                 int
	drainRate, drainFloor   float64
	drainMissing            int
	offered                 float64
	steadyN, steadyMissing  int
	lagP50, lagP99, lagMax  time.Duration
	pending                 int
	parkTime                time.Duration
	baseReg, parkedReg      loopResult
	parkedLeaked            int
	dupPosts                int64
	busy2, busy3            int64 // jobs left to work when figures 2 and 3 began
}

func bench(ctx context.Context, o options) (err error) {
	dir, err := os.MkdirTemp("", "motcua-eventbench-")
	if err != nil {
		return err
	}
	defer func() {
		if !o.keep {
			os.RemoveAll(dir)
		} else {
			logf("kept %s", dir)
		}
	}()
	r := result{engine: o.engine, commit: commit(o.repo), load0: loadAverage(), backlog: o.backlog, pending: o.pending}

	logf("building the server twice: as shipped, and with -tags %s (the floor of figure 1)", floorBuildTag)
	on, err := build(ctx, o.repo, filepath.Join(dir, "motcua"), "")
	if err != nil {
		return err
	}
	off, err := build(ctx, o.repo, filepath.Join(dir, "motcua-noevents"), floorBuildTag)
	if err != nil {
		return err
	}
	rcv, err := startReceiver()
	if err != nil {
		return err
	}
	defer rcv.close()

	// Figure 1's floor: its own database, then dropped.
	{
		srv, db, err := start(ctx, o, off, filepath.Join(dir, "off"))
		if err != nil {
			return fmt.Errorf("floor build: %w", err)
		}
		r.version = db.Version
		r.floorReg, err = registrationWindow(ctx, srv, o, true)
		srv.Stop()
		db.Drop()
		if err != nil {
			return fmt.Errorf("floor build: %w", err)
		}
		logf("floor build: %.1f registrations/s", r.floorReg.rate())
	}

	// Figure 1 on the shipped build, on a database of its own: its
	// registrations leave a dispatch backlog that figure 2 must not see.
	{
		srv, db, err := start(ctx, o, on, filepath.Join(dir, "on1"))
		if err != nil {
			return err
		}
		r.onReg, err = registrationWindow(ctx, srv, o, true)
		srv.Stop()
		db.Drop()
		if err != nil {
			return err
		}
		logf("shipped build: %.1f registrations/s", r.onReg.rate())
	}

	srv, db, err := start(ctx, o, on, filepath.Join(dir, "on"))
	if err != nil {
		return err
	}
	defer db.Drop()
	defer srv.Stop()
	defer func() {
		if err != nil && srv.Alive() {
			if errs := benchkit.ServerErrors(srv.LogPath); len(errs) > 0 {
				err = fmt.Errorf("%w (server 5xx answers by route: %v)", err, errs)
			}
			err = fmt.Errorf("%w\nserver log:\n%s", err, benchkit.Tail(srv.LogPath, 15))
		}
	}()

	// The bench's own handle on the server's database, for the events it
	// appends and the parked backlog.
	gdb, err := repository.Open(repository.Options{URL: db.URL, MaxOpenConns: 8})
	if err != nil {
		return err
	}
	defer repository.Close(gdb) //nolint:errcheck

	c := newClient(srv.Base, o.conns)
	clerk, err := c.Login(ctx, "clerk")
	if err != nil {
		return err
	}
	admin, err := c.Login(ctx, "admin")
	if err != nil {
		return err
	}
	// The dossiers the bench appends to are registered before the
	// webhook exists, so that their own registrations are not delivered.
	steadyT, err := newTargets(ctx, c, clerk, gdb, 4)
	if err != nil {
		return err
	}
	drainT, err := newTargets(ctx, c, clerk, gdb, 4)
	if err != nil {
		return err
	}
	hook, err := c.subscribe(ctx, admin, rcv.URL, []string{"*"})
	if err != nil {
		return err
	}
	store := repository.NewDossierStore(gdb, nil)

	// The demo's own events (and the targets') are dispatched first.
	if r.busy2, err = waitIdle(ctx, gdb, 3*time.Minute); err != nil {
		return err
	}
	// 2a: the backlog.
	if r.drainFloor, err = rcv.floorPosts(ctx, o.backlog, deliveryWorkers); err != nil {
		return err
	}
	logf("figure 2a: %d events appended in one transaction, then delivered", o.backlog)
	if err := appendBacklog(ctx, store, drainT, o.backlog); err != nil {
		return err
	}
	got := rcv.wait(ctx, codesOf(drainT), offeredType, o.backlog, drainBound(o))
	r.drainMissing = o.backlog - len(got)
	if len(got) < 2 {
		return fmt.Errorf("figure 2a: %d of %d deliveries arrived", len(got), o.backlog)
	}
	first, last := span(got)
	r.drainRate = float64(len(got)-1) / last.Sub(first).Seconds()
	logf("figure 2a: %d deliveries at %.1f/s", len(got), r.drainRate)

	// 2b: a steady rate.
	r.steadyN = int(o.rate * o.steady.Seconds())
	logf("figure 2b: %d events offered at %.0f/s", r.steadyN, o.rate)
	if r.offered, err = offer(ctx, store, steadyT, r.steadyN, o.rate); err != nil {
		return err
	}
	got = rcv.wait(ctx, codesOf(steadyT), offeredType, r.steadyN, steadyBound(o))
	r.steadyMissing = r.steadyN - len(got)
	// An event that has not arrived counts as later than any that has.
	got = got[:min(len(got), r.steadyN)] // wait may return a few past n
	lags := make([]time.Duration, r.steadyN)
	for i := range lags {
		lags[i] = time.Duration(1<<63 - 1)
	}
	for i, a := range got {
		lags[i] = a.at.Sub(a.occurredAt)
	}
	sort.Slice(lags, func(i, j int) bool { return lags[i] < lags[j] })
	if len(lags) > 0 {
		r.lagP50, r.lagP99 = quantile(lags, 0.5), quantile(lags, 0.99)
	}
	if len(got) > 0 {
		r.lagMax = lags[len(got)-1]
	}
	logf("figure 2b: offered %.1f/s, lag p50 %v p99 %v", r.offered, r.lagP50, r.lagP99)

	// 3: registration, then the same with the parked deliveries.
	if r.busy3, err = waitIdle(ctx, gdb, idleBound(o)); err != nil {
		return err
	}
	if r.baseReg, err = registrationWindow(ctx, srv, o, false); err != nil {
		return err
	}
	logf("figure 3: %.1f registrations/s with no pending delivery; parking %d", r.baseReg.rate(), o.pending)
	t0 := time.Now()
	if err := park(ctx, gdb, hook, o.pending); err != nil {
		return err
	}
	r.parkTime = time.Since(t0)
	// The parking is one burst of writes; on SQLite its WAL pages would be
	// checkpointed by the registrations that follow, which would time the
	// burst, not the backlog. Fold them into the database first.
	if repository.Dialect(gdb) != "postgres" {
		if err := gdb.WithContext(ctx).Exec("PRAGMA wal_checkpoint(TRUNCATE)").Error; err != nil {
			return fmt.Errorf("figure 3: checkpoint: %w", err)
		}
	}
	if r.parkedReg, err = registrationWindow(ctx, srv, o, false); err != nil {
		return err
	}
	logf("figure 3: %.1f registrations/s with %d parked", r.parkedReg.rate(), o.pending)
	pending, scheduled, err := parkedState(ctx, gdb)
	if err != nil {
		return err
	}
	if pending != int64(o.pending) || scheduled != int64(o.pending) {
		return fmt.Errorf("figure 3: %d parked deliveries pending and %d jobs scheduled, want %d: the backlog was not parked",
			pending, scheduled, o.pending)
	}
	for _, a := range rcv.arrivals(nil, "") {
		if strings.HasPrefix(a.code, parkedCodePrefix) {
			r.parkedLeaked++
		}
	}
	r.dupPosts = rcv.dups.Load()
	r.load1 = loadAverage()
	report(r, o)
	return nil
}

// start runs bin serve --demo on a new database in dir.
func start(ctx context.Context, o options, bin, dir string) (*benchkit.Process, *benchkit.Database, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, err
	}
	db, err := benchkit.OpenDatabase(ctx, o.engine, dir)
	if err != nil {
		return nil, nil, err
	}
	addr, err := benchkit.FreeAddr()
	if err != nil {
		db.Drop()
		return nil, nil, err
	}
	env := append(benchkit.ServerEnv(addr, db.URL),
		"MOTCUA_WEBHOOK_ALLOW_PRIVATE=true",
		"MOTCUA_DELIVERY_WORKERS="+strconv.Itoa(deliveryWorkers),
		"MOTCUA_LOG_LEVEL=warn")
	logf("starting %s serve --demo on %s (%s)", filepath.Base(bin), addr, o.engine)
	srv, err := benchkit.StartProcess(ctx, "server", bin, []string{"serve", "--demo"}, env, dir,
		filepath.Join(dir, "server.log"), addr, "/readyz", 3*time.Minute)
	if err != nil {
		db.Drop()
		return nil, nil, err
	}
	return srv, db, nil
}

// registrationWindow logs in as the clerk and times the closed loop,
// after a warm-up when warm.
func registrationWindow(ctx context.Context, srv *benchkit.Process, o options, warm bool) (loopResult, error) {
	c := newClient(srv.Base, o.conns)
	defer c.HC.CloseIdleConnections()
	tok, err := c.Login(ctx, "clerk")
	if err != nil {
		return loopResult{}, err
	}
	if warm {
		if _, err := closedLoop(ctx, c, tok, o.conns, min(o.window/4, 2*time.Second)); err != nil {
			return loopResult{}, fmt.Errorf("warm-up: %w", err)
		}
	}
	return closedLoop(ctx, c, tok, o.conns, o.window)
}

// newTargets registers n dossiers and reads their ids.
func newTargets(ctx context.Context, c *client, tok string, db *gorm.DB, n int) ([]target, error) {
	codes := make([]string, n)
	for i := range codes {
		code, err := c.register(ctx, tok)
		if err != nil {
			return nil, err
		}
		codes[i] = code
	}
	return targets(ctx, db, codes)
}

func codesOf(ts []target) map[string]bool {
	m := map[string]bool{}
	for _, t := range ts {
		m[t.code] = true
	}
	return m
}

// drainBound is how long the backlog may take: what 5 deliveries/s
// would need, at least 30 s.
func drainBound(o options) time.Duration {
	return max(30*time.Second, time.Duration(o.backlog/5)*time.Second)
}

// steadyBound is how long figure 2b waits for its last events after the
// offer ends.
func steadyBound(o options) time.Duration {
	if o.quick {
		return 10 * time.Second
	}
	return 30 * time.Second
}

// idleBound is how long figure 3 waits for the queue to empty first.
func idleBound(o options) time.Duration {
	if o.quick {
		return 5 * time.Second
	}
	return 2 * time.Minute
}

// waitIdle waits until the queue has no dispatch or webhook job to work
// now (available or running), polling its table, for at most bound, and
// returns how many are left.
func waitIdle(ctx context.Context, db *gorm.DB, bound time.Duration) (int64, error) {
	deadline := time.Now().Add(bound)
	var n int64
	for {
		if err := db.WithContext(ctx).Table("river_job").Where("kind IN ? AND state IN ?",
			[]string{repository.KindDispatch, repository.KindWebhook}, []string{"available", "running"}).
			Count(&n).Error; err != nil {
			return 0, err
		}
		if n == 0 || time.Now().After(deadline) {
			return n, nil
		}
		logf("waiting for the queue: %d dispatch and webhook jobs to work", n)
		select {
		case <-ctx.Done():
			return n, ctx.Err()
		case <-time.After(2 * time.Second):
		}
	}
}

func span(as []arrival) (first, last time.Time) {
	first, last = as[0].at, as[0].at
	for _, a := range as {
		if a.at.Before(first) {
			first = a.at
		}
		if a.at.After(last) {
			last = a.at
		}
	}
	return first, last
}

// build compiles ./cmd/motcua of repo to out, with tags when not empty.
func build(ctx context.Context, repo, out, tags string) (string, error) {
	args := []string{"build", "-trimpath", "-o", out}
	if tags != "" {
		args = append(args, "-tags", tags)
	}
	cmd := exec.CommandContext(ctx, "go", append(args, "./cmd/motcua")...)
	cmd.Dir = repo
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, b)
	}
	return out, nil
}

// commit is the repository's short HEAD, with "+" when it has changes.
func commit(repo string) string {
	b, err := exec.Command("git", "-C", repo, "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "?"
	}
	c := strings.TrimSpace(string(b))
	if st, err := exec.Command("git", "-C", repo, "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(st) > 0 {
		c += "+"
	}
	return c
}

// loadAverage is the one-minute load average, or "?".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "== "+format+"\n", args...)
}

// report prints the table.
func report(r result, o options) {
	verdict := func(ok bool) string {
		if ok {
			return "PASS"
		}
		return "MISS"
	}
	rateTarget := float64(targetSQLiteRate)
	if r.engine == "postgres" {
		rateTarget = targetPostgresRate
	}
	costRatio := r.floorReg.rate() / r.onReg.rate()
	pendRatio := r.baseReg.rate() / r.parkedReg.rate()
	lagOK := r.steadyMissing == 0 && r.lagP99 < targetLagP99
	fmt.Println()
	fmt.Printf("motcua-eventbench: %s, commit %s, %d CPUs, load average %s at the start and %s at the end%s\n",
		r.version, r.commit, runtime.NumCPU(), r.load0, r.load1, map[bool]string{true: " (-quick)"}[o.quick])
	fmt.Printf("  %-48s %18s %22s %8s %9s  %s\n", "figure", "value", "floor", "ratio", "target", "verdict")
	fmt.Printf("  %-48s %13.1f reg/s %16.1f reg/s %7.2f× %9s  %s\n",
		fmt.Sprintf("1. registration with its event (%d conns)", o.conns), r.onReg.rate(), r.floorReg.rate(), costRatio,
		fmt.Sprintf("≤ %.2f×", targetCostRatio), verdict(costRatio <= targetCostRatio))
	fmt.Printf("  %-48s %15.1f /s %19.1f /s %8.3f %9s  %s\n",
		fmt.Sprintf("2a. webhook deliveries, backlog of %d", r.backlog), r.drainRate, r.drainFloor, r.drainRate/r.drainFloor,
		fmt.Sprintf("≥ %.0f/s", rateTarget), verdict(r.drainMissing == 0 && r.drainRate >= rateTarget))
	p99 := fmt.Sprintf("%.2f s", r.lagP99.Seconds())
	if r.steadyMissing*100 > r.steadyN {
		p99 = fmt.Sprintf("> %v", steadyBound(o))
	}
	fmt.Printf("  %-48s %18s %22s %8s %9s  %s\n",
		fmt.Sprintf("2b. lag p99 at %.0f events/s offered", o.rate), p99, "poll 1 s per hop", "",
		fmt.Sprintf("< %v", targetLagP99), verdict(lagOK))
	fmt.Printf("  %-48s %13.1f reg/s %16.1f reg/s %7.2f× %9s  %s\n",
		fmt.Sprintf("3. registration with %d pending deliveries", r.pending), r.parkedReg.rate(), r.baseReg.rate(), pendRatio,
		fmt.Sprintf("≤ %.2f×", targetPendingRatio), verdict(pendRatio <= targetPendingRatio))
	fmt.Println()
	fmt.Printf("  1: floor = the same binary built with -tags %s; latency p50/p99 %v/%v on, %v/%v floor\n",
		floorBuildTag, r.onReg.p50.Round(time.Microsecond*100), r.onReg.p99.Round(time.Microsecond*100),
		r.floorReg.p50.Round(time.Microsecond*100), r.floorReg.p99.Round(time.Microsecond*100))
	fmt.Printf("  2a: %d of %d delivered (first to last arrival); floor = %d POSTs to the receiver from %d goroutines\n",
		r.backlog-r.drainMissing, r.backlog, r.backlog, deliveryWorkers)
	fmt.Printf("  2a, 2b: dispatch and webhook jobs left to work when figure 2 began: %d\n", r.busy2)
	p50 := fmt.Sprintf("%.2f s", r.lagP50.Seconds())
	if r.steadyMissing*2 > r.steadyN {
		p50 = "> bound"
	}
	fmt.Printf("  2b: %d events, offered %.1f/s achieved, %d not arrived %v after the offer (counted as later than any); lag p50 %s, max of the arrived %.2f s\n",
		r.steadyN, r.offered, r.steadyMissing, steadyBound(o), p50, r.lagMax.Seconds())
	fmt.Printf("  3: jobs left to work when its floor began: %d\n", r.busy3)
	fmt.Printf("  3: floor = the same server just before the %d deliveries were parked (written in %.1f s); none of them sent: %s\n",
		r.pending, r.parkTime.Seconds(), map[bool]string{true: "yes", false: fmt.Sprintf("NO (%d)", r.parkedLeaked)}[r.parkedLeaked == 0])
	fmt.Printf("  duplicate deliveries received: %d\n", r.dupPosts)
}
