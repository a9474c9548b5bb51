// Command motcua-importbench measures the NDJSON import (POST /api/v1/imports/…) on the real
// binary: it generates dossier lines on the fly (never a file on disk) and
// pipes them into `motcua import - --kind dossiers` (the CLI) or streams them
// as the body of POST /api/v1/imports/dossiers to `motcua serve` (HTTP), on
// a fresh demo database each run, and reports lines/s and the importing
// process's peak resident memory (VmHWM). Runs of two sizes show whether
// memory grows with the stream: it must not. `make import-bench` runs it on
// SQLite and on a throwaway PostgreSQL.
//
//	motcua-importbench -bin bin/motcua -engine sqlite|postgres -lines 1000000 -small 100000 -mode both
//
// On PostgreSQL it creates its databases on the server MOTCUA_TEST_POSTGRES
// names (.ci/with-postgres sets it).
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/motcua/motcua/cmd/motcua/demo"
	"github.com/motcua/motcua/repository"
)

// Fixed secrets of the throwaway databases (benchmark only).
const (
	benchDataKey   = "motcua-importbench-data-key-0123456789"
	benchJWTSecret = "motcua-importbench-jwt-secret-01234567"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "motcua-importbench:", err)
		os.Exit(1)
	}
}

type options struct {
	bin, engine, mode string
	lines, small      int64
}

func run() error {
	var o options
	flag.StringVar(&o.bin, "bin", "bin/motcua", "the motcua binary to measure")
	flag.StringVar(&o.engine, "engine", "sqlite", "sqlite or postgres (postgres needs MOTCUA_TEST_POSTGRES)")
	flag.StringVar(&o.mode, "mode", "both", "cli, http or both")
	flag.Int64Var(&o.lines, "lines", 1_000_000, "dossier lines of the big run")
	flag.Int64Var(&o.small, "small", 100_000, "dossier lines of the small run (0: none)")
	flag.Parse()
	if _, err := os.Stat(o.bin); err != nil {
		return fmt.Errorf("binary: %w (run make build)", err)
	}
	gen, err := newGenerator()
	if err != nil {
		return err
	}
	var modes []string
	switch o.mode {
	case "both":
		modes = []string{"cli", "http"}
	case "cli", "http":
		modes = []string{o.mode}
	default:
		return fmt.Errorf("-mode must be cli, http or both")
	}
	var results []result
	for _, mode := range modes {
		for _, n := range []int64{o.small, o.lines} {
			if n <= 0 {
				continue
			}
			db, drop, err := freshDatabase(o.engine)
			if err != nil {
				return err
			}
			env := benchEnv(db)
			if err := seedDemo(o.bin, env); err != nil {
				drop()
				return err
			}
			fmt.Fprintf(os.Stderr, "== %s %s: importing %d generated dossiers\n", o.engine, mode, n)
			var res result
			if mode == "cli" {
				res, err = runCLI(o.bin, env, gen, n)
			} else {
				res, err = runHTTP(o.bin, env, gen, n)
			}
			drop()
			if err != nil {
				return err
			}
			res.engine, res.mode, res.lines = o.engine, mode, n
			results = append(results, res)
		}
	}
	fmt.Println()
	fmt.Printf("%-8s %-4s %9s %9s %10s %12s %14s %14s\n", "engine", "mode", "lines", "seconds", "lines/s", "imported", "peak RSS MiB", "RSS MiB @25/50/75/100%")
	for _, r := range results {
		fmt.Printf("%-8s %-4s %9d %9.1f %10.0f %12d %14.1f   %s\n", r.engine, r.mode, r.lines, r.elapsed.Seconds(),
			float64(r.lines)/r.elapsed.Seconds(), r.imported, float64(r.peakKB)/1024, r.samples())
	}
	return nil
}

// result is one measured import.
type result struct {
	engine, mode string
	lines        int64
	imported     int64
	elapsed      time.Duration
	peakKB       int64
	rssKB        []int64 // sampled every 250 ms
}

// samples shows the resident memory at a quarter, half, three quarters and
// the end of the run.
func (r result) samples() string {
	if len(r.rssKB) == 0 {
		return "-"
	}
	var parts []string
	for _, q := range []int{1, 2, 3, 4} {
		i := len(r.rssKB)*q/4 - 1
		if i < 0 {
			i = 0
		}
		parts = append(parts, fmt.Sprintf("%.0f", float64(r.rssKB[i])/1024))
	}
	return strings.Join(parts, "/")
}

// ---- databases

func freshDatabase(engine string) (string, func(), error) {
	switch engine {
	case "sqlite":
		dir, err := os.MkdirTemp("", "motcua-importbench-")
		if err != nil {
			return "", nil, err
		}
		return "sqlite:" + filepath.Join(dir, "bench.db"), func() { _ = os.RemoveAll(dir) }, nil
	case "postgres":
		dsn := os.Getenv(repository.EnvTestPostgres)
		if dsn == "" {
			return "", nil, fmt.Errorf("%s is not set (run under .ci/with-postgres)", repository.EnvTestPostgres)
		}
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		name := "importbench_" + hex.EncodeToString(b)
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			return "", nil, fmt.Errorf("connect postgres: %w", err)
		}
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
			_ = conn.Close(ctx)
			return "", nil, err
		}
		_ = conn.Close(ctx)
		u, err := url.Parse(dsn)
		if err != nil {
			return "", nil, err
		}
		u.Path = "/" + name
		drop := func() {
			c, err := pgx.Connect(ctx, dsn)
			if err != nil {
				return
			}
			_, _ = c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			_ = c.Close(ctx)
		}
		return u.String(), drop, nil
	}
	return "", nil, fmt.Errorf("-engine must be sqlite or postgres")
}

