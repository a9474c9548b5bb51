package dvcqgpush_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/dvcqgpush"
	"github.com/motcua/motcua/repository"
)

// syncJSON is a dossier's dvcqg_sync.
type syncJSON struct {
	Status        string  `json:"status"`
	SyncedAt      *string `json:"synced_at"`
	SyncedVersion *int    `json:"synced_version"`
	Attempts      int     `json:"attempts"`
	LastAttemptAt *string `json:"last_attempt_at"`
	NextAttemptAt *string `json:"next_attempt_at"`
	LastError     *string `json:"last_error"`
}

// pushEnv is the service with the push on (the stand-in portal), the
// worker not started: the tests run its scans with RunOnce.
type pushEnv struct {
	t *testing.T
	s *apptest.Server
	p *portal
	w *dvcqgpush.Worker
}

func startPush(t *testing.T) *pushEnv {
	t.Helper()
	p := newPortal(t)
	s := apptest.New(t, apptest.Options{Env: map[string]string{
		"MOTCUA_DVCQG_URL": p.URL(), "MOTCUA_DVCQG_USERNAME": portalUser, "MOTCUA_DVCQG_PASSWORD": portalPassword,
		"MOTCUA_DVCQG_INTERVAL": "1", "MOTCUA_DVCQG_RETRY_BASE": "1", "MOTCUA_DVCQG_MAX_ATTEMPTS": "3",
		"MOTCUA_DVCQG_TIMEOUT": "1",
	}})
	e := &pushEnv{t: t, s: s, p: p, w: s.App.DVCQGPush}
	if e.w == nil {
		t.Fatal("no push worker with MOTCUA_DVCQG_URL set")
	}
	// The demo's received dossiers were marked as they were seeded: the
	// first scan sends each to add once.
	n := e.w.RunOnce(context.Background())
	if n == 0 || p.count() != n {
		t.Fatalf("first scan pushed %d, portal saw %d", n, p.count())
	}
	for _, c := range p.calls {
		if c.Endpoint != "add" {
			t.Fatalf("demo backlog: %+v", c)
		}
	}
	return e
}

func (e *pushEnv) register() string {
	e.t.Helper()
	r := e.s.Post("/api/v1/dossiers", e.s.Token("clerk"), map[string]any{
		"procedure_code": "2.000488", "channel": "direct",
		"applicant": map[string]any{"name": "Nguyễn Văn An", "id_number": "001234567890", "phone": "0912345678",
			"email": "an@example.vn", "address": "Tổ 5, phường Tân Phong", "organization": ""},
		"documents": []map[string]any{{"name": "Tờ khai", "copies": 1}},
	})
	if r.Status != http.StatusCreated {
		e.t.Fatalf("register: %d %s", r.Status, r.Body)
	}
	var out struct{ Code string }
	r.Decode(e.t, &out)
	return out.Code
}

func (e *pushEnv) act(tb testing.TB, user, code string, body map[string]any) {
	tb.Helper()
	r := e.s.DoFor(tb, apptest.Request{Method: http.MethodPost, Path: "/api/v1/dossiers/" + code + "/actions",
		Token: e.s.Token(user), Body: body})
	if r.Status != http.StatusOK {
		tb.Errorf("%s %v: %d %s", code, body, r.Status, r.Body)
	}
}

// state reads code's dvcqg_sync and version from the dossier's answer.
func (e *pushEnv) state(code string) (syncJSON, int) {
	e.t.Helper()
	r := e.s.Get("/api/v1/dossiers/"+code, e.s.Token("admin"))
	if r.Status != http.StatusOK {
		e.t.Fatalf("get %s: %d %s", code, r.Status, r.Body)
	}
	var out struct {
		Version   int       `json:"version"`
		DVCQGSync *syncJSON `json:"dvcqg_sync"`
	}
	r.Decode(e.t, &out)
	if out.DVCQGSync == nil {
		e.t.Fatalf("%s has no dvcqg_sync: %s", code, r.Body)
	}
	return *out.DVCQGSync, out.Version
}

