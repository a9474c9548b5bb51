package webhook

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"time"

	dwebhook "github.com/motcua/motcua/domain/webhook"
)

// Request is one delivery attempt's input. Body is sent byte for byte: the
// event JSON, the same on every attempt, so that the signature a receiver
// checks and the id it dedupes on never change between attempts.
type Request struct {
	URL        string
	Secret     string // the opened secret; used to sign, never logged or returned
	EventID    string
	EventType  string
	DeliveryID string
	Body       []byte
}

// Result is one attempt as the delivery log records it.
type Result struct {
	// Delivered is true on a 2xx answer.
	Delivered bool
	// StatusCode is the answer's status, 0 without an answer.
	StatusCode int
	Duration   time.Duration
	// Error is a short code for a failed attempt ("status_500",
	// "timeout", "address_not_allowed", …), empty when delivered. It
	// never holds the secret, the URL or the answer's body.
	Error string
}

// Deliverer makes delivery attempts.
type Deliverer struct {
	client      *http.Client
	maxResponse int64
	timeout     time.Duration
	now         func() time.Time
}

// NewDeliverer returns a Deliverer with NewClient(cfg) and the wall clock.
func NewDeliverer(cfg Config) *Deliverer {
	return &Deliverer{client: NewClient(cfg), maxResponse: cfg.maxResponse(), timeout: cfg.timeout(), now: time.Now}
}

// WithClock returns a copy of d that signs with the times now gives: for
// tests that check a signature against a fixed time.
func (d *Deliverer) WithClock(now func() time.Time) *Deliverer {
	c := *d
	c.now = now
	return &c
}

// Attempt POSTs r.Body to r.URL, signed, and reports the outcome. It never
// returns an error: every failure is a Result the caller records and
// schedules a retry for (domain/webhook.Schedule).
func (d *Deliverer) Attempt(ctx context.Context, r Request) Result {
	ctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	began := time.Now() // the duration uses the monotonic clock, whatever d.now says
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return Result{Error: "invalid_url"}
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", dwebhook.UserAgent)
	h.Set(dwebhook.HeaderEvent, r.EventType)
	h.Set(dwebhook.HeaderEventID, r.EventID)
	h.Set(dwebhook.HeaderDelivery, r.DeliveryID)
	h.Set(dwebhook.HeaderSignature, dwebhook.Sign(r.Secret, d.now(), r.Body))
	resp, err := d.client.Do(req)
	if err != nil {
		return Result{Duration: time.Since(began), Error: errorCode(err)}
	}
	// Reading (a bounded part of) the answer lets the connection be
	// reused; its content is not kept. A failure while reading it does not
	// undo a 2xx: the receiver has already taken the event, and sending it
	// again would only make a duplicate.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, d.maxResponse))
	_ = resp.Body.Close()
	res := Result{StatusCode: resp.StatusCode, Duration: time.Since(began)}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		res.Error = "status_" + strconv.Itoa(resp.StatusCode)
		return res
	}
	res.Delivered = true
	return res
}
