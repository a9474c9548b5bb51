package notify_test

import (
	"testing"

	"github.com/motcua/motcua/notify"
)

func TestMask(t *testing.T) {
	for in, want := range map[string]string{
		"an.nguyen@example.vn": "an***@example.vn",
		"an@example.vn":        "a***@example.vn",
		"a@example.vn":         "a***@example.vn",
		"not-an-address":       "***",
	} {
		if got := notify.MaskEmail(in); got != want {
			t.Errorf("MaskEmail(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"0912345678":   "09*****678",
		"+84912345678": "+8*******678",
		"12345":        "*****",
		"":             "***",
	} {
		if got := notify.MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
}
