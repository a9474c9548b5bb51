package user

import (
	"net/mail"
	"strings"
	"unicode/utf8"
)

// MaxEmailLen is the longest e-mail address accepted, in characters: the
// limit of a forward path in SMTP (RFC 5321).
const MaxEmailLen = 254

// NormalizeEmail returns a staff e-mail address trimmed and lowercased,
// "" for none, and whether it is acceptable: at most MaxEmailLen
// characters and one bare address as net/mail reads it (no display name,
// no angle brackets), so that what is stored can be written to an SMTP
// envelope as it is.
func NormalizeEmail(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "", true
	}
	if utf8.RuneCountInString(s) > MaxEmailLen {
		return s, false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s || !strings.Contains(s[strings.LastIndex(s, "@")+1:], ".") {
		return s, false
	}
	return s, true
}

// emailProblem is the field message of a malformed address.
const emailProblem = "phải là một địa chỉ thư điện tử hợp lệ, tối đa 254 ký tự"
