package repository

import (
	"bytes"
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/motcua/motcua/domain"
)

func newTestIdempotencyStore(t *testing.T) (*IdempotencyStore, func() idempotencyRow) {
	t.Helper()
	db := OpenTest(t)
	s, err := NewIdempotencyStore(db, []byte("test-data-key-test-data-key-test-data-key"))
	if err != nil {
		t.Fatal(err)
	}
	raw := func() idempotencyRow {
		t.Helper()
		var r idempotencyRow
		if err := db.Where("owner = ? AND idem_key = ?", "user:admin", "k1").Take(&r).Error; err != nil {
			t.Fatalf("raw row: %v", err)
		}
		return r
	}
	return s, raw
}

// A time with a fractional second, so SQLite's text timestamps are compared
// across different fraction lengths.
var idemT0 = time.Date(2026, 11, 23, 2, 0, 0, 123456000, time.UTC)

func mustBegin(t *testing.T, s *IdempotencyStore, owner, key, fp string, now time.Time) IdempotencyRecord {
	t.Helper()
	rec, err := s.Begin(context.Background(), owner, key, fp, now)
	if err != nil {
		t.Fatalf("Begin(%s, %s) at %v: %v", owner, key, now, err)
	}
	return rec
}

func TestIdempotencyBeginCompleteReplay(t *testing.T) {
	s, raw := newTestIdempotencyStore(t)
	ctx := context.Background()

	first := mustBegin(t, s, "user:admin", "k1", "fp-A", idemT0)
	if first.Claim == "" || first.Done || first.Mismatch {
		t.Fatalf("first Begin = %+v, want a claim", first)
	}
	// While the first runs: the same request waits, another is refused.
	if rec := mustBegin(t, s, "user:admin", "k1", "fp-A", idemT0.Add(time.Second)); rec.Claim != "" || rec.Done || rec.Mismatch {
		t.Fatalf("duplicate while in progress = %+v, want in progress", rec)
	}
	if rec := mustBegin(t, s, "user:admin", "k1", "fp-B", idemT0.Add(time.Second)); !rec.Mismatch {
		t.Fatalf("other request while in progress = %+v, want mismatch", rec)
	}
	if p, err := s.Pending(ctx, "user:admin", "k1", idemT0.Add(time.Second)); err != nil || !p {
		t.Fatalf("Pending = %v, %v; want true", p, err)
	}
	// The key is the caller's: another owner's same key is independent.
	if rec := mustBegin(t, s, "user:clerk", "k1", "fp-B", idemT0); rec.Claim == "" {
		t.Fatalf("other owner's Begin = %+v, want its own claim", rec)
	}

	body := []byte(`{"code":"X","lookup_pin":"123456"}`)
	if err := s.Complete(ctx, "user:admin", "k1", "not-the-claim", 201, "application/json", body); domain.KindOf(err) != domain.KindConflict {
		t.Fatalf("Complete with a foreign claim = %v, want conflict", err)
	}
	if err := s.Complete(ctx, "user:admin", "k1", first.Claim, 201, "application/json; charset=utf-8", body); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	rec := mustBegin(t, s, "user:admin", "k1", "fp-A", idemT0.Add(time.Hour))
	if !rec.Done || rec.Status != 201 || rec.ContentType != "application/json; charset=utf-8" || !bytes.Equal(rec.Body, body) {
		t.Fatalf("replay = %+v (body %s), want the stored 201", rec, rec.Body)
	}
	if rec := mustBegin(t, s, "user:admin", "k1", "fp-B", idemT0.Add(time.Hour)); !rec.Mismatch {
		t.Fatalf("other request after completion = %+v, want mismatch", rec)
	}
	if p, err := s.Pending(ctx, "user:admin", "k1", idemT0.Add(time.Hour)); err != nil || p {
		t.Fatalf("Pending after Complete = %v, %v; want false", p, err)
	}
	// Abandoning a completed key does nothing.
	if err := s.Abandon(ctx, "user:admin", "k1", first.Claim); err != nil {
		t.Fatal(err)
	}
	if rec := mustBegin(t, s, "user:admin", "k1", "fp-A", idemT0.Add(time.Hour)); !rec.Done {
		t.Fatalf("after Abandon of a done key: %+v, want the stored answer", rec)
	}

	// At rest the answer is encrypted and the fingerprint keyed.
	r := raw()
	if bytes.Contains(r.Body, []byte("123456")) || bytes.Contains(r.Body, []byte("lookup_pin")) {
		t.Fatal("stored answer is in clear text")
	}
	if r.Fingerprint == "fp-A" || len(r.Fingerprint) != 64 {
		t.Fatalf("stored fingerprint %q is not a keyed hash", r.Fingerprint)
	}
}

