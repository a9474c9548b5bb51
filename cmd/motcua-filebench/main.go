// Command motcua-filebench shows that dossier file uploads and downloads
// stream with flat memory: it starts the real binary (`motcua serve
// --demo`) on embedded SQLite and the local blob store in a temp folder,
// registers a dossier as the demo clerk, uploads a generated 200 MiB PDF as
// the raw body of POST /api/v1/dossiers/{code}/files, downloads it again
// from …/files/{id}/content, and checks the SHA-256 and the size at both
// ends. It reports MiB/s each way and how far the server's resident memory
// rose above what it was after a warm-up (VmHWM against VmRSS, from
// /proc/<pid>/status): the growth must stay under 32 MiB, whatever the
// size of the file. `make bench-files` runs it.
//
//	motcua-filebench -bin bin/motcua -mib 200 -timeout 5m
//
// The body is made block by block as it is sent and hashed on the way (the
// bench holds no more of it than the server may), so the figures are those
// of the server's streaming, not of a buffer on either side. The 200 MiB/s
// throughput goal is reported as a ratio, never enforced: the machine is
// shared. The floor, measured in the same run, is the same bytes generated,
// hashed and written to a file on the same file system with 64 KiB writes
// and one fsync, which is what the server's upload path does minus HTTP
// and the database.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/motcua/motcua/cmd/internal/benchkit"
)

const (
	mib = 1 << 20
	// growthLimitMiB is the most the server's peak RSS may rise above its
	// RSS after the warm-up: a server that buffered the file would exceed
	// it many times over.
	growthLimitMiB = 32
	// goalMiBs is the throughput goal, shown as a ratio.
	goalMiBs = 200
	// fileMaxBytes is the server's upload limit for the run (256 MiB):
	// above the default file size, below what a mistake could fill.
	fileMaxBytes = 256 * mib
	// warmupBytes is the small upload and download made first, so the
	// baseline counts the code paths, pools and buffers a transfer needs
	// once rather than per byte.
	warmupBytes = 1 * mib
	// The bodies' seeds: the floor writes the big body's bytes again.
	bigSeed, warmupSeed = 1, 2
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "motcua-filebench:", err)
		os.Exit(1)
	}
}

type options struct {
	bin     string
	mib     int64
	timeout time.Duration
	floor   bool
}

func run() error {
	var o options
	flag.StringVar(&o.bin, "bin", "bin/motcua", "the motcua binary to measure (make build)")
	flag.Int64Var(&o.mib, "mib", 200, "size of the uploaded file, MiB")
	flag.DurationVar(&o.timeout, "timeout", 5*time.Minute, "bound on the whole run, cleanup included")
	flag.BoolVar(&o.floor, "floor", true, "also measure the floor: the same bytes written to a local file with fsync")
	flag.Parse()
	if flag.NArg() != 0 {
		return fmt.Errorf("unexpected arguments %q", flag.Args())
	}
	if o.mib < 1 || o.mib > 64<<10 {
		return errors.New("-mib must be between 1 and 65536")
	}
	if o.timeout <= 0 {
		return errors.New("-timeout must be positive")
	}
	if _, err := os.Stat(o.bin); err != nil {
		return fmt.Errorf("binary: %w (run make build)", err)
	}
	// The server runs in the run's temp folder: the binary's path must not
	// depend on the working directory.
	bin, err := filepath.Abs(o.bin)
	if err != nil {
		return err
	}
	size := o.mib * mib
	// A bigger -mib raises the server's limit with it, or the upload would
	// only measure a 413.
	maxBytes := max(int64(fileMaxBytes), size)

	// Ctrl-C and the timeout end the run the same way: the context fails
	// the transfers, and the deferred cleanup below stops the server and
	// removes the folder (10 s at most for the server to stop).
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The work gets the timeout less what stopping the server may take.
	ctx, cancel := context.WithTimeout(ctx, o.timeout-min(15*time.Second, o.timeout/4))
	defer cancel()
	err = bench(ctx, o, bin, size, maxBytes)
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("timed out (-timeout %v): %w", o.timeout, err)
	}
	return err
}

