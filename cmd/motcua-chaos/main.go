// Command motcua-chaos proves the service's durability claims by crashing
// it: registration and action load on loopback against the real server,
// which is killed with SIGKILL at random moments, and (on PostgreSQL) the
// database stopped in immediate mode, both restarted each time. After the
// rounds it checks that every write the client saw acknowledged is there
// with its history, that codes are unique and gap-free per unit and day,
// that requests retried with their Idempotency-Key after a crash answer
// the first result and create nothing, and that the rollups equal a
// rebuild from the dossiers. It prints a table and exits non-zero on any
// loss.
//
//	go run ./cmd/motcua-chaos -engine postgres -rounds 50 -db-stops 10
//	go run ./cmd/motcua-chaos -engine sqlite -rounds 20
//	go run ./cmd/motcua-chaos -engine postgres -sync-off -expect-loss   # the harness sees loss
//
// PostgreSQL is the run's own cluster (initdb in a temporary folder, as the
// postgres user when run as root) with fsync, synchronous_commit and
// full_page_writes on; -sync-off turns synchronous_commit off to show that
// an immediate stop then loses acknowledged commits and the harness says so.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/motcua/motcua/cmd/internal/benchkit"
	"github.com/motcua/motcua/cmd/motcua/demo"
)

type options struct {
	Engines       []string
	Rounds        int // server kills
	DBStops       int // PostgreSQL immediate stops (PostgreSQL only)
	Workers       int
	MinLoad       time.Duration
	MaxLoad       time.Duration
	AnswerWithin  time.Duration
	SyncOff       bool
	ExpectLoss    bool
	Seed          uint64
	Repo          string
	Keep          bool
	ReplaysPerRun int
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "motcua-chaos:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o options
	fs := flag.NewFlagSet("motcua-chaos", flag.ContinueOnError)
	fs.SetOutput(stderr)
	engine := fs.String("engine", "both", "postgres, sqlite or both")
	fs.IntVar(&o.Rounds, "rounds", 50, "server kills (SIGKILL at a random moment of the load)")
	fs.IntVar(&o.DBStops, "db-stops", 10, "PostgreSQL immediate stops, among the rounds' (PostgreSQL only)")
	fs.IntVar(&o.Workers, "workers", 4, "concurrent clients")
	fs.DurationVar(&o.MinLoad, "min-load", 150*time.Millisecond, "shortest load before a crash")
	fs.DurationVar(&o.MaxLoad, "max-load", 1500*time.Millisecond, "longest load before a crash")
	fs.DurationVar(&o.AnswerWithin, "answer-within", 60*time.Second, "a retried request must get its final answer within this after a restart")
	fs.BoolVar(&o.SyncOff, "sync-off", false, "PostgreSQL with synchronous_commit=off: immediate stops lose acknowledged commits")
	fs.BoolVar(&o.ExpectLoss, "expect-loss", false, "succeed only if loss is seen (with -sync-off: the harness can see loss)")
	fs.Uint64Var(&o.Seed, "seed", uint64(time.Now().UnixNano()), "seed of the crash moments")
	fs.StringVar(&o.Repo, "repo", ".", "the repository to build ./cmd/motcua from")
	fs.BoolVar(&o.Keep, "keep", false, "keep the temporary folder (logs, database)")
	fs.IntVar(&o.ReplaysPerRun, "replays", 8, "acknowledged requests replayed after each restart")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch *engine {
	case "both":
		o.Engines = []string{"postgres", "sqlite"}
	case "postgres", "sqlite":
		o.Engines = []string{*engine}
	default:
		return fmt.Errorf("-engine: %q is not postgres, sqlite or both", *engine)
	}
	if o.Rounds < 1 || o.Workers < 1 || o.MinLoad <= 0 || o.MaxLoad < o.MinLoad {
		return errors.New("-rounds and -workers must be at least 1, and 0 < -min-load <= -max-load")
	}
	if o.SyncOff && *engine != "postgres" {
		return errors.New("-sync-off is a PostgreSQL setting: use it with -engine postgres")
	}
	dir, err := os.MkdirTemp("", "motcua-chaos-")
	if err != nil {
		return err
	}
	if o.Keep {
		fmt.Fprintln(stderr, "motcua-chaos: keeping", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "motcua-chaos: seed %d; building the server\n", o.Seed)
	bin, err := benchkit.BuildServer(ctx, o.Repo, dir, stderr)
	if err != nil {
		return err
	}
	var results []*result
	for i, eng := range o.Engines {
		r := &result{Engine: eng}
		results = append(results, r)
		h := &harness{o: o, engine: eng, bin: bin, dir: filepath.Join(dir, eng), log: stderr, r: r,
			rng: rand.New(rand.NewPCG(o.Seed, uint64(i)))}
		if err := h.run(ctx); err != nil {
			r.Problems = append(r.Problems, err.Error())
		}
	}
	printTable(stdout, o, results)
	var failed []string
	for _, r := range results {
		lost := r.Lost + r.LostHistory
		switch {
		case o.ExpectLoss && lost+r.ReplaysDiffer == 0:
			failed = append(failed, r.Engine+": no loss seen although it was expected (-expect-loss)")
		case o.ExpectLoss:
			// Loss was the point; the other figures follow from it.
		case len(r.Problems) > 0 || lost > 0 || r.Duplicates > 0 || r.Gaps > 0 || r.ReplaysDiffer > 0 || r.Refused > 0 || r.Stuck > 0 || !r.RollupsEqual:
			failed = append(failed, r.Engine)
		}
		for _, p := range r.Problems {
			fmt.Fprintf(stdout, "%s: %s\n", r.Engine, p)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("failed: %s", strings.Join(failed, "; "))
	}
	return nil
}

// result is one engine's row of the table.
type result struct {
	Engine                               string
	Database                             string
	Kills, DBStops                       int
	Acked, Unknown, Retried              int
	Records                              int
	Lost, LostHistory                    int
	Duplicates, Orphans, Gaps            int
	Replays, ReplaysDiffer               int
	Refused, Stuck                       int
	RollupsEqual                         bool
	Elapsed                              time.Duration
	Problems, Losses, Refusals, Examples []string
}

func printTable(w io.Writer, o options, rs []*result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "engine\tkills\tdb stops\tacknowledged\tunanswered at first\tlost\tlost history\tduplicates\tgaps\treplays\treplays differ\trefused\tstuck\trollups = rebuild\ttime\t")
	for _, r := range rs {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%v\t%s\t\n", r.Engine, r.Kills, r.DBStops, r.Acked, r.Unknown,
			r.Lost, r.LostHistory, r.Duplicates+r.Orphans, r.Gaps, r.Replays, r.ReplaysDiffer, r.Refused, r.Stuck, r.RollupsEqual, r.Elapsed.Round(time.Second))
	}
	tw.Flush()
	for _, r := range rs {
		if r.Database != "" {
			fmt.Fprintf(w, "%s: %s, %d records\n", r.Engine, r.Database, r.Records)
		}
		for _, e := range r.Examples {
			fmt.Fprintf(w, "%s: %s\n", r.Engine, e)
		}
	}
	if o.SyncOff {
		fmt.Fprintln(w, "synchronous_commit=off: an immediate stop may lose acknowledged commits; this run shows whether the harness sees it")
	}
}

