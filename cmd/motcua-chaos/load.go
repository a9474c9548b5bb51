package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// script is what each worker does with one dossier: register it at the
// centre's counter, then move it to returned, each step by the demo user
// whose role may take it. Every few dossiers it also records a feedback
// item.
var script = []struct{ action, by string }{
	{"register", "clerk"},
	{"start", "officer"},
	{"request_supplement", "officer"},
	{"supplement", "clerk"},
	{"resolve", "leader"},
	{"return", "clerk"},
}

// request is one POST with its Idempotency-Key; the worker sends it until
// it gets a final answer, however many crashes that takes.
type request struct {
	Path, Key, By string
	Body          []byte
}

// answer is the final answer to a request.
type answer struct {
	Status int
	Body   []byte
}

// record is what the client knows about one dossier or feedback item.
type record struct {
	Kind   string // "dossier" or "feedback"
	Marker string // the applicant name or title: unique per record
	Code   string
	// Acked are the script steps the client saw acknowledged, in order.
	Acked []string
	// Last is the last acknowledged request and its answer, retried after
	// the next crash to check it replays the first answer.
	Last       request
	LastAnswer answer
}

// ledger is the client's memory of what the server acknowledged.
type ledger struct {
	mu      sync.Mutex
	records []*record
	// acks counts acknowledged requests; unknown counts sends that got no
	// final answer at first (a crash, a 5xx, 409 while the first runs).
	acks, unknown, retried int
	// refused are final answers other than the one the script expects:
	// a retry that ran the request again answers 409 invalid_transition.
	refused []string
}

func (l *ledger) add(r *record) {
	l.mu.Lock()
	l.records = append(l.records, r)
	l.mu.Unlock()
}

// client sends the harness's requests to the server on loopback.
type client struct {
	base   string
	hc     *http.Client
	tokens map[string]string
}

func newClient(base string) *client {
	return &client{base: base, hc: &http.Client{Timeout: 20 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 32, DisableCompression: true}}}
}

// send sends r once. A transport error, a 5xx, a 429 and the 409 of a
// key whose first request still runs are not final (ok false).
func (c *client) send(ctx context.Context, r request) (answer, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+r.Path, bytes.NewReader(r.Body))
	if err != nil {
		return answer{}, false, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", r.Key)
	req.Header.Set("Authorization", "Bearer "+c.tokens[r.By])
	resp, err := c.hc.Do(req)
	if err != nil {
		return answer{}, false, nil
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, false, nil
	}
	a := answer{Status: resp.StatusCode, Body: body}
	if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
		return a, false, nil
	}
	if resp.StatusCode == http.StatusConflict && bytes.Contains(body, []byte("Idempotency-Key")) && bytes.Contains(body, []byte("đang được xử lý")) {
		return a, false, nil
	}
	return a, true, nil
}

// until sends r until it has a final answer, backing off while the
// server or the database is down, or until ctx ends.
func (c *client) until(ctx context.Context, r request, l *ledger) (answer, error) {
	wait := 20 * time.Millisecond
	for tries := 0; ; tries++ {
		a, ok, err := c.send(ctx, r)
		if err != nil {
			return answer{}, err
		}
		if ok {
			if tries > 0 {
				l.mu.Lock()
				l.retried++
				l.mu.Unlock()
			}
			return a, nil
		}
		if tries == 0 {
			l.mu.Lock()
			l.unknown++
			l.mu.Unlock()
		}
		select {
		case <-ctx.Done():
			return answer{}, ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Second)
	}
}

// login fetches a token for each demo user the script needs.
func (c *client) login(ctx context.Context, password string) error {
	c.tokens = map[string]string{}
	for _, u := range []string{"clerk", "officer", "leader", "admin"} {
		b, _ := json.Marshal(map[string]string{"username": u, "password": password})
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/api/v1/auth/login", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.hc.Do(req)
		if err != nil {
			return err
		}
		var out struct {
			AccessToken string `json:"access_token"`
		}
		err = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK || out.AccessToken == "" {
			return fmt.Errorf("login %s: status %d", u, resp.StatusCode)
		}
		c.tokens[u] = out.AccessToken
	}
	return nil
}

