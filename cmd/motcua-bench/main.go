// Command motcua-bench measures motcua end to end and, in the same run,
// the floors it is compared with (docs/performance.md):
//
//	go run ./cmd/motcua-bench [-engine postgres|sqlite] [-dossiers N | -quick] [-duration 10s] [-out file.json]
//
// It builds the real server (cmd/motcua), starts it on a free loopback
// port over a throwaway database (PostgreSQL: a new database on the server
// MOTCUA_TEST_POSTGRES names, which .ci/with-postgres starts; SQLite: a
// temp file) with the demo province, loads generated history through the
// import endpoint, registers dossiers as the demo clerks, and measures from
// this separate process: the citizen's lookup, registration (closed loop
// and a constant rate), the form-06 monthly report and the import. Beside
// each it measures a floor: a bare net/http handler running the same
// lookup (its own process), one hand-written SQL scan for the report, and
// COPY (or one INSERT transaction on SQLite) for the import. It prints one
// table (figure, motcua, floor, ratio, target) and writes it as JSON with
// -out. Everything it starts is stopped and removed at the end, on error
// and on Ctrl-C too.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // the report's periods are in Asia/Ho_Chi_Minh

	"github.com/motcua/motcua/cmd/internal/benchkit"
	"github.com/motcua/motcua/cmd/internal/loadgen"
	"github.com/motcua/motcua/cmd/motcua/demo"
	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/user"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "floor-server" {
		os.Exit(floorServerMain(os.Args[2:]))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "motcua-bench:", err)
		os.Exit(1)
	}
}

