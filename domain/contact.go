package domain

import (
	"net/mail"
	"strings"
	"unicode"
)

// The rules for the personal contact data of applicants and feedback
// senders, shared by every area so a phone number valid on a dossier is
// valid on a feedback item too.

// MaskName masks a name word by word for citizens: the first letter of
// each word is kept, every other letter becomes '*', other characters stay
// and combining marks are dropped (so a decomposed "ễ" leaks nothing):
// "Nguyễn Văn An" → "N***** V** A*".
func MaskName(name string) string {
	words := strings.Fields(name)
	for i, w := range words {
		var b strings.Builder
		first := true
		for _, r := range w {
			switch {
			case unicode.Is(unicode.Mn, r):
			case unicode.IsLetter(r):
				if first {
					b.WriteRune(r)
					first = false
				} else {
					b.WriteByte('*')
				}
			default:
				b.WriteRune(r)
			}
		}
		words[i] = b.String()
	}
	return strings.Join(words, " ")
}

// ValidPhone accepts an optional leading +, then 8 to 15 digits separated by
// spaces, dots, dashes or parentheses.
func ValidPhone(s string) bool {
	if len(s) > 25 {
		return false
	}
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0:
		case r == ' ', r == '.', r == '-', r == '(', r == ')':
		default:
			return false
		}
	}
	return digits >= 8 && digits <= 15
}

// ValidEmail accepts a bare address (no display name) of at most 254 bytes.
func ValidEmail(s string) bool {
	if len(s) > 254 || strings.ContainsAny(s, " <>") {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s[strings.LastIndex(s, "@")+1:], ".")
}
