// Package benchkit is what the benchmark commands share to run the real
// server from outside: a throwaway database, child processes started and
// stopped, the server's environment, and /proc readings of memory and CPU.
package benchkit

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

// Fixed secrets of the throwaway servers (benchmark only, never a deployment).
const (
	JWTSecret = "motcua-bench-jwt-secret-0123456789abcdef"
	DataKey   = "motcua-bench-data-key-0123456789abcdef0"
)

// Database is the throwaway database a run uses.
type Database struct {
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

// OpenDatabase creates the run's database: a new database on the
// PostgreSQL server that MOTCUA_TEST_POSTGRES names (.ci/with-postgres
// starts one), or a SQLite file in dir.
func OpenDatabase(ctx context.Context, engine, dir string) (*Database, error) {
	if engine == "sqlite" {
		path := filepath.Join(dir, "bench.db")
		return &Database{Engine: engine, URL: "sqlite:" + path, DSN: path, Version: "SQLite (modernc.org/sqlite " + SQLiteModuleVersion() + ")"}, nil
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
	return &Database{Engine: engine, URL: u.String(), DSN: u.String(), Version: "PostgreSQL " + version,
		Postmaster: PostmasterOf(ctx, conn), ReplicaPostmaster: replicaPostmaster(ctx),
		adminURL: admin, name: name}, nil
}

// PostmasterOf returns the pid of the postmaster behind conn (the parent of
// the backend serving it), or 0.
func PostmasterOf(ctx context.Context, conn *pgx.Conn) int {
	var backend int
	if err := conn.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&backend); err != nil {
		return 0
	}
	st, err := ReadProcStat(backend)
	if err != nil {
		return 0
	}
	return st.PPID
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
	return PostmasterOf(ctx, conn)
}

// Drop removes the run's PostgreSQL database (the SQLite file goes with
// the temp folder).
func (d *Database) Drop() {
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

// BuildServer compiles the real server binary into dir.
func BuildServer(ctx context.Context, repo, dir string, stderr io.Writer) (string, error) {
	bin := filepath.Join(dir, "motcua")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/motcua")
	cmd.Dir = repo
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build ./cmd/motcua: %w", err)
	}
	return bin, nil
}

// FreeAddr returns a loopback address with a port free right now.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	return addr, ln.Close()
}

// Process is a child process the run started: the server or a floor.
type Process struct {
	Name    string
	Base    string // http://127.0.0.1:port
	cmd     *exec.Cmd
	LogPath string
	done    chan struct{}
	waitErr error
	once    sync.Once
}

// Pid is the child's process id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// StartProcess runs bin with args and env in dir, output to logPath, and
// waits until GET base+ready answers 200 (or the child exits, or timeout).
func StartProcess(ctx context.Context, name, bin string, args, env []string, dir, logPath, addr, ready string, timeout time.Duration) (*Process, error) {
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
	p := &Process{Name: name, Base: "http://" + addr, cmd: cmd, LogPath: logPath, done: make(chan struct{})}
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
			return nil, fmt.Errorf("%s exited before it was ready (%v):\n%s", name, p.waitErr, Tail(logPath, 20))
		case <-ctx.Done():
			p.Stop()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.Stop()
			return nil, fmt.Errorf("%s not ready after %v:\n%s", name, timeout, Tail(logPath, 20))
		}
	}
}

// Stop ends the child: SIGTERM, then SIGKILL after 10 s.
func (p *Process) Stop() {
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

// LivePid is p's pid while it runs, else 0.
func LivePid(p *Process) int {
	if p == nil || !p.Alive() {
		return 0
	}
	return p.Pid()
}

// Alive reports whether the child still runs.
func (p *Process) Alive() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// ServerEnv is the environment of the server under test: the parent's
// without any MOTCUA_* setting, plus the run's.
func ServerEnv(addr, dbURL string) []string {
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
		"MOTCUA_JWT_SECRET="+JWTSecret,
		"MOTCUA_DATA_KEY="+DataKey,
		"MOTCUA_LOG_LEVEL=info",
	)
}

// Tail returns the last n lines of the file at path.
func Tail(path string, n int) string {
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

// ServerErrors counts the 5xx answers the server logged, by route.
func ServerErrors(logPath string) map[string]int {
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

// SQLiteModuleVersion is the version of the SQLite engine built into the
// server (same module graph as this binary).
func SQLiteModuleVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path == "modernc.org/sqlite" {
				return m.Version
			}
		}
	}
	return "unknown"
}

// RSS reads the resident set size and its high-water mark of pid, in kB.
func RSS(pid int) (rss, hwm int64, err error) {
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

// ClockTicks is USER_HZ, the unit of /proc/<pid>/stat CPU times (100 on
// every Linux this runs on).
const ClockTicks = 100

// ProcStat is what a CPU meter reads of /proc/<pid>/stat.
type ProcStat struct {
	PPID int
	// Own is the CPU seconds (user + system) of the process itself,
	// Children those of its exited children it reaped (PostgreSQL's
	// postmaster reaps its backends and parallel workers).
	Own, Children float64
}

// ReadProcStat reads /proc/<pid>/stat.
func ReadProcStat(pid int) (ProcStat, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ProcStat{}, err
	}
	s := string(b)
	closing := strings.LastIndexByte(s, ')')
	if closing < 0 {
		return ProcStat{}, fmt.Errorf("bad stat")
	}
	f := strings.Fields(s[closing+1:])
	// After the comm: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14).
	if len(f) < 15 {
		return ProcStat{}, fmt.Errorf("bad stat")
	}
	v := func(i int) float64 {
		x, _ := strconv.ParseFloat(f[i], 64)
		return x / ClockTicks
	}
	ppid, _ := strconv.Atoi(f[1])
	return ProcStat{PPID: ppid, Own: v(11) + v(12), Children: v(13) + v(14)}, nil
}
