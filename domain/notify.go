package domain

import (
	"strings"
)

// The channels a citizen may ask to be told about their dossier or
// feedback item on (the "notify" of a registration): an e-mail to the
// address they gave, an SMS to the phone they gave. Asking is consent for
// that purpose and that channel only, so the item keeps which channels were
// asked for, and nothing is sent on the others.
const (
	NotifyEmail = "email"
	NotifySMS   = "sms"
)

// NotifyChannels lists the channels in the order they are kept and shown.
func NotifyChannels() []string { return []string{NotifyEmail, NotifySMS} }

// NormalizeNotify trims the channels asked for and drops repeats, the
// known channels first in NotifyChannels order, anything else after them
// as it came (CheckNotify refuses it). Nil and empty give nil.
func NormalizeNotify(in []string) []string {
	seen := map[string]bool{}
	var known, other []string
	for _, c := range in {
		c = strings.TrimSpace(c)
		if seen[c] {
			continue
		}
		seen[c] = true
		if c == NotifyEmail || c == NotifySMS {
			known = append(known, c)
		} else {
			other = append(other, c)
		}
	}
	if len(known) == 2 && known[0] == NotifySMS {
		known[0], known[1] = known[1], known[0]
	}
	out := append(known, other...)
	if len(out) == 0 {
		return nil
	}
	return out
}

// CheckNotify records under "notify" a channel that is not one of
// NotifyChannels, "email" without a valid e-mail address and "sms"
// without a valid phone (email and phone are the citizen's, named
// emailField and phoneField in the request).
func CheckNotify(fe FieldErrors, channels []string, email, phone, emailField, phoneField string) {
	for _, c := range channels {
		switch c {
		case NotifyEmail:
			if email == "" || !ValidEmail(email) {
				fe.Add("notify", "nhận thông báo qua email cần địa chỉ email hợp lệ ("+emailField+")")
			}
		case NotifySMS:
			if phone == "" || !ValidPhone(phone) {
				fe.Add("notify", "nhận thông báo qua SMS cần số điện thoại hợp lệ ("+phoneField+")")
			}
		default:
			fe.Add("notify", "kênh thông báo phải là email hoặc sms")
		}
	}
}

// JoinNotify writes channels as they are kept in a column: "email,sms",
// "" for none.
func JoinNotify(channels []string) string { return strings.Join(channels, ",") }

// SplitNotify reads a column JoinNotify wrote; "" gives nil.
func SplitNotify(s string) []string {
	var out []string
	for _, c := range strings.Split(s, ",") {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}
