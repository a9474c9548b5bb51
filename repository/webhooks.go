package repository

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/webhook"
)

// webhookRow maps the webhooks table (migration 00019).
type webhookRow struct {
	ID          string `gorm:"primaryKey"`
	URL         string
	Events      string // JSON array
	UnitCode    *string
	Description string
	Secret      string // sealed
	CreatedAt   time.Time
	CreatedBy   string
	DeletedAt   *time.Time
}

func (webhookRow) TableName() string { return "webhooks" }

func (r webhookRow) subscription() webhook.Subscription {
	var events []string
	_ = json.Unmarshal([]byte(r.Events), &events) // written by Create, always an array
	return webhook.Subscription{ID: r.ID, URL: r.URL, Events: events, UnitCode: deref(r.UnitCode),
		Description: r.Description, CreatedAt: r.CreatedAt.UTC(), CreatedBy: r.CreatedBy}
}

// deliveryRow maps webhook_deliveries.
type deliveryRow struct {
	ID             string `gorm:"primaryKey"`
	WebhookID      string
	EventID        string
	EventType      string
	Code           string
	Status         string
	Attempts       int
	LastStatusCode *int
	LastError      *string
	NextAttemptAt  *time.Time
	CreatedAt      time.Time
	DeliveredAt    *time.Time
	EndedAt        *time.Time
	AttemptLog     string
}

func (deliveryRow) TableName() string { return "webhook_deliveries" }

// attemptJSON is an entry of attempt_log, the delivery log's shape.
type attemptJSON struct {
	At         time.Time `json:"at"`
	StatusCode *int      `json:"status_code"`
	Error      *string   `json:"error"`
	DurationMS int64     `json:"duration_ms"`
}

func (r deliveryRow) delivery() webhook.Delivery {
	var log []attemptJSON
	_ = json.Unmarshal([]byte(r.AttemptLog), &log) // written by RecordAttempt, always an array
	d := webhook.Delivery{ID: r.ID, SubscriptionID: r.WebhookID, EventID: r.EventID, EventType: r.EventType,
		Code: r.Code, Status: r.Status, Attempts: r.Attempts, LastError: deref(r.LastError),
		NextAttemptAt: utcPtr(r.NextAttemptAt), CreatedAt: r.CreatedAt.UTC(), DeliveredAt: utcPtr(r.DeliveredAt),
		Log: make([]webhook.Attempt, len(log))}
	if r.LastStatusCode != nil {
		d.LastStatusCode = *r.LastStatusCode
	}
	for i, a := range log {
		d.Log[i] = webhook.Attempt{At: a.At.UTC(), Error: deref(a.Error), DurationMS: a.DurationMS}
		if a.StatusCode != nil {
			d.Log[i].StatusCode = *a.StatusCode
		}
	}
	return d
}

// WebhookArgs is the queue job of one round of attempts of a delivery.
type WebhookArgs struct {
	DeliveryID string `json:"delivery_id"`
}

// Kind implements river.JobArgs.
func (WebhookArgs) Kind() string { return KindWebhook }

// KindWebhook is the webhook delivery job's kind and queue.
const KindWebhook = "webhook"

// SecretSealer seals subscription secrets at rest (webhook.SecretBox).
type SecretSealer interface {
	Seal(id, secret string) (string, error)
	Open(id, sealed string) (string, error)
}

// WebhookStore keeps webhook subscriptions and deliveries.
type WebhookStore struct {
	db          *gorm.DB
	box         SecretSealer
	maxAttempts int
}

var _ webhook.Store = (*WebhookStore)(nil)

// NewWebhookStore returns the store; maxAttempts is each round's attempt
// limit (MOTCUA_DELIVERY_MAX_ATTEMPTS).
func NewWebhookStore(db *gorm.DB, box SecretSealer, maxAttempts int) *WebhookStore {
	return &WebhookStore{db: db, box: box, maxAttempts: maxAttempts}
}

const webhookNoun = "webhook"

// Create implements webhook.Store.
func (s *WebhookStore) Create(ctx context.Context, sub webhook.Subscription, secret string) error {
	sealed, err := s.box.Seal(sub.ID, secret)
	if err != nil {
		return err
	}
	events, err := json.Marshal(sub.Events)
	if err != nil {
		return fmt.Errorf("webhook events: %w", err)
	}
	r := webhookRow{ID: sub.ID, URL: sub.URL, Events: string(events), UnitCode: nullable(sub.UnitCode),
		Description: sub.Description, Secret: sealed, CreatedAt: sub.CreatedAt.UTC(), CreatedBy: sub.CreatedBy}
	return translate(conn(ctx, s.db).Create(&r).Error, webhookNoun)
}

