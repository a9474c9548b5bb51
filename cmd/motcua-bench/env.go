package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// Fixed secrets of the throwaway server (benchmark only, never a deployment).
const (
	benchJWTSecret = "motcua-bench-jwt-secret-0123456789abcdef"
	benchDataKey   = "motcua-bench-data-key-0123456789abcdef0"
)

// database is the throwaway database a run uses.
type database struct {
	Engine string // "postgres" or "sqlite"
	// URL is what the server gets in MOTCUA_DATABASE_URL.
	URL string
	// DSN is what the floors open: a PostgreSQL URL or a SQLite file path.
	DSN     string
	Version string
	// Postmaster is the PostgreSQL server's main process (0 when unknown
	// or on SQLite): the CPU meter counts it and its children.
	Postmaster int
	// ReplicaPostmaster is the streaming replica's (.ci/with-postgres
	// always starts one; it replays the run's WAL), 0 when there is none.
	ReplicaPostmaster int
	adminURL          string
	name              string
}

// openDatabase creates the run's database: a new database on the
// PostgreSQL server that MOTCUA_TEST_POSTGRES names (.ci/with-postgres
// starts one), or a SQLite file in dir.
func openDatabase(ctx context.Context, engine, dir string) (*database, error) {
	if engine == "sqlite" {
		path := filepath.Join(dir, "bench.db")
		return &database{Engine: engine, URL: "sqlite:" + path, DSN: path, Version: "SQLite (modernc.org/sqlite " + sqliteModuleVersion() + ")"}, nil
	}
	admin := os.Getenv("MOTCUA_TEST_POSTGRES")
	if admin == "" {
		return nil, errors.New("MOTCUA_TEST_POSTGRES is empty: run through .ci/with-postgres (make bench does)")
	}
	u, err := url.Parse(admin)
	if err != nil || u.Hostname() != "127.0.0.1" && u.Hostname() != "localhost" && u.Hostname() != "::1" {
		return nil, errors.New("MOTCUA_TEST_POSTGRES must be a postgres:// URL on the loopback interface")
	}
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return nil, fmt.Errorf("connect to the test server: %w", err)
	}
	defer conn.Close(context.Background())
	name := fmt.Sprintf("motcua_bench_%d", os.Getpid())
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		return nil, fmt.Errorf("drop old bench database: %w", err)
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return nil, fmt.Errorf("create bench database: %w", err)
	}
	var version string
	if err := conn.QueryRow(ctx, "SHOW server_version").Scan(&version); err != nil {
		return nil, fmt.Errorf("server version: %w", err)
	}
	u.Path = "/" + name
	return &database{Engine: engine, URL: u.String(), DSN: u.String(), Version: "PostgreSQL " + version,
		Postmaster: postmasterOf(ctx, conn), ReplicaPostmaster: replicaPostmaster(ctx),
		adminURL: admin, name: name}, nil
}

// postmasterOf returns the pid of the postmaster behind conn (the parent of
// the backend serving it), or 0.
func postmasterOf(ctx context.Context, conn *pgx.Conn) int {
	var backend int
	if err := conn.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&backend); err != nil {
		return 0
	}
	st, err := readProcStat(backend)
	if err != nil {
		return 0
	}
	return st.ppid
}

// replicaPostmaster returns the postmaster of the loopback replica that
// MOTCUA_TEST_POSTGRES_REPLICA names, or 0.
func replicaPostmaster(ctx context.Context) int {
	dsn := os.Getenv("MOTCUA_TEST_POSTGRES_REPLICA")
	if u, err := url.Parse(dsn); dsn == "" || err != nil || (u.Hostname() != "127.0.0.1" && u.Hostname() != "localhost") {
		return 0
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return 0
	}
	defer conn.Close(context.Background())
	return postmasterOf(ctx, conn)
}

// drop removes the run's PostgreSQL database (the SQLite file goes with
// the temp folder).
func (d *database) drop() {
	if d == nil || d.Engine != "postgres" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, d.adminURL)
	if err != nil {
		return
	}
	defer conn.Close(context.Background())
	_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+d.name+" WITH (FORCE)")
}

// buildServer compiles the real server binary into dir.
func buildServer(ctx context.Context, repo, dir string, stderr io.Writer) (string, error) {
	bin := filepath.Join(dir, "motcua")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/motcua")
	cmd.Dir = repo
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build ./cmd/motcua: %w", err)
	}
	return bin, nil
}

// freeAddr returns a loopback address with a port free right now.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	return addr, ln.Close()
}

// process is a child process the run started: the server or a floor.
type process struct {
	Name    string
	Base    string // http://127.0.0.1:port
	cmd     *exec.Cmd
	logPath string
	done    chan struct{}
	waitErr error
	once    sync.Once
}

// Pid is the child's process id.
func (p *process) Pid() int { return p.cmd.Process.Pid }

