package audit

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/user"
)

// Config tunes a Service.
type Config struct {
	// RetentionDays is how long entries are kept; 0 keeps them forever.
	RetentionDays int
	// Buffer is how many read entries may wait for the writer (default 4096).
	Buffer int
	// Batch is the most entries one insert carries (default 200).
	Batch int
	// FlushEvery is the longest an entry waits in a partial batch (default 200 ms).
	FlushEvery time.Duration
	// PurgeEvery is how often old entries are purged (default a day).
	PurgeEvery time.Duration
	// Log receives drops and write failures (never an entry's content).
	Log *slog.Logger
}

// Service records and lists the trail. Admin actions are recorded
// synchronously (Record); reads go through a bounded asynchronous writer
// (Enqueue) so that auditing a read never blocks it: when the buffer is
// full the entry is dropped and counted (Dropped).
type Service struct {
	store Store
	cfg   Config
	now   func() time.Time

	queue   chan Entry
	flushes chan chan struct{}
	stop    chan struct{}
	done    chan struct{}
	closed  atomic.Bool
	once    sync.Once
	dropped atomic.Uint64
	failed  atomic.Uint64
}

// NewService returns a service over store and starts its writer and its
// daily purge; Close stops them after writing what is queued.
func NewService(store Store, cfg Config, now func() time.Time) *Service {
	if cfg.Buffer <= 0 {
		cfg.Buffer = 4096
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 200
	}
	if cfg.FlushEvery <= 0 {
		cfg.FlushEvery = 200 * time.Millisecond
	}
	if cfg.PurgeEvery <= 0 {
		cfg.PurgeEvery = 24 * time.Hour
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	s := &Service{store: store, cfg: cfg, now: now, queue: make(chan Entry, cfg.Buffer),
		flushes: make(chan chan struct{}),
		stop:    make(chan struct{}), done: make(chan struct{})}
	go s.write()
	return s
}

// Start keeps the retention in the database (its triggers enforce it),
// purges once, and then purges every PurgeEvery until Close. A failed
// purge is logged and tried again next time.
func (s *Service) Start(ctx context.Context) error {
	if err := s.store.SetRetention(ctx, s.cfg.RetentionDays); err != nil {
		return err
	}
	if _, err := s.Purge(ctx); err != nil {
		s.cfg.Log.Error("audit purge failed", "err", err)
	}
	go func() {
		t := time.NewTicker(s.cfg.PurgeEvery)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
				if _, err := s.Purge(ctx); err != nil {
					s.cfg.Log.Error("audit purge failed", "err", err)
				}
				cancel()
			}
		}
	}()
	return nil
}

// Record writes e now (the time is set if zero).
func (s *Service) Record(ctx context.Context, e Entry) error {
	if e.At.IsZero() {
		e.At = s.now().UTC()
	}
	return s.store.Append(ctx, []Entry{e})
}

// Enqueue hands e to the asynchronous writer without waiting: if the
// buffer is full (or the service closed) e is dropped and counted.
func (s *Service) Enqueue(e Entry) {
	if e.At.IsZero() {
		e.At = s.now().UTC()
	}
	if s.closed.Load() {
		s.drop()
		return
	}
	select {
	case s.queue <- e:
	default:
		s.drop()
	}
}

func (s *Service) drop() {
	n := s.dropped.Add(1)
	if n == 1 || n%1000 == 0 {
		s.cfg.Log.Warn("audit buffer full: entries dropped", "dropped_total", n)
	}
}

// Dropped is how many entries were dropped because the buffer was full.
func (s *Service) Dropped() uint64 { return s.dropped.Load() }

// Failed is how many queued entries could not be written.
func (s *Service) Failed() uint64 { return s.failed.Load() }

// Close stops taking entries, writes those queued and stops the purge. It
// waits until ctx ends at most.
func (s *Service) Close(ctx context.Context) error {
	s.once.Do(func() {
		s.closed.Store(true)
		close(s.stop)
	})
	select {
	case <-s.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// write is the writer: it batches queued entries into inserts.
func (s *Service) write() {
	defer close(s.done)
	batch := make([]Entry, 0, s.cfg.Batch)
	t := time.NewTimer(s.cfg.FlushEvery)
	defer t.Stop()
	flush := func() {
		if len(batch) == 0 {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if err := s.store.Append(ctx, batch); err != nil {
			n := s.failed.Add(uint64(len(batch)))
			s.cfg.Log.Error("audit write failed", "entries", len(batch), "failed_total", n, "err", err)
		}
		cancel()
		batch = batch[:0]
	}
	for {
		select {
		case e := <-s.queue:
			batch = append(batch, e)
			if len(batch) >= s.cfg.Batch {
				flush()
			}
		case <-t.C:
			flush()
			t.Reset(s.cfg.FlushEvery)
		case reply := <-s.flushes:
			s.drain(&batch, flush)
			flush()
			close(reply)
		case <-s.stop:
			s.drain(&batch, flush)
			flush()
			return
		}
	}
}

// drain moves what is queued now into batch, flushing full batches.
func (s *Service) drain(batch *[]Entry, flush func()) {
	for {
		select {
		case e := <-s.queue:
			*batch = append(*batch, e)
			if len(*batch) >= s.cfg.Batch {
				flush()
			}
		default:
			return
		}
	}
}

// Flush waits until what is queued now has been written, or ctx ends.
func (s *Service) Flush(ctx context.Context) {
	reply := make(chan struct{})
	select {
	case s.flushes <- reply:
	case <-s.done:
		return
	case <-ctx.Done():
		return
	}
	select {
	case <-reply:
	case <-ctx.Done():
	}
}

// List answers entries newest first for a province admin.
func (s *Service) List(ctx context.Context, p user.Principal, f Filter) ([]Entry, error) {
	if p.Role != user.RoleAdmin || p.Unit != "" {
		return nil, domain.ErrForbidden
	}
	fe := domain.FieldErrors{}
	if f.Action != "" && !f.Action.Valid() {
		fe.Add("action", "không phải hành động được ghi nhật ký")
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		fe.Add("to", "phải sau from")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return s.store.List(ctx, f)
}

// Purge deletes entries older than the retention (none if it is 0). The
// cutoff keeps an hour in hand so a clock a little ahead of the database's
// never asks for a row the database still protects.
func (s *Service) Purge(ctx context.Context) (int64, error) {
	if s.cfg.RetentionDays <= 0 {
		return 0, nil
	}
	before := s.now().UTC().Add(-time.Duration(s.cfg.RetentionDays)*24*time.Hour - time.Hour)
	n, err := s.store.Purge(ctx, before)
	if err == nil && n > 0 {
		s.cfg.Log.Info("audit entries purged", "entries", n)
	}
	return n, err
}