// options are the command-line settings.
type options struct {
	Engine      string
	Dossiers    int64
	Quick       bool
	Duration    time.Duration
	Warmup      time.Duration
	Pins        int
	Reports     int
	OpenRate    int
	Unit        string
	Out         string
	Seed        uint64
	Repo        string
	ImportLines int64
	ImportBytes int64
	ImportLimit time.Duration
	BesideMB    int64
	Idempotency bool
	Zone        string
	Keep        bool
	SQLiteRows  int
	Pprof       string
	MonthFill   int64
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("motcua-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.Engine, "engine", "postgres", "database engine: postgres (needs MOTCUA_TEST_POSTGRES, see .ci/with-postgres) or sqlite")
	fs.Int64Var(&o.Dossiers, "dossiers", 1_000_000, "dossiers to import (10000000 for the big run)")
	fs.BoolVar(&o.Quick, "quick", false, "smoke run: 20,000 dossiers, 3 s per measurement after 1 s warm-up (unless set explicitly)")
	fs.DurationVar(&o.Duration, "duration", 10*time.Second, "measured time of each load")
	fs.DurationVar(&o.Warmup, "warmup", 2*time.Second, "unmeasured warm-up before each load")
	fs.IntVar(&o.Pins, "pins", 300, "dossiers registered through the API whose (code, pin) the lookup test uses")
	fs.IntVar(&o.Reports, "reports", 20, "form-06 and digitisation reports timed per scope (after 2 untimed)")
	fs.IntVar(&o.OpenRate, "rate", 200, "registrations a second of the open-loop test")
	fs.StringVar(&o.Unit, "unit", demo.Center, "unit_code of the one-unit form-06 report")
	fs.StringVar(&o.Out, "out", "", "also write the results as JSON to this file")
	fs.Uint64Var(&o.Seed, "seed", 20261123, "seed of the generated history")
	fs.StringVar(&o.Repo, "repo", ".", "repository root (where ./cmd/motcua is)")
	fs.Int64Var(&o.ImportLines, "import-lines", 0, "most lines per import request (0: no limit but -import-bytes)")
	fs.Int64Var(&o.ImportBytes, "import-bytes", 1<<30, "most bytes per import request (docs/openapi.yaml accepts up to 1 GB)")
	fs.DurationVar(&o.ImportLimit, "import-timeout", 2*time.Hour, "give up the import after this long")
	fs.Int64Var(&o.BesideMB, "beside-import-mb", 1024, "size of the second import that runs beside the lookup load (0: skip that phase)")
	fs.BoolVar(&o.Idempotency, "idempotency-key", true, "send an Idempotency-Key with each registration, as the API contract (docs/openapi.yaml) asks clients to")
	fs.IntVar(&o.SQLiteRows, "sqlite-floor-rows", 1, "rows per INSERT statement of the SQLite bulk-load floor (1 is fastest with the pure-Go driver)")
	fs.BoolVar(&o.Keep, "keep", false, "keep the temp folder (server and floor logs) and the PostgreSQL database instead of removing them")
	fs.Int64Var(&o.MonthFill, "month-fill", 1_000_000, "dossiers imported into the current month before the second registration loop (0: skip; -quick: 20,000)")
	fs.StringVar(&o.Pprof, "pprof", "", "write the server's CPU profile of each closed-loop load (lookup, registration) to this folder, from its profiler (MOTCUA_PPROF_ADDR)")
	fs.StringVar(&o.Zone, "zone", "Asia/Ho_Chi_Minh", "the server's time zone (MOTCUA_TIMEZONE default)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if o.Quick {
		if !set["dossiers"] {
			o.Dossiers = 20_000
		}
		if !set["duration"] {
			o.Duration = 3 * time.Second
		}
		if !set["warmup"] {
			o.Warmup = time.Second
		}
		if !set["reports"] {
			o.Reports = 10
		}
		if !set["month-fill"] {
			o.MonthFill = 20_000
		}
		if !set["beside-import-mb"] {
			o.BesideMB = 8
		}
	}
	switch {
	case o.Engine != "postgres" && o.Engine != "sqlite":
		return o, fmt.Errorf("-engine must be postgres or sqlite")
	case o.Dossiers < 0 || o.Dossiers > 100_000_000:
		return o, fmt.Errorf("-dossiers must be between 0 and 100,000,000")
	case o.Duration <= 0 || o.Duration > time.Hour || o.Warmup < 0 || o.Warmup > 10*time.Minute:
		return o, fmt.Errorf("-duration must be in (0, 1h] and -warmup in [0, 10m]")
	case o.Pins < 1 || o.Pins > 100_000:
		return o, fmt.Errorf("-pins must be between 1 and 100,000")
	case o.Reports < 1 || o.Reports > 10_000:
		return o, fmt.Errorf("-reports must be between 1 and 10,000")
	case o.OpenRate < 1 || o.OpenRate > 100_000:
		return o, fmt.Errorf("-rate must be between 1 and 100,000")
	case o.SQLiteRows < 1 || o.SQLiteRows > 900:
		return o, fmt.Errorf("-sqlite-floor-rows must be between 1 and 900")
	}
	return o, nil
}

// bench is one run's state.
type bench struct {
	o       options
	loc     *time.Location
	out     io.Writer
	errw    io.Writer
	start   time.Time
	db      *benchkit.Database
	srv     *benchkit.Process
	floor   *benchkit.Process
	rss     *rssSampler
	client  *apiClient
	tokens  map[string]string
	clerks  []clerk
	world   *loadgen.World
	pairs   []pinPair
	runID   string
	rep     *report
	fdb     *floorDB
	problem []string

	importRes   *importResult
	copyElapsed time.Duration
	cpu         cpuMeter
	pprofAddr   string  // the server's profiler, with -pprof
	emptyMonth  *result // the registration closed loop before the month fill
}

// measureCPU runs fn and records the CPUs each process used meanwhile.
func (b *bench) measureCPU(label string, fn func()) {
	s0 := b.cpu.snap()
	fn()
	if c := s0.cores(b.cpu.snap()); c != nil {
		if b.rep.CPU == nil {
			b.rep.CPU = map[string]map[string]float64{}
		}
		b.rep.CPU[label] = c
		b.rep.cpuOrder = append(b.rep.cpuOrder, label)
	}
}

// clerk is a demo clerk with a token and what their counter receives.
type clerk struct {
	Username string
	Unit     string
	Token    string
	Procs    []loadgen.Procedure
}

// pinPair is a registered dossier a citizen can look up.
type pinPair struct {
	Code string
	Pin  string
}

func (b *bench) logf(format string, args ...any) {
	fmt.Fprintf(b.errw, "[%6.1fs] "+format+"\n", append([]any{time.Since(b.start).Seconds()}, args...)...)
}

func (b *bench) problemf(format string, args ...any) {
	p := fmt.Sprintf(format, args...)
	b.problem = append(b.problem, p)
	b.logf("PROBLEM: %s", p)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseOptions(args, stderr)
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation(o.Zone)
	if err != nil {
		return err
	}
	b := &bench{o: o, loc: loc, out: stdout, errw: stderr, start: time.Now(), runID: strconv.FormatInt(time.Now().UnixNano(), 36)}
	m := readMachine()
	m.CPUs = runtime.NumCPU()
	m.GoVersion = runtime.Version()
	m.LoadAvg = loadAvg()
	b.rep = &report{Started: b.start.UTC(), Command: "motcua-bench " + strings.Join(args, " "), Engine: o.Engine,
		Dossiers: o.Dossiers, Warmup: o.Warmup.String(), Duration: o.Duration.String(), Machine: m,
		PeakRSSMB: map[string]int64{}, Extra: map[string]string{}}

	dir, err := os.MkdirTemp("", "motcua-bench-")
	if err != nil {
		return err
	}
	if o.Keep {
		defer b.logf("kept %s", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	defer b.stopAll()

	b.logf("database: creating a throwaway %s database", o.Engine)
	if b.db, err = benchkit.OpenDatabase(ctx, o.Engine, dir); err != nil {
		return err
	}
	b.rep.Machine.Database = b.db.Version
	b.logf("server: go build ./cmd/motcua")
	bin, err := benchkit.BuildServer(ctx, o.Repo, dir, stderr)
	if err != nil {
		return err
	}
	addr, err := benchkit.FreeAddr()
	if err != nil {
		return err
	}
	env := benchkit.ServerEnv(addr, b.db.URL)
	if o.Pprof != "" {
		if err := os.MkdirAll(o.Pprof, 0o755); err != nil {
			return err
		}
		if b.pprofAddr, err = benchkit.FreeAddr(); err != nil {
			return err
		}
		env = append(env, "MOTCUA_PPROF_ADDR="+b.pprofAddr)
	}
	b.logf("server: starting on %s (serve --demo)", addr)
	b.srv, err = benchkit.StartProcess(ctx, "server", bin, []string{"serve", "--demo"}, env, dir,
		filepath.Join(dir, "server.log"), addr, "/readyz", 5*time.Minute)
	if err != nil {
		return err
	}
	b.rss = newRSSSampler(b.srv.Pid())
	b.cpu = cpuMeter{server: func() int { return benchkit.LivePid(b.srv) }, floor: func() int { return benchkit.LivePid(b.floor) },
		postmaster: b.db.Postmaster, replica: b.db.ReplicaPostmaster}
	b.client = newAPIClient(b.srv.Base, 8, 60*time.Second)
	if b.fdb, err = openFloorDB(ctx, b.db); err != nil {
		return err
	}

	steps := []struct {
		name string
		fn   func(context.Context) error
	}{
		{"login", b.login},
		{"register-pins", b.registerPins},
		{"import", b.importHistory},
		{"floor-copy", b.copyFloor},
		{"analyze", b.analyze},
		{"lookup", b.lookups},
		{"lookup-beside-import", b.lookupsBesideImport},
		{"register", b.registrations},
		{"reports", b.reports},
		{"export", b.export},
		{"month-fill", b.monthFill},
	}
	for _, s := range steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !b.srv.Alive() {
			return fmt.Errorf("the server died before %s:\n%s", s.name, benchkit.Tail(b.srv.LogPath, 20))
		}
		b.rss.setPhase(s.name)
		if err := s.fn(ctx); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	b.rss.setPhase("end")
	b.finish()
	b.rep.print(b.out)
	if o.Out != "" {
		if err := b.rep.writeJSON(o.Out); err != nil {
			return err
		}
		b.logf("wrote %s", o.Out)
	}
	if len(b.rep.Problems) > 0 {
		return fmt.Errorf("%d problem(s) found (see above)", len(b.rep.Problems))
	}
	return nil
}

// stopAll stops what the run started, whatever state it is in.
func (b *bench) stopAll() {
	if b.rss != nil {
		b.rss.stop()
	}
	if b.client != nil {
		b.client.close()
	}
	b.floor.Stop()
	b.srv.Stop()
	b.fdb.close()
	if !b.o.Keep {
		b.db.Drop()
	}
}

func (b *bench) login(ctx context.Context) error {
	b.tokens = map[string]string{}
	for _, u := range demo.Users {
		tok, err := b.client.login(ctx, u.Username, demo.Password)
		if err != nil {
			return err
		}
		b.tokens[u.Username] = tok
	}
	w, err := b.client.loadWorld(ctx, b.tokens["admin"], b.loc)
	if err != nil {
		return err
	}
	b.world = w
	for _, u := range demo.Users {
		if u.Role != user.RoleClerk {
			continue
		}
		c := clerk{Username: u.Username, Unit: u.Unit, Token: b.tokens[u.Username]}
		for _, d := range w.Desks {
			if d.Unit == u.Unit {
				c.Procs = d.Procs
			}
		}
		if len(c.Procs) == 0 {
			for _, p := range w.Procs {
				c.Procs = append(c.Procs, p)
			}
		}
		b.clerks = append(b.clerks, c)
	}
	if len(b.clerks) == 0 {
		return errors.New("no demo clerk")
	}
	b.logf("catalogue: %d agencies, %d procedures, %d reception desks, clerks %d", len(w.Agencies), len(w.Procs), len(w.Desks), len(b.clerks))
	return nil
}

// registration bodies: direct or postal, so the dossier is received at once.
func registrationBody(rng *rand.Rand, p loadgen.Procedure) []byte {
	channel := "direct"
	if rng.IntN(5) == 0 {
		channel = "postal"
	}
	b := loadgen.AppendString([]byte(`{"procedure_code":`), p.Code)
	b = append(b, `,"channel":"`+channel+`","applicant":`...)
	b = loadgen.AppendApplicant(b, loadgen.NewApplicant(rng))
	return append(b, `,"documents":[{"name":"Tờ khai","copies":1},{"name":"Bản sao căn cước","copies":1}]}`...)
}

// registerPins registers -pins dossiers as the clerks and keeps their
// codes and lookup pins: imported history has no usable pin.
func (b *bench) registerPins(ctx context.Context) error {
	rng := rand.New(rand.NewPCG(b.o.Seed, 1))
	for i := 0; i < b.o.Pins; i++ {
		c := b.clerks[i%len(b.clerks)]
		var out struct {
			Code      string `json:"code"`
			LookupPin string `json:"lookup_pin"`
		}
		body := registrationBody(rng, c.Procs[rng.IntN(len(c.Procs))])
		if err := b.client.do(ctx, http.MethodPost, "/api/v1/dossiers", c.Token, jsonRaw(body), http.StatusCreated, &out); err != nil {
			return err
		}
		if out.Code == "" || !domain.ValidPinFormat(out.LookupPin) {
			return fmt.Errorf("registration answered no code or pin")
		}
		b.pairs = append(b.pairs, pinPair{Code: out.Code, Pin: out.LookupPin})
	}
	b.logf("registered %d dossiers to look up", len(b.pairs))
	return nil
}

// jsonRaw is a pre-encoded JSON body.
type jsonRaw []byte

// MarshalJSON returns the body as it is.
func (j jsonRaw) MarshalJSON() ([]byte, error) { return j, nil }

// window is where generated history lies: the year before today (local).
func (b *bench) window() (end time.Time, days int) {
	now := time.Now().In(b.loc)
	return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, b.loc), 365
}

// generator is the history's generator: the seed's dossiers over the
// window, over the server's catalogue.
func (b *bench) generator() *loadgen.Generator {
	end, days := b.window()
	g := loadgen.NewGenerator(b.world, b.o.Seed, end, days, time.Now())
	g.FlagPercent = 40 // digitisation flags for the digitisation report
	return g
}

func (b *bench) importHistory(ctx context.Context) error {
	if b.o.Dossiers == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, b.o.ImportLimit)
	defer cancel()
	b.logf("import: streaming %s generated dossiers to POST /api/v1/imports/dossiers", thousands(b.o.Dossiers))
	var res *importResult
	var err error
	b.measureCPU("import", func() {
		b.profiledSQL(ctx, "import", func() {
			res, err = runImport(ctx, b.srv.Base, b.tokens["admin"], b.generator(), b.loc, b.o.Dossiers, b.o.ImportLines, b.o.ImportBytes,
				func(sent int64, el time.Duration) {
					rss, _, _ := benchkit.RSS(b.srv.Pid())
					b.logf("import: %s lines sent (%.0f/s), server RSS %.0f MB", thousands(sent), float64(sent)/el.Seconds(), mb(rss))
				})
		})
	})
	if err != nil {
		return err
	}
	b.logf("import: %s imported, %s duplicates skipped, %d bad lines, %d request(s), %.0f MB in %v",
		thousands(res.Imported), thousands(res.Skipped), len(res.Errors), res.Requests, float64(res.Bytes)/(1<<20), res.Elapsed.Round(time.Millisecond))
	if len(res.Errors) > 0 {
		for i, e := range res.Errors {
			if i == 5 {
				break
			}
			b.logf("import: line %d: %s", e.Line, e.Error)
		}
		b.problemf("the import rejected %d generated line(s) (first: line %d: %s)", len(res.Errors), res.Errors[0].Line, res.Errors[0].Error)
	}
	if res.Imported+res.Skipped+int64(len(res.Errors)) != res.Lines && len(res.Errors) < 1000 {
		b.problemf("the import answered %d imported + %d skipped + %d errors for %d lines sent", res.Imported, res.Skipped, len(res.Errors), res.Lines)
	}
	b.rep.Extra["import_requests"] = strconv.Itoa(res.Requests)
	b.rep.Extra["import_megabytes"] = fmt.Sprintf("%.0f", float64(res.Bytes)/(1<<20))
	b.rep.Extra["import_seconds"] = fmt.Sprintf("%.1f", res.Elapsed.Seconds())
	b.importRes = res
	return nil
}
