package config

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// SMS providers (MOTCUA_SMS_PROVIDER).
const (
	SMSLog  = "log"  // a log line with the event id and the masked number
	SMSHTTP = "http" // a request to MOTCUA_SMS_URL
)

// Notifications is every setting of events, webhooks, citizens' messages
// and the escalation scan. Durations are Go durations ("10s", "50ms").
type Notifications struct {
	WebhookAllowPrivate bool          // MOTCUA_WEBHOOK_ALLOW_PRIVATE
	WebhookTimeout      time.Duration // MOTCUA_WEBHOOK_TIMEOUT
	// Deliveries of webhooks, e-mail and SMS share one retry schedule.
	MaxAttempts   int           // MOTCUA_DELIVERY_MAX_ATTEMPTS, 1–50
	RetryBase     time.Duration // MOTCUA_DELIVERY_RETRY_BASE
	RetryCap      time.Duration // MOTCUA_DELIVERY_RETRY_CAP
	Workers       int           // MOTCUA_DELIVERY_WORKERS: parallel sends per kind
	RetentionDays int           // MOTCUA_DELIVERY_RETENTION_DAYS

	SMTPHost     string // empty: e-mails are only logged
	SMTPPort     int
	SMTPTLS      string // starttls, tls, none (or opportunistic)
	SMTPUsername string
	SMTPPassword Secret
	SMTPFrom     string

	SMSProvider   string // log or http
	SMSURL        string // with {phone} and {text}
	SMSBody       string // POST body when set
	SMSAuthHeader Secret // one "Name: value" header

	TemplatesDir    string // empty: the built-in templates
	PublicPortalURL string // empty: messages carry no link

	EscalationInterval time.Duration // MOTCUA_ESCALATION_INTERVAL, at least 1 s
	DueSoonHours       int           // MOTCUA_DUE_SOON_HOURS, 1–720
}

func loadNotifications(getenv func(string) string, errs *[]error) Notifications {
	n := Notifications{
		SMTPHost:        strings.TrimSpace(getenv("MOTCUA_SMTP_HOST")),
		SMTPTLS:         strings.ToLower(or(getenv("MOTCUA_SMTP_TLS"), "starttls")),
		SMTPUsername:    strings.TrimSpace(getenv("MOTCUA_SMTP_USERNAME")),
		SMTPPassword:    Secret(getenv("MOTCUA_SMTP_PASSWORD")),
		SMTPFrom:        or(getenv("MOTCUA_SMTP_FROM"), "Một cửa <noreply@localhost>"),
		SMSProvider:     strings.ToLower(or(getenv("MOTCUA_SMS_PROVIDER"), SMSLog)),
		SMSURL:          strings.TrimSpace(getenv("MOTCUA_SMS_URL")),
		SMSBody:         getenv("MOTCUA_SMS_BODY"),
		SMSAuthHeader:   Secret(strings.TrimSpace(getenv("MOTCUA_SMS_AUTH_HEADER"))),
		TemplatesDir:    strings.TrimSpace(getenv("MOTCUA_TEMPLATES_DIR")),
		PublicPortalURL: strings.TrimSpace(getenv("MOTCUA_PUBLIC_PORTAL_URL")),
	}
	n.WebhookAllowPrivate = boolVar(getenv, "MOTCUA_WEBHOOK_ALLOW_PRIVATE", false, errs)
	n.WebhookTimeout = durationVar(getenv, "MOTCUA_WEBHOOK_TIMEOUT", 10*time.Second, errs)
	n.MaxAttempts = intVar(getenv, "MOTCUA_DELIVERY_MAX_ATTEMPTS", 12, errs)
	n.RetryBase = durationVar(getenv, "MOTCUA_DELIVERY_RETRY_BASE", time.Minute, errs)
	n.RetryCap = durationVar(getenv, "MOTCUA_DELIVERY_RETRY_CAP", 8*time.Hour, errs)
	n.Workers = intVar(getenv, "MOTCUA_DELIVERY_WORKERS", 10, errs)
	n.RetentionDays = intVar(getenv, "MOTCUA_DELIVERY_RETENTION_DAYS", 30, errs)
	n.SMTPPort = intVar(getenv, "MOTCUA_SMTP_PORT", 587, errs)
	n.EscalationInterval = durationVar(getenv, "MOTCUA_ESCALATION_INTERVAL", 5*time.Minute, errs)
	n.DueSoonHours = intVar(getenv, "MOTCUA_DUE_SOON_HOURS", 8, errs)
	*errs = append(*errs, n.validate()...)
	return n
}

