package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/motcua/motcua/config"
	dwebhook "github.com/motcua/motcua/domain/webhook"
	"github.com/motcua/motcua/outbox"
	"github.com/motcua/motcua/repository"
)

// The queue's settings that are not the province's to tune.
const (
	// dispatchWorkers bounds the dispatch jobs worked at once: a fan-out
	// is a few inserts, so two keep up with any counter. SQLite takes one
	// writer at a time, so there one works alone and leaves the small pool
	// to the requests and to River's own polling.
	dispatchWorkers       = 2
	dispatchWorkersSQLite = 1
	// queuePollInterval is how often an idle server looks for new jobs: on
	// SQLite and through database/sql River cannot listen for inserts, so a
	// committed event waits up to this long. Each poll is one short write
	// transaction, which SQLite's writers queue behind (ADR 0007).
	queuePollInterval = time.Second
	// queueFetchCooldown is the least time between two fetches of a busy
	// queue. River's default (100 ms) caps a queue of n workers at 10·n
	// jobs a second, which the webhook queue outgrows at a busy counter.
	queueFetchCooldown = 20 * time.Millisecond
)

// The queues besides dispatch: each kind of delivery has its own, so that
// a slow SMTP server never holds webhooks back.
const (
	QueueWebhook    = "webhook"
	QueueEmail      = "email"
	QueueSMS        = "sms"
	QueueEscalation = "escalation"
)

// queueParts is what the areas that use the queue add to it: their
// workers, the fan-outs of the dispatch job, periodic jobs.
type queueParts struct {
	workers  *river.Workers
	fanouts  []repository.Fanout
	periodic []*river.PeriodicJob
}

// jobTimeout bounds one job: a delivery attempt is bounded by the webhook
// time-out, and 5 s more lets it record its outcome. A job cut short by a
// crash is rescued (tried again) 15 s after that.
func jobTimeout(n config.Notifications) time.Duration { return n.WebhookTimeout + 5*time.Second }

// newQueue builds the queue client over db with the parts' workers and
// the retry schedule of n, and makes the stores' events enqueue through
// it. It does not start working.
func newQueue(db *gorm.DB, log *slog.Logger, loc *time.Location, n config.Notifications, p queueParts) (*river.Client[*sql.Tx], error) {
	d := dispatchWorkers
	if repository.Dialect(db) != "postgres" {
		d = dispatchWorkersSQLite
	}
	river.AddWorker(p.workers, &outbox.DispatchWorker{Events: repository.NewEventStore(db), Fanouts: p.fanouts})
	timeout := jobTimeout(n)
	client, err := river.NewClient(repository.RiverDriver(db), &river.Config{
		Queues: map[string]river.QueueConfig{
			repository.QueueDispatch: {MaxWorkers: d},
			QueueWebhook:             {MaxWorkers: n.Workers},
			QueueEmail:               {MaxWorkers: n.Workers},
			QueueSMS:                 {MaxWorkers: n.Workers},
			QueueEscalation:          {MaxWorkers: 1},
		},
		Workers:              p.workers,
		PeriodicJobs:         p.periodic,
		JobTimeout:           timeout,
		RescueStuckJobsAfter: timeout + 15*time.Second,
		RetryPolicy: outbox.RetryPolicy{Schedule: dwebhook.Schedule{
			Base: n.RetryBase, Cap: n.RetryCap, MaxAttempts: n.MaxAttempts}},
		FetchCooldown:     queueFetchCooldown,
		FetchPollInterval: queuePollInterval,
		Logger:            log.With("component", "queue"),
	})
	if err != nil {
		return nil, fmt.Errorf("queue: %w", err)
	}
	repository.UseQueue(db, client, loc)
	return client, nil
}

// StartQueue starts working the queue's jobs until Close. The jobs' context
// is not ctx's: a stop lets running jobs finish (Close), it does not cancel them.
func (a *App) StartQueue(ctx context.Context) error {
	if err := a.Queue.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start queue: %w", err)
	}
	return nil
}

// stopQueue takes no new job and waits for the running ones until ctx
// ends, then cancels them and waits for them to return. A client never
// started returns at once.
func (a *App) stopQueue(ctx context.Context) error {
	if a.Queue == nil {
		return nil
	}
	err := a.Queue.Stop(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		hard, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return errors.Join(err, a.Queue.StopAndCancel(hard))
	}
	return err
}
