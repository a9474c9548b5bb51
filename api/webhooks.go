package api

import (
	"context"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/user"
	"github.com/motcua/motcua/domain/webhook"
)

// WebhookService manages webhook subscriptions (docs/openapi.yaml, tag
// webhooks).
type WebhookService interface {
	Create(ctx context.Context, by user.Principal, in webhook.NewSubscription) (webhook.Subscription, string, error)
	List(ctx context.Context, by user.Principal, p domain.Page) ([]webhook.Subscription, int64, error)
	Get(ctx context.Context, by user.Principal, id string) (webhook.Subscription, error)
	Delete(ctx context.Context, by user.Principal, id string) error
	Deliveries(ctx context.Context, by user.Principal, id string, f webhook.DeliveryFilter) ([]webhook.Delivery, int64, error)
	Redeliver(ctx context.Context, by user.Principal, id, deliveryID string) error
}

type webhookHandler struct {
	svc WebhookService
	loc *time.Location
}

type createWebhookRequest struct {
	URL         string   `json:"url"`
	Events      []string `json:"events"`
	UnitCode    string   `json:"unit_code"`
	Description string   `json:"description"`
}

type webhookDTO struct {
	ID          string    `json:"id"`
	URL         string    `json:"url"`
	Events      []string  `json:"events"`
	UnitCode    *string   `json:"unit_code"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
	CreatedBy   string    `json:"created_by"`
}

// createdWebhookDTO is the one answer that carries the secret.
type createdWebhookDTO struct {
	webhookDTO
	Secret string `json:"secret"`
}

type attemptDTO struct {
	At         time.Time `json:"at"`
	StatusCode *int      `json:"status_code"`
	Error      *string   `json:"error"`
	DurationMS int64     `json:"duration_ms"`
}

type deliveryDTO struct {
	ID             string       `json:"id"`
	EventID        string       `json:"event_id"`
	EventType      string       `json:"event_type"`
	Code           string       `json:"code"`
	Status         string       `json:"status"`
	Attempts       int          `json:"attempts"`
	LastStatusCode *int         `json:"last_status_code"`
	LastError      *string      `json:"last_error"`
	NextAttemptAt  *time.Time   `json:"next_attempt_at"`
	CreatedAt      time.Time    `json:"created_at"`
	DeliveredAt    *time.Time   `json:"delivered_at"`
	AttemptLog     []attemptDTO `json:"attempt_log"`
}

func nonZero(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}

func (h *webhookHandler) dto(s webhook.Subscription) webhookDTO {
	return webhookDTO{ID: s.ID, URL: s.URL, Events: s.Events, UnitCode: optional(s.UnitCode),
		Description: s.Description, CreatedAt: s.CreatedAt.In(h.loc), CreatedBy: s.CreatedBy}
}

func (h *webhookHandler) deliveryDTO(d webhook.Delivery) deliveryDTO {
	log := make([]attemptDTO, len(d.Log))
	for i, a := range d.Log {
		log[i] = attemptDTO{At: a.At.In(h.loc), StatusCode: nonZero(a.StatusCode), Error: optional(a.Error),
			DurationMS: a.DurationMS}
	}
	return deliveryDTO{ID: d.ID, EventID: d.EventID, EventType: d.EventType, Code: d.Code, Status: d.Status,
		Attempts: d.Attempts, LastStatusCode: nonZero(d.LastStatusCode), LastError: optional(d.LastError),
		NextAttemptAt: inLoc(d.NextAttemptAt, h.loc), CreatedAt: d.CreatedAt.In(h.loc),
		DeliveredAt: inLoc(d.DeliveredAt, h.loc), AttemptLog: log}
}

func (h *webhookHandler) create(c *gin.Context) (answer, error) {
	var req createWebhookRequest
	if err := decodeJSON(c, &req); err != nil {
		return answer{}, err
	}
	s, secret, err := h.svc.Create(c.Request.Context(), principal(c), webhook.NewSubscription{
		URL: req.URL, Events: req.Events, UnitCode: req.UnitCode, Description: req.Description})
	if err != nil {
		return answer{}, err
	}
	return created(createdWebhookDTO{webhookDTO: h.dto(s), Secret: secret}), nil
}

func (h *webhookHandler) list(c *gin.Context) (answer, error) {
	page, size, err := pageParams(c)
	if err != nil {
		return answer{}, err
	}
	items, total, err := h.svc.List(c.Request.Context(), principal(c), domain.Page{Page: page, PageSize: size})
	if err != nil {
		return answer{}, err
	}
	return ok(newList(mapItems(items, h.dto), page, size, total)), nil
}

func (h *webhookHandler) get(c *gin.Context) (answer, error) {
	s, err := h.svc.Get(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		return answer{}, err
	}
	return ok(h.dto(s)), nil
}

func (h *webhookHandler) delete(c *gin.Context) (answer, error) {
	if err := h.svc.Delete(c.Request.Context(), principal(c), c.Param("id")); err != nil {
		return answer{}, err
	}
	return noContent(), nil
}

func (h *webhookHandler) deliveries(c *gin.Context) (answer, error) {
	page, size, err := pageParams(c)
	if err != nil {
		return answer{}, err
	}
	items, total, err := h.svc.Deliveries(c.Request.Context(), principal(c), c.Param("id"), webhook.DeliveryFilter{
		Status: c.Query("status"), EventID: c.Query("event_id"), Code: c.Query("code"),
		Page: domain.Page{Page: page, PageSize: size}})
	if err != nil {
		return answer{}, err
	}
	return ok(newList(mapItems(items, h.deliveryDTO), page, size, total)), nil
}

func (h *webhookHandler) retry(c *gin.Context) (answer, error) {
	if err := h.svc.Redeliver(c.Request.Context(), principal(c), c.Param("id"), c.Param("delivery_id")); err != nil {
		return answer{}, err
	}
	return answer{status: 202, body: gin.H{"status": webhook.StatusPending}}, nil
}

func createdWebhook(_ *gin.Context, a answer) string {
	d, _ := a.body.(createdWebhookDTO)
	return d.ID
}