// bench is one run, from the temp folder to the table.
func bench(ctx context.Context, o options, bin string, size, maxBytes int64) (err error) {
	dir, err := os.MkdirTemp("", "motcua-filebench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	db, err := benchkit.OpenDatabase(ctx, "sqlite", dir)
	if err != nil {
		return err
	}
	addr, err := benchkit.FreeAddr()
	if err != nil {
		return err
	}
	env := append(benchkit.ServerEnv(addr, db.URL),
		"MOTCUA_FILE_MAX_BYTES="+strconv.FormatInt(maxBytes, 10),
		"MOTCUA_STORAGE_URL=file:"+filepath.Join(dir, "files"))
	load := loadAverage()
	logf("starting %s serve --demo on %s (SQLite and the file store in %s)", o.bin, addr, dir)
	srv, err := benchkit.StartProcess(ctx, "server", bin, []string{"serve", "--demo"}, env, dir,
		filepath.Join(dir, "server.log"), addr, "/readyz", 2*time.Minute)
	if err != nil {
		return err
	}
	defer srv.Stop() // before the folder is removed: defers run last first
	defer func() {
		if err != nil && srv.Alive() {
			if errs := benchkit.ServerErrors(srv.LogPath); len(errs) > 0 {
				err = fmt.Errorf("%w (server 5xx answers by route: %v)", err, errs)
			}
		}
	}()

	c := newClient(srv.Base)
	tok, err := c.Login(ctx, "clerk")
	if err != nil {
		return err
	}
	code, err := c.register(ctx, tok)
	if err != nil {
		return err
	}
	logf("dossier %s registered by the demo clerk; warm-up: %d KiB up and down", code, warmupBytes>>10)
	if _, _, err := transfer(ctx, c, srv.Pid(), tok, code, "warmup.pdf", warmupSeed, warmupBytes); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}

	var fl phase
	if o.floor {
		logf("floor: %d MiB generated and written to %s with fsync", o.mib, dir)
		if fl, err = floor(ctx, dir, size); err != nil {
			return fmt.Errorf("floor: %w", err)
		}
	}

	// The baseline is the RSS now; the peak is reset to it (clear_refs 5),
	// so VmHWM at the end is the peak of the transfers alone, not of the
	// demo seeding at startup. A kernel that refuses the reset leaves the
	// lifetime peak, which can only overstate the growth.
	rssBefore, hwmStartup, err := benchkit.RSS(srv.Pid())
	if err != nil {
		return fmt.Errorf("server RSS: %w", err)
	}
	hwmReset := resetPeak(srv.Pid()) == nil
	logf("server RSS %.1f MiB after the warm-up (peak since start %.1f MiB); uploading %d MiB", kib(rssBefore), kib(hwmStartup), o.mib)
	up, down, err := transfer(ctx, c, srv.Pid(), tok, code, "scan.pdf", bigSeed, size)
	if err != nil {
		return err
	}
	_, hwm, err := benchkit.RSS(srv.Pid())
	if err != nil {
		return fmt.Errorf("server RSS: %w", err)
	}
	if o.floor && fl.sha != up.sha {
		return errors.New("the floor and the upload were not the same bytes (generator not deterministic)")
	}

	growth := kib(hwm - rssBefore)
	verdict := "PASS"
	if growth >= growthLimitMiB {
		verdict = "FAIL"
	}
	fmt.Println()
	fmt.Printf("motcua-filebench: %d MiB through %s on the local store (SQLite), load average %s at the start\n", o.mib, o.bin, load)
	fmt.Printf("  %-34s %14s  %s\n", "figure", "value", "note")
	fmt.Printf("  %-34s %9.1f MiB/s  %.2f s, server CPU %.2f s; %.2f× the %d MiB/s goal\n", "upload (sha256, size checked)",
		up.mibs(), up.elapsed.Seconds(), up.cpu, up.mibs()/goalMiBs, goalMiBs)
	fmt.Printf("  %-34s %9.1f MiB/s  %.2f s, server CPU %.2f s; %.2f× the %d MiB/s goal\n", "download (sha256, size checked)",
		down.mibs(), down.elapsed.Seconds(), down.cpu, down.mibs()/goalMiBs, goalMiBs)
	if o.floor {
		fmt.Printf("  %-34s %9.1f MiB/s  %.2f s; upload/floor %.2f\n", "floor (generate, write, fsync)",
			fl.mibs(), fl.elapsed.Seconds(), up.mibs()/fl.mibs())
	}
	fmt.Printf("  %-34s %9.1f MiB\n", "server RSS after warm-up (VmRSS)", kib(rssBefore))
	note := "reset after the warm-up"
	if !hwmReset {
		note = "lifetime: the peak could not be reset"
	}
	fmt.Printf("  %-34s %9.1f MiB    %s; sampled max %.1f up, %.1f down\n", "server peak RSS (VmHWM)", kib(hwm), note,
		kib(up.rssMax), kib(down.rssMax))
	fmt.Printf("  %-34s %9.1f MiB    limit < %d MiB: %s\n", "growth", growth, growthLimitMiB, verdict)
	fmt.Printf("  %-34s %9.1f MiB\n", "bench's own peak RSS", kib(selfPeak()))
	if verdict != "PASS" {
		return fmt.Errorf("server memory grew by %.1f MiB during the %d MiB upload and download (limit %d MiB): as if the file were buffered",
			growth, o.mib, growthLimitMiB)
	}
	return nil
}

