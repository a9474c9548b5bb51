package config

import (
	"errors"
	"net/url"
	"strings"
	"time"
)

// DVCQG holds the settings of the push to the national public service
// portal (§14.3 of the contract, docs/domain.md "Syncing dossiers to the
// national portal"). An empty URL turns the push off.
type DVCQG struct {
	// URL is the portal's (or a gateway's) base URL, without a trailing
	// slash; the calls go to URL/add and URL/update (MOTCUA_DVCQG_URL). It
	// may carry a token in its path or query, so it is a secret.
	URL Secret
	// Username and Password are sent as HTTP Basic on every call
	// (MOTCUA_DVCQG_USERNAME, MOTCUA_DVCQG_PASSWORD).
	Username Secret
	Password Secret
	// Interval is the time between two scans for due dossiers
	// (MOTCUA_DVCQG_INTERVAL, whole seconds, default 60, at least 1).
	Interval time.Duration
	// RetryBase is the wait before the first retry, doubled after each
	// failure and capped at DVCQGRetryCap (MOTCUA_DVCQG_RETRY_BASE, whole
	// seconds, default 30, at least 1).
	RetryBase time.Duration
	// MaxAttempts is how many pushes a dossier gets before it is failed
	// (MOTCUA_DVCQG_MAX_ATTEMPTS, default 10, 1–100).
	MaxAttempts int
	// Timeout bounds one call (MOTCUA_DVCQG_TIMEOUT, whole seconds,
	// default 30, 1–600).
	Timeout time.Duration
}

// DVCQGRetryCap is the longest wait between two pushes of one dossier.
const DVCQGRetryCap = time.Hour

// On reports whether the push is on.
func (d DVCQG) On() bool { return d.URL != "" }

func loadDVCQG(getenv func(string) string, errs *[]error) DVCQG {
	d := DVCQG{
		URL:      Secret(strings.TrimRight(strings.TrimSpace(getenv("MOTCUA_DVCQG_URL")), "/")),
		Username: Secret(getenv("MOTCUA_DVCQG_USERNAME")),
		Password: Secret(getenv("MOTCUA_DVCQG_PASSWORD")),
	}
	interval := intVar(getenv, "MOTCUA_DVCQG_INTERVAL", 60, errs)
	base := intVar(getenv, "MOTCUA_DVCQG_RETRY_BASE", 30, errs)
	d.MaxAttempts = intVar(getenv, "MOTCUA_DVCQG_MAX_ATTEMPTS", 10, errs)
	timeout := intVar(getenv, "MOTCUA_DVCQG_TIMEOUT", 30, errs)
	if interval < 1 || interval > 86400 {
		*errs = append(*errs, errors.New("MOTCUA_DVCQG_INTERVAL must be a number of seconds from 1 to 86400"))
	}
	if base < 1 || base > int(DVCQGRetryCap/time.Second) {
		*errs = append(*errs, errors.New("MOTCUA_DVCQG_RETRY_BASE must be a number of seconds from 1 to 3600"))
	}
	if d.MaxAttempts < 1 || d.MaxAttempts > 100 {
		*errs = append(*errs, errors.New("MOTCUA_DVCQG_MAX_ATTEMPTS must be from 1 to 100"))
	}
	if timeout < 1 || timeout > 600 {
		*errs = append(*errs, errors.New("MOTCUA_DVCQG_TIMEOUT must be a number of seconds from 1 to 600"))
	}
	d.Interval = time.Duration(interval) * time.Second
	d.RetryBase = time.Duration(base) * time.Second
	d.Timeout = time.Duration(timeout) * time.Second
	if d.URL != "" {
		// The message never repeats the URL: it may hold a token.
		u, err := url.Parse(string(d.URL))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.Opaque != "" ||
			u.Fragment != "" || strings.ContainsAny(string(d.URL), " \t\r\n") {
			*errs = append(*errs, errors.New("MOTCUA_DVCQG_URL must be empty (no push) or an absolute http:// or https:// URL"))
		} else if u.User != nil {
			*errs = append(*errs, errors.New("MOTCUA_DVCQG_URL must not carry a user: set MOTCUA_DVCQG_USERNAME and MOTCUA_DVCQG_PASSWORD"))
		}
	}
	if strings.ContainsAny(string(d.Username), ":\r\n") || strings.ContainsAny(string(d.Password), "\r\n") {
		*errs = append(*errs, errors.New("MOTCUA_DVCQG_USERNAME must not hold a colon or a line break, MOTCUA_DVCQG_PASSWORD no line break"))
	}
	return d
}