// List implements webhook.Store.
func (s *WebhookStore) List(ctx context.Context, units []string, p domain.Page) ([]webhook.Subscription, int64, error) {
	q := conn(ctx, s.db).Model(&webhookRow{}).Where("deleted_at IS NULL")
	if units != nil {
		q = q.Where("unit_code IN ?", units)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err, webhookNoun)
	}
	var rows []webhookRow
	if err := q.Order("created_at, id").Offset(p.Offset()).Limit(p.PageSize).Find(&rows).Error; err != nil {
		return nil, 0, translate(err, webhookNoun)
	}
	out := make([]webhook.Subscription, len(rows))
	for i, r := range rows {
		out[i] = r.subscription()
	}
	return out, total, nil
}

// Get implements webhook.Store.
func (s *WebhookStore) Get(ctx context.Context, id string) (webhook.Subscription, error) {
	var r webhookRow
	if err := conn(ctx, s.db).Where("id = ? AND deleted_at IS NULL", id).Take(&r).Error; err != nil {
		return webhook.Subscription{}, translate(err, webhookNoun)
	}
	return r.subscription(), nil
}

// Delete implements webhook.Store.
func (s *WebhookStore) Delete(ctx context.Context, id string, at time.Time) error {
	return transaction(ctx, s.db, func(tx *gorm.DB) error {
		res := tx.Model(&webhookRow{}).Where("id = ? AND deleted_at IS NULL", id).Update("deleted_at", at.UTC())
		if res.Error != nil {
			return translate(res.Error, webhookNoun)
		}
		if res.RowsAffected == 0 {
			return domain.NotFound(webhookNoun)
		}
		return tx.Model(&deliveryRow{}).Where("webhook_id = ? AND status = ?", id, webhook.StatusPending).
			Updates(map[string]any{"status": webhook.StatusCancelled, "next_attempt_at": nil, "ended_at": at.UTC()}).Error
	})
}

// Deliveries implements webhook.Store.
func (s *WebhookStore) Deliveries(ctx context.Context, id string, f webhook.DeliveryFilter) ([]webhook.Delivery, int64, error) {
	q := conn(ctx, s.db).Model(&deliveryRow{}).Where("webhook_id = ?", id)
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.EventID != "" {
		q = q.Where("event_id = ?", f.EventID)
	}
	if f.Code != "" {
		q = q.Where("code = ?", f.Code)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err, webhookNoun)
	}
	var rows []deliveryRow
	if err := q.Order("created_at DESC, id DESC").Offset(f.Page.Offset()).Limit(f.Page.PageSize).Find(&rows).Error; err != nil {
		return nil, 0, translate(err, webhookNoun)
	}
	out := make([]webhook.Delivery, len(rows))
	for i, r := range rows {
		out[i] = r.delivery()
	}
	return out, total, nil
}

// Redeliver implements webhook.Store: the delivery goes back to pending and
// a new job starts a round of attempts, in one transaction.
func (s *WebhookStore) Redeliver(ctx context.Context, id, deliveryID string, at time.Time) error {
	return transaction(ctx, s.db, func(tx *gorm.DB) error {
		var r deliveryRow
		if err := lockRow(tx).Where("id = ? AND webhook_id = ?", deliveryID, id).Take(&r).Error; err != nil {
			return translate(err, "lần gửi webhook")
		}
		if r.Status != webhook.StatusSucceeded && r.Status != webhook.StatusDead {
			return &domain.Error{Kind: domain.KindConflict, Message: "Lần gửi đang chờ gửi; không gửi lại được"}
		}
		if err := tx.Model(&deliveryRow{}).Where("id = ?", deliveryID).Updates(map[string]any{
			"status": webhook.StatusPending, "next_attempt_at": at.UTC(), "ended_at": nil}).Error; err != nil {
			return translate(err, "lần gửi webhook")
		}
		return s.enqueue(ctx, tx, deliveryID)
	})
}

func (s *WebhookStore) enqueue(ctx context.Context, tx *gorm.DB, deliveryID string) error {
	return EnqueueTx(ctx, tx, WebhookArgs{DeliveryID: deliveryID},
		&river.InsertOpts{Queue: KindWebhook, MaxAttempts: s.maxAttempts})
}

// WebhookTarget is a live subscription as the dispatch fan-out matches it.
type WebhookTarget struct {
	ID       string
	Events   []string
	UnitCode string
}

// LiveWebhooks lists the subscriptions not deleted, read in tx.
func (s *WebhookStore) LiveWebhooks(ctx context.Context, tx *gorm.DB) ([]WebhookTarget, error) {
	var rows []webhookRow
	if err := tx.WithContext(ctx).Select("id", "events", "unit_code").Where("deleted_at IS NULL").
		Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err, webhookNoun)
	}
	out := make([]WebhookTarget, len(rows))
	for i, r := range rows {
		sub := r.subscription()
		out[i] = WebhookTarget{ID: sub.ID, Events: sub.Events, UnitCode: sub.UnitCode}
	}
	return out, nil
}

