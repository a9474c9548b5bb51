package main

// The API calls of the run (log in, register, subscribe a webhook) and the
// closed loop of registrations that figures 1 and 3 time.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/motcua/motcua/cmd/internal/benchkit"
)

// client talks to the server on the loopback address only (no proxy from
// the environment), with enough idle connections for the loop.
type client struct{ benchkit.Client }

func newClient(base string, conns int) *client {
	return &client{benchkit.Client{Base: base, HC: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		Proxy: nil, MaxIdleConns: conns + 4, MaxIdleConnsPerHost: conns + 4, DisableCompression: true}}}}
}

var registrations atomic.Int64

// register registers a direct dossier at the demo clerk's counter (the
// procedure of the README) and returns its code.
func (c *client) register(ctx context.Context, tok string) (string, error) {
	in := map[string]any{
		"procedure_code": "2.000488", "channel": "direct",
		"applicant": map[string]any{"name": "Nguyễn Văn An", "id_number": "001234567890", "phone": "0912345678"},
		"documents": []map[string]any{{"name": "Tờ khai", "copies": 1}, {"name": "Bản sao CCCD", "copies": 1}},
	}
	var d struct {
		Code string `json:"code"`
	}
	key := map[string]string{"Idempotency-Key": fmt.Sprintf("eventbench-%d-%d", os.Getpid(), registrations.Add(1))}
	err := c.Call(ctx, http.MethodPost, "/api/v1/dossiers", tok, key, in, &d, http.StatusCreated)
	if err == nil && d.Code == "" {
		err = errors.New("register: no code in the answer")
	}
	return d.Code, err
}

// subscribe registers a webhook to url for events, as the demo admin.
func (c *client) subscribe(ctx context.Context, tok, url string, events []string) (string, error) {
	var w struct {
		ID string `json:"id"`
	}
	err := c.Call(ctx, http.MethodPost, "/api/v1/webhooks", tok, nil,
		map[string]any{"url": url, "events": events, "description": "motcua-eventbench"}, &w, http.StatusCreated)
	if err == nil && w.ID == "" {
		err = errors.New("subscribe: no id in the answer")
	}
	return w.ID, err
}

// loopResult is one timed window of the closed loop.
type loopResult struct {
	n        int
	elapsed  time.Duration
	p50, p99 time.Duration
}

func (r loopResult) rate() float64 { return float64(r.n) / r.elapsed.Seconds() }

// closedLoop registers dossiers on conns connections, each sending the
// next request when its last is answered, for d; any failure ends it.
func closedLoop(ctx context.Context, c *client, tok string, conns int, d time.Duration) (loopResult, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu   sync.Mutex
		lats []time.Duration
		wg   sync.WaitGroup
		errs = make(chan error, conns)
	)
	start := time.Now()
	deadline := start.Add(d)
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var own []time.Duration
			for time.Now().Before(deadline) {
				t := time.Now()
				if _, err := c.register(ctx, tok); err != nil {
					errs <- err
					cancel()
					break
				}
				own = append(own, time.Since(t))
			}
			mu.Lock()
			lats = append(lats, own...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	select {
	case err := <-errs:
		return loopResult{}, err
	default:
	}
	if len(lats) == 0 {
		return loopResult{}, errors.New("no registration answered in the window")
	}
	sort.Slice(lats, func(i, j int) bool { return lats[i] < lats[j] })
	return loopResult{n: len(lats), elapsed: elapsed, p50: quantile(lats, 0.50), p99: quantile(lats, 0.99)}, nil
}

// quantile is the q-quantile of sorted (nearest rank).
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