// startProcess runs bin with args and env in dir, output to logPath, and
// waits until GET base+ready answers 200 (or the child exits, or timeout).
func startProcess(ctx context.Context, name, bin string, args, env []string, dir, logPath, addr, ready string, timeout time.Duration) (*process, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = logf, logf
	// Killed with us if this process dies without cleaning up.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{Name: name, Base: "http://" + addr, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		logf.Close()
		close(p.done)
	}()
	hc := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(timeout)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.Base+ready, nil)
		if resp, err := hc.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, nil
			}
		}
		select {
		case <-p.done:
			return nil, fmt.Errorf("%s exited before it was ready (%v):\n%s", name, p.waitErr, tail(logPath, 20))
		case <-ctx.Done():
			p.stop()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.stop()
			return nil, fmt.Errorf("%s not ready after %v:\n%s", name, timeout, tail(logPath, 20))
		}
	}
}

// stop ends the child: SIGTERM, then SIGKILL after 10 s.
func (p *process) stop() {
	if p == nil {
		return
	}
	p.once.Do(func() {
		select {
		case <-p.done:
			return
		default:
		}
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
}

// livePid is p's pid while it runs, else 0.
func livePid(p *process) int {
	if p == nil || !p.alive() {
		return 0
	}
	return p.Pid()
}

// alive reports whether the child still runs.
func (p *process) alive() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// serverEnv is the environment of the server under test: the parent's
// without any MOTCUA_* setting, plus the run's.
func serverEnv(addr, dbURL string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MOTCUA_") {
			env = append(env, kv)
		}
	}
	return append(env,
		"MOTCUA_ADDR="+addr,
		"MOTCUA_DATABASE_URL="+dbURL,
		"MOTCUA_PUBLIC_RATE_LIMIT=0",
		"MOTCUA_JWT_SECRET="+benchJWTSecret,
		"MOTCUA_DATA_KEY="+benchDataKey,
		"MOTCUA_LOG_LEVEL=info",
	)
}

// tail returns the last n lines of the file at path.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// serverErrors counts the 5xx answers the server logged, by route.
func serverErrors(logPath string) map[string]int {
	f, err := os.Open(logPath)
	if err != nil {
		return nil
	}
	defer f.Close()
	out := map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if !bytes.Contains(line, []byte(`"status":5`)) {
			continue
		}
		route := "?"
		if i := bytes.Index(line, []byte(`"route":"`)); i >= 0 {
			rest := line[i+9:]
			if j := bytes.IndexByte(rest, '"'); j >= 0 {
				route = string(rest[:j])
			}
		}
		out[route]++
	}
	return out
}

// rssKB reads the resident set size and its high-water mark of pid, in kB.
func rssKB(pid int) (rss, hwm int64, err error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		field, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(val), " kB"), 10, 64)
		switch field {
		case "VmRSS":
			rss = v
		case "VmHWM":
			hwm = v
		}
	}
	return rss, hwm, nil
}

// rssSample is one reading of the server's memory.
type rssSample struct {
	At    time.Duration // since the sampler started
	Phase string
	KB    int64
}

// rssSampler reads a process's VmRSS every 200 ms and keeps the peak of
// each phase of the run.
type rssSampler struct {
	pid     int
	start   time.Time
	mu      sync.Mutex
	phase   string
	peak    map[string]int64
	samples []rssSample
	hwm     int64
	stopc   chan struct{}
	done    chan struct{}
}

func newRSSSampler(pid int) *rssSampler {
	s := &rssSampler{pid: pid, start: time.Now(), phase: "startup", peak: map[string]int64{},
		stopc: make(chan struct{}), done: make(chan struct{})}
	go s.loop()
	return s
}

func (s *rssSampler) loop() {
	defer close(s.done)
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		s.sample()
		select {
		case <-s.stopc:
			return
		case <-t.C:
		}
	}
}

func (s *rssSampler) sample() {
	rss, hwm, err := rssKB(s.pid)
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if rss > s.peak[s.phase] {
		s.peak[s.phase] = rss
	}
	if hwm > s.hwm {
		s.hwm = hwm
	}
	if len(s.samples) < 1_000_000 {
		s.samples = append(s.samples, rssSample{At: time.Since(s.start), Phase: s.phase, KB: rss})
	}
}

// setPhase labels the readings that follow (taking one at once).
func (s *rssSampler) setPhase(name string) {
	s.mu.Lock()
	s.phase = name
	s.mu.Unlock()
	s.sample()
}

// peakKB is the highest VmRSS read during phase.
func (s *rssSampler) peakKB(phase string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak[phase]
}

// hwmKB is the process's VmHWM (peak RSS over its life) at the last reading.
func (s *rssSampler) hwmKB() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hwm
}

