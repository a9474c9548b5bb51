package repository_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/audit"
	"github.com/motcua/motcua/repository"
)

func TestAuditLogRefusesUpdateAndYoungDeletes(t *testing.T) {
	db := repository.OpenTest(t)
	ctx := context.Background()
	s := repository.NewAuditStore(db)
	now := time.Now().UTC().Truncate(time.Microsecond)
	old := audit.Entry{At: now.AddDate(0, 0, -800), Actor: "a", Role: "admin", Action: audit.UserCreated, Subject: "x", IP: "127.0.0.1"}
	young := audit.Entry{At: now.AddDate(0, 0, -10), Actor: "a", Role: "admin", Action: audit.UserCreated, Subject: "y", IP: "127.0.0.1"}
	entries := []audit.Entry{old, young}
	if err := s.Append(ctx, entries); err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("UPDATE audit_log SET actor = 'b' WHERE id = ?", entries[1].ID).Error; err == nil {
		t.Fatal("UPDATE of audit_log was accepted")
	}
	if err := db.Exec("UPDATE audit_log SET actor = 'b' WHERE id = ?", entries[0].ID).Error; err == nil {
		t.Fatal("UPDATE of an old audit_log row was accepted")
	}
	// No retention kept: nothing may be deleted, however old.
	if err := db.Exec("DELETE FROM audit_log WHERE id = ?", entries[0].ID).Error; err == nil {
		t.Fatal("DELETE accepted with no retention")
	}
	if err := s.SetRetention(ctx, 730); err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("DELETE FROM audit_log WHERE id = ?", entries[1].ID).Error; err == nil {
		t.Fatal("DELETE of a row younger than the retention was accepted")
	}
	if repository.TestDialect() == "postgres" {
		if err := db.Exec("TRUNCATE audit_log").Error; err == nil {
			t.Fatal("TRUNCATE of audit_log was accepted")
		}
	}
	// A purge that reaches into young rows is refused as a whole.
	if _, err := s.Purge(ctx, now); err == nil {
		t.Fatal("purge of young rows was accepted")
	}
	n, err := s.Purge(ctx, now.AddDate(0, 0, -731))
	if err != nil || n != 1 {
		t.Fatalf("purge = %d, %v; want 1 row", n, err)
	}
	left, err := s.List(ctx, audit.Filter{Page: domain.Page{Page: 1, PageSize: 10}})
	if err != nil || len(left) != 1 || left[0].Subject != "y" {
		t.Fatalf("left %+v, %v; want only the young row", left, err)
	}
	// Retention 0 keeps everything again.
	if err := s.SetRetention(ctx, 0); err != nil {
		t.Fatal(err)
	}
	old.At = now.AddDate(-5, 0, 0)
	if err := s.Append(ctx, []audit.Entry{old}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Purge(ctx, now.AddDate(-1, 0, 0)); err == nil {
		t.Fatal("purge accepted with retention 0")
	}
}

func TestAuditListPagesByCursorWithoutLoss(t *testing.T) {
	db := repository.OpenTest(t)
	ctx := context.Background()
	s := repository.NewAuditStore(db)
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	var es []audit.Entry
	for i := range 23 {
		// Groups of three share an instant, so the id breaks ties.
		es = append(es, audit.Entry{At: at.Add(time.Duration(i/3) * time.Second), Actor: "u", Role: "clerk",
			Action: audit.DossierRead, Subject: string(rune('a' + i)), IP: "10.0.0.1"})
	}
	if err := s.Append(ctx, es); err != nil {
		t.Fatal(err)
	}
	seen := map[int64]bool{}
	var after *domain.Cursor
	for range 10 {
		page, err := s.List(ctx, audit.Filter{After: after, Page: domain.Page{Page: 1, PageSize: 4}})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page {
			if seen[e.ID] {
				t.Fatalf("entry %d twice", e.ID)
			}
			seen[e.ID] = true
		}
		if len(page) < 4 {
			break
		}
		c := audit.CursorAfter(page[len(page)-1])
		after = &c
	}
	if len(seen) != len(es) {
		t.Fatalf("paged %d entries of %d", len(seen), len(es))
	}
}

// gatedStore holds every Append until release is closed, and says when
// the first one is waiting.
type gatedStore struct {
	*repository.AuditStore
	entered chan struct{}
	once    sync.Once
	release chan struct{}
}

func (g *gatedStore) Append(ctx context.Context, es []audit.Entry) error {
	g.once.Do(func() { close(g.entered) })
	<-g.release
	return g.AuditStore.Append(ctx, es)
}

// TestAuditWriterNeverBlocksAndFlushesOnClose: with the writer stuck on
// the database, enqueueing returns at once and a full buffer drops and
// counts; Close writes everything that was queued.
func TestAuditWriterNeverBlocksAndFlushesOnClose(t *testing.T) {
	db := repository.OpenTest(t)
	ctx := context.Background()
	real := repository.NewAuditStore(db)
	g := &gatedStore{AuditStore: real, entered: make(chan struct{}), release: make(chan struct{})}
	svc := audit.NewService(g, audit.Config{Buffer: 4, Batch: 2, FlushEvery: time.Millisecond}, nil)
	read := func(i int) audit.Entry {
		return audit.Entry{Actor: "u", Role: "clerk", Action: audit.DossierRead, Subject: strconv.Itoa(i), IP: "10.0.0.1"}
	}
	svc.Enqueue(read(0))
	select {
	case <-g.entered:
	case <-time.After(5 * time.Second):
		t.Fatal("the writer never wrote")
	}
	start := time.Now()
	for i := 1; i <= 10; i++ {
		svc.Enqueue(read(i))
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("enqueueing behind a stuck writer took %v", d)
	}
	if got := svc.Dropped(); got != 6 {
		t.Fatalf("dropped %d, want 6 (10 enqueued, 4 buffered)", got)
	}
	close(g.release)
	if err := svc.Close(ctx); err != nil {
		t.Fatal(err)
	}
	svc.Enqueue(read(99))
	if got := svc.Dropped(); got != 7 {
		t.Fatalf("an entry after Close was not counted as dropped: %d", got)
	}
	got, err := real.List(ctx, audit.Filter{Page: domain.Page{Page: 1, PageSize: 100}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 {
		t.Fatalf("%d entries written, want 5 (the first and the 4 buffered)", len(got))
	}
}

// TestAuditStartPurgesOnlyOldEntries: Start keeps the retention for the
// triggers and purges what is older, nothing younger.
func TestAuditStartPurgesOnlyOldEntries(t *testing.T) {
	db := repository.OpenTest(t)
	ctx := context.Background()
	s := repository.NewAuditStore(db)
	now := time.Now().UTC().Truncate(time.Microsecond)
	var es []audit.Entry
	for _, age := range []int{900, 731, 729, 10, 0} {
		es = append(es, audit.Entry{At: now.AddDate(0, 0, -age), Actor: "a", Role: "admin", Action: audit.ImportRun,
			Subject: strconv.Itoa(age), IP: "127.0.0.1"})
	}
	if err := s.Append(ctx, es); err != nil {
		t.Fatal(err)
	}
	svc := audit.NewService(s, audit.Config{RetentionDays: 730}, func() time.Time { return now })
	t.Cleanup(func() { _ = svc.Close(ctx) })
	if err := svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	left, err := s.List(ctx, audit.Filter{Page: domain.Page{Page: 1, PageSize: 10}})
	if err != nil {
		t.Fatal(err)
	}
	var ages []string
	for _, e := range left {
		ages = append(ages, e.Subject)
	}
	if strings.Join(ages, ",") != "0,10,729" {
		t.Fatalf("left the entries aged %v days, want 0,10,729", ages)
	}
}