// logf writes a progress line to stderr (the table goes to stdout).
func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "== "+format+"\n", args...)
}

// kib is n KiB in MiB.
func kib(n int64) float64 { return float64(n) / 1024 }

// phase is one measured transfer.
type phase struct {
	bytes   int64
	elapsed time.Duration
	cpu     float64 // the server's CPU seconds (user + system)
	rssMax  int64   // the server's highest sampled VmRSS, KiB
	sha     string
}

func (p phase) mibs() float64 { return float64(p.bytes) / mib / p.elapsed.Seconds() }

// transfer uploads a generated body of size bytes as a new file of the
// dossier, checks the answer, downloads the file and checks its bytes.
func transfer(ctx context.Context, c *client, pid int, tok, code, name string, seed uint64, size int64) (up, down phase, err error) {
	b := newBody(ctx, seed, size)
	m := meter(pid)
	f, err := c.upload(ctx, tok, code, name, b)
	up = m.stop(size)
	if err != nil {
		return up, down, err
	}
	up.sha = f.SHA256
	m = meter(pid)
	err = c.download(ctx, tok, code, f.ID, f.SHA256, size)
	down = m.stop(size)
	down.sha = f.SHA256
	return up, down, err
}

// floor writes the big body's bytes to a new file in dir with 64 KiB
// writes (as the server's Receive does) and syncs it; the file is removed
// afterwards, outside the timing.
func floor(ctx context.Context, dir string, size int64) (phase, error) {
	f, err := os.CreateTemp(dir, "floor-*")
	if err != nil {
		return phase{}, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	b := newBody(ctx, bigSeed, size)
	start := time.Now()
	// The struct hides *os.File's ReadFrom, whose fallback copies 32 KiB
	// at a time: the floor writes what the server writes.
	n, err := io.CopyBuffer(struct{ io.Writer }{f}, b, make([]byte, 64<<10))
	if err == nil {
		err = f.Sync()
	}
	elapsed := time.Since(start)
	if err != nil {
		return phase{}, err
	}
	if n != size {
		return phase{}, fmt.Errorf("wrote %d of %d bytes", n, size)
	}
	return phase{bytes: size, elapsed: elapsed, sha: b.Sum()}, nil
}

// ---- the server's memory and CPU

// resetPeak sets pid's VmHWM back to its current RSS (Linux ≥ 4.0).
func resetPeak(pid int) error {
	return os.WriteFile("/proc/"+strconv.Itoa(pid)+"/clear_refs", []byte("5"), 0)
}

// selfPeak is this process's peak RSS, KiB: VmHWM, not getrusage's
// maxrss, which keeps across exec the peak of the process that started
// this one (the go command, under go run).
func selfPeak() int64 {
	_, hwm, _ := benchkit.RSS(os.Getpid())
	return hwm
}

// loadAverage is the one-minute load average, or "?".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}

// phaseMeter times a transfer and samples the server's RSS every 50 ms
// while it runs (the peak itself is VmHWM; the samples tell which way it
// was reached).
type phaseMeter struct {
	pid   int
	start time.Time
	cpu0  float64
	done  chan struct{}
	wg    sync.WaitGroup
	max   int64
}

func meter(pid int) *phaseMeter {
	m := &phaseMeter{pid: pid, done: make(chan struct{})}
	if st, err := benchkit.ReadProcStat(pid); err == nil {
		m.cpu0 = st.Own
	}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-m.done:
				return
			case <-t.C:
				if rss, _, err := benchkit.RSS(pid); err == nil {
					m.max = max(m.max, rss)
				}
			}
		}
	}()
	m.start = time.Now()
	return m
}

func (m *phaseMeter) stop(bytes int64) phase {
	elapsed := time.Since(m.start)
	close(m.done)
	m.wg.Wait()
	p := phase{bytes: bytes, elapsed: elapsed, rssMax: m.max}
	if rss, _, err := benchkit.RSS(m.pid); err == nil {
		p.rssMax = max(p.rssMax, rss)
	}
	if st, err := benchkit.ReadProcStat(m.pid); err == nil {
		p.cpu = st.Own - m.cpu0
	}
	return p
}
