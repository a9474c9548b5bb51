package webhook_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	dwebhook "github.com/motcua/motcua/domain/webhook"
	"github.com/motcua/motcua/webhook"
)

const secret = "whsec_MfKQ9r2x7bYw1hQk3nJvS0pX4eLzA8cUoT6gR5dWmNs"

var body = []byte(`{"id":"01JEVT","type":"dossier.accept","code":"H01.2026.000123"}`)

func request(url string) webhook.Request {
	return webhook.Request{URL: url, Secret: secret, EventID: "01JEVT", EventType: "dossier.accept", DeliveryID: "dlv_1", Body: body}
}

// counting answers 200 and counts the requests that reached it.
func counting(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { n.Add(1) }))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestPrivateTargetRefusedAtConnect(t *testing.T) {
	t.Parallel()
	srv, hits := counting(t)
	// The URL rule is not consulted at delivery: the dialer refuses the
	// address itself, so a literal loopback and a name that resolves to it
	// are both stopped.
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	for _, url := range []string{srv.URL, "http://localhost:" + port + "/"} {
		res := webhook.NewDeliverer(webhook.Config{Timeout: 2 * time.Second}).Attempt(context.Background(), request(url))
		if res.Delivered || res.Error != "address_not_allowed" || res.StatusCode != 0 {
			t.Errorf("%s: %+v, want address_not_allowed", url, res)
		}
	}
	if hits.Load() != 0 {
		t.Fatalf("the receiver was reached %d times", hits.Load())
	}
	res := webhook.NewDeliverer(webhook.Config{Timeout: 2 * time.Second, AllowPrivate: true}).Attempt(context.Background(), request(srv.URL))
	if !res.Delivered || res.StatusCode != 200 || res.Error != "" || hits.Load() != 1 {
		t.Fatalf("with AllowPrivate: %+v, hits %d; want delivered", res, hits.Load())
	}
}

func TestAttemptsSignedAndRetried(t *testing.T) {
	t.Parallel()
	var attempts atomic.Int32
	fixed := time.Unix(1764821700, 0)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := attempts.Add(1)
		got, _ := io.ReadAll(r.Body)
		switch {
		case r.Method != http.MethodPost || !bytes.Equal(got, body):
			t.Errorf("attempt %d: %s with body %q", n, r.Method, got)
		case r.Header.Get("Content-Type") != "application/json" || r.Header.Get("User-Agent") != "motcua-webhook/1":
			t.Errorf("attempt %d: headers %v", n, r.Header)
		case r.Header.Get("X-Motcua-Event") != "dossier.accept" || r.Header.Get("X-Motcua-Event-Id") != "01JEVT" ||
			r.Header.Get("X-Motcua-Delivery") != "dlv_1":
			t.Errorf("attempt %d: event headers %v", n, r.Header)
		}
		if err := dwebhook.Verify(secret, r.Header.Get("X-Motcua-Signature"), got, fixed, dwebhook.SignatureTolerance); err != nil {
			t.Errorf("attempt %d: signature: %v", n, err)
		}
		if n == 1 {
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, "boom "+secret) // a receiver echoing anything must not reach the log
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	d := webhook.NewDeliverer(webhook.Config{Timeout: 2 * time.Second, AllowPrivate: true}).WithClock(func() time.Time { return fixed })
	first := d.Attempt(context.Background(), request(srv.URL+"/in?token=tok123"))
	if first.Delivered || first.StatusCode != 500 || first.Error != "status_500" || first.Duration <= 0 {
		t.Fatalf("first attempt: %+v, want a failed 500", first)
	}
	second := d.Attempt(context.Background(), request(srv.URL+"/in?token=tok123"))
	if !second.Delivered || second.StatusCode != 204 || second.Error != "" {
		t.Fatalf("second attempt: %+v, want delivered", second)
	}
	if attempts.Load() != 2 {
		t.Fatalf("receiver saw %d attempts, want 2", attempts.Load())
	}
	for _, r := range []webhook.Result{first, second} {
		if strings.Contains(r.Error, secret) || strings.Contains(r.Error, "tok123") {
			t.Fatalf("attempt log %q holds a secret", r.Error)
		}
	}
}

