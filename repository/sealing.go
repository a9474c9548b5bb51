package repository

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// Personal data at rest. Applicants' and senders' ID numbers, phones,
// e-mails and addresses are stored sealed with AES-256-GCM:
//
//	enc1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>
//
// The key with id n is HKDF-SHA256 of the data key with the info
// "motcua/personal-data/v1/<n>", so every key of the ring follows from the
// one secret and none is stored. New values are sealed with the current id
// (MOTCUA_DATA_KEY_ID); values under any other id still open, and
// `motcua rotate-key` reseals them under the current one. The additional
// data binds a value to its table, column and record code: a sealed phone
// copied into another row or column does not open.
//
// A value without the prefix is one written before sealing began; it reads
// as it is and rotate-key seals it. The empty value stays empty (an absent
// phone is not a secret worth a nonce). Equality lookups (the ID number)
// use the HMAC blind index applicant_id_hash, computed in the domain.

const sealPrefix = "enc1:"

// MaxKeyID bounds the key ids a Sealer derives.
const MaxKeyID = 1<<16 - 1

// Sealer seals and opens personal data under the key ring of one data key.
type Sealer struct {
	secret  []byte
	current uint32
	sealer  cipher.AEAD // the current key's, read without a lock (every seal and most opens)
	mu      sync.Mutex
	ring    map[uint32]cipher.AEAD // older keys, derived when first met
}

// NewSealer returns a sealer over the data key (at least 32 bytes) that
// seals under key id current (1 to MaxKeyID).
func NewSealer(dataKey []byte, current int) (*Sealer, error) {
	if len(dataKey) < 32 {
		return nil, errors.New("personal data: the data key must be at least 32 bytes")
	}
	if current < 1 || current > MaxKeyID {
		return nil, fmt.Errorf("personal data: key id %d is outside 1–%d", current, MaxKeyID)
	}
	s := &Sealer{secret: append([]byte(nil), dataKey...), current: uint32(current), ring: map[uint32]cipher.AEAD{}}
	a, err := s.aead(s.current)
	if err != nil {
		return nil, err
	}
	s.sealer = a
	return s, nil
}

// CurrentKeyID is the id new values are sealed under.
func (s *Sealer) CurrentKeyID() int { return int(s.current) }

func (s *Sealer) aead(id uint32) (cipher.AEAD, error) {
	if id == s.current && s.sealer != nil {
		return s.sealer, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.ring[id]; ok {
		return a, nil
	}
	key, err := hkdf.Key(sha256.New, s.secret, nil, "motcua/personal-data/v1/"+strconv.FormatUint(uint64(id), 10), 32)
	if err != nil {
		return nil, fmt.Errorf("personal data: derive key %d: %w", id, err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("personal data: %w", err)
	}
	a, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("personal data: %w", err)
	}
	s.ring[id] = a
	return a, nil
}

// field names where a sealed value lives; with the record's code it is the
// additional data.
type field string

const (
	fieldApplicantIDNumber field = "dossiers.applicant_id_number"
	fieldApplicantPhone    field = "dossiers.applicant_phone"
	fieldApplicantEmail    field = "dossiers.applicant_email"
	fieldApplicantAddress  field = "dossiers.applicant_address"
	fieldSenderPhone       field = "feedback.sender_phone"
	fieldSenderEmail       field = "feedback.sender_email"
	fieldSenderAddress     field = "feedback.sender_address"
)

func additional(f field, code string) []byte {
	b := make([]byte, 0, len(f)+1+len(code))
	b = append(b, f...)
	b = append(b, 0)
	return append(b, code...)
}

// seal returns plain sealed under the current key for field f of the
// record code; "" stays "".
func (s *Sealer) seal(f field, code, plain string) (string, error) {
	if plain == "" {
		return "", nil
	}
	a, err := s.aead(s.current)
	if err != nil {
		return "", err
	}
	buf := make([]byte, a.NonceSize(), a.NonceSize()+len(plain)+a.Overhead())
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("personal data: nonce: %w", err)
	}
	buf = a.Seal(buf, buf, []byte(plain), additional(f, code))
	return sealPrefix + strconv.FormatUint(uint64(s.current), 10) + ":" + base64.RawURLEncoding.EncodeToString(buf), nil
}

// errSealed is a stored value that does not open: a key id outside the
// ring, a damaged value, or one moved from another record or column. The
// message names neither the value nor the key.
var errSealed = errors.New("personal data: a stored value does not open with the data key")

