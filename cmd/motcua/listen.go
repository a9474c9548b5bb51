package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/motcua/motcua/cmd/motcua/app"
	"github.com/motcua/motcua/config"
)

// listenAndServe opens the main listener and, when MOTCUA_METRICS_ADDR is
// set, the metrics listener, and serves until ctx ends.
func listenAndServe(ctx context.Context, cfg config.Config, log *slog.Logger, a *app.App) error {
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	var mln net.Listener
	if a.Metrics != nil {
		if mln, err = net.Listen("tcp", cfg.MetricsAddr); err != nil {
			_ = ln.Close()
			return err
		}
	}
	return serveOn(ctx, cfg, log, a, ln, mln)
}

// serveOn serves a's API on ln and, when mln is not nil, its metrics on
// mln, until ctx ends; then both servers shut down within the shutdown
// timeout. A server that fails stops the other.
func serveOn(ctx context.Context, cfg config.Config, log *slog.Logger, a *app.App, ln, mln net.Listener) error {
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
	listeners := []net.Listener{ln}
	log.Info("listening", "addr", ln.Addr().String(), "driver", cfg.Driver(), "timezone", cfg.TimeZone)
	if mln != nil {
		servers = append(servers, newServer(a.Metrics))
		listeners = append(listeners, mln)
		log.Info("metrics listening", "addr", mln.Addr().String())
	}
	errc := make(chan error, len(servers))
	for i, srv := range servers {
		go func() { errc <- srv.Serve(listeners[i]) }()
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
