package notify

import (
	"strings"
	"unicode/utf8"
)

// MaskEmail writes an address for the staff's list of what was sent
// ("an.nguyen@example.vn" → "an***@example.vn"): enough to tell two
// addresses apart, not enough to write to one. The domain stays, since
// it tells staff whether a bounce is the provider's fault.
func MaskEmail(addr string) string {
	local, domain, ok := strings.Cut(addr, "@")
	if !ok {
		return "***"
	}
	keep := 2
	if utf8.RuneCountInString(local) <= 2 {
		keep = 1
	}
	r := []rune(local)
	if len(r) < keep {
		keep = len(r)
	}
	return string(r[:keep]) + "***@" + domain
}

// MaskPhone writes a phone number with all but its first two and last
// three characters hidden ("0912345678" → "09*****678"), the length kept
// so that staff can still tell a mobile number from a landline. A number
// too short to keep anything is all stars.
func MaskPhone(phone string) string {
	r := []rune(strings.TrimSpace(phone))
	if len(r) <= 5 {
		return strings.Repeat("*", max(len(r), 3))
	}
	return string(r[:2]) + strings.Repeat("*", len(r)-5) + string(r[len(r)-3:])
}