func (n Notifications) validate() []error {
	var errs []error
	if n.WebhookTimeout <= 0 {
		errs = append(errs, errors.New("MOTCUA_WEBHOOK_TIMEOUT must be a positive duration"))
	}
	if n.MaxAttempts < 1 || n.MaxAttempts > 50 {
		errs = append(errs, errors.New("MOTCUA_DELIVERY_MAX_ATTEMPTS must be from 1 to 50"))
	}
	if n.RetryBase <= 0 {
		errs = append(errs, errors.New("MOTCUA_DELIVERY_RETRY_BASE must be a positive duration"))
	}
	if n.RetryCap < n.RetryBase {
		errs = append(errs, errors.New("MOTCUA_DELIVERY_RETRY_CAP must be at least MOTCUA_DELIVERY_RETRY_BASE"))
	}
	if n.Workers < 1 || n.Workers > 200 {
		errs = append(errs, errors.New("MOTCUA_DELIVERY_WORKERS must be from 1 to 200"))
	}
	if n.RetentionDays < 1 || n.RetentionDays > 3650 {
		errs = append(errs, errors.New("MOTCUA_DELIVERY_RETENTION_DAYS must be from 1 to 3650"))
	}
	if n.SMTPPort < 1 || n.SMTPPort > 65535 {
		errs = append(errs, errors.New("MOTCUA_SMTP_PORT must be from 1 to 65535"))
	}
	switch n.SMTPTLS {
	case "starttls", "tls", "none", "opportunistic":
	default:
		errs = append(errs, errors.New("MOTCUA_SMTP_TLS must be starttls, tls or none"))
	}
	if _, err := mail.ParseAddress(n.SMTPFrom); err != nil {
		errs = append(errs, errors.New("MOTCUA_SMTP_FROM must be an e-mail address, optionally with a name"))
	}
	if n.SMTPPassword != "" && n.SMTPUsername == "" {
		errs = append(errs, errors.New("MOTCUA_SMTP_PASSWORD needs MOTCUA_SMTP_USERNAME"))
	}
	switch n.SMSProvider {
	case SMSLog:
	case SMSHTTP:
		u, err := url.Parse(strings.NewReplacer("{phone}", "0", "{text}", "x").Replace(n.SMSURL))
		switch {
		case n.SMSURL == "":
			errs = append(errs, errors.New("MOTCUA_SMS_PROVIDER=http needs MOTCUA_SMS_URL"))
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			errs = append(errs, errors.New("MOTCUA_SMS_URL must be an absolute http or https URL"))
		case !strings.Contains(n.SMSURL, "{phone}") || !strings.Contains(n.SMSURL, "{text}"):
			errs = append(errs, errors.New("MOTCUA_SMS_URL must contain {phone} and {text}"))
		}
		if h := string(n.SMSAuthHeader); h != "" {
			name, value, ok := strings.Cut(h, ":")
			if !ok || strings.TrimSpace(name) == "" || strings.TrimSpace(value) == "" ||
				strings.ContainsAny(strings.TrimSpace(name), " \t") {
				errs = append(errs, errors.New(`MOTCUA_SMS_AUTH_HEADER must be one "Name: value" header`))
			}
		}
	default:
		errs = append(errs, errors.New("MOTCUA_SMS_PROVIDER must be log or http"))
	}
	if p := n.PublicPortalURL; p != "" {
		u, err := url.Parse(strings.ReplaceAll(p, "{code}", "x"))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, errors.New("MOTCUA_PUBLIC_PORTAL_URL must be an absolute http or https URL"))
		}
	}
	if n.EscalationInterval < time.Second {
		errs = append(errs, errors.New("MOTCUA_ESCALATION_INTERVAL must be at least 1s"))
	}
	if n.DueSoonHours < 1 || n.DueSoonHours > 720 {
		errs = append(errs, errors.New("MOTCUA_DUE_SOON_HOURS must be from 1 to 720"))
	}
	return errs
}

func durationVar(getenv func(string) string, name string, def time.Duration, errs *[]error) time.Duration {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		*errs = append(*errs, fmt.Errorf("%s must be a Go duration such as 10s or 5m", name))
		return def
	}
	return d
}

func boolVar(getenv func(string) string, name string, def bool, errs *[]error) bool {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		*errs = append(*errs, fmt.Errorf("%s must be true or false", name))
		return def
	}
	return b
}