func TestIdempotencyAbandonFreesTheKey(t *testing.T) {
	s, _ := newTestIdempotencyStore(t)
	ctx := context.Background()
	first := mustBegin(t, s, "ip:192.0.2.1", "k", "fp", idemT0)
	if err := s.Abandon(ctx, "ip:192.0.2.1", "k", "someone-else"); err != nil {
		t.Fatal(err)
	}
	if rec := mustBegin(t, s, "ip:192.0.2.1", "k", "fp", idemT0); rec.Claim != "" {
		t.Fatalf("Abandon with a foreign claim freed the key: %+v", rec)
	}
	if err := s.Abandon(ctx, "ip:192.0.2.1", "k", first.Claim); err != nil {
		t.Fatal(err)
	}
	if p, err := s.Pending(ctx, "ip:192.0.2.1", "k", idemT0); err != nil || p {
		t.Fatalf("Pending after Abandon = %v, %v", p, err)
	}
	// After Abandon the retry runs, even with another body.
	again := mustBegin(t, s, "ip:192.0.2.1", "k", "fp-other", idemT0)
	if again.Claim == "" || again.Claim == first.Claim {
		t.Fatalf("Begin after Abandon = %+v, want a new claim", again)
	}
}

func TestIdempotencyExpiryAndLease(t *testing.T) {
	s, _ := newTestIdempotencyStore(t)
	ctx := context.Background()

	// Done answers live exactly IdempotencyTTL.
	c := mustBegin(t, s, "user:admin", "done", "fp", idemT0)
	if err := s.Complete(ctx, "user:admin", "done", c.Claim, 422, "application/json", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	if rec := mustBegin(t, s, "user:admin", "done", "fp", idemT0.Add(IdempotencyTTL-time.Microsecond)); !rec.Done || rec.Status != 422 {
		t.Fatalf("just before 24 h: %+v, want the stored answer", rec)
	}
	if rec := mustBegin(t, s, "user:admin", "done", "fp-new", idemT0.Add(IdempotencyTTL+500*time.Millisecond)); rec.Claim == "" {
		t.Fatalf("after 24 h: %+v, want a new claim (the key is free)", rec)
	}

	// A claim that outlives its lease is taken over, and the old claim
	// can no longer complete.
	old := mustBegin(t, s, "user:admin", "slow", "fp", idemT0)
	if rec := mustBegin(t, s, "user:admin", "slow", "fp", idemT0.Add(IdempotencyLease-time.Microsecond)); rec.Claim != "" {
		t.Fatalf("within the lease: %+v, want in progress", rec)
	}
	if p, _ := s.Pending(ctx, "user:admin", "slow", idemT0.Add(IdempotencyLease)); p {
		t.Fatal("Pending after the lease = true")
	}
	taken := mustBegin(t, s, "user:admin", "slow", "fp", idemT0.Add(IdempotencyLease))
	if taken.Claim == "" || taken.Claim == old.Claim {
		t.Fatalf("after the lease: %+v, want a new claim", taken)
	}
	if err := s.Complete(ctx, "user:admin", "slow", old.Claim, 201, "", nil); domain.KindOf(err) != domain.KindConflict {
		t.Fatalf("Complete of a lost claim = %v, want conflict", err)
	}
	if err := s.Complete(ctx, "user:admin", "slow", taken.Claim, 201, "", nil); err != nil {
		t.Fatal(err)
	}
}

func TestIdempotencySweep(t *testing.T) {
	s, _ := newTestIdempotencyStore(t)
	ctx := context.Background()
	mustBegin(t, s, "user:a", "old", "fp", idemT0)
	c := mustBegin(t, s, "user:a", "new", "fp", idemT0.Add(2*time.Hour))
	if err := s.Complete(ctx, "user:a", "new", c.Claim, 201, "", []byte("x")); err != nil {
		t.Fatal(err)
	}
	n, err := s.Sweep(ctx, idemT0.Add(IdempotencyTTL+time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("Sweep = %d, %v; want 1 row", n, err)
	}
	if n, err := s.Sweep(ctx, idemT0.Add(IdempotencyTTL+time.Hour)); err != nil || n != 0 {
		t.Fatalf("second Sweep = %d, %v; want nothing left to delete", n, err)
	}
	if rec := mustBegin(t, s, "user:a", "new", "fp", idemT0.Add(IdempotencyTTL+time.Hour)); !rec.Done {
		t.Fatalf("Sweep deleted a live row: %+v", rec)
	}
}

func TestIdempotencyConcurrentBeginOneClaim(t *testing.T) {
	s, _ := newTestIdempotencyStore(t)
	const n = 32
	var wg sync.WaitGroup
	var mu sync.Mutex
	claims, waiting := 0, 0
	start := make(chan struct{})
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			rec, err := s.Begin(context.Background(), "user:admin", "race", "fp", idemT0)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				t.Errorf("Begin: %v", err)
			case rec.Claim != "":
				claims++
			case !rec.Done && !rec.Mismatch:
				waiting++
			}
		}()
	}
	close(start)
	wg.Wait()
	if claims != 1 || waiting != n-1 {
		t.Fatalf("%d claims and %d in progress, want 1 and %d", claims, waiting, n-1)
	}
}