func TestRedirectNotFollowed(t *testing.T) {
	t.Parallel()
	target, hits := counting(t)
	srv := httptest.NewServer(http.RedirectHandler(target.URL, http.StatusTemporaryRedirect))
	defer srv.Close()
	res := webhook.NewDeliverer(webhook.Config{AllowPrivate: true}).Attempt(context.Background(), request(srv.URL))
	if res.Delivered || res.StatusCode != 307 || res.Error != "status_307" || hits.Load() != 0 {
		t.Fatalf("%+v, target hits %d: want a failed 307 and no redirect", res, hits.Load())
	}
}

func TestTimeoutAndRefusedConnection(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
	defer slow.Close()
	defer close(release)
	res := webhook.NewDeliverer(webhook.Config{Timeout: 100 * time.Millisecond, AllowPrivate: true}).Attempt(context.Background(), request(slow.URL))
	if res.Delivered || res.Error != "timeout" || res.Duration > 2*time.Second {
		t.Fatalf("slow receiver: %+v, want timeout", res)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	res = webhook.NewDeliverer(webhook.Config{Timeout: time.Second, AllowPrivate: true}).Attempt(context.Background(), request("http://"+addr+"/"))
	if res.Delivered || res.Error != "connection_refused" {
		t.Fatalf("closed port: %+v, want connection_refused", res)
	}
}

func TestAnswerReadIsBounded(t *testing.T) {
	t.Parallel()
	// A receiver that streams forever must not hold the attempt until the
	// time-out: the client stops reading after MaxResponseBytes.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := bytes.Repeat([]byte("x"), 4096)
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	res := webhook.NewDeliverer(webhook.Config{Timeout: 5 * time.Second, AllowPrivate: true, MaxResponseBytes: 1024}).Attempt(context.Background(), request(srv.URL))
	if !res.Delivered || res.Duration > 2*time.Second {
		t.Fatalf("%+v: want delivered quickly", res)
	}
}

func TestSecretBox(t *testing.T) {
	t.Parallel()
	key := bytes.Repeat([]byte{7}, 32)
	box, err := webhook.NewSecretBox(key)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := box.Seal("wh_1", secret)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, secret) || !strings.HasPrefix(sealed, "wh1:") {
		t.Fatalf("sealed form %q", sealed)
	}
	if got, err := box.Open("wh_1", sealed); err != nil || got != secret {
		t.Fatalf("Open = %q, %v", got, err)
	}
	other, _ := webhook.NewSecretBox(bytes.Repeat([]byte{8}, 32))
	tampered := sealed[:len(sealed)-2] + "AA"
	for name, open := range map[string]func() (string, error){
		"other subscription": func() (string, error) { return box.Open("wh_2", sealed) },
		"other data key":     func() (string, error) { return other.Open("wh_1", sealed) },
		"tampered":           func() (string, error) { return box.Open("wh_1", tampered) },
		"plain text":         func() (string, error) { return box.Open("wh_1", secret) },
	} {
		if _, err := open(); err != webhook.ErrSecretSealed {
			t.Errorf("%s: err %v, want ErrSecretSealed", name, err)
		}
	}
	if _, err := webhook.NewSecretBox(key[:31]); err == nil {
		t.Fatal("a 31-byte data key was accepted")
	}
}

func TestConnectionsReusedAcrossWorkers(t *testing.T) {
	t.Parallel()
	// Workers attempts at once, round after round, to one receiver: the
	// client keeps an idle connection per worker, so after the first round
	// the attempts reuse them instead of dialling again.
	const workers, rounds = 10, 20
	var dials atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		time.Sleep(5 * time.Millisecond) // the round's attempts overlap
		w.WriteHeader(http.StatusNoContent)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			dials.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	d := webhook.NewDeliverer(webhook.Config{Timeout: 5 * time.Second, AllowPrivate: true, Workers: workers})
	for range rounds {
		done := make(chan webhook.Result, workers)
		for range workers {
			go func() { done <- d.Attempt(context.Background(), request(srv.URL)) }()
		}
		for range workers {
			if res := <-done; !res.Delivered {
				t.Fatalf("attempt: %+v", res)
			}
		}
	}
	if n := dials.Load(); n > 2*workers {
		t.Fatalf("%d connections for %d attempts by %d workers: idle connections were not kept", n, workers*rounds, workers)
	}
}
