package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/domain"
)

// serveReal serves s on a real loopback listener until the test ends and
// returns its address.
func serveReal(t *testing.T, s *apptest.Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serveOn(ctx, s.App.Config, slog.New(slog.DiscardHandler), s.App, listeners{api: ln}) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Error("server did not stop")
		}
	})
	return ln.Addr().String()
}

// clientFrom is an HTTP client whose connections leave from the loopback
// address ip (any of 127.0.0.0/8 is this machine).
func clientFrom(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 10 * time.Second}
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}}
}

// TestPinGuessesFromAThousandAddressesHitThePerCodeLock: with the public
// rate limit on, 1,000 clients, each from its own loopback address and so
// each under the per-address limit, guess the PIN of one dossier at once.
// The per-code lock holds them all: no more wrong guesses are answered than
// the lock allows, the rest are 429, nothing is 5xx, and afterwards the
// right PIN is locked out too.
func TestPinGuessesFromAThousandAddressesHitThePerCodeLock(t *testing.T) {
	s := apptest.New(t, apptest.Options{Env: map[string]string{"MOTCUA_PUBLIC_RATE_LIMIT": "60"}})
	r := apptest.Want(t, s.Post("/api/v1/dossiers", s.Token("clerk"), map[string]any{"procedure_code": "2.000488", "channel": "direct",
		"applicant": map[string]any{"name": "Nguyễn Văn An", "phone": "0912345678"},
		"documents": []map[string]any{{"name": "Tờ khai", "copies": 1}}}), http.StatusCreated).JSON(t)
	code, pin := r["code"].(string), r["lookup_pin"].(string)
	base := "http://" + serveReal(t, s)

	const clients = 1000
	var notFound, locked, other atomic.Int64
	var firstOther atomic.Value
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ip := fmt.Sprintf("127.0.%d.%d", 1+i/250, 1+i%250)
			guess := strconv.Itoa(100000 + i)
			if guess == pin {
				guess = "999999x"
			}
			<-start
			resp, err := clientFrom(ip).Get(base + "/api/v1/public/dossiers/" + code + "?pin=" + guess)
			if err != nil {
				other.Add(1)
				firstOther.CompareAndSwap(nil, err.Error())
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			switch resp.StatusCode {
			case http.StatusNotFound:
				notFound.Add(1)
			case http.StatusTooManyRequests:
				locked.Add(1)
			default:
				other.Add(1)
				firstOther.CompareAndSwap(nil, resp.Status)
			}
		}()
	}
	close(start)
	wg.Wait()
	if other.Load() != 0 {
		t.Fatalf("%d answers neither 404 nor 429 (first: %v)", other.Load(), firstOther.Load())
	}
	if n := notFound.Load(); n == 0 || n > int64(domain.PinLockoutPolicy.Failures) {
		t.Errorf("%d wrong guesses answered 404, want 1..%d (the per-code lock)", n, domain.PinLockoutPolicy.Failures)
	}
	if locked.Load() < clients-int64(domain.PinLockoutPolicy.Failures) {
		t.Errorf("only %d of %d guesses refused with 429", locked.Load(), clients)
	}
	resp, err := clientFrom("127.0.9.9").Get(base + "/api/v1/public/dossiers/" + code + "?pin=" + pin)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the right PIN after the flood: %d, want 429 while the code is locked", resp.StatusCode)
	}
}

// TestSlowClientsDoNotStopTheService: 200 connections that trickle a
// request header a byte at a time (slowloris) hold a connection each, yet
// other clients are answered all the while, and the server closes the slow
// ones once the header timeout passes.
func TestSlowClientsDoNotStopTheService(t *testing.T) {
	if testing.Short() {
		t.Skip("holds 200 connections for over 10 s")
	}
	s := apptest.New(t, apptest.Options{NoDemo: true})
	addr := serveReal(t, s)

	const slow = 200
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	var wg sync.WaitGroup
	var closedByServer atomic.Int64
	conns := make(chan net.Conn, slow)
	for i := range slow {
		c, err := (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(fmt.Sprintf("127.1.%d.%d", 1+i/250, 1+i%250))}}).Dial("tcp", addr)
		if err != nil {
			t.Fatalf("slow client %d: %v", i, err)
		}
		conns <- c
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close() //nolint:errcheck
			header := "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: "
			for j := 0; ; j++ {
				b := header[j%len(header)]
				if j >= len(header) {
					b = 'a'
				}
				if _, err := c.Write([]byte{b}); err != nil {
					closedByServer.Add(1)
					return
				}
				select {
				case <-ctx.Done():
					return
				case <-time.After(500 * time.Millisecond):
				}
			}
		}()
	}
	close(conns)

	// Others are answered while the slow ones hang on.
	hc := &http.Client{Timeout: 5 * time.Second}
	for i := 0; i < 20; i++ {
		resp, err := hc.Get("http://" + addr + "/healthz")
		if err != nil {
			t.Fatalf("request %d beside %d slow clients: %v", i, slow, err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("request %d beside %d slow clients: %d", i, slow, resp.StatusCode)
		}
		time.Sleep(100 * time.Millisecond)
	}

	// The header timeout (10 s) ends every slow connection: a read sees
	// the server's close (a 408 or EOF) well before the test gives up.
	deadline := time.Now().Add(25 * time.Second)
	for c := range conns {
		_ = c.SetReadDeadline(deadline)
		_, err := bufio.NewReader(c).ReadByte()
		for err == nil {
			_, err = bufio.NewReader(c).ReadByte()
		}
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatal("a slow connection was still open 25 s on: the header timeout does not hold")
		}
	}
	stop()
	wg.Wait()
}
