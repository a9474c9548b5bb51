package user_test

import (
	"strings"
	"testing"

	"github.com/motcua/motcua/domain/user"
)

// TestNormalizeEmail: one bare address of at most 254 characters,
// lowercased; anything else is refused.
func TestNormalizeEmail(t *testing.T) {
	long := strings.Repeat("a", 64) + "@" + strings.Repeat("b", 186) + ".vn" // 254 characters
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{
		{"", "", true},
		{"  ", "", true},
		{"LanhDao@TuPhap.Example.VN", "lanhdao@tuphap.example.vn", true},
		{" an@example.vn ", "an@example.vn", true},
		{long, long, true},
		{long + "n", "", false},
		{"not-an-address", "", false},
		{"a@b", "", false},
		{"Lan <lan@example.vn>", "", false},
		{"<lan@example.vn>", "", false},
		{"lan@example.vn, an@example.vn", "", false},
		{"lan@@example.vn", "", false},
	} {
		got, ok := user.NormalizeEmail(tt.in)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