// harness runs one engine's rounds.
type harness struct {
	o      options
	engine string
	bin    string
	dir    string
	log    io.Writer
	r      *result
	rng    *rand.Rand

	pg      *cluster
	url     string
	srv     *benchkit.Process
	starts  int
	c       *client
	l       *ledger
	workers []*worker
	pending []request
}

func (h *harness) logf(format string, args ...any) {
	fmt.Fprintf(h.log, "motcua-chaos [%s] %s\n", h.engine, fmt.Sprintf(format, args...))
}

func (h *harness) run(ctx context.Context) error {
	start := time.Now()
	defer func() { h.r.Elapsed = time.Since(start) }()
	if err := os.MkdirAll(h.dir, 0o755); err != nil {
		return err
	}
	if h.engine == "postgres" {
		var err error
		if h.pg, err = newCluster(ctx, h.dir, h.o.SyncOff); err != nil {
			return err
		}
		defer h.pg.stop()
		if err := h.pg.start(ctx); err != nil {
			return err
		}
		if err := h.pg.createDatabase(ctx, "motcua"); err != nil {
			return err
		}
		h.url = h.pg.URL("motcua")
		if h.r.Database, err = h.pg.check(ctx, "motcua"); err != nil {
			return err
		}
	} else {
		h.url = "sqlite:" + filepath.Join(h.dir, "chaos.db")
		h.r.Database = "SQLite (modernc.org/sqlite " + benchkit.SQLiteModuleVersion() + "), WAL"
	}
	if err := h.startServer(ctx); err != nil {
		return err
	}
	defer func() { h.srv.Stop() }()
	h.c = newClient(h.srv.Base)
	if err := h.c.login(ctx, demo.Password); err != nil {
		return err
	}
	h.l = &ledger{}
	for i := range h.o.Workers {
		h.workers = append(h.workers, &worker{id: i, run: int(h.o.Seed % 100000), c: h.c, l: h.l})
	}
	h.pending = make([]request, h.o.Workers)

	kinds := make([]string, 0, h.o.Rounds+h.o.DBStops)
	for range h.o.Rounds {
		kinds = append(kinds, "kill")
	}
	if h.engine == "postgres" {
		for range h.o.DBStops {
			kinds = append(kinds, "db")
		}
	}
	h.rng.Shuffle(len(kinds), func(i, j int) { kinds[i], kinds[j] = kinds[j], kinds[i] })
	for i, kind := range kinds {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := h.round(ctx, i, kind); err != nil {
			return fmt.Errorf("round %d (%s): %w", i+1, kind, err)
		}
		if (i+1)%10 == 0 || i+1 == len(kinds) {
			h.logf("%d/%d rounds: %d acknowledged, %d records", i+1, len(kinds), h.l.acks, len(h.l.records))
		}
	}
	h.srv.Stop()
	return h.verify(ctx)
}

