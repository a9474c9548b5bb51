package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
)

// TestMetricsOnTheirOwnAddress: with MOTCUA_METRICS_ADDR set, the main
// listener answers 404 to /metrics and the metrics listener serves them;
// both stop cleanly when the context ends.
func TestMetricsOnTheirOwnAddress(t *testing.T) {
	s := apptest.New(t, apptest.Options{NoDemo: true, Env: map[string]string{"MOTCUA_METRICS_ADDR": "127.0.0.1:0"}})
	if s.App.Metrics == nil {
		t.Fatal("MOTCUA_METRICS_ADDR set but no metrics handler")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- serveOn(ctx, s.App.Config, slog.New(slog.DiscardHandler), s.App, listeners{api: ln, metrics: mln})
	}()
	get := func(addr, path string) (int, string) {
		t.Helper()
		code, b := httpGet(t, addr, path)
		return code, string(b)
	}
	if code, _ := get(ln.Addr().String(), "/metrics"); code != http.StatusNotFound {
		t.Errorf("main address /metrics: %d, want 404", code)
	}
	if code, _ := get(ln.Addr().String(), "/healthz"); code != http.StatusOK {
		t.Errorf("main address /healthz: %d", code)
	}
	if code, body := get(mln.Addr().String(), "/metrics"); code != http.StatusOK || !strings.Contains(body, "motcua_http_requests_total") {
		t.Errorf("metrics address /metrics: %d %.200s", code, body)
	}
	if code, _ := get(mln.Addr().String(), "/api/v1/agencies"); code != http.StatusNotFound {
		t.Errorf("metrics address serves the API: %d", code)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("shutdown: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("servers did not stop")
	}
	if _, err := net.DialTimeout("tcp", mln.Addr().String(), time.Second); err == nil {
		t.Error("the metrics listener is still open after shutdown")
	}
}

// TestMetricsOnTheMainAddressByDefault: without the variable, /metrics is
// on the main handler.
func TestMetricsOnTheMainAddressByDefault(t *testing.T) {
	s := apptest.New(t, apptest.Options{NoDemo: true})
	if s.App.Metrics != nil {
		t.Error("a metrics handler without MOTCUA_METRICS_ADDR")
	}
	apptest.Want(t, s.Get("/metrics", ""), http.StatusOK)
}

// TestProfilerOnItsOwnAddress: with MOTCUA_PPROF_ADDR set the profiler
// answers there (a CPU profile can be taken) and never on the API's
// address; without it nothing answers /debug/pprof.
func TestProfilerOnItsOwnAddress(t *testing.T) {
	s := apptest.New(t, apptest.Options{NoDemo: true, Env: map[string]string{"MOTCUA_PPROF_ADDR": "127.0.0.1:0"}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- serveOn(ctx, s.App.Config, slog.New(slog.DiscardHandler), s.App, listeners{api: ln, pprof: pln})
	}()
	get := func(addr, path string) (int, []byte) { t.Helper(); return httpGet(t, addr, path) }
	if code, _ := get(ln.Addr().String(), "/debug/pprof/"); code != http.StatusNotFound {
		t.Errorf("API address /debug/pprof/: %d, want 404", code)
	}
	code, body := get(pln.Addr().String(), "/debug/pprof/profile?seconds=1")
	// A CPU profile is gzip-compressed protobuf: it starts with gzip's magic.
	if code != http.StatusOK || len(body) < 2 || body[0] != 0x1f || body[1] != 0x8b {
		t.Errorf("profiler /debug/pprof/profile: %d, %d bytes", code, len(body))
	}
	if code, _ := get(pln.Addr().String(), "/api/v1/agencies"); code != http.StatusNotFound {
		t.Errorf("profiler address serves the API: %d", code)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("shutdown: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("servers did not stop")
	}
}

// httpGet GETs path from addr and returns the status and the body.
func httpGet(t *testing.T, addr, path string) (int, []byte) {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second}
	r, err := c.Get("http://" + addr + path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close() //nolint:errcheck
	b, _ := io.ReadAll(r.Body)
	return r.StatusCode, b
}
