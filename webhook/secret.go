package webhook

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Secrets at rest. A subscription's secret must be stored in a form the
// server can use (it signs with the secret itself, not a hash of it), so it
// is sealed with AES-256-GCM under a key derived by HKDF-SHA256 from the
// data key with its own info string: a key for webhook secrets is never the
// key of personal data, and a leak of one sealed column opens nothing
// else. The additional data is the subscription id, so a sealed secret
// copied to another subscription does not open. The stored form is
//
//	wh1:<base64url(nonce ‖ ciphertext ‖ tag)>
//
// The sealing primitive of the repository package is not reused because
// it is unexported and bound to its personal-data columns.

const secretEnvelope = "wh1:"

// ErrSecretSealed is a stored secret that does not open: damaged, moved
// from another subscription, or sealed under another data key.
var ErrSecretSealed = errors.New("webhook: a stored secret does not open with the data key")

// SecretBox seals and opens subscription secrets.
type SecretBox struct {
	aead cipher.AEAD
}

// NewSecretBox derives the webhook-secret key from dataKey (at least 32
// bytes, MOTCUA_DATA_KEY).
func NewSecretBox(dataKey []byte) (*SecretBox, error) {
	if len(dataKey) < 32 {
		return nil, errors.New("webhook secrets: the data key must be at least 32 bytes")
	}
	key, err := hkdf.Key(sha256.New, dataKey, nil, "motcua/webhook-secret/v1", 32)
	if err != nil {
		return nil, fmt.Errorf("webhook secrets: derive key: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("webhook secrets: %w", err)
	}
	a, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("webhook secrets: %w", err)
	}
	return &SecretBox{aead: a}, nil
}

// Seal returns secret sealed for the subscription id.
func (b *SecretBox) Seal(id, secret string) (string, error) {
	buf := make([]byte, b.aead.NonceSize(), b.aead.NonceSize()+len(secret)+b.aead.Overhead())
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("webhook secrets: nonce: %w", err)
	}
	buf = b.aead.Seal(buf, buf, []byte(secret), []byte(id))
	return secretEnvelope + base64.RawURLEncoding.EncodeToString(buf), nil
}

// Open returns the secret sealed for subscription id. Returns
// ErrSecretSealed for anything that does not open.
func (b *SecretBox) Open(id, sealed string) (string, error) {
	body, ok := strings.CutPrefix(sealed, secretEnvelope)
	if !ok {
		return "", ErrSecretSealed
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	n := b.aead.NonceSize()
	if err != nil || len(raw) < n+b.aead.Overhead() {
		return "", ErrSecretSealed
	}
	plain, err := b.aead.Open(nil, raw[:n], raw[n:], []byte(id))
	if err != nil {
		return "", ErrSecretSealed
	}
	return string(plain), nil
}
