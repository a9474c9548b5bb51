package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// SMSMessage is one SMS to send: the rendered text, the number as the
// citizen gave it, and the event it tells about (Type and Code are for
// logs, which never see the number or the text).
type SMSMessage struct {
	To      string
	Text    string
	EventID string
	Type    string
	Code    string
}

// SMSSender sends SMS. An error means the message did not leave and is
// worth retrying on the delivery schedule.
type SMSSender interface {
	SendSMS(ctx context.Context, m SMSMessage) (Outcome, error)
}

// The placeholders of the gateway's URL and body.
const (
	PlaceholderPhone = "{phone}"
	PlaceholderText  = "{text}"
)

// HTTPSMSConfig is how to reach an SMS gateway over HTTP (the
// MOTCUA_SMS_* settings).
type HTTPSMSConfig struct {
	// URL is the gateway's address with {phone} and {text}, replaced by
	// the query-escaped number and text.
	URL string
	// Body, when not empty, makes the request a POST with this body, in
	// which {phone} and {text} are replaced by the JSON-escaped values
	// (without quotes, so the template writes "{text}" inside a string);
	// when empty the request is a GET.
	Body string
	// AuthHeader is one optional "Name: value" header sent with every
	// request, such as a gateway's API key.
	AuthHeader string
	// Timeout bounds one request (10 s when zero).
	Timeout time.Duration
}

// Validate reports every problem of c at once.
func (c HTTPSMSConfig) Validate() error {
	var errs []error
	u, err := url.Parse(strings.NewReplacer(PlaceholderPhone, "0", PlaceholderText, "x").Replace(c.URL))
	switch {
	case c.URL == "":
		errs = append(errs, errors.New("SMS gateway URL is empty"))
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		errs = append(errs, errors.New("SMS gateway URL is not an absolute http or https URL"))
	case !strings.Contains(c.URL, PlaceholderPhone) || !strings.Contains(c.URL, PlaceholderText):
		errs = append(errs, errors.New("SMS gateway URL must contain {phone} and {text}"))
	}
	if c.AuthHeader != "" {
		if _, _, err := parseHeader(c.AuthHeader); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// parseHeader splits "Name: value". The message never repeats the value:
// it is a secret.
func parseHeader(h string) (name, value string, err error) {
	name, value, ok := strings.Cut(h, ":")
	name, value = strings.TrimSpace(name), strings.TrimSpace(value)
	if !ok || name == "" || value == "" || strings.ContainsAny(name, " \t\r\n") || strings.ContainsAny(value, "\r\n") {
		return "", "", errors.New(`SMS auth header must be one "Name: value" line`)
	}
	return name, value, nil
}

// HTTPSMSSender sends SMS through an HTTP gateway; a 2xx answer is sent.
type HTTPSMSSender struct {
	cfg                 HTTPSMSConfig
	authName, authValue string
	client              *http.Client
}

var _ SMSSender = (*HTTPSMSSender)(nil)

// NewHTTPSMSSender checks cfg and returns a sender. The gateway is the
// operator's own setting, so unlike webhooks it may be on a private
// address.
func NewHTTPSMSSender(cfg HTTPSMSConfig) (*HTTPSMSSender, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("notify: %w", err)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	s := &HTTPSMSSender{cfg: cfg, client: &http.Client{Timeout: cfg.Timeout}}
	if cfg.AuthHeader != "" {
		s.authName, s.authValue, _ = parseHeader(cfg.AuthHeader)
	}
	return s, nil
}

// jsonEscape returns s as the inside of a JSON string.
func jsonEscape(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b[1 : len(b)-1])
}

// SendSMS sends m. The phone goes to the gateway as the citizen gave it;
// errors name the event and the gateway's status, never the number, the
// text or the URL (which carries both).
func (s *HTTPSMSSender) SendSMS(ctx context.Context, m SMSMessage) (Outcome, error) {
	target := strings.NewReplacer(PlaceholderPhone, url.QueryEscape(m.To), PlaceholderText, url.QueryEscape(m.Text)).Replace(s.cfg.URL)
	method, body := http.MethodGet, io.Reader(nil)
	if s.cfg.Body != "" {
		method = http.MethodPost
		body = strings.NewReader(strings.NewReplacer(PlaceholderPhone, jsonEscape(m.To), PlaceholderText, jsonEscape(m.Text)).Replace(s.cfg.Body))
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return "", fmt.Errorf("notify: SMS for event %s: the gateway URL does not form a request", m.EventID)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if s.authName != "" {
		req.Header.Set(s.authName, s.authValue)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("notify: SMS for event %s: %s", m.EventID, transportError(err))
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return "", fmt.Errorf("notify: SMS for event %s: gateway answered %s", m.EventID, strconv.Itoa(resp.StatusCode))
	}
	return Sent, nil
}

// transportError describes a failed request without its URL.
func transportError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return "gateway timed out"
		}
		return "gateway unreachable: " + ue.Err.Error()
	}
	return "gateway request failed"
}

// LogSMSSender stands in for a gateway (MOTCUA_SMS_PROVIDER=log): it logs
// that an SMS was taken, with the event, type and code only.
type LogSMSSender struct {
	Log *slog.Logger
}

var _ SMSSender = LogSMSSender{}

// SendSMS logs m without its number or text.
func (s LogSMSSender) SendSMS(ctx context.Context, m SMSMessage) (Outcome, error) {
	logger(s.Log).InfoContext(ctx, "notification SMS logged, not sent (log provider)",
		"event_id", m.EventID, "type", m.Type, "code", m.Code)
	return Logged, nil
}