// TestIdempotencyReadsThePrimary runs the store over a database with a read
// replica whose replay is paused: every read it makes must go to the
// primary, or it would miss its own claims. (Without PostgreSQL the flow
// runs on the plain database.)
func TestIdempotencyReadsThePrimary(t *testing.T) {
	ctx := context.Background()
	db := OpenTest(t)
	if TestDialect() == "postgres" {
		db = withPausedReplica(t, db)
	}
	s, err := NewIdempotencyStore(db, []byte("test-data-key-test-data-key-test-data-key"))
	if err != nil {
		t.Fatal(err)
	}
	first := mustBegin(t, s, "ip:192.0.2.1", "k", "fp", idemT0)
	if first.Claim == "" {
		t.Fatalf("Begin = %+v, want a claim", first)
	}
	if rec := mustBegin(t, s, "ip:192.0.2.1", "k", "fp", idemT0); rec.Claim != "" || rec.Done || rec.Mismatch {
		t.Fatalf("duplicate = %+v, want in progress", rec)
	}
	if p, err := s.Pending(ctx, "ip:192.0.2.1", "k", idemT0); err != nil || !p {
		t.Fatalf("Pending = %v, %v; want true", p, err)
	}
	if err := s.Complete(ctx, "ip:192.0.2.1", "k", first.Claim, 201, "application/json", []byte(`{"ok":true}`)); err != nil {
		t.Fatal(err)
	}
	if rec := mustBegin(t, s, "ip:192.0.2.1", "k", "fp", idemT0); !rec.Done || string(rec.Body) != `{"ok":true}` {
		t.Fatalf("after Complete = %+v, want the answer", rec)
	}
}

// withPausedReplica reopens db with the test replica as its read replica
// and pauses WAL replay on it until the test ends.
func withPausedReplica(t *testing.T, db *gorm.DB) *gorm.DB {
	t.Helper()
	replicaBase := os.Getenv("MOTCUA_TEST_POSTGRES_REPLICA")
	if replicaBase == "" {
		t.Fatal("MOTCUA_TEST_POSTGRES_REPLICA is not set (.ci/with-postgres starts a replica)")
	}
	var name string
	if err := db.Raw("SELECT current_database()").Scan(&name).Error; err != nil {
		t.Fatal(err)
	}
	primaryURL, _ := withDatabase(os.Getenv(EnvTestPostgres), name)
	replicaURL, _ := withDatabase(replicaBase, name)
	var replica *gorm.DB
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		r, err := Open(Options{URL: replicaURL, MaxOpenConns: 1})
		if err == nil {
			if err = Ping(context.Background(), r); err == nil {
				replica = r
				break
			}
			_ = Close(r)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the test database never appeared on the replica: %v", err)
		}
	}
	t.Cleanup(func() { _ = Close(replica) })
	if err := replica.Exec("SELECT pg_wal_replay_pause()").Error; err != nil {
		t.Fatalf("pause replay: %v", err)
	}
	t.Cleanup(func() { _ = replica.Exec("SELECT pg_wal_replay_resume()").Error })
	rdb, err := Open(Options{URL: primaryURL, ReplicaURLs: []string{replicaURL}, MaxOpenConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = Close(rdb) })
	var inRecovery bool
	if err := rdb.Raw("SELECT pg_is_in_recovery()").Scan(&inRecovery).Error; err != nil || !inRecovery {
		t.Fatalf("plain reads do not reach the replica (%v): the test would prove nothing", err)
	}
	return rdb
}

