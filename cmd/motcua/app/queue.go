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

	"github.com/motcua/motcua/outbox"
	"github.com/motcua/motcua/repository"
)

// The queue's settings. They are constants until a deployment needs to
// tune them.
const (
	// dispatchWorkers bounds the dispatch jobs worked at once: a fan-out
	// is a few inserts, so two keep up with any counter. SQLite takes one
	// writer at a time, so there one works alone and leaves the small pool
	// to the requests and to River's own polling.
	dispatchWorkers       = 2
	dispatchWorkersSQLite = 1
	// queueJobTimeout cancels a job that runs longer (a fan-out never
	// should; deliveries will set their own time-out).
	queueJobTimeout = time.Minute
	// queuePollInterval is how often an idle server looks for new jobs: on
	// SQLite and through database/sql River cannot listen for inserts, so a
	// committed event waits up to this long. Each poll is one short write
	// transaction, which SQLite's writers queue behind (ADR 0007).
	queuePollInterval = time.Second
)

// newQueue builds the queue client over db with its workers, and makes the
// stores' events enqueue through it. It does not start working.
func newQueue(db *gorm.DB, log *slog.Logger, loc *time.Location) (*river.Client[*sql.Tx], error) {
	n := dispatchWorkers
	if repository.Dialect(db) != "postgres" {
		n = dispatchWorkersSQLite
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &outbox.DispatchWorker{Events: repository.NewEventStore(db)})
	client, err := river.NewClient(repository.RiverDriver(db), &river.Config{
		Queues:            map[string]river.QueueConfig{repository.QueueDispatch: {MaxWorkers: n}},
		Workers:           workers,
		JobTimeout:        queueJobTimeout,
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