func endpoints(cs []call) string {
	var s []string
	for _, c := range cs {
		s = append(s, c.Endpoint)
	}
	return strings.Join(s, ",")
}

func TestDVCQGPushAddExistsUpdate(t *testing.T) {
	e := startPush(t)
	ctx := context.Background()
	code := e.register()
	if st, _ := e.state(code); st.Status != "pending" || st.Attempts != 0 || st.NextAttemptAt == nil || st.SyncedAt != nil {
		t.Fatalf("after registration: %+v", st)
	}
	// The portal has it already: the same record goes to update at once.
	e.p.on(code, exists, accept)
	if n := e.w.RunOnce(ctx); n != 1 {
		t.Fatalf("pushed %d", n)
	}
	if got := endpoints(e.p.callsOf(code)); got != "add,update" {
		t.Fatalf("calls %s", got)
	}
	m := e.s.App.DVCQGMetrics
	if got := value(t, m.Pushes.WithLabelValues("add", "exists")); got != 1 {
		t.Fatalf("motcua_dvcqg_push_total{add,exists} = %v", got)
	}
	if got := value(t, m.Pending); got != 0 {
		t.Fatalf("motcua_dvcqg_pending = %v", got)
	}
	st, v := e.state(code)
	if st.Status != "synced" || st.SyncedVersion == nil || *st.SyncedVersion != v || st.Attempts != 0 ||
		st.LastError != nil || st.NextAttemptAt != nil || st.SyncedAt == nil {
		t.Fatalf("after acceptance: %+v (version %d)", st, v)
	}
	// Nothing is due: a scan pushes nothing.
	if n := e.w.RunOnce(ctx); n != 0 {
		t.Fatalf("pushed %d with nothing due", n)
	}
	// A change: accepted before, it goes to update, at the new version.
	e.act(t, "officer", code, map[string]any{"action": "start"})
	if st, _ := e.state(code); st.Status != "pending" {
		t.Fatalf("after a change: %+v", st)
	}
	e.w.RunOnce(ctx)
	cs := e.p.callsOf(code)
	if got := endpoints(cs); got != "add,update,update" || cs[2].Status != "4" {
		t.Fatalf("calls %s, last status %s", got, cs[len(cs)-1].Status)
	}
	if st, v := e.state(code); st.Status != "synced" || *st.SyncedVersion != v {
		t.Fatalf("after the update: %+v (version %d)", st, v)
	}
}

func TestDVCQGPushRetriesWithBackoff(t *testing.T) {
	e := startPush(t)
	ctx := context.Background()
	code := e.register()
	e.p.on(code, down, down, accept)
	e.w.RunOnce(ctx)
	st, _ := e.state(code)
	if st.Status != "pending" || st.Attempts != 1 || st.LastError == nil || !strings.HasPrefix(*st.LastError, "HTTP 500") {
		t.Fatalf("after the first 500: %+v", st)
	}
	next, _ := time.Parse(time.RFC3339, *st.NextAttemptAt)
	last, _ := time.Parse(time.RFC3339, *st.LastAttemptAt)
	if d := next.Sub(last); d != time.Second {
		t.Fatalf("first wait %s, want RETRY_BASE 1s", d)
	}
	// Not due yet on the worker's clock.
	if n := e.w.RunOnce(ctx); n != 0 {
		t.Fatalf("pushed %d before the backoff ended", n)
	}
	e.s.Clock.Advance(time.Second)
	e.w.RunOnce(ctx)
	st, _ = e.state(code)
	next, _ = time.Parse(time.RFC3339, *st.NextAttemptAt)
	last, _ = time.Parse(time.RFC3339, *st.LastAttemptAt)
	if st.Attempts != 2 || next.Sub(last) != 2*time.Second {
		t.Fatalf("after the second 500: %+v, wait %s", st, next.Sub(last))
	}
	e.s.Clock.Advance(time.Second)
	if n := e.w.RunOnce(ctx); n != 0 {
		t.Fatalf("pushed %d a second into a 2 s wait", n)
	}
	e.s.Clock.Advance(time.Second)
	e.w.RunOnce(ctx)
	if got := endpoints(e.p.callsOf(code)); got != "add,add,add" {
		t.Fatalf("calls %s", got)
	}
	if st, _ = e.state(code); st.Status != "synced" || st.Attempts != 0 || st.LastError != nil {
		t.Fatalf("after the acceptance: %+v", st)
	}

	// Retries run out at MAX_ATTEMPTS (3): failed.
	other := e.register()
	e.p.on(other, down, down, down)
	for range 3 {
		e.w.RunOnce(ctx)
		e.s.Clock.Advance(time.Hour)
	}
	if st, _ = e.state(other); st.Status != "failed" || st.Attempts != 3 || st.NextAttemptAt != nil {
		t.Fatalf("after 3 failures: %+v", st)
	}
	if n := len(e.p.callsOf(other)); n != 3 {
		t.Fatalf("%d calls", n)
	}
	// A change makes it pending again, attempts from 0.
	e.act(t, "officer", other, map[string]any{"action": "start"})
	if st, _ = e.state(other); st.Status != "pending" || st.Attempts != 0 {
		t.Fatalf("after a change: %+v", st)
	}
}

