package api

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/event"
	"github.com/motcua/motcua/domain/user"
)

// EventService lists an item's events to the staff whose scope holds it.
type EventService interface {
	List(ctx context.Context, by user.Principal, subject event.Subject, code string) ([]event.Record, error)
}

var _ EventService = (*event.Service)(nil)

// notificationDTO is one message sent to the citizen for an event.
type notificationDTO struct {
	Channel   string     `json:"channel"`
	To        string     `json:"to"`
	Status    string     `json:"status"`
	Attempts  int        `json:"attempts"`
	LastError *string    `json:"last_error"`
	SentAt    *time.Time `json:"sent_at"`
}

type eventsHandler struct {
	svc EventService
	loc *time.Location
}

func (h *eventsHandler) dossier(c *gin.Context) (answer, error) {
	return h.list(c, event.SubjectDossier)
}

func (h *eventsHandler) feedback(c *gin.Context) (answer, error) {
	return h.list(c, event.SubjectFeedback)
}

// list answers {"items": [...]}: each event's body as it was written when
// its change committed (the bytes webhooks send), with its notifications.
func (h *eventsHandler) list(c *gin.Context, subject event.Subject) (answer, error) {
	if h.svc == nil {
		return answer{}, domain.ErrNotFound
	}
	recs, err := h.svc.List(c.Request.Context(), principal(c), subject, c.Param("code"))
	if err != nil {
		return answer{}, err
	}
	items := make([]json.RawMessage, 0, len(recs))
	for _, r := range recs {
		b, err := withNotifications(r, h.loc)
		if err != nil {
			return answer{}, err
		}
		items = append(items, b)
	}
	return ok(map[string]any{"items": items}), nil
}

// withNotifications is r's body with its notifications added as the last
// field: the body is kept byte for byte rather than decoded and encoded again.
func withNotifications(r event.Record, loc *time.Location) (json.RawMessage, error) {
	ns := make([]notificationDTO, len(r.Notifications))
	for i, n := range r.Notifications {
		ns[i] = notificationDTO{Channel: n.Channel, To: n.To, Status: n.Status, Attempts: n.Attempts,
			LastError: nullableString(n.LastError), SentAt: inLoc(n.SentAt, loc)}
	}
	nb, err := json.Marshal(ns)
	if err != nil {
		return nil, err
	}
	body := r.Body
	if len(body) < 2 || body[len(body)-1] != '}' {
		return nil, fmt.Errorf("event %s: malformed body", r.ID)
	}
	out := make([]byte, 0, len(body)+len(nb)+20)
	out = append(out, body[:len(body)-1]...)
	out = append(out, `,"notifications":`...)
	out = append(out, nb...)
	return append(out, '}'), nil
}

func nullableString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// registerOutboxMetrics exposes motcua_outbox_pending{kind}: the queue's
// unfinished jobs of each kind, counted when scraped by one query.
func registerOutboxMetrics(reg *prometheus.Registry, pending func(context.Context) (map[string]int64, error)) {
	if pending == nil {
		return
	}
	reg.MustRegister(&outboxCollector{pending: pending,
		desc: prometheus.NewDesc("motcua_outbox_pending",
			"Queue jobs not yet finished (available, scheduled, running or retryable), by kind.",
			[]string{"kind"}, nil)})
}

type outboxCollector struct {
	pending func(context.Context) (map[string]int64, error)
	desc    *prometheus.Desc
}

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

// Collect reads the queue with a short time-out, so that a stuck database
// does not hang the scrape; on error it reports the metric as invalid.
func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts, err := c.pending(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	for kind, n := range counts {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), kind)
	}
}