func benchEnv(dbURL string) []string {
	env := []string{"MOTCUA_DATABASE_URL=" + dbURL, "MOTCUA_DATA_KEY=" + benchDataKey, "MOTCUA_JWT_SECRET=" + benchJWTSecret,
		"MOTCUA_LOG_LEVEL=warn", "MOTCUA_PUBLIC_RATE_LIMIT=0"}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MOTCUA_") {
			env = append(env, kv)
		}
	}
	return env
}

func seedDemo(bin string, env []string) error {
	cmd := exec.Command(bin, "seed", "demo")
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("seed demo: %w: %s", err, out)
	}
	return nil
}

// ---- memory

// procStatus reads VmRSS and VmHWM (KiB) of pid.
func procStatus(pid int) (rss, hwm int64) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0
	}
	defer f.Close() //nolint:errcheck
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			rss = n
		case "VmHWM":
			hwm = n
		}
	}
	return rss, hwm
}

// sampler records pid's resident memory every 250 ms until stopped.
type sampler struct {
	pid  int
	done chan struct{}
	wg   sync.WaitGroup
	mu   sync.Mutex
	rss  []int64
	hwm  int64
}

func sample(pid int) *sampler {
	s := &sampler{pid: pid, done: make(chan struct{})}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-s.done:
				return
			case <-t.C:
				rss, hwm := procStatus(pid)
				if rss == 0 {
					continue
				}
				s.mu.Lock()
				s.rss = append(s.rss, rss)
				s.hwm = max(s.hwm, hwm)
				s.mu.Unlock()
			}
		}
	}()
	return s
}

func (s *sampler) stop() ([]int64, int64) {
	_, hwm := procStatus(s.pid)
	close(s.done)
	s.wg.Wait()
	return s.rss, max(s.hwm, hwm)
}

// ---- the two ways in

// runCLI pipes n generated lines into `motcua import - --kind dossiers`.
func runCLI(bin string, env []string, gen *generator, n int64) (result, error) {
	cmd := exec.Command(bin, "import", "-", "--kind", "dossiers")
	cmd.Env = env
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return result{}, err
	}
	var stdout strings.Builder
	cmd.Stdout = &stdout
	cmd.Stderr = os.Stderr // the command's progress lines
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return result{}, err
	}
	smp := sample(cmd.Process.Pid)
	werr := make(chan error, 1)
	go func() {
		w := bufio.NewWriterSize(stdin, 256<<10)
		err := gen.write(w, n)
		if err == nil {
			err = w.Flush()
		}
		_ = stdin.Close()
		werr <- err
	}()
	err = cmd.Wait()
	elapsed := time.Since(start)
	rss, hwm := smp.stop()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		hwm = max(hwm, ru.Maxrss) // KiB on Linux
	}
	if werr := <-werr; werr != nil {
		return result{}, fmt.Errorf("write lines: %w", werr)
	}
	if err != nil {
		return result{}, fmt.Errorf("motcua import: %w: %s", err, stdout.String())
	}
	var ans struct {
		Imported int64 `json:"imported"`
	}
	if err := json.Unmarshal([]byte(lastJSON(stdout.String())), &ans); err != nil {
		return result{}, fmt.Errorf("import answer: %w: %s", err, stdout.String())
	}
	return result{imported: ans.Imported, elapsed: elapsed, peakKB: hwm, rssKB: rss}, nil
}

// lastJSON is the indented JSON object the command prints last.
func lastJSON(s string) string {
	if i := strings.LastIndex(s, "\n{\n"); i >= 0 {
		return s[i+1:]
	}
	if strings.HasPrefix(s, "{\n") {
		return s
	}
	return s
}

// runHTTP starts `motcua serve` and streams n generated lines as one
// chunked request body to POST /api/v1/imports/dossiers.
func runHTTP(bin string, env []string, gen *generator, n int64) (result, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return result{}, err
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(env, "MOTCUA_ADDR="+addr)
	cmd.Stdout = io.Discard
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return result{}, err
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}()
	base := "http://" + addr
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			return result{}, errors.New("server not ready after 60 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	login, err := http.Post(base+"/api/v1/auth/login", "application/json",
		strings.NewReader(`{"username":"admin","password":"`+demo.Password+`"}`))
	if err != nil {
		return result{}, err
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(login.Body).Decode(&tok)
	_ = login.Body.Close()
	if err != nil || tok.AccessToken == "" {
		return result{}, fmt.Errorf("login: %v", err)
	}
	_, before := procStatus(cmd.Process.Pid)
	pr, pw := io.Pipe()
	go func() {
		w := bufio.NewWriterSize(pw, 256<<10)
		err := gen.write(w, n)
		if err == nil {
			err = w.Flush()
		}
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequest(http.MethodPost, base+"/api/v1/imports/dossiers", pr)
	if err != nil {
		return result{}, err
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	smp := sample(cmd.Process.Pid)
	start := time.Now()
	resp, err := (&http.Client{}).Do(req)
	if err != nil {
		smp.stop()
		return result{}, err
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	elapsed := time.Since(start)
	rss, hwm := smp.stop()
	if resp.StatusCode != http.StatusOK {
		return result{}, fmt.Errorf("import: %d %s", resp.StatusCode, body)
	}
	var ans struct {
		Imported    int64 `json:"imported"`
		ErrorsTotal int64 `json:"errors_total"`
	}
	if err := json.Unmarshal(body, &ans); err != nil {
		return result{}, err
	}
	fmt.Fprintf(os.Stderr, "http import: %d imported, %d errors in %s (server peak before the import %.1f MiB)\n",
		ans.Imported, ans.ErrorsTotal, elapsed.Round(time.Second), float64(before)/1024)
	return result{imported: ans.Imported, elapsed: elapsed, peakKB: hwm, rssKB: rss}, nil
}
