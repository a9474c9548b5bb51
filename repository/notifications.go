package repository

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/event"
)

// Citizens' notifications (migration 00020): one row per event and channel
// the applicant or sender opted into, and one queue job per row that sends
// it. The row keeps the address masked only: the job reads the clear one,
// sealed, from the item when it sends.

// The job kinds of citizens' messages, one per channel (also counted by
// the outbox gauge, OutboxKinds).
const (
	KindEmail = "email"
	KindSMS   = "sms"
)

// The statuses of a notification.
const (
	NotificationPending = "pending" // not sent yet, or failed and to be tried again
	NotificationSent    = "sent"    // the SMTP server or the gateway took it
	NotificationLogged  = "logged"  // the log-only adapter took it
	NotificationDead    = "dead"    // the last attempt failed, or it cannot be sent
)

// EmailArgs is the queue job that sends notification NotificationID by
// e-mail.
type EmailArgs struct {
	NotificationID int64 `json:"notification_id"`
}

// Kind implements river.JobArgs.
func (EmailArgs) Kind() string { return KindEmail }

// SMSArgs is the queue job that sends notification NotificationID by SMS.
type SMSArgs struct {
	NotificationID int64 `json:"notification_id"`
}

// Kind implements river.JobArgs.
func (SMSArgs) Kind() string { return KindSMS }

// notificationRow maps the notifications table.
type notificationRow struct {
	ID        int64 `gorm:"primaryKey"`
	EventID   string
	Channel   string
	ToMasked  string
	Status    string
	Attempts  int
	LastError *string
	CreatedAt time.Time
	UpdatedAt time.Time
	SentAt    *time.Time
}

func (notificationRow) TableName() string { return "notifications" }

// NotifyPolicy is what the notifications' fan-out needs from the wiring.
type NotifyPolicy struct {
	// Sends reports whether a message of event type typ exists on channel:
	// a type citizens are told about, whose template is not turned off.
	Sends func(channel string, typ event.Type) bool
	// Mask writes an address of channel for the events list.
	Mask func(channel, address string) string
	// Opts are the insert options of a channel's job (queue, attempts).
	Opts func(channel string) *river.InsertOpts
}

// contact is what an item says about telling its citizen: the channels
// asked for and the clear addresses.
type contact struct {
	notify       []string
	email, phone string
	receivedAt   *time.Time
	refusal      string // a feedback item's refusal reason
}

// address is c's address on channel.
func (c contact) address(channel string) string {
	if channel == domain.NotifyEmail {
		return c.email
	}
	return c.phone
}

// contactOf reads the channels and the opened addresses of the item
// subject/code.
func contactOf(tx *gorm.DB, sl *Sealer, subject event.Subject, code string) (contact, error) {
	switch subject {
	case event.SubjectDossier:
		var r dossierRow
		if err := tx.Select("id", "code", "notify", "applicant_email", "applicant_phone", "received_at").
			Where("code = ?", code).Take(&r).Error; err != nil {
			return contact{}, translate(err, dossierNoun)
		}
		c := contact{notify: domain.SplitNotify(r.Notify), receivedAt: utcPtr(r.ReceivedAt)}
		var err error
		if c.email, err = sl.open(fieldApplicantEmail, r.Code, r.ApplicantEmail); err != nil {
			return contact{}, err
		}
		if c.phone, err = sl.open(fieldApplicantPhone, r.Code, r.ApplicantPhone); err != nil {
			return contact{}, err
		}
		return c, nil
	case event.SubjectFeedback:
		var r feedbackRow
		if err := tx.Select("id", "code", "notify", "sender_email", "sender_phone", "received_at", "refusal_reason").
			Where("code = ?", code).Take(&r).Error; err != nil {
			return contact{}, translate(err, feedbackNoun)
		}
		received := r.ReceivedAt.UTC()
		c := contact{notify: domain.SplitNotify(r.Notify), receivedAt: &received, refusal: deref(r.RefusalReason)}
		var err error
		if c.email, err = sl.open(fieldSenderEmail, r.Code, deref(r.SenderEmail)); err != nil {
			return contact{}, err
		}
		if c.phone, err = sl.open(fieldSenderPhone, r.Code, deref(r.SenderPhone)); err != nil {
			return contact{}, err
		}
		return c, nil
	}
	return contact{}, fmt.Errorf("notifications: unknown subject %q", subject)
}

