package app

import (
	"fmt"
	"log/slog"

	"github.com/motcua/motcua/config"
	"github.com/motcua/motcua/notify"
)

// emailSender is the e-mail channel of n: SMTP when MOTCUA_SMTP_HOST is
// set, else a log line per message. Citizens' notifications and staff
// digests both go through it.
func emailSender(n config.Notifications, log *slog.Logger) (notify.EmailSender, error) {
	if n.SMTPHost == "" {
		return notify.LogEmailSender{Log: log.With("component", "email")}, nil
	}
	s, err := notify.NewSMTPSender(notify.SMTPConfig{Host: n.SMTPHost, Port: n.SMTPPort, TLS: n.SMTPTLS,
		Username: n.SMTPUsername, Password: string(n.SMTPPassword), From: n.SMTPFrom, Timeout: n.WebhookTimeout})
	if err != nil {
		return nil, fmt.Errorf("MOTCUA_SMTP_*: %w", err)
	}
	return s, nil
}