// phaseSamples returns the readings of phase in order.
func (s *rssSampler) phaseSamples(phase string) []rssSample {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []rssSample
	for _, x := range s.samples {
		if x.Phase == phase {
			out = append(out, x)
		}
	}
	return out
}

func (s *rssSampler) stop() {
	select {
	case <-s.stopc:
	default:
		close(s.stopc)
	}
	<-s.done
}

// sqliteModuleVersion is the version of the SQLite engine built into the
// server (same module graph as this binary).
func sqliteModuleVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path == "modernc.org/sqlite" {
				return m.Version
			}
		}
	}
	return "unknown"
}

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat CPU times (100 on
// every Linux this runs on).
const clockTicks = 100

// procStat is what the CPU meter reads of /proc/<pid>/stat.
type procStat struct {
	ppid int
	// own is the CPU seconds (user + system) of the process itself,
	// children those of its exited children it reaped (PostgreSQL's
	// postmaster reaps its backends and parallel workers).
	own, children float64
}

// readProcStat reads /proc/<pid>/stat.
func readProcStat(pid int) (procStat, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStat{}, err
	}
	s := string(b)
	closing := strings.LastIndexByte(s, ')')
	if closing < 0 {
		return procStat{}, fmt.Errorf("bad stat")
	}
	f := strings.Fields(s[closing+1:])
	// After the comm: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14).
	if len(f) < 15 {
		return procStat{}, fmt.Errorf("bad stat")
	}
	v := func(i int) float64 {
		x, _ := strconv.ParseFloat(f[i], 64)
		return x / clockTicks
	}
	ppid, _ := strconv.Atoi(f[1])
	return procStat{ppid: ppid, own: v(11) + v(12), children: v(13) + v(14)}, nil
}

// procCPU returns the CPU seconds pid used itself.
func procCPU(pid int) float64 {
	st, err := readProcStat(pid)
	if err != nil {
		return 0
	}
	return st.own
}

// treeCPU returns the CPU seconds of root and its direct children, alive
// or exited (once reaped, an exited child's time is in root's children
// time): for a PostgreSQL postmaster, the whole cluster.
func treeCPU(root int) float64 {
	st, err := readProcStat(root)
	if err != nil {
		return 0
	}
	sum := st.own + st.children
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return sum
	}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if c, err := readProcStat(pid); err == nil && c.ppid == root {
			sum += c.own + c.children
		}
	}
	return sum
}

// systemBusy returns the CPU seconds all CPUs spent not idle since boot
// (/proc/stat), to tell how much of the machine other work took.
func systemBusy() float64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 5 || f[0] != "cpu" {
		return 0
	}
	var busy float64
	for i, v := range f[1:] {
		x, _ := strconv.ParseFloat(v, 64)
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		if i >= 8 { // guest time is already in user
			break
		}
		busy += x
	}
	return busy / clockTicks
}

// cpuMeter reads the CPU time of the processes of a run.
type cpuMeter struct {
	server, floor func() int // pids, 0 when not running
	postmaster    int        // the PostgreSQL cluster's, 0 on SQLite
	replica       int        // the streaming replica's postmaster, 0 when none
}

// cpuSnap is CPU seconds by process at one instant.
type cpuSnap struct {
	at                              time.Time
	floorPid                        int
	server, floor, loader, postgres float64
	replica, system                 float64
}

func (m cpuMeter) snap() cpuSnap {
	s := cpuSnap{at: time.Now(), system: systemBusy()}
	if m.postmaster > 0 {
		s.postgres = treeCPU(m.postmaster)
	}
	if m.replica > 0 {
		s.replica = treeCPU(m.replica)
	}
	if pid := m.server(); pid > 0 {
		s.server = procCPU(pid)
	}
	if pid := m.floor(); pid > 0 {
		s.floorPid = pid
		s.floor = procCPU(pid)
	}
	s.loader = procCPU(os.Getpid())
	return s
}

// cores is the average number of CPUs each group used between a and b;
// "other" is whatever else ran on the machine meanwhile.
func (a cpuSnap) cores(b cpuSnap) map[string]float64 {
	wall := b.at.Sub(a.at).Seconds()
	if wall <= 0 {
		return nil
	}
	d := func(x, y float64) float64 { return max(y-x, 0) }
	out := map[string]float64{
		"server":   d(a.server, b.server) / wall,
		"postgres": d(a.postgres, b.postgres) / wall,
		"bench":    d(a.loader, b.loader) / wall,
	}
	if b.replica > 0 {
		out["replica"] = d(a.replica, b.replica) / wall
	}
	ours := out["server"] + out["postgres"] + out["bench"] + out["replica"]
	if a.floorPid != 0 && a.floorPid == b.floorPid {
		out["floor"] = d(a.floor, b.floor) / wall
		ours += out["floor"]
	}
	out["other"] = max(d(a.system, b.system)/wall-ours, 0)
	return out
}