// NotificationFanout is the dispatch's part that tells the citizen: for an
// event of a type p sends, one notifications row per channel the item
// opted into (and has an address for), and its email or sms job, in the
// dispatch's transaction. The unique (event, channel) makes a second run
// write nothing.
func NotificationFanout(sl *Sealer, p NotifyPolicy) Fanout {
	one := notifyOneEvent(sl, p)
	return func(ctx context.Context, tx *gorm.DB, events []event.Record) error {
		for _, e := range events {
			if err := one(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	}
}

// notifyOneEvent is NotificationFanout for one event.
func notifyOneEvent(sl *Sealer, p NotifyPolicy) func(ctx context.Context, tx *gorm.DB, e event.Record) error {
	return func(ctx context.Context, tx *gorm.DB, e event.Record) error {
		if !p.Sends(domain.NotifyEmail, e.Type) && !p.Sends(domain.NotifySMS, e.Type) {
			return nil
		}
		c, err := contactOf(tx, sl, e.Subject, e.Code)
		if err != nil {
			return err
		}
		for _, ch := range c.notify {
			to := c.address(ch)
			if !p.Sends(ch, e.Type) || to == "" {
				continue
			}
			now := time.Now().UTC()
			r := notificationRow{EventID: e.ID, Channel: ch, ToMasked: p.Mask(ch, to), Status: NotificationPending,
				CreatedAt: now, UpdatedAt: now}
			res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&r)
			if res.Error != nil {
				return translate(res.Error, "thông báo")
			}
			if res.RowsAffected == 0 {
				continue // written by an earlier run
			}
			var args river.JobArgs = EmailArgs{NotificationID: r.ID}
			if ch == domain.NotifySMS {
				args = SMSArgs{NotificationID: r.ID}
			}
			if err := EnqueueTx(ctx, tx, args, p.Opts(ch)); err != nil {
				return err
			}
		}
		return nil
	}
}

// Message is what one attempt at a notification needs: the row, its
// event, the clear address read from the item now, and what staff wrote
// for the action (the event's history entry).
type Message struct {
	ID       int64
	Channel  string
	Status   string
	Attempts int
	EventID  string
	Type     event.Type
	Subject  event.Subject
	Code     string
	// To is the clear address, read from the item at send time; "" when
	// the item no longer has one.
	To string
	// From the event's body: the item as the change left it.
	ProcedureCode string
	AgencyCode    string
	DueAt         *time.Time
	AppointmentAt *time.Time
	// ReceivedAt is the item's.
	ReceivedAt *time.Time
	// Reason, Items and Amount are what staff wrote for the action: a
	// dossier's from its history entry, a feedback refusal's reason from
	// the item.
	Reason string
	Items  []string
	Amount *int64
}

// NotificationStore reads notifications for their jobs and records each
// attempt.
type NotificationStore struct {
	db   *gorm.DB
	seal *Sealer
}

// NewNotificationStore returns the notifications of db, opening the items'
// addresses with sl.
func NewNotificationStore(db *gorm.DB, sl *Sealer) *NotificationStore {
	return &NotificationStore{db: db, seal: sl}
}

// Message returns notification id with what its message needs; KindNotFound
// for an unknown id.
func (s *NotificationStore) Message(ctx context.Context, id int64) (Message, error) {
	db := conn(ctx, s.db)
	var n notificationRow
	if err := db.Where("id = ?", id).Take(&n).Error; err != nil {
		return Message{}, translate(err, "thông báo")
	}
	var e eventRow
	if err := db.Where("id = ?", n.EventID).Take(&e).Error; err != nil {
		return Message{}, translate(err, "sự kiện")
	}
	var body dossierBody
	if err := json.Unmarshal([]byte(e.Body), &body); err != nil {
		return Message{}, fmt.Errorf("notification %d: event body: %w", id, err)
	}
	m := Message{ID: n.ID, Channel: n.Channel, Status: n.Status, Attempts: n.Attempts, EventID: e.ID,
		Type: event.Type(e.Type), Subject: event.Subject(e.Subject), Code: e.Code,
		ProcedureCode: deref(body.ProcedureCode), AgencyCode: deref(body.AgencyCode),
		DueAt: utcPtr(body.DueAt), AppointmentAt: utcPtr(body.AppointmentAt)}
	c, err := contactOf(db, s.seal, m.Subject, m.Code)
	if err != nil {
		return Message{}, err
	}
	m.To, m.ReceivedAt = c.address(m.Channel), c.receivedAt
	if m.Subject == event.SubjectFeedback && deref(e.Action) == "refuse" {
		m.Reason = c.refusal
	}
	if m.Subject == event.SubjectDossier && e.HistoryID != nil {
		var h historyRow
		if err := db.Where("id = ?", *e.HistoryID).Take(&h).Error; err != nil {
			return Message{}, translate(err, "lịch sử hồ sơ")
		}
		entry, err := h.asDomain()
		if err != nil {
			return Message{}, err
		}
		m.Reason, _ = entry.Details["reason"].(string)
		if items, ok := entry.Details["items"].([]any); ok {
			for _, it := range items {
				if s, ok := it.(string); ok {
					m.Items = append(m.Items, s)
				}
			}
		}
		if a, ok := entry.Details["amount"].(float64); ok {
			v := int64(a)
			m.Amount = &v
		}
	}
	return m, nil
}

// Attempt is the outcome of one attempt at a notification.
type Attempt struct {
	Status    string     // the status after it
	Attempts  int        // attempts made so far, this one included
	LastError string     // "" after a success
	SentAt    *time.Time // set with sent and logged
}

// maxErrorLen bounds last_error (characters).
const maxErrorLen = 300

// Attempted records the outcome a of an attempt at notification id.
func (s *NotificationStore) Attempted(ctx context.Context, id int64, a Attempt) error {
	r := []rune(a.LastError)
	if len(r) > maxErrorLen {
		a.LastError = string(r[:maxErrorLen-1]) + "…"
	}
	res := conn(ctx, s.db).Model(&notificationRow{}).Where("id = ?", id).Updates(map[string]any{
		"status": a.Status, "attempts": a.Attempts, "last_error": nullable(a.LastError),
		"sent_at": utcPtr(a.SentAt), "updated_at": time.Now().UTC()})
	if res.Error != nil {
		return translate(res.Error, "thông báo")
	}
	if res.RowsAffected == 0 {
		return errors.New("notification: row is gone")
	}
	return nil
}

// notificationsOf returns the notifications of the events of the item
// subject/code by event id, each event's in channel order: one query for
// all of them.
func notificationsOf(db *gorm.DB, subject event.Subject, code string) (map[string][]event.Notification, error) {
	var rows []notificationRow
	err := db.Model(&notificationRow{}).Select("notifications.*").
		Joins("JOIN events ON events.id = notifications.event_id").
		Where("events.subject = ? AND events.code = ?", string(subject), code).
		Order("notifications.event_id, notifications.channel").Find(&rows).Error
	if err != nil {
		return nil, translate(err, "thông báo")
	}
	out := map[string][]event.Notification{}
	for _, r := range rows {
		out[r.EventID] = append(out[r.EventID], event.Notification{Channel: r.Channel, To: r.ToMasked, Status: r.Status,
			Attempts: r.Attempts, LastError: deref(r.LastError), SentAt: utcPtr(r.SentAt)})
	}
	return out, nil
}
