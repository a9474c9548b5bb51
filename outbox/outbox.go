// Package outbox works the events the stores record (repository/events.go):
// a queue job per event fans it out to what is to be told of it. Webhooks
// and the citizens' notifications plug in as fan-outs; until they exist,
// the fan-out finds nothing and the event is only marked dispatched.
package outbox

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/riverqueue/river"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/event"
	"github.com/motcua/motcua/repository"
)

// Fanout enqueues, in tx (with the queue client's InsertTx), the work one
// event makes: a delivery per matching webhook, a message per opted-in
// channel. What it enqueues commits with the event's dispatched mark, so a
// retried dispatch never enqueues twice.
type Fanout func(ctx context.Context, tx *sql.Tx, e event.Record) error

// DispatchWorker works the dispatch jobs.
type DispatchWorker struct {
	river.WorkerDefaults[repository.DispatchArgs]
	Events  *repository.EventStore
	Fanouts []Fanout
}

// Work implements river.Worker: it runs every fan-out and marks the event
// dispatched, in one transaction. An unknown event (its job outlived it,
// which the schema does not allow) cancels the job instead of retrying it.
func (w *DispatchWorker) Work(ctx context.Context, job *river.Job[repository.DispatchArgs]) error {
	err := w.Events.Dispatch(ctx, job.Args.EventID, func(ctx context.Context, tx *sql.Tx, e event.Record) error {
		for _, f := range w.Fanouts {
			if err := f(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if domain.KindOf(err) == domain.KindNotFound {
		return river.JobCancel(fmt.Errorf("dispatch %s: %w", job.Args.EventID, err))
	}
	if err != nil {
		return fmt.Errorf("dispatch %s: %w", job.Args.EventID, err)
	}
	return nil
}
