package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	dwebhook "github.com/motcua/motcua/domain/webhook"
)

// maxReceivedBody bounds one event read by webhook-receive; events are a
// few hundred bytes.
const maxReceivedBody = 1 << 20

// receiveCommand runs `motcua webhook-receive`: a webhook receiver for
// trying a subscription out (the province's IT staff, the README). It
// checks each delivery's signature with the subscription's secret and
// prints the event, one JSON line per delivery, on stdout; a delivery
// whose signature does not verify is answered 401 and not printed.
func receiveCommand(ctx context.Context, log *slog.Logger, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("webhook-receive", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:9099", "address to listen on")
	secret := fs.String("secret", "", "the webhook's secret (whsec_…), as its registration answered")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !dwebhook.ValidSecret(*secret) {
		return errors.New("webhook-receive: --secret must be the whsec_… secret the registration answered")
	}
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("webhook-receive: %w", err)
	}
	var mu sync.Mutex // one line at a time on stdout
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.WriteHeader(http.StatusOK) // a probe
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxReceivedBody))
		if err != nil {
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			return
		}
		if err := dwebhook.Verify(*secret, r.Header.Get(dwebhook.HeaderSignature), body, time.Now(), dwebhook.SignatureTolerance); err != nil {
			log.Warn("delivery refused: bad signature", "event_id", r.Header.Get(dwebhook.HeaderEventID), "error", err.Error())
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		mu.Lock()
		_, err = fmt.Fprintf(stdout, "%s\n", body)
		mu.Unlock()
		if err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	// On stderr whatever the log level: scripts wait for this line.
	if _, err := fmt.Fprintf(stderr, "webhook receiver listening on %s\n", l.Addr()); err != nil {
		_ = srv.Close()
		return err
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		stop, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(stop)
	}
}
