package notify

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Unaccent writes Vietnamese without diacritics (không dấu), the form
// SMS gateways carry in 160-character segments: "Hồ sơ đã được" → "Ho so
// da duoc". đ and Đ, which are letters of their own rather than d with a
// mark, become d and D. Any other character outside printable ASCII
// becomes "?", since a single one would switch the whole message to
// Unicode and cut its segment to 70 characters; line feeds stay.
func Unaccent(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		switch {
		case r == 'đ':
			b.WriteByte('d')
		case r == 'Đ':
			b.WriteByte('D')
		case unicode.Is(unicode.Mn, r):
			// a combining mark: the accent itself
		case r == '\n' || r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		case r == '\t' || r == '\r' || unicode.IsSpace(r):
			b.WriteByte(' ')
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}