func TestDVCQGPushRefusalAndTimeout(t *testing.T) {
	e := startPush(t)
	ctx := context.Background()
	refused := e.register()
	e.p.on(refused, refusal)
	slow := e.register()
	e.p.on(slow, reply{status: 200, body: `{"error_code":"0"}`, delay: 1500 * time.Millisecond})
	e.w.RunOnce(ctx)
	st, _ := e.state(refused)
	if st.Status != "failed" || st.Attempts != 1 || st.LastError == nil ||
		*st.LastError != "HTTP 200: error_code -1: Sai định dạng NgayHenTra" || st.NextAttemptAt != nil {
		t.Fatalf("refused: %+v", st)
	}
	if got := endpoints(e.p.callsOf(refused)); got != "add" {
		t.Fatalf("a refusal is not retried: %s", got)
	}
	st, _ = e.state(slow)
	if st.Status != "pending" || st.Attempts != 1 || st.LastError == nil || !strings.Contains(*st.LastError, "hết thời gian chờ") {
		t.Fatalf("slow: %+v", st)
	}
	if strings.Contains(*st.LastError, e.p.srv.URL) {
		t.Fatalf("the URL in last_error: %s", *st.LastError)
	}
}

func TestDVCQGPushNeverKeepsCredentials(t *testing.T) {
	e := startPush(t)
	ctx := context.Background()
	code := e.register()
	// A worker with a wrong password: the portal answers 401 and echoes it.
	const wrong = "wrong-pass-93d1"
	w := dvcqgpush.New(dvcqgpush.Config{URL: e.p.URL(), Username: portalUser, Password: wrong,
		Interval: time.Second, RetryBase: time.Second, MaxAttempts: 3, Timeout: time.Second},
		repository.NewDVCQGSyncStore(e.s.App.DB, e.s.App.Sealer), e.s.App.DVCQG, nil, e.s.App.Log, e.s.Clock.Now)
	w.RunOnce(ctx)
	st, _ := e.state(code)
	if st.Status != "failed" || st.LastError == nil || !strings.HasPrefix(*st.LastError, "HTTP 401") {
		t.Fatalf("after a 401: %+v", st)
	}
	for _, s := range []string{wrong, portalUser, portalPassword} {
		if strings.Contains(*st.LastError, s) {
			t.Fatalf("last_error holds %q: %s", s, *st.LastError)
		}
		if strings.Contains(e.s.Logged(), s) {
			t.Fatalf("the log holds %q", s)
		}
	}
	// Nor does the list.
	r := e.s.Get("/api/v1/integrations/dvcqg/dossiers?status=failed", e.s.Token("admin"))
	if r.Status != http.StatusOK || strings.Contains(string(r.Body), wrong) || !strings.Contains(string(r.Body), code) {
		t.Fatalf("list: %d %s", r.Status, r.Body)
	}
}

