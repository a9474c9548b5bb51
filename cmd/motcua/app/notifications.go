package app

import (
	"fmt"
	"log/slog"

	"github.com/riverqueue/river"

	"github.com/motcua/motcua/config"
	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/event"
	"github.com/motcua/motcua/notify"
	"github.com/motcua/motcua/outbox"
	"github.com/motcua/motcua/repository"
)

// addNotifications adds citizens' messages (docs/notifications.md) to the
// queue's parts: the fan-out that writes one notification per opted-in
// channel of an event of a message type, and the email and sms workers
// that send them. The templates are loaded here, once: one that does not
// parse or names an unknown field fails New, naming its file, so serve
// does not start.
func (a *App) addNotifications(p *queueParts) error {
	n := a.Config.Notifications
	tpl, err := notify.Load(n.TemplatesDir, n.PublicPortalURL)
	if err != nil {
		return fmt.Errorf("MOTCUA_TEMPLATES_DIR: %w", err)
	}
	sms, err := smsSender(n, a.Log)
	if err != nil {
		return err
	}
	notifier := &outbox.Notifier{Store: repository.NewNotificationStore(a.DB, a.Sealer), Templates: tpl,
		Email: a.Email, SMS: sms, Names: a.Catalog, Metrics: a.QueueMetrics, Location: a.Config.Location(),
		Portal: n.PublicPortalURL, Now: a.Now}
	river.AddWorker(p.workers, &outbox.EmailWorker{Notifier: notifier})
	river.AddWorker(p.workers, &outbox.SMSWorker{Notifier: notifier})

	types := map[event.Type]bool{}
	for _, t := range notify.Types() {
		types[event.Type(t)] = true
	}
	p.fanouts = append(p.fanouts, repository.NotificationFanout(a.Sealer, repository.NotifyPolicy{
		// An empty template turns the message off: no notification is
		// written for it at all, so the events list shows nothing to send.
		Sends: func(channel string, t event.Type) bool { return types[t] && tpl.On(channel, string(t)) },
		Mask: func(channel, address string) string {
			if channel == domain.NotifyEmail {
				return notify.MaskEmail(address)
			}
			return notify.MaskPhone(address)
		},
		Opts: func(channel string) *river.InsertOpts {
			q := QueueEmail
			if channel == domain.NotifySMS {
				q = QueueSMS
			}
			return &river.InsertOpts{Queue: q, MaxAttempts: n.MaxAttempts}
		},
	}))
	return nil
}

// smsSender is the SMS channel of n: an HTTP gateway with
// MOTCUA_SMS_PROVIDER=http, else a log line per message.
func smsSender(n config.Notifications, log *slog.Logger) (notify.SMSSender, error) {
	if n.SMSProvider != config.SMSHTTP {
		return notify.LogSMSSender{Log: log.With("component", "sms")}, nil
	}
	s, err := notify.NewHTTPSMSSender(notify.HTTPSMSConfig{URL: n.SMSURL, Body: n.SMSBody,
		AuthHeader: string(n.SMSAuthHeader), Timeout: n.WebhookTimeout})
	if err != nil {
		return nil, fmt.Errorf("MOTCUA_SMS_*: %w", err)
	}
	return s, nil
}
