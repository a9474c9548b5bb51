package dvcqg

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The portal's two endpoints.
const (
	EndpointAdd    = "add"
	EndpointUpdate = "update"
)

// Outcome is what one call to the portal came to (the result label of
// motcua_dvcqg_push_total).
type Outcome string

// The outcomes of a call.
const (
	// Accepted: error_code "0".
	Accepted Outcome = "accepted"
	// Exists: add answered "3" or "-3", the portal has the dossier; the
	// same body goes to update at once.
	Exists Outcome = "exists"
	// Retry: a transport error, a time-out, HTTP 5xx or 429.
	Retry Outcome = "retry"
	// Refused: any other status, an unreadable answer, another error_code.
	Refused Outcome = "failed"
)

// portalAnswer is the portal's answer body. error_code is a string in the
// portal's documents; a number is read too.
type portalAnswer struct {
	ErrorCode json.RawMessage `json:"error_code"`
	Message   string          `json:"message"`
}

// Classify reads the portal's answer to a call to endpoint: status is the
// HTTP status, body the answer. It returns the outcome and, for anything
// but an acceptance, the error to keep (HTTP status and the portal's
// message, uncut; see ErrorText).
func Classify(endpoint string, status int, body []byte) (Outcome, string) {
	if status >= 500 || status == 429 {
		return Retry, "HTTP " + strconv.Itoa(status) + messageOf(body)
	}
	if status < 200 || status > 299 {
		return Refused, "HTTP " + strconv.Itoa(status) + messageOf(body)
	}
	var a portalAnswer
	d := json.NewDecoder(bytes.NewReader(body))
	if err := d.Decode(&a); err != nil || len(a.ErrorCode) == 0 {
		return Refused, "HTTP " + strconv.Itoa(status) + ": câu trả lời không đọc được (không có error_code)"
	}
	code := strings.TrimSpace(strings.Trim(string(a.ErrorCode), `"`))
	switch {
	case code == "0":
		return Accepted, ""
	case endpoint == EndpointAdd && (code == "3" || code == "-3"):
		return Exists, ""
	}
	msg := "HTTP " + strconv.Itoa(status) + ": error_code " + code
	if m := strings.TrimSpace(a.Message); m != "" {
		msg += ": " + m
	}
	return Refused, msg
}

// messageOf is ": " and the portal's message in body, if it has one.
func messageOf(body []byte) string {
	var a portalAnswer
	if json.Unmarshal(body, &a) == nil && strings.TrimSpace(a.Message) != "" {
		return ": " + strings.TrimSpace(a.Message)
	}
	return ""
}

// ErrorText is msg fit to keep as last_error: every secret (the
// credentials, the URL) replaced by ***, control characters by spaces,
// then cut to MaxErrorLength characters.
func ErrorText(msg string, secrets ...string) string {
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "***")
		}
	}
	msg = strings.ToValidUTF8(msg, "?")
	msg = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, msg)
	if utf8.RuneCountInString(msg) > MaxErrorLength {
		r := []rune(msg)
		msg = string(r[:MaxErrorLength-3]) + "..."
	}
	return msg
}

// RetryCap is the longest wait before a retry.
const RetryCap = time.Hour

// Backoff is the wait after the attempts-th failed push in a row:
// base × 2^(attempts−1), capped at RetryCap.
func Backoff(base time.Duration, attempts int) time.Duration {
	if attempts < 1 {
		attempts = 1
	}
	d := base
	for i := 1; i < attempts; i++ {
		d *= 2
		if d >= RetryCap {
			return RetryCap
		}
	}
	return min(d, RetryCap)
}
