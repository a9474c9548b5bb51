// Package apptest starts the whole wired service over a real, throwaway
// database (SQLite, or PostgreSQL when MOTCUA_TEST_POSTGRES is set) for
// end-to-end tests through the HTTP API.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/motcua/motcua/api"
	"github.com/motcua/motcua/cmd/motcua/app"
	"github.com/motcua/motcua/cmd/motcua/demo"
	"github.com/motcua/motcua/config"
	"github.com/motcua/motcua/repository"
)

// Clock is a settable clock for tests.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t.Truncate(time.Microsecond)
	c.mu.Unlock()
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Server is a running service for one test.
type Server struct {
	T     testing.TB
	App   *app.App
	Clock *Clock
	Log   *bytes.Buffer // everything the service logged
	mu    sync.Mutex
	toks  map[string]string
	// sent are the ID numbers, phones, e-mails and addresses the test sent;
	// with those stored, none may appear in Log (checked at cleanup).
	sent map[string]bool
	logw *lockedWriter // Log's writer: read Log under its lock
}

// Options tune New.
type Options struct {
	// Env overrides configuration variables (MOTCUA_*).
	Env map[string]string
	// Now is the clock's start (default 2026-11-23 09:00 Asia/Ho_Chi_Minh, a Monday).
	Now time.Time
	// NoDemo skips the demo data.
	NoDemo bool
	// Queue starts working the queue's jobs (the outbox's dispatch), as
	// serve does; the test's cleanup stops it before the database closes.
	// MOTCUA_TEST_QUEUE=1 starts it for every test, to run whole suites
	// beside the queue's polling.
	Queue bool
}

// Loc is Asia/Ho_Chi_Minh.
var Loc = func() *time.Location {
	l, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		return time.FixedZone("ICT", 7*3600)
	}
	return l
}()

// New starts a service over a fresh database seeded with the demo province
// (unless opt.NoDemo), with rate limiting off unless opt.Env sets it.
func New(tb testing.TB, opt Options) *Server {
	tb.Helper()
	env := map[string]string{
		"MOTCUA_JWT_SECRET":        "test-secret-test-secret-test-secret-0123",
		"MOTCUA_DATA_KEY":          "test-data-key-test-data-key-test-data-key",
		"MOTCUA_PUBLIC_RATE_LIMIT": "0",
		"MOTCUA_STORAGE_URL":       "file:" + tb.TempDir(),
	}
	for k, v := range opt.Env {
		env[k] = v
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		tb.Fatalf("config: %v", err)
	}
	clock := &Clock{}
	if opt.Now.IsZero() {
		opt.Now = time.Date(2026, 11, 23, 9, 0, 0, 0, Loc)
	}
	clock.Set(opt.Now)
	db := repository.OpenTest(tb)
	logs := &bytes.Buffer{}
	logw := &lockedWriter{w: logs}
	log := slog.New(slog.NewJSONHandler(logw, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a, err := app.New(context.Background(), cfg, db, log, app.Options{Now: clock.Now, Hasher: api.BcryptHasher{Cost: 4}})
	if err != nil {
		tb.Fatalf("app: %v", err)
	}
	tb.Cleanup(func() { _ = a.Close(context.Background()) })
	if opt.Queue || os.Getenv("MOTCUA_TEST_QUEUE") == "1" {
		if err := a.StartQueue(context.Background()); err != nil {
			tb.Fatalf("queue: %v", err)
		}
	}
	s := &Server{T: tb, App: a, Clock: clock, Log: logs, logw: logw, toks: map[string]string{}, sent: map[string]bool{}}
	if !opt.NoDemo {
		if err := demo.Seed(context.Background(), a, io.Discard); err != nil {
			tb.Fatalf("demo: %v", err)
		}
	}
	// Runs before the app and the database close (cleanups run last first).
	tb.Cleanup(s.checkLogHasNoPersonalData)
	return s
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// Response is a recorded answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a generic map (fails the test if it is not an object).
func (r Response) JSON(tb testing.TB) map[string]any {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		tb.Fatalf("response is not a JSON object: %v: %s", err, r.Body)
	}
	return m
}

// Decode decodes the body into v.
func (r Response) Decode(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		tb.Fatalf("decode response: %v: %s", err, r.Body)
	}
}

// ErrorCode returns error.code of an error body ("" if none).
func (r Response) ErrorCode() string {
	var b struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &b)
	return b.Error.Code
}

// Request describes one call.
type Request struct {
	Method string
	Path   string
	Token  string
	Body   any // string and []byte are sent as they are; anything else as JSON
	Header map[string]string
	Remote string // client address, default 192.0.2.1:1234
}

// Logged returns what the service logged so far.
func (s *Server) Logged() string {
	s.logw.mu.Lock()
	defer s.logw.mu.Unlock()
	return s.Log.String()
}

// Do sends r to the service; failures are reported to s.T.
func (s *Server) Do(r Request) Response {
	s.T.Helper()
	return s.DoFor(s.T, r)
}

// DoFor sends r to the service and reports failures (and the CheckEvery
// hook) to tb: parallel subtests sharing one Server pass their own T.
func (s *Server) DoFor(tb testing.TB, r Request) Response {
	tb.Helper()
	var body io.Reader
	switch b := r.Body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			tb.Fatalf("marshal: %v", err)
		}
		body = bytes.NewReader(j)
	}
	if body != nil {
		raw, _ := io.ReadAll(body)
		s.notePersonal(raw)
		body = bytes.NewReader(raw)
	}
	if u, err := url.Parse(r.Path); err == nil {
		s.noteValue(u.Query().Get("id_number"))
	}
	req := httptest.NewRequest(r.Method, r.Path, body)
	if r.Body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.Token)
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	req.RemoteAddr = "192.0.2.1:1234"
	if r.Remote != "" {
		req.RemoteAddr = r.Remote
	}
	rec := httptest.NewRecorder()
	s.App.Handler.ServeHTTP(rec, req)
	resp := Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	if CheckEvery != nil {
		CheckEvery(tb, r, resp)
	}
	return resp
}

// CheckEvery, when set (a test package's TestMain), is called with every
// exchange a Server makes: the API tests check each one against the
// contract this way.
var CheckEvery func(tb testing.TB, r Request, resp Response)

// Get is Do with GET.
func (s *Server) Get(path, token string) Response {
	s.T.Helper()
	return s.Do(Request{Method: http.MethodGet, Path: path, Token: token})
}

// Post is Do with POST and a JSON body.
func (s *Server) Post(path, token string, body any) Response {
	s.T.Helper()
	return s.Do(Request{Method: http.MethodPost, Path: path, Token: token, Body: body})
}

// Token logs username in with the demo password (cached per server).
func (s *Server) Token(username string) string {
	s.T.Helper()
	s.mu.Lock()
	tok, ok := s.toks[username]
	s.mu.Unlock()
	if ok {
		return tok
	}
	r := s.Post("/api/v1/auth/login", "", map[string]string{"username": username, "password": demo.Password})
	if r.Status != http.StatusOK {
		s.T.Fatalf("login %s: %d %s", username, r.Status, r.Body)
	}
	var out struct {
		AccessToken string `json:"access_token"`
	}
	r.Decode(s.T, &out)
	s.mu.Lock()
	s.toks[username] = out.AccessToken
	s.mu.Unlock()
	return out.AccessToken
}

// Want fails the test unless r has status; it returns r for chaining.
func Want(tb testing.TB, r Response, status int) Response {
	tb.Helper()
	if r.Status != status {
		tb.Fatalf("status = %d, want %d; body: %s", r.Status, status, r.Body)
	}
	return r
}