// AddDelivery inserts, in tx, the delivery of event to subscription
// webhookID with its first job, unless it exists (a dispatch retried).
func (s *WebhookStore) AddDelivery(ctx context.Context, tx *gorm.DB, webhookID, eventID, eventType, code string, at time.Time) error {
	id, err := webhook.NewID("whd_")
	if err != nil {
		return err
	}
	at = at.UTC()
	r := deliveryRow{ID: id, WebhookID: webhookID, EventID: eventID, EventType: eventType, Code: code,
		Status: webhook.StatusPending, NextAttemptAt: &at, CreatedAt: at, AttemptLog: "[]"}
	res := tx.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&r)
	if res.Error != nil {
		return translate(res.Error, "lần gửi webhook")
	}
	if res.RowsAffected == 0 {
		return nil
	}
	return s.enqueue(ctx, tx, id)
}

// Pending is a delivery about to be attempted: where, with what secret,
// which bytes.
type Pending struct {
	Delivery webhook.Delivery
	URL      string
	Secret   string
	Body     []byte
}

// ForAttempt reads delivery id for an attempt; ok is false when it is no
// longer pending (cancelled with its subscription, or already final).
func (s *WebhookStore) ForAttempt(ctx context.Context, id string) (p Pending, ok bool, err error) {
	var r deliveryRow
	if err := conn(ctx, s.db).Where("id = ?", id).Take(&r).Error; err != nil {
		return Pending{}, false, translate(err, "lần gửi webhook")
	}
	if r.Status != webhook.StatusPending {
		return Pending{}, false, nil
	}
	var w webhookRow
	if err := conn(ctx, s.db).Where("id = ?", r.WebhookID).Take(&w).Error; err != nil {
		return Pending{}, false, translate(err, webhookNoun)
	}
	if w.DeletedAt != nil {
		return Pending{}, false, nil
	}
	var e eventRow
	if err := conn(ctx, s.db).Select("body").Where("id = ?", r.EventID).Take(&e).Error; err != nil {
		return Pending{}, false, translate(err, "sự kiện")
	}
	secret, err := s.box.Open(w.ID, w.Secret)
	if err != nil {
		return Pending{}, false, err
	}
	return Pending{Delivery: r.delivery(), URL: w.URL, Secret: secret, Body: []byte(e.Body)}, true, nil
}

// Outcome is what an attempt leaves the delivery as.
type Outcome struct {
	Attempt   webhook.Attempt
	Delivered bool
	Dead      bool       // the last attempt failed
	Next      *time.Time // when the next attempt comes, for a failure that is not the last
}

// RecordAttempt appends a's attempt to the delivery's log and sets its
// status, in one transaction; a delivery no longer pending (cancelled
// meanwhile) keeps its status and gets the entry in its log.
func (s *WebhookStore) RecordAttempt(ctx context.Context, id string, o Outcome) error {
	return transaction(ctx, s.db, func(tx *gorm.DB) error {
		var r deliveryRow
		if err := lockRow(tx).Where("id = ?", id).Take(&r).Error; err != nil {
			return translate(err, "lần gửi webhook")
		}
		var log []attemptJSON
		_ = json.Unmarshal([]byte(r.AttemptLog), &log)
		a := o.Attempt
		entry := attemptJSON{At: a.At.UTC(), DurationMS: a.DurationMS}
		if a.StatusCode != 0 {
			code := a.StatusCode
			entry.StatusCode = &code
		}
		if a.Error != "" {
			msg := a.Error
			entry.Error = &msg
		}
		log = append(log, entry)
		b, err := json.Marshal(log)
		if err != nil {
			return fmt.Errorf("attempt log: %w", err)
		}
		u := map[string]any{"attempts": r.Attempts + 1, "attempt_log": string(b),
			"last_status_code": entry.StatusCode, "last_error": entry.Error}
		if r.Status == webhook.StatusPending {
			now := a.At.UTC()
			switch {
			case o.Delivered:
				u["status"], u["delivered_at"], u["ended_at"], u["next_attempt_at"] = webhook.StatusSucceeded, now, now, nil
			case o.Dead:
				u["status"], u["ended_at"], u["next_attempt_at"] = webhook.StatusDead, now, nil
			default:
				u["next_attempt_at"] = utcPtr(o.Next)
			}
		}
		return tx.Model(&deliveryRow{}).Where("id = ?", id).Updates(u).Error
	})
}

// PurgeDeliveries deletes the deliveries that ended before cutoff, and
// the deleted subscriptions left with none.
func (s *WebhookStore) PurgeDeliveries(ctx context.Context, cutoff time.Time) (int64, error) {
	res := conn(ctx, s.db).Where("ended_at IS NOT NULL AND ended_at < ?", cutoff.UTC()).Delete(&deliveryRow{})
	if res.Error != nil {
		return 0, translate(res.Error, "lần gửi webhook")
	}
	err := conn(ctx, s.db).Where("deleted_at IS NOT NULL AND deleted_at < ? AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.webhook_id = webhooks.id)", cutoff.UTC()).
		Delete(&webhookRow{}).Error
	return res.RowsAffected, translate(err, webhookNoun)
}