// open returns the plain text of a stored value of field f of the record
// code: sealed values are opened, values from before sealing returned as
// they are.
func (s *Sealer) open(f field, code, stored string) (string, error) {
	id, body, sealed := splitSealed(stored)
	if !sealed {
		return stored, nil
	}
	if id == 0 {
		return "", errSealed
	}
	a, err := s.aead(id)
	if err != nil {
		return "", err
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil || len(raw) < a.NonceSize()+a.Overhead() {
		return "", errSealed
	}
	plain, err := a.Open(nil, raw[:a.NonceSize()], raw[a.NonceSize():], additional(f, code))
	if err != nil {
		return "", errSealed
	}
	return string(plain), nil
}

// splitSealed parses the envelope: the key id (0 when it is not a valid
// one) and the encoded body, or sealed false for a value without it.
func splitSealed(stored string) (id uint32, body string, sealed bool) {
	rest, ok := strings.CutPrefix(stored, sealPrefix)
	if !ok {
		return 0, "", false
	}
	ids, body, ok := strings.Cut(rest, ":")
	n, err := strconv.ParseUint(ids, 10, 32)
	if !ok || err != nil || n < 1 || n > MaxKeyID {
		return 0, "", true
	}
	return uint32(n), body, true
}

// current reports whether stored needs no resealing: empty, or sealed
// under the current key.
func (s *Sealer) isCurrent(stored string) bool {
	if stored == "" {
		return true
	}
	id, _, sealed := splitSealed(stored)
	return sealed && id == s.current
}

// sealInto seals *v in place (nil and "" stay as they are).
func (s *Sealer) sealInto(f field, code string, v *string) error {
	if v == nil {
		return nil
	}
	out, err := s.seal(f, code, *v)
	if err != nil {
		return err
	}
	*v = out
	return nil
}

// openInto opens *v in place.
func (s *Sealer) openInto(f field, code string, v *string) error {
	if v == nil {
		return nil
	}
	out, err := s.open(f, code, *v)
	if err != nil {
		return err
	}
	*v = out
	return nil
}

// slot is one sealed field of a row: where it lives and its value.
type slot struct {
	f field
	v *string // nil: a NULL, nothing to seal
}

func dossierSlots(r *dossierRow) []slot {
	return []slot{{fieldApplicantIDNumber, &r.ApplicantIDNumber}, {fieldApplicantPhone, &r.ApplicantPhone},
		{fieldApplicantEmail, &r.ApplicantEmail}, {fieldApplicantAddress, &r.ApplicantAddress}}
}

// feedbackSlots are r's sender fields. The row's pointers may be shared
// with a copy of it, so they are replaced by copies first: the values are
// then changed in place, never through a pointer another row holds.
func feedbackSlots(r *feedbackRow) []slot {
	r.SenderPhone, r.SenderEmail, r.SenderAddress = cloneString(r.SenderPhone), cloneString(r.SenderEmail), cloneString(r.SenderAddress)
	return []slot{{fieldSenderPhone, r.SenderPhone}, {fieldSenderEmail, r.SenderEmail}, {fieldSenderAddress, r.SenderAddress}}
}

// sealSlots seals each slot of the record code in place; openSlots opens
// them.
func (s *Sealer) sealSlots(code string, slots []slot) error {
	for _, c := range slots {
		if err := s.sealInto(c.f, code, c.v); err != nil {
			return err
		}
	}
	return nil
}

func (s *Sealer) openSlots(code string, slots []slot) error {
	for _, c := range slots {
		if err := s.openInto(c.f, code, c.v); err != nil {
			return err
		}
	}
	return nil
}

func (s *Sealer) sealDossier(r *dossierRow) error   { return s.sealSlots(r.Code, dossierSlots(r)) }
func (s *Sealer) openDossier(r *dossierRow) error   { return s.openSlots(r.Code, dossierSlots(r)) }
func (s *Sealer) sealFeedback(r *feedbackRow) error { return s.sealSlots(r.Code, feedbackSlots(r)) }
func (s *Sealer) openFeedback(r *feedbackRow) error { return s.openSlots(r.Code, feedbackSlots(r)) }

func cloneString(p *string) *string {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// SealedColumns are the columns that hold sealed values, as table.column.
func SealedColumns() []string {
	var out []string
	for _, t := range sealedTables {
		for _, c := range t.cols {
			out = append(out, string(c))
		}
	}
	return out
}

// Open returns the plain text of stored, the value of column (one of
// SealedColumns) of the record code: for tools and tests that read the
// tables themselves.
func (s *Sealer) Open(column, code, stored string) (string, error) {
	for _, c := range SealedColumns() {
		if c == column {
			return s.open(field(column), code, stored)
		}
	}
	return "", fmt.Errorf("personal data: %s is not a sealed column", column)
}
