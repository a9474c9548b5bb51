package repository

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/motcua/motcua/domain"
)

// IdempotencyTTL is how long a key keeps its first answer (docs/openapi.yaml). Older
// rows count as absent: the key may be used again.
const IdempotencyTTL = 24 * time.Hour

// IdempotencyLease is how long a claim may stay in progress. An older claim
// belongs to a request that died with its process (no handler runs this
// long: the server's write timeout is a minute), so the key is free again.
const IdempotencyLease = 5 * time.Minute

// idempotencySweepEvery is how often Begin deletes expired rows.
const idempotencySweepEvery = time.Hour

const (
	idemInProgress = "in_progress"
	idemDone       = "done"
)

// IdempotencyRecord is what Begin finds for a key (one type, in domain).
type IdempotencyRecord = domain.IdempotencyRecord

// IdempotencyStore keeps the first answer to each (owner, Idempotency-Key)
// for IdempotencyTTL. Answers can carry personal data and lookup pins, so
// they are encrypted (AES-256-GCM) and request fingerprints are keyed
// hashes, both under keys derived from the data key.
type IdempotencyStore struct {
	db     *gorm.DB
	macKey []byte
	aead   cipher.AEAD

	mu    sync.Mutex
	swept time.Time
}

// NewIdempotencyStore returns the store over db, keyed by dataKey (the
// service's data key).
func NewIdempotencyStore(db *gorm.DB, dataKey []byte) (*IdempotencyStore, error) {
	block, err := aes.NewCipher(deriveKey(dataKey, "motcua/idempotency/body/v1"))
	if err != nil {
		return nil, fmt.Errorf("idempotency store: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("idempotency store: %w", err)
	}
	return &IdempotencyStore{db: db, macKey: deriveKey(dataKey, "motcua/idempotency/fingerprint/v1"), aead: aead}, nil
}

func deriveKey(key []byte, purpose string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

type idempotencyRow struct {
	Owner       string `gorm:"primaryKey"`
	IdemKey     string `gorm:"primaryKey"`
	Fingerprint string
	State       string
	Claim       string
	Status      int
	ContentType string
	Body        []byte
	CreatedAt   time.Time
}

func (idempotencyRow) TableName() string { return "idempotency_keys" }

const idemWhat = "khóa Idempotency-Key"

// claimSQL inserts an in-progress row, or takes over an existing one that
// has expired or whose claim outlived its lease. It changes no row when the
// key is live, so RowsAffected says whether the caller holds the claim.
const claimSQL = `INSERT INTO idempotency_keys
	(owner, idem_key, fingerprint, state, claim, status, content_type, body, created_at)
	VALUES (?, ?, ?, ?, ?, 0, '', NULL, ?)
	ON CONFLICT (owner, idem_key) DO UPDATE SET
		fingerprint = excluded.fingerprint, state = excluded.state, claim = excluded.claim,
		status = 0, content_type = '', body = NULL, created_at = excluded.created_at
	WHERE idempotency_keys.created_at <= ?
		OR (idempotency_keys.state = ? AND idempotency_keys.created_at <= ?)`

// Begin claims (owner, key) for the request whose fingerprint is given, at
// now. Atomically, it either inserts an in-progress row and answers with a
// Claim (rows past IdempotencyTTL, and claims past IdempotencyLease, count
// as absent and are replaced), or answers what the live row holds: another
// request (Mismatch), the first answer (Done), or neither while the first
// request still runs.
func (s *IdempotencyStore) Begin(ctx context.Context, owner, key, fingerprint string, now time.Time) (IdempotencyRecord, error) {
	now = now.UTC().Truncate(time.Microsecond)
	ctx = domain.WithFreshReads(ctx) // a lagging replica would miss the claim
	fp := s.fingerprint(fingerprint)
	// A live row can vanish between the claim attempt and the read (its
	// request abandoned it); then the claim is simply tried again.
	for range 5 {
		claim, err := newClaim()
		if err != nil {
			return IdempotencyRecord{}, err
		}
		res := conn(ctx, s.db).Exec(claimSQL, owner, key, fp, idemInProgress, claim, now,
			now.Add(-IdempotencyTTL), idemInProgress, now.Add(-IdempotencyLease))
		if res.Error != nil {
			return IdempotencyRecord{}, translate(res.Error, idemWhat)
		}
		if res.RowsAffected == 1 {
			return IdempotencyRecord{Claim: claim}, nil
		}
		var r idempotencyRow
		err = conn(ctx, s.db).Where("owner = ? AND idem_key = ?", owner, key).Take(&r).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			continue
		}
		if err != nil {
			return IdempotencyRecord{}, translate(err, idemWhat)
		}
		if !hmac.Equal([]byte(r.Fingerprint), []byte(fp)) {
			return IdempotencyRecord{Mismatch: true}, nil
		}
		if r.State != idemDone {
			return IdempotencyRecord{}, nil
		}
		body, err := s.open(r.Body, owner, key)
		if err != nil {
			return IdempotencyRecord{}, err
		}
		return IdempotencyRecord{Done: true, Status: r.Status, ContentType: r.ContentType, Body: body}, nil
	}
	return IdempotencyRecord{}, errors.New("idempotency: key changed hands too often")
}

// errRollbackRun makes a transaction roll back without being an error.
var errRollbackRun = errors.New("roll back")

// Run claims (owner, key) for the request whose fingerprint is given and,
// when it holds the claim, runs fn in the same transaction: fn's context
// carries it, so every store call made with that context joins it. The
// request's writes (in a savepoint, kept when outcome.Commit), its answer
// (when outcome.Keep) and the claim commit together or not at all: a crash
// at any moment leaves either the first answer stored with everything the
// request wrote, or nothing — never writes whose key a retry would run
// again. A concurrent duplicate waits on the key's row until this
// transaction ends (PostgreSQL's row lock; SQLite's one writer), then
// finds the answer. Without the claim, Run answers what the key holds, as
// Begin does; the returned record's Claim is set when fn ran.
func (s *IdempotencyStore) Run(ctx context.Context, owner, key, fingerprint string, now time.Time,
	fn func(context.Context) domain.IdempotentOutcome) (IdempotencyRecord, error) {
	s.maybeSweep(ctx, now.UTC())
	var rec IdempotencyRecord
	err := transaction(ctx, s.db, func(tx *gorm.DB) error {
		tctx := withTx(ctx, tx)
		var err error
		if rec, err = s.Begin(tctx, owner, key, fingerprint, now); err != nil || rec.Claim == "" {
			return err
		}
		var out domain.IdempotentOutcome
		err = tx.Transaction(func(sp *gorm.DB) error {
			out = fn(withTx(ctx, sp))
			if !out.Commit {
				return errRollbackRun
			}
			return nil
		})
		if err != nil && !errors.Is(err, errRollbackRun) {
			return err
		}
		switch {
		case out.Keep:
			return s.Complete(tctx, owner, key, rec.Claim, out.Status, out.ContentType, out.Body)
		case out.Commit: // writes stand, the answer could not be kept
			return s.Abandon(tctx, owner, key, rec.Claim)
		default: // a failure: nothing happened, the key is free
			return errRollbackRun
		}
	})
	if errors.Is(err, errRollbackRun) {
		err = nil
	}
	return rec, err
}

// Pending reports whether a live claim on (owner, key) is still in
// progress at now. Waiting duplicates poll it (a read) and call Begin again
// once it is false.
func (s *IdempotencyStore) Pending(ctx context.Context, owner, key string, now time.Time) (bool, error) {
	now = now.UTC().Truncate(time.Microsecond)
	ctx = domain.WithFreshReads(ctx)
	var n int64
	err := conn(ctx, s.db).Model(&idempotencyRow{}).
		Where("owner = ? AND idem_key = ? AND state = ? AND created_at > ? AND created_at > ?",
			owner, key, idemInProgress, now.Add(-IdempotencyTTL), now.Add(-IdempotencyLease)).
		Count(&n).Error
	if err != nil {
		return false, translate(err, idemWhat)
	}
	return n > 0, nil
}

// Complete stores the answer of the request that holds claim. It fails
// with KindConflict when the claim is no longer held (it outlived its lease
// and another request took the key over).
func (s *IdempotencyStore) Complete(ctx context.Context, owner, key, claim string, status int, contentType string, body []byte) error {
	sealed, err := s.seal(body, owner, key)
	if err != nil {
		return err
	}
	res := conn(ctx, s.db).Model(&idempotencyRow{}).
		Where("owner = ? AND idem_key = ? AND claim = ? AND state = ?", owner, key, claim, idemInProgress).
		Updates(map[string]any{"state": idemDone, "status": status, "content_type": contentType, "body": sealed})
	if res.Error != nil {
		return translate(res.Error, idemWhat)
	}
	if res.RowsAffected == 0 {
		return errLostClaim
	}
	return nil
}

// Abandon deletes the in-progress row of claim, so that a retry with the
// same key runs the request again. Abandoning a lost claim does nothing.
func (s *IdempotencyStore) Abandon(ctx context.Context, owner, key, claim string) error {
	err := conn(ctx, s.db).
		Where("owner = ? AND idem_key = ? AND claim = ? AND state = ?", owner, key, claim, idemInProgress).
		Delete(&idempotencyRow{}).Error
	return translate(err, idemWhat)
}

// Sweep deletes the rows that expired by now and reports how many.
func (s *IdempotencyStore) Sweep(ctx context.Context, now time.Time) (int64, error) {
	res := conn(ctx, s.db).Where("created_at <= ?", now.UTC().Add(-IdempotencyTTL)).Delete(&idempotencyRow{})
	if res.Error != nil {
		return 0, translate(res.Error, idemWhat)
	}
	return res.RowsAffected, nil
}

// maybeSweep runs Sweep at most once per idempotencySweepEvery. Expired
// rows are already ignored, so a failure only delays the cleanup.
func (s *IdempotencyStore) maybeSweep(ctx context.Context, now time.Time) {
	s.mu.Lock()
	due := s.swept.IsZero() || now.Sub(s.swept) >= idempotencySweepEvery || now.Before(s.swept)
	if due {
		s.swept = now
	}
	s.mu.Unlock()
	if due {
		_, _ = s.Sweep(ctx, now)
	}
}

// errLostClaim answers Complete when the claim was taken over.
var errLostClaim = &domain.Error{Kind: domain.KindConflict, Message: "Idempotency-Key đã được một yêu cầu khác tiếp nhận"}

func (s *IdempotencyStore) fingerprint(fp string) string {
	m := hmac.New(sha256.New, s.macKey)
	m.Write([]byte(fp))
	return hex.EncodeToString(m.Sum(nil))
}

// seal encrypts an answer, bound to its owner and key.
func (s *IdempotencyStore) seal(body []byte, owner, key string) ([]byte, error) {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(body)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("idempotency seal: %w", err)
	}
	return s.aead.Seal(nonce, nonce, body, additionalData(owner, key)), nil
}

func (s *IdempotencyStore) open(sealed []byte, owner, key string) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return nil, errors.New("idempotency open: stored answer is truncated")
	}
	body, err := s.aead.Open(nil, sealed[:n], sealed[n:], additionalData(owner, key))
	if err != nil {
		return nil, fmt.Errorf("idempotency open: %w", err)
	}
	return body, nil
}

func additionalData(owner, key string) []byte {
	return []byte(owner + "\x00" + key)
}

func newClaim() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("idempotency claim: %w", err)
	}
	return hex.EncodeToString(b), nil
}