func TestDVCQGPushChangeDuringPushIsPushedAgain(t *testing.T) {
	e := startPush(t)
	ctx := context.Background()
	code := e.register()
	_, v1 := e.state(code)
	// While add is in flight, an officer starts processing.
	e.p.on(code, reply{status: 200, body: `{"error_code":"0"}`,
		before: func() { e.act(t, "officer", code, map[string]any{"action": "start"}) }})
	if n := e.w.RunOnce(ctx); n != 2 {
		t.Fatalf("pushed %d times, want the first version and the change", n)
	}
	cs := e.p.callsOf(code)
	if got := endpoints(cs); got != "add,update" || cs[0].Status != "2" || cs[1].Status != "4" {
		t.Fatalf("calls %+v", cs)
	}
	st, v2 := e.state(code)
	if v2 <= v1 || st.Status != "synced" || *st.SyncedVersion != v2 {
		t.Fatalf("after both: %+v (versions %d, %d)", st, v1, v2)
	}
}

func TestDVCQGTwoWorkersNeverPushOneDossierAtOnce(t *testing.T) {
	e := startPush(t)
	var codes []string
	for range 6 {
		codes = append(codes, e.register())
	}
	for _, c := range codes {
		e.p.on(c, reply{status: 200, body: `{"error_code":"0"}`, delay: 30 * time.Millisecond},
			reply{status: 200, body: `{"error_code":"0"}`, delay: 30 * time.Millisecond})
	}
	store := repository.NewDVCQGSyncStore(e.s.App.DB, e.s.App.Sealer)
	cfg := dvcqgpush.Config{URL: e.p.URL(), Username: portalUser, Password: portalPassword,
		Interval: 10 * time.Millisecond, RetryBase: time.Second, MaxAttempts: 3, Timeout: time.Second}
	a := dvcqgpush.New(cfg, store, e.s.App.DVCQG, nil, nil, e.s.Clock.Now)
	b := dvcqgpush.New(cfg, store, e.s.App.DVCQG, nil, nil, e.s.Clock.Now)
	ctx := context.Background()
	a.Start(ctx)
	b.Start(ctx)
	// Changes while both scan: each dossier goes again. (The token is
	// taken first: the goroutines share it.)
	e.s.Token("officer")
	var wg sync.WaitGroup
	for _, c := range codes {
		wg.Go(func() { e.act(t, "officer", c, map[string]any{"action": "start"}) })
	}
	wg.Wait()
	deadline := time.Now().Add(20 * time.Second)
	for {
		done := true
		for _, c := range codes {
			if st, v := e.state(c); st.Status != "synced" || *st.SyncedVersion != v {
				done = false
			}
		}
		if done || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := a.Stop(stop); err != nil {
		t.Fatal(err)
	}
	if err := b.Stop(stop); err != nil {
		t.Fatal(err)
	}
	for _, c := range codes {
		st, v := e.state(c)
		if st.Status != "synced" || *st.SyncedVersion != v {
			t.Errorf("%s: %+v (version %d)", c, st, v)
		}
		if n := len(e.p.callsOf(c)); n < 1 {
			t.Errorf("%s pushed %d times", c, n)
		}
	}
	e.p.mu.Lock()
	defer e.p.mu.Unlock()
	if e.p.overlaps != 0 {
		t.Fatalf("%d pushes overlapped another of the same dossier", e.p.overlaps)
	}
}

func TestDVCQGStopWaitsForTheCallInFlight(t *testing.T) {
	e := startPush(t)
	code := e.register()
	e.p.on(code, reply{status: 200, body: `{"error_code":"0"}`, delay: 300 * time.Millisecond})
	w := e.w
	w.Start(context.Background())
	deadline := time.Now().Add(5 * time.Second)
	for len(e.p.callsOf(code)) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if err := w.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The call finished and its outcome was recorded before Stop returned.
	if st, _ := e.state(code); st.Status != "synced" {
		t.Fatalf("after stop: %+v", st)
	}
}

// value reads a counter's or gauge's value.
func value(t *testing.T, c prometheus.Metric) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	if m.Counter != nil {
		return m.Counter.GetValue()
	}
	return m.Gauge.GetValue()
}
