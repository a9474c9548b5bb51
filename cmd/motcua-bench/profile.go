package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
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
