package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/motcua/motcua/cmd/motcua/app"
	"github.com/motcua/motcua/config"
)

// listeners are what the process serves on: the API always, the metrics
// and the profiler when their addresses are set.
type listeners struct {
	api, metrics, pprof net.Listener
}

// listenAndServe opens the main listener and, when MOTCUA_METRICS_ADDR or
// MOTCUA_PPROF_ADDR is set, the metrics or profiler listener, and serves
// until ctx ends.
func listenAndServe(ctx context.Context, cfg config.Config, log *slog.Logger, a *app.App) error {
	var ls listeners
	closeAll := func() {
		for _, l := range []net.Listener{ls.api, ls.metrics, ls.pprof} {
			if l != nil {
				_ = l.Close()
			}
		}
	}
	var err error
	if ls.api, err = net.Listen("tcp", cfg.Addr); err != nil {
		return err
	}
	if a.Metrics != nil {
		if ls.metrics, err = net.Listen("tcp", cfg.MetricsAddr); err != nil {
			closeAll()
			return err
		}
	}
	if cfg.PprofAddr != "" {
		if ls.pprof, err = net.Listen("tcp", cfg.PprofAddr); err != nil {
			closeAll()
			return err
		}
	}
	return serveOn(ctx, cfg, log, a, ls)
}

// profiler is Go's runtime profiler (net/http/pprof) on its own mux, never
// on the API's: it has no authentication, so it is served only on the
// loopback address of MOTCUA_PPROF_ADDR (config refuses any other).
func profiler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// serveOn serves a's API on ls.api, its metrics on ls.metrics and the
// profiler on ls.pprof when they are not nil, until ctx ends; then every
// server shuts down within the shutdown timeout. A server that fails stops
// the others.
func serveOn(ctx context.Context, cfg config.Config, log *slog.Logger, a *app.App, ls listeners) error {
	newServer := func(h http.Handler) *http.Server {
		return &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       cfg.ReadTimeout,
			WriteTimeout:      cfg.WriteTimeout,
			IdleTimeout:       2 * time.Minute,
			MaxHeaderBytes:    64 << 10,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		}
	}
	servers := []*http.Server{newServer(a.Handler)}
	on := []net.Listener{ls.api}
	log.Info("listening", "addr", ls.api.Addr().String(), "driver", cfg.Driver(), "timezone", cfg.TimeZone)
	if ls.metrics != nil {
		servers = append(servers, newServer(a.Metrics))
		on = append(on, ls.metrics)
		log.Info("metrics listening", "addr", ls.metrics.Addr().String())
	}
	if ls.pprof != nil {
		srv := newServer(profiler())
		srv.WriteTimeout = 0 // a CPU profile or trace streams for as long as it was asked to
		servers = append(servers, srv)
		on = append(on, ls.pprof)
		log.Info("profiler listening", "addr", ls.pprof.Addr().String())
	}
	errc := make(chan error, len(servers))
	for i, srv := range servers {
		go func() { errc <- srv.Serve(on[i]) }()
	}
	var failed error
	select {
	case failed = <-errc:
	case <-ctx.Done():
		log.Info("shutting down")
	}
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	errs := []error{failed}
	for _, srv := range servers {
		errs = append(errs, srv.Shutdown(sctx))
	}
	return errors.Join(errs...)
}
