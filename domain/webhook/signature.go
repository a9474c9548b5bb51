package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// The headers of a delivery.
const (
	HeaderSignature = "X-Motcua-Signature"
	HeaderEvent     = "X-Motcua-Event"
	HeaderEventID   = "X-Motcua-Event-Id"
	HeaderDelivery  = "X-Motcua-Delivery"
	UserAgent       = "motcua-webhook/1"
)

// SignatureTolerance is how far a receiver lets a signature's time stray
// from its clock: wide enough for clock drift, narrow enough that a
// captured request cannot be replayed much later.
const SignatureTolerance = 5 * time.Minute

// SecretPrefix starts every secret, so one pasted into the wrong place is
// recognisable (and findable by secret scanners).
const SecretPrefix = "whsec_"

// secretBytes is the length of a secret's random part.
const secretBytes = 32

// NewSecret returns a fresh secret: SecretPrefix and 32 random bytes in
// unpadded base64url. Receivers key the HMAC with the whole string's
// bytes, prefix included, so they never need to decode it.
func NewSecret() (string, error) {
	b := make([]byte, secretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return SecretPrefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// ValidSecret reports whether s has the shape NewSecret gives.
func ValidSecret(s string) bool {
	rest, ok := strings.CutPrefix(s, SecretPrefix)
	if !ok {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(rest)
	return err == nil && len(b) >= secretBytes
}

// Sign returns the X-Motcua-Signature value for body sent at t:
// t=<unix seconds>,v1=<lowercase hex HMAC-SHA256 keyed with the secret's
// bytes over "<unix seconds>.<body>">. The time is inside the signed bytes
// so a receiver can refuse an old request without trusting an unsigned
// header.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Errors of Verify.
var (
	ErrSignatureMalformed = errors.New("webhook signature: malformed header")
	ErrSignatureExpired   = errors.New("webhook signature: time outside the tolerance")
	ErrSignatureMismatch  = errors.New("webhook signature: no matching v1 value")
)

// Verify checks header (an X-Motcua-Signature value) against body as a
// receiver should: the time within tolerance of now, and one v1 value
// equal, compared in constant time, to the HMAC of the time and body.
// Several v1 values are accepted so that a sender may sign with an old
// and a new secret while a receiver changes over.
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var ts string
	var sigs [][]byte
	for part := range strings.SplitSeq(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return ErrSignatureMalformed
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			b, err := hex.DecodeString(v)
			if err != nil {
				return ErrSignatureMalformed
			}
			sigs = append(sigs, b)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return ErrSignatureMalformed
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return ErrSignatureExpired
	}
	want := mac(secret, ts, body)
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			return nil
		}
	}
	return ErrSignatureMismatch
}