// Run commits the request's writes, its kept answer and the claim in one
// transaction: a failure (5xx) leaves neither writes nor key behind, a
// refusal (4xx) keeps its answer and no write, a success both; and a
// duplicate replays without running.
func TestIdempotencyRunCommitsWritesWithTheAnswer(t *testing.T) {
	t.Parallel()
	s, _ := newTestIdempotencyStore(t)
	ctx := context.Background()
	counter := func(name string) int64 { // the next value of a counter, outside any request
		t.Helper()
		var v int64
		if err := s.db.Raw("SELECT COALESCE(MAX(value), 0) FROM sequences WHERE name = ?", name).Scan(&v).Error; err != nil {
			t.Fatal(err)
		}
		return v
	}
	run := func(key string, out domain.IdempotentOutcome) (IdempotencyRecord, int) {
		t.Helper()
		ran := 0
		rec, err := s.Run(ctx, "user:admin", key, "fp-"+key, idemT0, func(tctx context.Context) domain.IdempotentOutcome {
			ran++
			if _, err := nextInSequence(tctx, s.db, "run|"+key); err != nil {
				t.Fatal(err)
			}
			return out
		})
		if err != nil {
			t.Fatalf("Run(%s): %v", key, err)
		}
		return rec, ran
	}
	created := domain.IdempotentOutcome{Status: 201, ContentType: "application/json", Body: []byte(`{"code":"X-1"}`), Commit: true, Keep: true}

	// A failure: the write is rolled back and the key is free.
	if _, ran := run("failed", domain.IdempotentOutcome{Status: 500}); ran != 1 || counter("run|failed") != 0 {
		t.Fatalf("after a 5xx the write stayed (counter %d)", counter("run|failed"))
	}
	if rec, ran := run("failed", created); ran != 1 || rec.Claim == "" || counter("run|failed") != 1 {
		t.Fatalf("the retry after a 5xx did not run (ran %d, counter %d)", ran, counter("run|failed"))
	}
	// A refusal: kept, and nothing written.
	refused := domain.IdempotentOutcome{Status: 422, ContentType: "application/json", Body: []byte(`{"error":{}}`), Keep: true}
	if _, ran := run("refused", refused); ran != 1 || counter("run|refused") != 0 {
		t.Fatalf("a refusal wrote (counter %d)", counter("run|refused"))
	}
	if rec, ran := run("refused", created); ran != 0 || !rec.Done || rec.Status != 422 {
		t.Fatalf("the refusal's replay = %+v (ran %d)", rec, ran)
	}
	// A success: written once, replayed after.
	if _, ran := run("ok", created); ran != 1 || counter("run|ok") != 1 {
		t.Fatal("the success did not write")
	}
	rec, ran := run("ok", created)
	if ran != 0 || !rec.Done || rec.Status != 201 || !bytes.Equal(rec.Body, created.Body) || counter("run|ok") != 1 {
		t.Fatalf("the replay = %+v (ran %d, counter %d)", rec, ran, counter("run|ok"))
	}
	// A panic in the request rolls everything back and frees the key.
	func() {
		defer func() { _ = recover() }()
		_, _ = s.Run(ctx, "user:admin", "panicky", "fp-panicky", idemT0, func(tctx context.Context) domain.IdempotentOutcome {
			if _, err := nextInSequence(tctx, s.db, "run|panicky"); err != nil {
				t.Fatal(err)
			}
			panic("boom")
		})
	}()
	if counter("run|panicky") != 0 {
		t.Fatal("a panicking request's write stayed")
	}
	if rec, ran := run("panicky", created); ran != 1 || rec.Claim == "" {
		t.Fatal("the key of a panicked request is not free")
	}
}
