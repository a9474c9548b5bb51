package api

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/repository"
)

// idemHarness is a router with the idempotency middleware over a real store
// and a few handlers that count their runs.
type idemHarness struct {
	t       *testing.T
	engine  *gin.Engine
	runs    atomic.Int64
	release chan struct{} // /slow waits on it
	logs    *bytes.Buffer
}

func newIdemHarness(t *testing.T, store IdempotencyStore, wait time.Duration) *idemHarness {
	t.Helper()
	gin.SetMode(gin.ReleaseMode)
	h := &idemHarness{t: t, release: make(chan struct{}), logs: &bytes.Buffer{}}
	log := slog.New(slog.NewJSONHandler(h.logs, nil))
	now := func() time.Time { return time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC) }
	r := gin.New()
	r.Use(withRequestID(), recoverPanics(log))
	g := r.Group("", idempotentWaiting(store, now, log, wait, func(c *gin.Context, err error) { writeError(c, log, err) }))
	g.POST("/echo", func(c *gin.Context) {
		n := h.runs.Add(1)
		b, err := io.ReadAll(c.Request.Body)
		if err != nil {
			writeError(c, log, err)
			return
		}
		c.Header("X-Run", strconv.FormatInt(n, 10))
		c.Data(http.StatusCreated, "text/plain; charset=utf-8", append([]byte("run "+strconv.FormatInt(n, 10)+": "), b...))
	})
	g.POST("/flaky", func(c *gin.Context) { // 500 first, then 201
		if h.runs.Add(1) == 1 {
			writeError(c, log, errors.New("database went away"))
			return
		}
		c.JSON(http.StatusCreated, gin.H{"run": h.runs.Load()})
	})
	g.POST("/panicky", func(c *gin.Context) { // panics first, then 201
		if h.runs.Add(1) == 1 {
			panic("boom")
		}
		c.JSON(http.StatusCreated, gin.H{"run": h.runs.Load()})
	})
	g.POST("/slow", func(c *gin.Context) {
		h.runs.Add(1)
		<-h.release
		c.JSON(http.StatusCreated, gin.H{"slow": true})
	})
	h.engine = r
	return h
}

func (h *idemHarness) post(path, key, body, remote string) *httptest.ResponseRecorder {
	h.t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	if key != "" {
		req.Header.Set(IdempotencyKeyHeader, key)
	}
	req.RemoteAddr = remote
	rec := httptest.NewRecorder()
	h.engine.ServeHTTP(rec, req)
	return rec
}

