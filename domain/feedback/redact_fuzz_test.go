package feedback

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzRedact builds a phone number, a 12-digit ID number and an e-mail
// address from the fuzzer's input, writes each the way people do (dots,
// spaces, dashes, +84), puts it between fuzzed words, and checks that
// nothing of it survives Redact.
func FuzzRedact(f *testing.F) {
	f.Add("Liên hệ", "cảm ơn", uint64(912345678), uint64(1099012345), "an.nguyen", uint8(0))
	f.Add("", "", uint64(0), uint64(0), "a", uint8(1))
	f.Add("Số điện thoại:", ".", uint64(387654321), uint64(79123456789), "x_y+pakn", uint8(2))
	f.Add("gọi", "nhé!", uint64(243825123), uint64(1), "Thu.Ha", uint8(3))
	f.Fuzz(func(t *testing.T, before, after string, phone, id uint64, local string, style uint8) {
		words := func(s string) string {
			// Fuzzed words carry no digits and none of an address's
			// characters: what is left of them cannot make or hide a
			// number.
			if !utf8.ValidString(s) {
				s = strings.ToValidUTF8(s, "?")
			}
			return strings.Map(func(r rune) rune {
				if (r >= '0' && r <= '9') || strings.ContainsRune("@+.-_()", r) || r > 0xFFFF {
					return ' '
				}
				return r
			}, s)
		}
		before, after = words(before), words(after)
		// A mobile number: 0, then a prefix 3, 5, 7, 8 or 9, then 8 digits.
		nsn := string("35789"[phone%5]) + pad(phone/5%100_000_000, 8)
		idn := pad(id%1_000_000_000_000, 12)
		var ph string
		switch style % 4 {
		case 0:
			ph = "0" + nsn
		case 1:
			ph = "0" + nsn[:3] + "." + nsn[3:6] + "." + nsn[6:]
		case 2:
			ph = "+84 " + nsn[:3] + " " + nsn[3:6] + " " + nsn[6:]
		default:
			ph = "0" + nsn[:3] + "-" + nsn[3:6] + "-" + nsn[6:]
		}
		loc := strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, local)
		if loc == "" {
			loc = "a"
		}
		mail := loc + "@gmail.com"
		for _, secret := range []struct{ kind, text, digits string }{
			{"phone", ph, nsn}, {"ID number", idn, idn}, {"e-mail", mail, ""},
		} {
			in := before + " " + secret.text + " " + after
			out, n := Redact(in)
			if n < 1 {
				t.Fatalf("%s %q not found in %q", secret.kind, secret.text, in)
			}
			if strings.Contains(out, secret.text) {
				t.Fatalf("%s %q survives: %q", secret.kind, secret.text, out)
			}
			if secret.digits != "" && strings.Contains(digitsOf(out), secret.digits) {
				t.Fatalf("the digits of %s %q survive: %q", secret.kind, secret.text, out)
			}
			if strings.Contains(out, "@") {
				t.Fatalf("an address survives: %q", out)
			}
		}
	})
}

// pad writes n in decimal with at least width digits.
func pad(n uint64, width int) string {
	s := strings.Repeat("0", width) + uintString(n)
	return s[len(s)-max(width, len(uintString(n))):]
}

func uintString(n uint64) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
