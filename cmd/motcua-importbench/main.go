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
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/motcua/motcua/cmd/internal/benchkit"
	"github.com/motcua/motcua/cmd/motcua/demo"
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
	// The server runs in the run's temp folder: the binary's path must not
	// depend on the working directory.
	bin, err := filepath.Abs(o.bin)
	if err != nil {
		return err
	}
	o.bin = bin
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
			dir, err := os.MkdirTemp("", "motcua-importbench-")
			if err != nil {
				return err
			}
			db, err := benchkit.OpenDatabase(context.Background(), o.engine, dir)
			if err != nil {
				_ = os.RemoveAll(dir)
				return err
			}
			drop := func() { db.Drop(); _ = os.RemoveAll(dir) }
			addr, err := benchkit.FreeAddr()
			if err != nil {
				drop()
				return err
			}
			env := serverEnv(addr, db)
			if err := seedDemo(o.bin, env); err != nil {
				drop()
				return err
			}
			fmt.Fprintf(os.Stderr, "== %s %s: importing %d generated dossiers\n", o.engine, mode, n)
			var res result
			if mode == "cli" {
				res, err = runCLI(o.bin, env, gen, n)
			} else {
				res, err = runHTTP(o.bin, env, dir, addr, gen, n)
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

// serverEnv is the environment of the commands: the parent's without any
// MOTCUA_* setting, plus the run's database and the bench secrets.
func serverEnv(addr string, db *benchkit.Database) []string {
	env := benchkit.ServerEnv(addr, db.URL)
	return append(env, "MOTCUA_LOG_LEVEL=warn")
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

// procStatus reads VmRSS and VmHWM (KiB) of pid, zero when it has exited.
func procStatus(pid int) (rss, hwm int64) {
	rss, hwm, _ = benchkit.RSS(pid)
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
func runHTTP(bin string, env []string, dir, addr string, gen *generator, n int64) (result, error) {
	srv, err := benchkit.StartProcess(context.Background(), "server", bin, []string{"serve"}, env, dir,
		filepath.Join(dir, "server.log"), addr, "/readyz", 60*time.Second)
	if err != nil {
		return result{}, err
	}
	defer srv.Stop()
	base := srv.Base
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
	_, before := procStatus(srv.Pid())
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
	smp := sample(srv.Pid())
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
