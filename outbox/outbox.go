// Package outbox works the events the stores record (repository/events.go):
// a dispatch job per event fans it out to what is to be told of it (a
// delivery per matching webhook, a message per opted-in channel), and the
// delivery jobs that follow share one retry schedule and one counter.
package outbox

import (
	"context"
	"fmt"

	"github.com/riverqueue/river"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/repository"
)

// DispatchWorker works the dispatch jobs.
type DispatchWorker struct {
	river.WorkerDefaults[repository.DispatchArgs]
	Events  *repository.EventStore
	Fanouts []repository.Fanout
}

// Work implements river.Worker: it runs every fan-out and marks the event
// dispatched, in one transaction. An unknown event (its job outlived it,
// which the schema does not allow) cancels the job instead of retrying it.
func (w *DispatchWorker) Work(ctx context.Context, job *river.Job[repository.DispatchArgs]) error {
	err := w.Events.Dispatch(ctx, job.Args.EventID, w.Fanouts...)
	if domain.KindOf(err) == domain.KindNotFound {
		return river.JobCancel(fmt.Errorf("dispatch %s: %w", job.Args.EventID, err))
	}
	if err != nil {
		return fmt.Errorf("dispatch %s: %w", job.Args.EventID, err)
	}
	return nil
}
