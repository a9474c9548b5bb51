package domain

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/big"
)

// NewPin returns a random 6-digit lookup PIN for a citizen's receipt.
func NewPin() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", fmt.Errorf("pin: %w", err)
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

// ValidPinFormat reports whether s is exactly 6 ASCII digits.
func ValidPinFormat(s string) bool {
	if len(s) != 6 {
		return false
	}
	for i := 0; i < 6; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// PinHasher keys the hashes of lookup PINs (HMAC-SHA256 under the data key).
// A slow password hash would gain nothing for a 6-digit PIN and cost every
// public lookup; the key is what protects a leaked table.
type PinHasher struct{ key []byte }

// NewPinHasher returns a hasher under key (at least 32 bytes).
func NewPinHasher(key []byte) PinHasher { return PinHasher{key: append([]byte(nil), key...)} }

// Hash binds pin to the record code, so equal PINs of two records differ.
func (h PinHasher) Hash(code, pin string) string {
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte(code))
	m.Write([]byte{0})
	m.Write([]byte(pin))
	return hex.EncodeToString(m.Sum(nil))
}

// Verify reports, in constant time, whether pin matches hash for code.
func (h PinHasher) Verify(code, pin, hash string) bool {
	if !ValidPinFormat(pin) {
		return false
	}
	return hmac.Equal([]byte(h.Hash(code, pin)), []byte(hash))
}