// get fetches path as admin into out; 404 is reported as found=false.
func (c *client) get(ctx context.Context, path string, out any) (bool, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+c.tokens["admin"])
	resp, err := c.hc.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return false, nil
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		return false, fmt.Errorf("GET %s: status %d: %s", path, resp.StatusCode, b)
	}
	return true, json.NewDecoder(resp.Body).Decode(out)
}

// worker runs the script over new dossiers until ctx ends. It keeps at
// most one request in flight, so that what the ledger holds is exactly
// what the server acknowledged.
type worker struct {
	id, run int
	c       *client
	l       *ledger
	n       int
	cur     *record // the dossier being moved, nil between dossiers
	step    int
}

func (w *worker) key(what string) string {
	return fmt.Sprintf("chaos-%d-w%d-%d-%s", w.run, w.id, w.n, what)
}

// loop works until ctx ends; a request cut short by ctx is finished by
// the next loop (after the restart) with the same key.
func (w *worker) loop(ctx context.Context, pending *request) error {
	for ctx.Err() == nil {
		var r request
		if pending.Key != "" {
			r = *pending
		} else {
			r = w.next()
		}
		*pending = r
		a, err := w.c.until(ctx, r, w.l)
		if err != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return nil
			}
			return err
		}
		*pending = request{}
		w.settle(r, a)
	}
	return nil
}

// next is the worker's next request: the next step of its dossier, a
// feedback item now and then, or a new dossier.
func (w *worker) next() request {
	if w.cur == nil {
		w.n++
		if w.n%4 == 0 {
			marker := fmt.Sprintf("Phản ánh hỗn loạn %d-%d-%d", w.run, w.id, w.n)
			body, _ := json.Marshal(map[string]any{"channel": "hotline", "category": "procedure", "title": marker,
				"content": "Công dân hỏi tiến độ giải quyết hồ sơ."})
			w.cur = &record{Kind: "feedback", Marker: marker}
			w.step = 0
			return request{Path: "/api/v1/feedback", Key: w.key("feedback"), By: "clerk", Body: body}
		}
		marker := fmt.Sprintf("Người nộp hỗn loạn %d-%d-%d", w.run, w.id, w.n)
		body, _ := json.Marshal(map[string]any{"procedure_code": "2.000908", "channel": "direct",
			"applicant": map[string]any{"name": marker, "phone": "0912345678"}})
		w.cur = &record{Kind: "dossier", Marker: marker}
		w.step = 0
		return request{Path: "/api/v1/dossiers", Key: w.key("register"), By: "clerk", Body: body}
	}
	s := script[w.step]
	b := map[string]any{"action": s.action}
	switch s.action {
	case "request_supplement":
		b["reason"] = "Thiếu bản sao giấy tờ tùy thân"
	case "resolve":
		b["outcome"] = "approved"
	}
	body, _ := json.Marshal(b)
	return request{Path: "/api/v1/dossiers/" + w.cur.Code + "/actions", Key: w.key(s.action), By: s.by, Body: body}
}

// settle books a final answer.
func (w *worker) settle(r request, a answer) {
	rec := w.cur
	ok := a.Status == http.StatusOK || a.Status == http.StatusCreated
	if !ok {
		w.l.mu.Lock()
		w.l.refused = append(w.l.refused, fmt.Sprintf("%s %s: %d %s", r.Path, r.Key, a.Status, clip(a.Body, 200)))
		w.l.mu.Unlock()
		w.cur = nil // the dossier stays where it is; a new one starts
		return
	}
	w.l.mu.Lock()
	w.l.acks++
	w.l.mu.Unlock()
	rec.Last, rec.LastAnswer = r, a
	if w.step == 0 {
		var out struct {
			Code string `json:"code"`
		}
		if json.Unmarshal(a.Body, &out) != nil || out.Code == "" {
			w.l.mu.Lock()
			w.l.refused = append(w.l.refused, fmt.Sprintf("%s %s: %d without a code", r.Path, r.Key, a.Status))
			w.l.mu.Unlock()
			w.cur = nil
			return
		}
		rec.Code = out.Code
		w.l.add(rec)
	}
	if rec.Kind == "dossier" {
		rec.Acked = append(rec.Acked, script[w.step].action)
	}
	w.step++
	if rec.Kind == "feedback" || w.step == len(script) {
		w.cur = nil
	}
}

func clip(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}
