package dvcqgpush

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/url"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/dvcqg"
)

// Store claims the due sync rows and records the pushes'
// outcomes (*repository.DVCQGSyncStore).
type Store interface {
	Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]dvcqg.Claim, error)
	Record(ctx context.Context, c dvcqg.Claim, p dvcqg.Pushed) (dvcqg.SyncStatus, error)
	PendingDVCQG(ctx context.Context) (int64, error)
}

// Payloads builds a dossier's record as it is now (*dvcqg.Service).
type Payloads interface {
	PushPayload(ctx context.Context, id int64) (dvcqg.HoSo, int, error)
}

// Config is the worker's settings (config.DVCQG).
type Config struct {
	URL                string
	Username, Password string
	Interval           time.Duration
	RetryBase          time.Duration
	MaxAttempts        int
	Timeout            time.Duration
}

// Metrics are the push's counter and gauge.
type Metrics struct {
	// Pushes counts the calls by endpoint (add, update) and result
	// (accepted, exists, retry, failed).
	Pushes *prometheus.CounterVec
	// Pending is the number of pending dossiers at the last scan.
	Pending prometheus.Gauge
}

// NewMetrics returns the metrics, not registered.
func NewMetrics() *Metrics {
	return &Metrics{
		Pushes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "motcua_dvcqg_push_total",
			Help: "Calls to the national portal (DVCQG) by endpoint (add, update) and result (accepted, exists, retry, failed)."},
			[]string{"endpoint", "result"}),
		Pending: prometheus.NewGauge(prometheus.GaugeOpts{Name: "motcua_dvcqg_pending",
			Help: "Dossiers waiting to be pushed to the national portal (DVCQG), at the last scan."}),
	}
}

// Collectors lists the metrics for registration.
func (m *Metrics) Collectors() []prometheus.Collector {
	return []prometheus.Collector{m.Pushes, m.Pending}
}

// Worker pushes the due dossiers, one at a time, every Interval.
type Worker struct {
	cfg      Config
	client   *Client
	store    Store
	payloads Payloads
	metrics  *Metrics
	log      *slog.Logger
	now      func() time.Time
	secrets  []string

	mu      sync.Mutex
	cancel  context.CancelFunc // stops the loop
	hard    context.CancelFunc // cuts the call in flight short
	done    chan struct{}
	started bool
}

// New returns a worker; now is the clock due times and backoffs are read
// on (the clock the marks are stamped with).
func New(cfg Config, store Store, payloads Payloads, m *Metrics, log *slog.Logger, now func() time.Time) *Worker {
	if now == nil {
		now = time.Now
	}
	if m == nil {
		m = NewMetrics()
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	secrets := []string{cfg.Password, cfg.URL}
	if len(cfg.Username) > 2 {
		secrets = append(secrets, cfg.Username)
	}
	if u, err := url.Parse(cfg.URL); err == nil && u.RawQuery != "" {
		secrets = append(secrets, u.RawQuery)
	}
	return &Worker{cfg: cfg, client: NewClient(cfg.URL, cfg.Username, cfg.Password, cfg.Timeout), store: store,
		payloads: payloads, metrics: m, log: log.With("component", "dvcqg"), now: now, secrets: secrets}
}

// lease is how long a claim holds a dossier: two calls (add, then update
// at once) and time to record.
func (w *Worker) lease() time.Duration { return 2*w.cfg.Timeout + 30*time.Second }

// Start runs the scans in the background until Stop.
func (w *Worker) Start(ctx context.Context) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.started {
		return
	}
	w.started = true
	loop, cancel := context.WithCancel(context.WithoutCancel(ctx))
	hard, hardCancel := context.WithCancel(context.WithoutCancel(ctx))
	w.cancel, w.hard, w.done = cancel, hardCancel, make(chan struct{})
	go w.run(loop, hard)
}

// Stop takes no new dossier and waits for the push in flight to finish
// and be recorded; when ctx ends first, the call is cut short (the
// dossier stays claimed until its lease runs out, then goes again).
func (w *Worker) Stop(ctx context.Context) error {
	w.mu.Lock()
	started, cancel, hard, done := w.started, w.cancel, w.hard, w.done
	w.mu.Unlock()
	if !started {
		return nil
	}
	cancel()
	select {
	case <-done:
		hard()
		return nil
	case <-ctx.Done():
		hard()
		<-done
		return ctx.Err()
	}
}

