package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// profiled runs fn, one measured load, and with -pprof takes the server's
// CPU profile over the load's measured window (after its warm-up) from the
// server's profiler (MOTCUA_PPROF_ADDR), into DIR/name.pprof: read it with
// `go tool pprof -top DIR/name.pprof`. The profiler samples 100 times a
// second, which costs the server a few percent while it runs.
func (b *bench) profiled(ctx context.Context, name string, fn func()) {
	if b.pprofAddr == "" {
		fn()
		return
	}
	errc := make(chan error, 1)
	go func() { errc <- b.takeProfile(ctx, name) }()
	fn()
	if err := <-errc; err != nil {
		b.logf("profile %s: %v", name, err)
	}
}

// profiledSQL is profiled plus, on PostgreSQL started with
// pg_stat_statements preloaded (MOTCUA_PG_OPTIONS="-c
// shared_preload_libraries=pg_stat_statements" for .ci/with-postgres), the
// database's side: the statements of the load by total time, into
// DIR/name-pg.txt. Without the library only the Go profile is taken.
func (b *bench) profiledSQL(ctx context.Context, name string, fn func()) {
	if b.pprofAddr == "" || b.fdb.pg == nil {
		b.profiled(ctx, name, fn)
		return
	}
	c := b.fdb.pg
	if _, err := c.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"); err != nil {
		b.logf("profile %s: no pg_stat_statements (%v)", name, err)
		b.profiled(ctx, name, fn)
		return
	}
	if _, err := c.Exec(ctx, "SELECT pg_stat_statements_reset()"); err != nil {
		b.logf("profile %s: pg_stat_statements: %v", name, err)
		b.profiled(ctx, name, fn)
		return
	}
	b.profiled(ctx, name, fn)
	rows, err := c.Query(ctx, `SELECT calls, total_exec_time, mean_exec_time, rows, regexp_replace(left(query, 160), '\s+', ' ', 'g')
		FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
		ORDER BY total_exec_time DESC LIMIT 30`)
	if err != nil {
		b.logf("profile %s: pg_stat_statements: %v", name, err)
		return
	}
	defer rows.Close()
	var out strings.Builder
	fmt.Fprintf(&out, "%10s %12s %10s %10s  %s\n", "calls", "total ms", "mean ms", "rows", "statement")
	for rows.Next() {
		var calls, n int64
		var total, mean float64
		var q string
		if err := rows.Scan(&calls, &total, &mean, &n, &q); err != nil {
			b.logf("profile %s: pg_stat_statements: %v", name, err)
			return
		}
		fmt.Fprintf(&out, "%10d %12.1f %10.3f %10d  %s\n", calls, total, mean, n, q)
	}
	if err := rows.Err(); err != nil {
		b.logf("profile %s: pg_stat_statements: %v", name, err)
		return
	}
	path := filepath.Join(b.o.Pprof, name+"-pg.txt")
	if err := os.WriteFile(path, []byte(out.String()), 0o644); err != nil {
		b.logf("profile %s: %v", name, err)
		return
	}
	b.logf("profile %s: wrote %s", name, path)
}

func (b *bench) takeProfile(ctx context.Context, name string) error {
	select {
	case <-time.After(b.o.Warmup):
	case <-ctx.Done():
		return ctx.Err()
	}
	secs := max(int(b.o.Duration/time.Second), 1)
	c := &http.Client{Timeout: time.Duration(secs)*time.Second + 30*time.Second}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", b.pprofAddr, secs), nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close() //nolint:errcheck
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the profiler answered %s", resp.Status)
	}
	path := filepath.Join(b.o.Pprof, name+".pprof")
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	b.logf("profile %s: wrote %s", name, path)
	return nil
}
