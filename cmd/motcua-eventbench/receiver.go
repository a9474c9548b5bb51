package main

// The webhook receiver: a net/http server on the loopback interface that
// answers 204 to every POST and notes when each event first arrived.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// arrival is an event's first delivery.
type arrival struct {
	code       string
	typ        string // the event's type
	occurredAt time.Time
	at         time.Time
}

type receiver struct {
	URL  string
	srv  *http.Server
	dups atomic.Int64 // deliveries of an event already received

	mu    sync.Mutex
	seen  map[string]arrival // event id → first arrival
	bad   int
	waits []chan struct{}
}

func startReceiver() (*receiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &receiver{URL: "http://" + ln.Addr().String() + "/hook", seen: map[string]arrival{}}
	r.srv = &http.Server{Handler: r, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = r.srv.Serve(ln) }()
	return r, nil
}

func (r *receiver) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = r.srv.Shutdown(ctx)
}

// ServeHTTP takes a delivery: the body is the event's JSON.
func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	at := time.Now()
	var e struct {
		ID         string    `json:"id"`
		Code       string    `json:"code"`
		Type       string    `json:"type"`
		OccurredAt time.Time `json:"occurred_at"`
	}
	b, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	if err == nil {
		err = json.NewDecoder(bytes.NewReader(b)).Decode(&e)
	}
	r.mu.Lock()
	switch {
	case err != nil || e.ID == "":
		r.bad++
	default:
		if _, dup := r.seen[e.ID]; dup && e.ID != floorEventID {
			r.dups.Add(1)
		} else if !dup {
			r.seen[e.ID] = arrival{code: e.Code, typ: e.Type, occurredAt: e.OccurredAt, at: at}
			for _, c := range r.waits {
				select {
				case c <- struct{}{}:
				default:
				}
			}
		}
	}
	r.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// arrivals are the first arrivals of the events of the codes in codes
// and of type typ ("" for any), of every event when codes is nil. The type
// keeps out the other events the service records for the same dossiers
// meanwhile (a due-time warning, say).
func (r *receiver) arrivals(codes map[string]bool, typ string) []arrival {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []arrival
	for _, a := range r.seen {
		if (codes == nil || codes[a.code]) && (typ == "" || a.typ == typ) {
			out = append(out, a)
		}
	}
	return out
}

// wait returns once n events of codes have arrived, or after the
// deadline with what has arrived.
func (r *receiver) wait(ctx context.Context, codes map[string]bool, typ string, n int, timeout time.Duration) []arrival {
	c := make(chan struct{}, 1)
	r.mu.Lock()
	r.waits = append(r.waits, c)
	r.mu.Unlock()
	deadline := time.After(timeout)
	for {
		got := r.arrivals(codes, typ)
		if len(got) >= n {
			return got
		}
		select {
		case <-c:
		case <-time.After(200 * time.Millisecond):
		case <-deadline:
			return got
		case <-ctx.Done():
			return got
		}
	}
}

// floorEventID is the id of the floor's POSTs.
const floorEventID = "evt_floor"

// floorPosts sends n POSTs of body to the receiver from workers
// goroutines, as the delivery workers would with a queue that cost
// nothing, and returns the rate.
func (r *receiver) floorPosts(ctx context.Context, n, workers int) (float64, error) {
	body := []byte(`{"id":"` + floorEventID + `","type":"dossier.receive","code":"FLOOR","occurred_at":"2026-01-01T00:00:00Z"}`)
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{Proxy: nil,
		MaxIdleConnsPerHost: workers}}
	defer hc.CloseIdleConnections()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				resp, err := hc.Do(req)
				if err != nil {
					errs <- err
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	select {
	case err := <-errs:
		return 0, fmt.Errorf("receiver floor: %w", err)
	default:
	}
	return float64(n) / elapsed.Seconds(), nil
}