func (h *harness) startServer(ctx context.Context) error {
	addr := "127.0.0.1:0"
	if h.srv != nil {
		addr = strings.TrimPrefix(h.srv.Base, "http://") // the clients keep the address
	} else {
		var err error
		if addr, err = benchkit.FreeAddr(); err != nil {
			return err
		}
	}
	h.starts++
	env := benchkit.ServerEnv(addr, h.url)
	env = append(env, "MOTCUA_LOG_LEVEL=warn")
	srv, err := benchkit.StartProcess(ctx, "server", h.bin, []string{"serve", "--demo"}, env, h.dir,
		filepath.Join(h.dir, fmt.Sprintf("server-%03d.log", h.starts)), addr, "/readyz", 3*time.Minute)
	if err != nil {
		return err
	}
	h.srv = srv
	return nil
}

// round runs the load for a random while, then crashes the server (kill)
// or the database (db), restarts it, and replays a few acknowledged
// requests.
func (h *harness) round(ctx context.Context, i int, kind string) error {
	lctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	errs := make([]error, len(h.workers))
	for j, w := range h.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[j] = w.loop(lctx, &h.pending[j])
		}()
	}
	span := h.o.MinLoad + time.Duration(h.rng.Int64N(int64(h.o.MaxLoad-h.o.MinLoad)+1))
	select {
	case <-time.After(span):
	case <-ctx.Done():
	}
	var crashErr error
	switch kind {
	case "kill":
		if !h.srv.Alive() {
			crashErr = fmt.Errorf("the server died by itself:\n%s", benchkit.Tail(h.srv.LogPath, 20))
			break
		}
		_ = syscall.Kill(h.srv.Pid(), syscall.SIGKILL)
		h.r.Kills++
	case "db":
		crashErr = h.pg.crash(ctx)
		h.r.DBStops++
		// The load meets the dead database for a moment.
		time.Sleep(time.Duration(50+h.rng.IntN(250)) * time.Millisecond)
	}
	cancel()
	wg.Wait()
	if crashErr != nil {
		return crashErr
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	switch kind {
	case "kill":
		for h.srv.Alive() {
			time.Sleep(5 * time.Millisecond)
		}
		if err := h.startServer(ctx); err != nil {
			return err
		}
	case "db":
		if err := h.pg.start(ctx); err != nil {
			return err
		}
		if !h.srv.Alive() {
			return fmt.Errorf("the server died while the database was down:\n%s", benchkit.Tail(h.srv.LogPath, 20))
		}
	}
	h.finishPending(ctx)
	return h.replay(ctx)
}

// finishPending sends again, with its key, every request the crash left
// without a final answer, until it has one: after a restart each must be
// answered within -answer-within (else it is stuck, and dropped).
func (h *harness) finishPending(ctx context.Context) {
	rctx, cancel := context.WithTimeout(ctx, h.o.AnswerWithin)
	defer cancel()
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i, w := range h.workers {
		if h.pending[i].Key == "" {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := h.pending[i]
			h.pending[i] = request{}
			a, err := h.c.until(rctx, r, h.l)
			if err != nil {
				mu.Lock()
				h.r.Stuck++
				if len(h.r.Examples) < 10 {
					h.r.Examples = append(h.r.Examples, fmt.Sprintf("%s %s: no final answer within %v of the restart", r.Path, r.Key, h.o.AnswerWithin))
				}
				mu.Unlock()
				w.cur = nil
				return
			}
			w.settle(r, a)
		}()
	}
	wg.Wait()
}

// replay resends acknowledged requests with their keys: each must answer
// exactly its first answer.
func (h *harness) replay(ctx context.Context) error {
	h.l.mu.Lock()
	recs := append([]*record(nil), h.l.records...)
	h.l.mu.Unlock()
	if len(recs) == 0 {
		return nil
	}
	rctx, cancel := context.WithTimeout(ctx, h.o.AnswerWithin)
	defer cancel()
	for range min(h.o.ReplaysPerRun, len(recs)) {
		// The newest records most often: their requests were in flight.
		rec := recs[len(recs)-1-h.rng.IntN(min(len(recs), 3*h.o.Workers))]
		h.l.mu.Lock()
		req, first := rec.Last, rec.LastAnswer
		h.l.mu.Unlock()
		if req.Key == "" {
			continue
		}
		a, err := h.c.until(rctx, req, h.l)
		if err != nil {
			h.r.Stuck++
			return nil
		}
		h.r.Replays++
		if a.Status != first.Status || string(a.Body) != string(first.Body) {
			h.r.ReplaysDiffer++
			if len(h.r.Examples) < 10 {
				h.r.Examples = append(h.r.Examples, fmt.Sprintf("replay of %s answered %d %s; first %d %s", req.Key,
					a.Status, clip(a.Body, 120), first.Status, clip(first.Body, 120)))
			}
		}
	}
	return nil
}
