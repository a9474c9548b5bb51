package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"strings"
	"sync"
	"testing"
)

// TestCSRFTokenCheck holds the token check to its plain definition (three
// dot-separated parts, "v1", a 43-character nonce, the HMAC of
// "csrf:"+nonce), on good, altered and malformed tokens, also from many
// goroutines (the HMAC states are pooled).
func TestCSRFTokenCheck(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	k := newCSRFKey(key)
	plain := func(tok string) bool {
		parts := strings.Split(tok, ".")
		if len(parts) != 3 || parts[0] != "v1" || len(parts[1]) != 43 {
			return false
		}
		mac, err := b64.DecodeString(parts[2])
		if err != nil {
			return false
		}
		m := hmac.New(sha256.New, key)
		m.Write([]byte("csrf:" + parts[1]))
		return hmac.Equal(mac, m.Sum(nil))
	}
	good := k.mint()
	nonce, mac, _ := strings.Cut(strings.TrimPrefix(good, "v1."), ".")
	other := newCSRFKey([]byte("another key, another key, anothe")).mint()
	cases := []string{good, other, "", "v1", "v1.", "v1..", "v2." + nonce + "." + mac, "v1." + nonce + "." + mac + ".",
		"v1." + nonce + "." + mac + ".x", "v1." + nonce[1:] + "." + mac, "v1." + nonce + "x." + mac,
		"v1." + nonce + "." + mac[:len(mac)-1], "v1." + nonce + "." + mac + "A", "v1." + nonce + ".!" + mac[1:],
		"v1." + nonce + "." + strings.ToUpper(mac), ".v1." + nonce + "." + mac, "v1." + nonce + "." + mac + "\x00"}
	for _, tok := range cases {
		if got, want := k.valid(tok), plain(tok); got != want {
			t.Errorf("valid(%q) = %v, want %v", tok, got, want)
		}
	}
	if !k.valid(good) {
		t.Fatal("a minted token is refused")
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				if tok := k.mint(); !k.valid(tok) || k.valid(other) {
					t.Error("concurrent check")
					return
				}
			}
		})
	}
	wg.Wait()
}
