package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/config"
)

func TestNotificationDefaults(t *testing.T) {
	c, err := config.Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	n := c.Notifications
	want := config.Notifications{
		WebhookTimeout: 10 * time.Second, MaxAttempts: 12, RetryBase: time.Minute, RetryCap: 8 * time.Hour,
		Workers: 10, RetentionDays: 30, SMTPPort: 587, SMTPTLS: "starttls", SMTPFrom: "Một cửa <noreply@localhost>",
		SMSProvider: config.SMSLog, EscalationInterval: 5 * time.Minute, DueSoonHours: 8,
	}
	if n != want {
		t.Fatalf("defaults\n got %+v\nwant %+v", n, want)
	}
}

func TestNotificationValues(t *testing.T) {
	c, err := config.Load(env(map[string]string{
		"MOTCUA_WEBHOOK_ALLOW_PRIVATE":   "true",
		"MOTCUA_WEBHOOK_TIMEOUT":         "50ms",
		"MOTCUA_DELIVERY_MAX_ATTEMPTS":   "3",
		"MOTCUA_DELIVERY_RETRY_BASE":     "10ms",
		"MOTCUA_DELIVERY_RETRY_CAP":      "1s",
		"MOTCUA_DELIVERY_WORKERS":        "4",
		"MOTCUA_SMTP_HOST":               "127.0.0.1",
		"MOTCUA_SMTP_PORT":               "2525",
		"MOTCUA_SMTP_TLS":                "NONE",
		"MOTCUA_SMS_PROVIDER":            "http",
		"MOTCUA_SMS_URL":                 "http://127.0.0.1:9/send?to={phone}&text={text}",
		"MOTCUA_SMS_AUTH_HEADER":         "X-Api-Key: k3y",
		"MOTCUA_ESCALATION_INTERVAL":     "1s",
		"MOTCUA_DUE_SOON_HOURS":          "4",
		"MOTCUA_PUBLIC_PORTAL_URL":       "https://dichvucong.example.gov.vn/tra-cuu?ma={code}",
		"MOTCUA_DELIVERY_RETENTION_DAYS": "7",
	}))
	if err != nil {
		t.Fatal(err)
	}
	n := c.Notifications
	if !n.WebhookAllowPrivate || n.WebhookTimeout != 50*time.Millisecond || n.MaxAttempts != 3 ||
		n.RetryBase != 10*time.Millisecond || n.RetryCap != time.Second || n.Workers != 4 || n.SMTPPort != 2525 ||
		n.SMTPTLS != "none" || n.SMSProvider != config.SMSHTTP || n.EscalationInterval != time.Second ||
		n.DueSoonHours != 4 || n.RetentionDays != 7 || string(n.SMSAuthHeader) != "X-Api-Key: k3y" {
		t.Fatalf("values not taken: %+v", n)
	}
}

func TestNotificationProblemsReportedAtOnce(t *testing.T) {
	_, err := config.Load(env(map[string]string{
		"MOTCUA_WEBHOOK_ALLOW_PRIVATE": "maybe",
		"MOTCUA_WEBHOOK_TIMEOUT":       "10",
		"MOTCUA_DELIVERY_MAX_ATTEMPTS": "51",
		"MOTCUA_DELIVERY_RETRY_BASE":   "-1s",
		"MOTCUA_DELIVERY_WORKERS":      "0",
		"MOTCUA_SMTP_TLS":              "ssl",
		"MOTCUA_SMTP_PASSWORD":         "smtp-secret-pw",
		"MOTCUA_SMS_PROVIDER":          "http",
		"MOTCUA_ESCALATION_INTERVAL":   "500ms",
		"MOTCUA_DUE_SOON_HOURS":        "721",
	}))
	if err == nil {
		t.Fatal("bad settings accepted")
	}
	msg := err.Error()
	for _, name := range []string{
		"MOTCUA_WEBHOOK_ALLOW_PRIVATE", "MOTCUA_WEBHOOK_TIMEOUT", "MOTCUA_DELIVERY_MAX_ATTEMPTS",
		"MOTCUA_DELIVERY_RETRY_BASE", "MOTCUA_DELIVERY_WORKERS", "MOTCUA_SMTP_TLS", "MOTCUA_SMTP_PASSWORD",
		"MOTCUA_SMS_URL", "MOTCUA_ESCALATION_INTERVAL", "MOTCUA_DUE_SOON_HOURS",
	} {
		if !strings.Contains(msg, name) {
			t.Errorf("error does not name %s:\n%s", name, msg)
		}
	}
	if strings.Contains(msg, "smtp-secret-pw") {
		t.Errorf("error reveals the SMTP password:\n%s", msg)
	}
	for _, u := range []string{"http://gw/send?to={phone}", "ftp://gw/{phone}/{text}"} {
		_, err := config.Load(env(map[string]string{"MOTCUA_SMS_PROVIDER": "http", "MOTCUA_SMS_URL": u}))
		if err == nil || !strings.Contains(err.Error(), "MOTCUA_SMS_URL") {
			t.Errorf("SMS URL %q: %v", u, err)
		}
	}
}