func (w *Worker) run(loop, hard context.Context) {
	defer close(w.done)
	t := time.NewTicker(w.cfg.Interval)
	defer t.Stop()
	for {
		w.scan(loop, hard)
		select {
		case <-loop.Done():
			return
		case <-t.C:
		}
	}
}

// RunOnce pushes every dossier due now, one after the other, and returns
// how many it pushed (tests and the loop).
func (w *Worker) RunOnce(ctx context.Context) int { return w.scan(ctx, ctx) }

// scan claims and pushes due dossiers until none is left or loop ends;
// the pushes run on hard.
func (w *Worker) scan(loop, hard context.Context) int {
	n := 0
	for loop.Err() == nil {
		cs, err := w.store.Claim(loop, w.now(), w.lease(), 1)
		if err != nil {
			if loop.Err() == nil {
				w.log.Error("dvcqg claim failed", "err", err.Error())
			}
			break
		}
		if len(cs) == 0 {
			break
		}
		for _, c := range cs {
			w.push(hard, c)
			n++
		}
	}
	if p, err := w.store.PendingDVCQG(hard); err == nil {
		w.metrics.Pending.Set(float64(p))
	}
	return n
}

// push sends claimed dossier c, add first unless the portal accepted it
// before, and records the outcome.
func (w *Worker) push(ctx context.Context, c dvcqg.Claim) {
	p := dvcqg.Pushed{RetryBase: w.cfg.RetryBase, MaxAttempts: w.cfg.MaxAttempts}
	h, version, err := w.payloads.PushPayload(ctx, c.DossierID)
	code := h.MaHoSo
	switch {
	case err == nil:
		p.Version = version
		p.Outcome, p.Error = w.send(ctx, c, h, code)
	case domain.KindOf(err) == domain.KindNotReceived || domain.KindOf(err) == domain.KindNotFound:
		p.Outcome, p.Error = dvcqg.Refused, "hồ sơ không còn dữ liệu gửi Cổng DVCQG"
	default:
		w.log.Error("dvcqg payload failed", "dossier_id", c.DossierID, "err", err.Error())
		p.Outcome, p.Error = dvcqg.Retry, "lỗi nội bộ khi dựng dữ liệu hồ sơ"
	}
	p.At = w.now()
	p.Error = dvcqg.ErrorText(p.Error, w.secrets...)
	// The outcome is recorded even when the stop cut the call short.
	rec, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	st, err := w.store.Record(rec, c, p)
	if err != nil {
		w.log.Error("dvcqg record failed", "code", code, "err", err.Error())
		return
	}
	w.log.Info("dvcqg push", "code", code, "version", p.Version, "outcome", string(p.Outcome), "status", string(st))
}

// send calls add (or update for a dossier accepted before), then update
// at once when add says the portal has it.
func (w *Worker) send(ctx context.Context, c dvcqg.Claim, h dvcqg.HoSo, code string) (dvcqg.Outcome, string) {
	body, err := json.Marshal([]dvcqg.HoSo{h})
	if err != nil {
		return dvcqg.Refused, "không mã hóa được dữ liệu hồ sơ"
	}
	endpoint := dvcqg.EndpointAdd
	if c.Accepted {
		endpoint = dvcqg.EndpointUpdate
	}
	for {
		out, msg := w.call(ctx, endpoint, body, code)
		if out == dvcqg.Exists {
			endpoint = dvcqg.EndpointUpdate
			continue
		}
		return out, msg
	}
}

// call makes one call and counts it.
func (w *Worker) call(ctx context.Context, endpoint string, body []byte, code string) (dvcqg.Outcome, string) {
	status, ans, err := w.client.Call(ctx, endpoint, body)
	var out dvcqg.Outcome
	var msg string
	if err != nil {
		out, msg = dvcqg.Retry, err.Error()
		if errors.Is(ctx.Err(), context.Canceled) {
			msg = "dừng giữa chừng khi máy chủ tắt"
		}
	} else {
		out, msg = dvcqg.Classify(endpoint, status, ans)
	}
	w.metrics.Pushes.WithLabelValues(endpoint, string(out)).Inc()
	// The portal's message may quote the record: the log has the status alone.
	w.log.Debug("dvcqg call", "code", code, "endpoint", endpoint, "http_status", status, "result", string(out))
	return out, msg
}
