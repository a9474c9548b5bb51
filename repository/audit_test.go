package repository_test

import (
	"context"
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
