package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/motcua/motcua/domain/event"
	dwebhook "github.com/motcua/motcua/domain/webhook"
	"github.com/motcua/motcua/repository"
	"github.com/motcua/motcua/webhook"
)

// Webhooks fans events out to the webhook subscriptions and makes their
// delivery attempts.
type Webhooks struct {
	Store *repository.WebhookStore
	// Units is the agency tree, for subscriptions restricted to a unit.
	Units     func(ctx context.Context) (dwebhook.Units, error)
	Deliverer *webhook.Deliverer
	Retry     RetryPolicy
	Metrics   *Metrics
	Log       *slog.Logger
	Now       func() time.Time
}

// unitsOf are the units an event concerns, from its body.
type unitsOf struct {
	UnitCode   *string `json:"unit_code"`
	AgencyCode *string `json:"agency_code"`
	HolderUnit *string `json:"holder_unit"`
}

// Fanout is the dispatch fan-out: for each event, one delivery (and its
// job) per live subscription that names the event's type and, when it is
// restricted to a unit, concerns that unit or one below it. The
// subscriptions and the agency tree are read once per batch.
func (w *Webhooks) Fanout(ctx context.Context, tx *gorm.DB, events []event.Record) error {
	subs, err := w.Store.LiveWebhooks(ctx, tx)
	if err != nil || len(subs) == 0 {
		return err
	}
	var tree dwebhook.Units
	for _, e := range events {
		var u unitsOf
		if err := json.Unmarshal(e.Body, &u); err != nil {
			return fmt.Errorf("event %s: %w", e.ID, err)
		}
		for _, s := range subs {
			if !dwebhook.MatchesAny(s.Events, string(e.Type)) {
				continue
			}
			if s.UnitCode != "" {
				if tree == nil {
					if tree, err = w.Units(ctx); err != nil {
						return err
					}
				}
				if !concerns(tree, s.UnitCode, u) {
					continue
				}
			}
			if err := w.Store.AddDelivery(ctx, tx, s.ID, e.ID, string(e.Type), e.Code, w.Now()); err != nil {
				return err
			}
		}
	}
	return nil
}

func concerns(tree dwebhook.Units, unit string, u unitsOf) bool {
	for _, c := range []*string{u.UnitCode, u.AgencyCode, u.HolderUnit} {
		if c != nil && *c != "" && tree.Within(*c, unit) {
			return true
		}
	}
	return false
}

// WebhookWorker makes one attempt of a delivery per job run; River runs
// the job again on the delivery schedule until it succeeds or its
// attempts are spent.
type WebhookWorker struct {
	river.WorkerDefaults[repository.WebhookArgs]
	*Webhooks
}

// errAttemptFailed makes River retry the job; the delivery's log says why.
var errAttemptFailed = errors.New("webhook attempt failed")

// Work implements river.Worker.
func (w *WebhookWorker) Work(ctx context.Context, job *river.Job[repository.WebhookArgs]) error {
	p, ok, err := w.Store.ForAttempt(ctx, job.Args.DeliveryID)
	if err != nil {
		return err
	}
	if !ok {
		return nil // cancelled with its subscription, or final: nothing to send
	}
	at := w.Now()
	res := w.Deliverer.Attempt(ctx, webhook.Request{URL: p.URL, Secret: p.Secret, EventID: p.Delivery.EventID,
		EventType: p.Delivery.EventType, DeliveryID: p.Delivery.ID, Body: p.Body})
	o := repository.Outcome{Delivered: res.Delivered, Dead: !res.Delivered && LastAttempt(job.JobRow),
		Attempt: dwebhook.Attempt{At: at, StatusCode: res.StatusCode, Error: res.Error, DurationMS: res.Duration.Milliseconds()}}
	if !res.Delivered && !o.Dead {
		next := time.Now().Add(w.Retry.Wait(job.JobRow))
		o.Next = &next
	}
	// The outcome is recorded even when the job's context ended (a stop):
	// the attempt was made, and its log entry must not be lost.
	rec, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := w.Store.RecordAttempt(rec, p.Delivery.ID, o); err != nil {
		return err
	}
	w.Metrics.Deliveries.WithLabelValues(KindWebhook, Result(res.Delivered, job.JobRow)).Inc()
	if res.Delivered {
		return nil
	}
	w.Log.InfoContext(ctx, "webhook attempt failed", "delivery", p.Delivery.ID, "event_id", p.Delivery.EventID,
		"attempt", job.Attempt, "error", res.Error, "dead", o.Dead)
	return fmt.Errorf("%w: %s", errAttemptFailed, res.Error)
}

// KindWebhook labels webhook attempts in the deliveries counter.
const KindWebhook = "webhook"

// RetentionArgs is the periodic job that deletes ended deliveries past
// their retention.
type RetentionArgs struct{}

// Kind implements river.JobArgs.
func (RetentionArgs) Kind() string { return "delivery_retention" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (RetentionArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: repository.QueueDispatch, MaxAttempts: 3}
}

// RetentionWorker deletes the deliveries that ended more than Days ago.
type RetentionWorker struct {
	river.WorkerDefaults[RetentionArgs]
	Store *repository.WebhookStore
	Days  int
	Now   func() time.Time
}

// Work implements river.Worker.
func (w *RetentionWorker) Work(ctx context.Context, _ *river.Job[RetentionArgs]) error {
	_, err := w.Store.PurgeDeliveries(ctx, w.Now().AddDate(0, 0, -w.Days))
	return err
}
