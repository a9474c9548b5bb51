package outbox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/event"
	"github.com/motcua/motcua/notify"
	"github.com/motcua/motcua/repository"
)

// Names gives the catalogue's names of procedures and agencies
// (*catalog.Service does); KindNotFound for an unknown code.
type Names interface {
	ProcedureName(ctx context.Context, code string) (string, error)
	AgencyName(ctx context.Context, code string) (string, error)
}

// Notifier makes the attempts at citizens' messages: each job is one
// attempt, which reads the notification, renders its message, sends it and
// records the outcome. The queue retries a failed attempt on the delivery
// schedule until the job's last.
type Notifier struct {
	Store     *repository.NotificationStore
	Templates *notify.Templates
	Email     notify.EmailSender
	SMS       notify.SMSSender
	Names     Names
	Metrics   *Metrics
	Location  *time.Location
	Portal    string           // MOTCUA_PUBLIC_PORTAL_URL
	Now       func() time.Time // when a message was sent
}

// EmailWorker works the email jobs.
type EmailWorker struct {
	river.WorkerDefaults[repository.EmailArgs]
	*Notifier
}

// Work implements river.Worker.
func (w *EmailWorker) Work(ctx context.Context, job *river.Job[repository.EmailArgs]) error {
	return w.attempt(ctx, job.Args.NotificationID, job.JobRow)
}

// SMSWorker works the sms jobs.
type SMSWorker struct {
	river.WorkerDefaults[repository.SMSArgs]
	*Notifier
}

// Work implements river.Worker.
func (w *SMSWorker) Work(ctx context.Context, job *river.Job[repository.SMSArgs]) error {
	return w.attempt(ctx, job.Args.NotificationID, job.JobRow)
}

// errPermanent marks a failure no retry mends: the message is dead at once.
var errPermanent = errors.New("permanent")

// attempt makes one attempt at notification id.
func (n *Notifier) attempt(ctx context.Context, id int64, job *rivertype.JobRow) error {
	m, err := n.Store.Message(ctx, id)
	if domain.KindOf(err) == domain.KindNotFound {
		return river.JobCancel(fmt.Errorf("notification %d: %w", id, err))
	}
	if err != nil {
		return fmt.Errorf("notification %d: %w", id, err)
	}
	if m.Status != repository.NotificationPending {
		return nil // recorded by an attempt whose job did not finish: done
	}
	data, err := n.data(ctx, m)
	if err != nil {
		return fmt.Errorf("notification %d: %w", id, err)
	}
	outcome, sendErr := n.send(ctx, m, data)
	ok := sendErr == nil
	result := Result(ok, job)
	permanent := errors.Is(sendErr, errPermanent)
	if permanent {
		result = "dead"
	}
	n.Metrics.Deliveries.WithLabelValues(m.Channel, result).Inc()
	a := repository.Attempt{Status: repository.NotificationPending, Attempts: job.Attempt}
	switch {
	case ok:
		now := n.now().UTC()
		a.Status, a.SentAt = string(outcome), &now
	case permanent || LastAttempt(job):
		a.Status, a.LastError = repository.NotificationDead, describe(sendErr, m.To)
	default:
		a.LastError = describe(sendErr, m.To)
	}
	if err := n.Store.Attempted(ctx, id, a); err != nil {
		// The message may have left: the retry sends it again (at least once).
		return fmt.Errorf("notification %d: record attempt: %w", id, err)
	}
	switch {
	case ok:
		return nil
	case permanent:
		return river.JobCancel(fmt.Errorf("notification %d: %s", id, a.LastError))
	default:
		return fmt.Errorf("notification %d: %s", id, a.LastError)
	}
}

func (n *Notifier) now() time.Time {
	if n.Now != nil {
		return n.Now()
	}
	return time.Now()
}

// name is a catalogue name, "" for an unknown code.
func name(ctx context.Context, lookup func(context.Context, string) (string, error), code string) (string, error) {
	if code == "" {
		return "", nil
	}
	s, err := lookup(ctx, code)
	if domain.KindOf(err) == domain.KindNotFound {
		return "", nil
	}
	return s, err
}

// data is what m's template prints: the item's code and times as its
// event left them, the catalogue's names, and what staff wrote for the
// action. No personal data reaches it (notify.Data has no field for any).
func (n *Notifier) data(ctx context.Context, m repository.Message) (notify.Data, error) {
	proc, err := name(ctx, n.Names.ProcedureName, m.ProcedureCode)
	if err != nil {
		return notify.Data{}, err
	}
	agency, err := name(ctx, n.Names.AgencyName, m.AgencyCode)
	if err != nil {
		return notify.Data{}, err
	}
	d := dossier.Dossier{Code: m.Code, ProcedureCode: m.ProcedureCode, ReceivedAt: m.ReceivedAt, DueAt: m.DueAt,
		AppointmentAt: m.AppointmentAt, PaymentAmount: m.Amount}
	if m.Subject == event.SubjectFeedback {
		d.AppointmentAt = nil
	}
	out := notify.DossierData(d, proc, agency, n.Location, n.Portal)
	out.Reason, out.Items = m.Reason, m.Items
	return out, nil
}

// send renders and sends m. An error wrapping errPermanent is one no retry
// mends: no address any more, a message turned off or that does not render.
func (n *Notifier) send(ctx context.Context, m repository.Message, d notify.Data) (notify.Outcome, error) {
	if m.To == "" {
		return "", fmt.Errorf("%w: the item has no address for %s any more", errPermanent, m.Channel)
	}
	typ := string(m.Type)
	switch m.Channel {
	case notify.ChannelEmail:
		e, on, err := n.Templates.Email(typ, d)
		if err != nil {
			return "", fmt.Errorf("%w: template %s: %v", errPermanent, typ, err)
		}
		if !on {
			return "", fmt.Errorf("%w: the e-mail of %s is turned off", errPermanent, typ)
		}
		return n.Email.SendEmail(ctx, notify.EmailMessage{To: m.To, EventID: m.EventID, Type: typ, Code: m.Code, Email: e})
	case notify.ChannelSMS:
		text, on, err := n.Templates.SMS(typ, d)
		if err != nil {
			return "", fmt.Errorf("%w: template %s: %v", errPermanent, typ, err)
		}
		if !on {
			return "", fmt.Errorf("%w: the SMS of %s is turned off", errPermanent, typ)
		}
		return n.SMS.SendSMS(ctx, notify.SMSMessage{To: m.To, Text: text, EventID: m.EventID, Type: typ, Code: m.Code})
	}
	return "", fmt.Errorf("%w: unknown channel %q", errPermanent, m.Channel)
}

// describe is the short text of a failed attempt for the events list:
// without the "notify: " prefix and the permanent mark, and never with the
// address, even if an error quoted it.
func describe(err error, address string) string {
	s := err.Error()
	s = strings.TrimPrefix(s, errPermanent.Error()+": ")
	s = strings.TrimPrefix(s, "notify: ")
	if address != "" {
		s = strings.ReplaceAll(s, address, "<recipient>")
	}
	return s
}
