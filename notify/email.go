package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Outcome is how a message left: handed to the SMTP server or gateway, or
// only written to the log because no real channel is configured. The
// events list shows them as "sent" and "logged".
type Outcome string

// The outcomes.
const (
	Sent   Outcome = "sent"
	Logged Outcome = "logged"
)

// EmailMessage is one e-mail to send: the rendered Email, its recipient,
// and the event it tells about (Type and Code are for logs, which never
// see the address or the text).
type EmailMessage struct {
	To      string
	EventID string
	Type    string
	Code    string
	Email
}

// EmailSender sends e-mails. An error means the message did not leave and
// is worth retrying on the delivery schedule.
type EmailSender interface {
	SendEmail(ctx context.Context, m EmailMessage) (Outcome, error)
}

// The TLS modes of the SMTP connection.
const (
	// TLSStartTLS upgrades the connection with STARTTLS and refuses to go
	// on without it: a server that does not offer it, or an attacker who
	// strips the offer, gets no password and no message in clear.
	TLSStartTLS = "starttls"
	// TLSOpportunistic upgrades with STARTTLS when offered and sends in
	// clear otherwise: for relays inside a closed network.
	TLSOpportunistic = "opportunistic"
	// TLSImplicit speaks TLS from the first byte (SMTPS, port 465).
	TLSImplicit = "tls"
	// TLSNone never encrypts: for tests and a relay on the same host.
	TLSNone = "none"
)

// SMTPConfig is what the SMTP sender needs (the MOTCUA_SMTP_* settings).
type SMTPConfig struct {
	Host     string
	Port     int    // 587 when zero
	TLS      string // one of the TLS modes; TLSStartTLS when empty
	Username string // empty: no authentication
	Password string
	// From is the sender, an address with an optional display name
	// ("Một cửa <noreply@example.gov.vn>").
	From string
	// Timeout bounds one send, from connecting to QUIT (30 s when zero).
	Timeout time.Duration
}

// Validate reports every problem of c at once.
func (c SMTPConfig) Validate() error {
	var errs []error
	if strings.TrimSpace(c.Host) == "" {
		errs = append(errs, errors.New("SMTP host is empty"))
	}
	if c.Port < 0 || c.Port > 65535 {
		errs = append(errs, fmt.Errorf("SMTP port %d is outside 1–65535", c.Port))
	}
	switch c.TLS {
	case "", TLSStartTLS, TLSOpportunistic, TLSImplicit, TLSNone:
	default:
		errs = append(errs, fmt.Errorf("SMTP TLS mode %q is not one of starttls, tls, none, opportunistic", c.TLS))
	}
	if _, err := mail.ParseAddress(c.From); err != nil {
		errs = append(errs, fmt.Errorf("SMTP from address %q: %w", c.From, err))
	}
	if c.Password != "" && c.Username == "" {
		errs = append(errs, errors.New("SMTP password given without a user name"))
	}
	return errors.Join(errs...)
}

// SMTPSender sends e-mail through one SMTP server, one connection per
// message: notifications are few and far between, and a fresh connection
// needs no keep-alive or reconnect logic.
type SMTPSender struct {
	cfg SMTPConfig
}

var _ EmailSender = (*SMTPSender)(nil)

// NewSMTPSender checks cfg and returns a sender.
func NewSMTPSender(cfg SMTPConfig) (*SMTPSender, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("notify: %w", err)
	}
	if cfg.Port == 0 {
		cfg.Port = 587
	}
	if cfg.TLS == "" {
		cfg.TLS = TLSStartTLS
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	return &SMTPSender{cfg: cfg}, nil
}

func (s *SMTPSender) client() (*gomail.Client, error) {
	opts := []gomail.Option{
		gomail.WithPort(s.cfg.Port),
		gomail.WithTimeout(s.cfg.Timeout),
		gomail.WithTLSConfig(&tls.Config{ServerName: s.cfg.Host, MinVersion: tls.VersionTLS12}),
	}
	switch s.cfg.TLS {
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case TLSOpportunistic:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.cfg.Username != "" {
		// The strongest mechanism the server offers; go-mail refuses PLAIN
		// and LOGIN over an unencrypted connection to another host.
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	return gomail.NewClient(s.cfg.Host, opts...)
}

// message builds the MIME message: plain UTF-8 text, quoted-printable so
// that it survives servers without 8BITMIME, the subject encoded as RFC
// 2047 words by go-mail, and the headers that mark it as automatic so
// that out-of-office replies are not sent back.
func (s *SMTPSender) message(m EmailMessage) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithEncoding(gomail.EncodingQP), gomail.WithNoDefaultUserAgent())
	if err := msg.From(s.cfg.From); err != nil {
		return nil, fmt.Errorf("from address: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, errors.New("recipient address is not valid") // the address itself stays out of errors and logs
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageID()
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetGenHeader("X-Auto-Response-Suppress", "All")
	if m.EventID != "" { // a staff digest tells of no single event
		msg.SetGenHeader("X-Motcua-Event-Id", m.EventID)
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Body)
	return msg, nil
}

// SendEmail sends m. The error names the event, never the recipient.
func (s *SMTPSender) SendEmail(ctx context.Context, m EmailMessage) (Outcome, error) {
	msg, err := s.message(m)
	if err != nil {
		return "", fmt.Errorf("notify: e-mail for event %s: %w", m.EventID, err)
	}
	c, err := s.client()
	if err != nil {
		return "", fmt.Errorf("notify: smtp client: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return "", fmt.Errorf("notify: e-mail for event %s: %w", m.EventID, scrub(err, m.To))
	}
	return Sent, nil
}

// scrub keeps the recipient's address out of an error's text: go-mail's
// errors can quote the RCPT command, and errors end up in the delivery
// log that staff read.
func scrub(err error, address string) error {
	if address == "" || !strings.Contains(err.Error(), address) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), address, "<recipient>"))
}

// LogEmailSender stands in for SMTP when no server is configured: it logs
// that an e-mail would have gone, with the event, type and code only.
type LogEmailSender struct {
	Log *slog.Logger
}

var _ EmailSender = LogEmailSender{}

// SendEmail logs m without its address, subject or body.
func (s LogEmailSender) SendEmail(ctx context.Context, m EmailMessage) (Outcome, error) {
	logger(s.Log).InfoContext(ctx, "notification e-mail logged, not sent (no SMTP server configured)",
		"event_id", m.EventID, "type", m.Type, "code", m.Code)
	return Logged, nil
}

func logger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.Default()
	}
	return l
}
