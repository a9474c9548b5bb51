package app

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	dwebhook "github.com/motcua/motcua/domain/webhook"
	"github.com/motcua/motcua/outbox"
	"github.com/motcua/motcua/repository"
	"github.com/motcua/motcua/webhook"
)

// retentionInterval is how often ended deliveries past their retention
// are deleted.
const retentionInterval = time.Hour

// addWebhooks wires the webhook subscriptions (a.Webhooks), the dispatch
// fan-out to them, their delivery worker and the retention of their log.
func (a *App) addWebhooks(p *queueParts) error {
	n := a.Config.Notifications
	box, err := webhook.NewSecretBox(a.DataKey)
	if err != nil {
		return err
	}
	store := repository.NewWebhookStore(a.DB, box, n.MaxAttempts)
	units := func(ctx context.Context) (dwebhook.Units, error) { return a.Catalog.Tree(ctx) }
	a.Webhooks = dwebhook.NewService(store, units, n.WebhookAllowPrivate, a.Now)
	w := &outbox.Webhooks{Store: store, Units: units,
		Deliverer: webhook.NewDeliverer(webhook.Config{Timeout: n.WebhookTimeout, AllowPrivate: n.WebhookAllowPrivate,
			Workers: n.Workers}),
		Retry:   outbox.RetryPolicy{Schedule: dwebhook.Schedule{Base: n.RetryBase, Cap: n.RetryCap, MaxAttempts: n.MaxAttempts}},
		Metrics: a.QueueMetrics, Log: a.Log.With("component", "webhook"), Now: a.Now}
	p.fanouts = append(p.fanouts, w.Fanout)
	river.AddWorker(p.workers, &outbox.WebhookWorker{Webhooks: w})
	river.AddWorker(p.workers, &outbox.RetentionWorker{Store: store, Days: n.RetentionDays, Now: a.Now})
	p.periodic = append(p.periodic, river.NewPeriodicJob(river.PeriodicInterval(retentionInterval),
		func() (river.JobArgs, *river.InsertOpts) { return outbox.RetentionArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true}))
	return nil
}