func newTestStore(t *testing.T) IdempotencyStore {
	t.Helper()
	s, err := repository.NewIdempotencyStore(repository.OpenTest(t), []byte("test-data-key-test-data-key-test-data-key"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const addrA, addrB = "192.0.2.1:1000", "198.51.100.7:2000"

func TestIdempotentRestoresBodyAndOwnsKeysByAddress(t *testing.T) {
	t.Parallel()
	h := newIdemHarness(t, newTestStore(t), time.Second)
	first := h.post("/echo", "k", "hello", addrA)
	if first.Code != http.StatusCreated || first.Body.String() != "run 1: hello" {
		t.Fatalf("first = %d %q, want the handler to read the body", first.Code, first.Body)
	}
	again := h.post("/echo", "k", "hello", addrA)
	if again.Body.String() != "run 1: hello" || again.Header().Get(IdempotentReplayedHeader) != "true" ||
		again.Header().Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Fatalf("replay = %q %v", again.Body, again.Header())
	}
	// Without a principal the key belongs to the client address.
	other := h.post("/echo", "k", "hello", addrB)
	if other.Body.String() != "run 2: hello" {
		t.Fatalf("other address = %q, want its own run", other.Body)
	}
	if got := h.runs.Load(); got != 2 {
		t.Fatalf("handler ran %d times, want 2", got)
	}
}

func TestIdempotentFreesKeyAfterServerErrorAndPanic(t *testing.T) {
	t.Parallel()
	for _, path := range []string{"/flaky", "/panicky"} {
		t.Run(path, func(t *testing.T) {
			h := newIdemHarness(t, newTestStore(t), time.Second)
			r1 := h.post(path, "k", `{}`, addrA)
			if r1.Code != http.StatusInternalServerError || strings.Contains(r1.Body.String(), "database") ||
				strings.Contains(r1.Body.String(), "boom") {
				t.Fatalf("first = %d %s, want a bare 500", r1.Code, r1.Body)
			}
			r2 := h.post(path, "k", `{}`, addrA)
			if r2.Code != http.StatusCreated || r2.Header().Get(IdempotentReplayedHeader) != "" {
				t.Fatalf("retry = %d %s, want the request to run again", r2.Code, r2.Body)
			}
			r3 := h.post(path, "k", `{}`, addrA)
			if r3.Code != http.StatusCreated || r3.Body.String() != r2.Body.String() || r3.Header().Get(IdempotentReplayedHeader) != "true" {
				t.Fatalf("third = %d %s, want the retry's answer replayed", r3.Code, r3.Body)
			}
			if got := h.runs.Load(); got != 2 {
				t.Fatalf("handler ran %d times, want 2", got)
			}
		})
	}
}

// A duplicate that arrives while the first request runs waits for it to
// end (the key's row is held by the first request's transaction), then
// gets the first answer; another body under the key is refused then.
func TestIdempotentDuplicateWaitsForTheFirst(t *testing.T) {
	t.Parallel()
	h := newIdemHarness(t, newTestStore(t), 200*time.Millisecond)
	done := make(chan *httptest.ResponseRecorder)
	go func() { done <- h.post("/slow", "k", `{"a":1}`, addrA) }()
	for h.runs.Load() == 0 { // the first request holds the key
		time.Sleep(time.Millisecond)
	}
	same, other := make(chan *httptest.ResponseRecorder, 1), make(chan *httptest.ResponseRecorder, 1)
	go func() { same <- h.post("/slow", "k", `{"a":1}`, addrA) }()
	go func() { other <- h.post("/slow", "k", `{"a":2}`, addrA) }()
	select {
	case r := <-same:
		t.Fatalf("the duplicate answered %d while the first still ran", r.Code)
	case r := <-other:
		t.Fatalf("another body answered %d while the first still ran", r.Code)
	case <-time.After(300 * time.Millisecond):
	}
	close(h.release)
	first := <-done
	if first.Code != http.StatusCreated {
		t.Fatalf("first = %d", first.Code)
	}
	if r := <-same; r.Code != http.StatusCreated || r.Body.String() != first.Body.String() ||
		r.Header().Get(IdempotentReplayedHeader) != "true" {
		t.Fatalf("duplicate after the first finished = %d %s", r.Code, r.Body)
	}
	if r := <-other; r.Code != http.StatusConflict || !strings.Contains(r.Body.String(), `"conflict"`) {
		t.Fatalf("another body under the key = %d %s, want 409 conflict", r.Code, r.Body)
	}
	if got := h.runs.Load(); got != 1 {
		t.Fatalf("handler ran %d times, want 1", got)
	}
}

func TestIdempotentWaiterGetsAnswerWhenFirstFinishes(t *testing.T) {
	t.Parallel()
	h := newIdemHarness(t, newTestStore(t), 5*time.Second)
	first := make(chan *httptest.ResponseRecorder)
	go func() { first <- h.post("/slow", "k", `{}`, addrA) }()
	for h.runs.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	second := make(chan *httptest.ResponseRecorder)
	go func() { second <- h.post("/slow", "k", `{}`, addrA) }()
	time.Sleep(100 * time.Millisecond) // the second is waiting now
	close(h.release)
	a, b := <-first, <-second
	if a.Code != http.StatusCreated || b.Code != http.StatusCreated || a.Body.String() != b.Body.String() ||
		b.Header().Get(IdempotentReplayedHeader) != "true" {
		t.Fatalf("first %d %s, waiter %d %s: want the same 201, the waiter's replayed", a.Code, a.Body, b.Code, b.Body)
	}
	if got := h.runs.Load(); got != 1 {
		t.Fatalf("handler ran %d times, want 1", got)
	}
}

func TestIdempotentWithoutStorePassesThrough(t *testing.T) {
	t.Parallel()
	h := newIdemHarness(t, nil, time.Second)
	h.post("/echo", "k", "x", addrA)
	if r := h.post("/echo", "k", "x", addrA); r.Body.String() != "run 2: x" {
		t.Fatalf("without a store = %q, want the handler to run", r.Body)
	}
	// Even a malformed key is not looked at.
	if r := h.post("/echo", strings.Repeat("k", 300), "x", addrA); r.Code != http.StatusCreated {
		t.Fatalf("without a store, long key = %d", r.Code)
	}
}

// brokenStore fails every call, like a database that went away.
type brokenStore struct{}

var errDial = errors.New("dial tcp 10.0.0.5:5432: connection refused")

func (brokenStore) Run(context.Context, string, string, string, time.Time, func(context.Context) domain.IdempotentOutcome) (IdempotencyRecord, error) {
	return IdempotencyRecord{}, errDial
}
func (brokenStore) Pending(context.Context, string, string, time.Time) (bool, error) {
	return false, errDial
}

func TestIdempotentStoreFailureIsBare500(t *testing.T) {
	t.Parallel()
	h := newIdemHarness(t, brokenStore{}, time.Second)
	r := h.post("/echo", "k", "x", addrA)
	if r.Code != http.StatusInternalServerError || strings.Contains(r.Body.String(), "dial") {
		t.Fatalf("store failure = %d %s, want a bare 500", r.Code, r.Body)
	}
	if h.runs.Load() != 0 {
		t.Fatal("the handler ran although the key could not be claimed")
	}
}
