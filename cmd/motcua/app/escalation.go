package app

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/motcua/motcua/domain/escalation"
	"github.com/motcua/motcua/domain/event"
	"github.com/motcua/motcua/notify"
	"github.com/motcua/motcua/outbox"
	"github.com/motcua/motcua/repository"
)

// KindEscalation is the periodic scan's job kind (the outbox gauge's
// "escalation").
const KindEscalation = "escalation"

// escalationArgs is the periodic scan's job; it carries nothing, the
// scan reads the clock when it runs.
type escalationArgs struct{}

func (escalationArgs) Kind() string { return KindEscalation }

// addEscalation adds to p the escalation scan (§13.4 of the notifications
// contract, docs/notifications.md): a periodic job on the escalation
// queue, which River's leader election lets one server insert, and the
// worker of the staff digests it enqueues on the e-mail queue.
func (a *App) addEscalation(p *queueParts) {
	n := a.Config.Notifications
	store := repository.NewEscalationStore(a.DB, river.InsertOpts{Queue: QueueEmail, MaxAttempts: n.MaxAttempts})
	scan := escalation.NewService(store, a.Catalog.Calendar, n.DueSoonHours, a.Now)
	river.AddWorker(p.workers, &escalationWorker{scan: scan, metrics: a.QueueMetrics, app: a})
	river.AddWorker(p.workers, &digestWorker{store: store, email: a.Email, metrics: a.QueueMetrics,
		loc: a.Config.Location()})
	p.periodic = append(p.periodic, river.NewPeriodicJob(river.PeriodicInterval(n.EscalationInterval),
		func() (river.JobArgs, *river.InsertOpts) {
			return escalationArgs{}, &river.InsertOpts{
				Queue: QueueEscalation,
				// A failed scan is not retried: the next one, an interval
				// later, does its work.
				MaxAttempts: 1,
				// One scan waiting or running at a time: a slow one (a
				// backlog) does not pile more up behind it.
				UniqueOpts: river.UniqueOpts{ByState: []rivertype.JobState{rivertype.JobStateAvailable,
					rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateScheduled}},
			}
		}, &river.PeriodicJobOpts{RunOnStart: true}))
}

// escalationWorker runs one scan and counts its crossings once committed.
type escalationWorker struct {
	river.WorkerDefaults[escalationArgs]
	scan    *escalation.Service
	metrics *outbox.Metrics
	app     *App
}

func (w *escalationWorker) Work(ctx context.Context, _ *river.Job[escalationArgs]) error {
	cs, err := w.scan.Run(ctx)
	for _, c := range cs {
		w.metrics.Escalations.WithLabelValues(string(c.Type())).Inc()
	}
	if len(cs) > 0 {
		w.app.Log.InfoContext(ctx, "escalation run", "crossings", len(cs))
	}
	return err
}

// digestWorker sends one staff digest. A failed send is retried on the
// delivery schedule (the job's MaxAttempts); a recipient disabled or
// without an address by then gets nothing.
type digestWorker struct {
	river.WorkerDefaults[repository.DigestArgs]
	store   *repository.EscalationStore
	email   notify.EmailSender
	metrics *outbox.Metrics
	loc     *time.Location
}

func (w *digestWorker) Work(ctx context.Context, job *river.Job[repository.DigestArgs]) error {
	to, items, err := w.store.DigestOf(ctx, job.Args)
	if err != nil {
		return fmt.Errorf("digest %d: %w", job.ID, err)
	}
	if to == "" || len(items) == 0 {
		return nil
	}
	m, err := notify.Digest(digestData(items, w.loc))
	if err != nil {
		return river.JobCancel(fmt.Errorf("digest %d: %w", job.ID, err))
	}
	_, err = w.email.SendEmail(ctx, notify.EmailMessage{To: to, Type: repository.KindDigest, Email: m})
	w.metrics.Deliveries.WithLabelValues("email", outbox.Result(err == nil, job.JobRow)).Inc()
	if err != nil {
		return fmt.Errorf("digest %d: %w", job.ID, err)
	}
	return nil
}

// digestData is the digest's lines, due times in loc.
func digestData(items []escalation.Item, loc *time.Location) notify.DigestData {
	var d notify.DigestData
	for _, it := range items {
		line := notify.DigestItem{Kind: notify.DigestDueSoon, Subject: notify.DigestDossier, Code: it.Code,
			ProcedureName: it.ProcedureName, DueAt: notify.FormatTime(it.DueAt, loc)}
		if it.Kind == escalation.Overdue {
			line.Kind = notify.DigestOverdue
		}
		if it.Subject == event.SubjectFeedback {
			line.Subject = notify.DigestFeedback
		}
		d.Items = append(d.Items, line)
	}
	return d
}
