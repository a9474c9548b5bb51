package repository

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/feedback"
	"github.com/motcua/motcua/domain/user"
	"github.com/motcua/motcua/domain/worktime"
)

// setupFeedbackStore gives a migrated database with agencies P > {C, J} and a
// procedure of J.
func setupFeedbackStore(t *testing.T) (*gorm.DB, *FeedbackStore) {
	t.Helper()
	db := OpenTest(t)
	cs := NewCatalogStore(db)
	ctx := context.Background()
	for _, a := range []catalog.Agency{testAgency("P", ""), testAgency("C", "P"), testAgency("J", "P")} {
		if err := cs.CreateAgency(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if err := cs.CreateProcedure(ctx, testProcedure("1.000001", "J")); err != nil {
		t.Fatal(err)
	}
	return db, NewFeedbackStore(db, testSealer(t))
}

// newFeedbackItem is a test item numbered n under prefix, received at at, and its
// first history entry.
func newFeedbackItem(prefix string, n int64, at time.Time, edit func(*feedback.Feedback)) (feedback.Feedback, feedback.Entry) {
	f := feedback.Feedback{Code: feedback.FormatCode(prefix, n), Channel: feedback.ChannelHotline, Category: feedback.CategoryOther,
		Title: "Tiêu đề", Content: "Nội dung", Sender: feedback.Sender{Name: "Nguyễn Văn An"}, RecordedUnit: "C",
		Status: feedback.StatusReceived, ReceivedAt: at, DueAt: at.Add(15 * 24 * time.Hour), RefuseDueAt: at.Add(48 * time.Hour),
		PinHash: "h", Version: 1, CreatedAt: at, UpdatedAt: at}
	if edit != nil {
		edit(&f)
	}
	return f, feedback.Entry{Action: feedback.ActionReceive, To: f.Status, At: at, By: "clerk", Unit: "C"}
}

// createFeedbackItem numbers and inserts a test item the way feedback.Service does:
// the number, the item and its first entry in one InTx.
func createFeedbackItem(ctx context.Context, s feedback.Store, prefix string, at time.Time, edit func(*feedback.Feedback)) (feedback.Feedback, error) {
	var f feedback.Feedback
	err := s.InTx(ctx, func(tx feedback.Store) error {
		n, err := tx.NextNumber(ctx, feedback.Series("feedback|"+prefix))
		if err != nil {
			return err
		}
		var e feedback.Entry
		f, e = newFeedbackItem(prefix, n, at, edit)
		if err := tx.Insert(ctx, &f); err != nil {
			return err
		}
		return tx.AppendHistory(ctx, f.ID, e)
	})
	return f, err
}

func TestFeedbackCodesGapFreeUnderConcurrency(t *testing.T) {
	_, s := setupFeedbackStore(t)
	ctx := context.Background()
	const n = 12
	var wg sync.WaitGroup
	codes := make([]string, n)
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			f, err := createFeedbackItem(ctx, s, "PAKN-C-261123", t0, nil)
			codes[i], errs[i] = f.Code, err
		}(i)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	sort.Strings(codes)
	for i, c := range codes {
		if want := fmt.Sprintf("PAKN-C-261123-%04d", i+1); c != want {
			t.Fatalf("codes = %v, want 0001..%04d without gaps or repeats", codes, n)
		}
	}
	// A transaction that fails after drawing rolls the number back: the
	// next item takes it.
	err := s.InTx(ctx, func(tx feedback.Store) error {
		if _, err := tx.NextNumber(ctx, "feedback|PAKN-C-261123"); err != nil {
			return err
		}
		return domain.Errorf(domain.KindValidation, "no")
	})
	wantKind(t, "failed build", err, domain.KindValidation)
	f, err := createFeedbackItem(ctx, s, "PAKN-C-261123", t0, nil)
	if err != nil || f.Code != fmt.Sprintf("PAKN-C-261123-%04d", n+1) {
		t.Fatalf("after a rollback: %q, %v", f.Code, err)
	}
}

func TestFeedbackHistoryAppendOnly(t *testing.T) {
	db, s := setupFeedbackStore(t)
	ctx := context.Background()
	f, err := createFeedbackItem(ctx, s, "PAKN-X", t0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("UPDATE feedback_history SET note = 'sửa' WHERE feedback_id = ?", f.ID).Error; err == nil {
		t.Fatal("UPDATE of feedback_history succeeded; it must be refused")
	}
	if err := db.Exec("DELETE FROM feedback_history WHERE feedback_id = ?", f.ID).Error; err == nil {
		t.Fatal("DELETE of feedback_history succeeded; it must be refused")
	}
	got, err := s.Get(ctx, f.Code)
	if err != nil || len(got.History) != 1 || got.History[0].Action != feedback.ActionReceive || got.History[0].From != "" {
		t.Fatalf("history = %+v, %v", got.History, err)
	}
}

func TestFeedbackUpdateVersionAndHistory(t *testing.T) {
	_, s := setupFeedbackStore(t)
	ctx := context.Background()
	f, err := createFeedbackItem(ctx, s, "PAKN-X", t0, nil)
	if err != nil {
		t.Fatal(err)
	}
	at := t0.Add(time.Hour)
	f.Status, f.AgencyCode, f.UpdatedAt = feedback.StatusProcessing, "J", at
	e := feedback.Entry{Action: feedback.ActionAssign, From: feedback.StatusReceived, To: feedback.StatusProcessing, At: at, By: "clerk", Unit: "C"}
	update := func(version int) error {
		return s.InTx(ctx, func(tx feedback.Store) error {
			if err := tx.Update(ctx, f, version); err != nil {
				return err
			}
			return tx.AppendHistory(ctx, f.ID, e)
		})
	}
	if err := update(1); err != nil {
		t.Fatal(err)
	}
	wantKind(t, "stale update", update(1), domain.KindConflict)
	wantKind(t, "stale update outside InTx", s.Update(ctx, f, 1), domain.KindConflict)
	f.AgencyCode = "NOPE"
	wantKind(t, "unknown agency", update(2), domain.KindValidation)
	got, err := s.Get(ctx, f.Code)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 2 || got.AgencyCode != "J" || got.Status != feedback.StatusProcessing || len(got.History) != 2 ||
		got.History[1].From != feedback.StatusReceived || !got.History[1].At.Equal(at) {
		t.Fatalf("after update: %+v", got)
	}
	wantKind(t, "unknown code", func() error { _, err := s.Get(ctx, "PAKN-NONE"); return err }(), domain.KindNotFound)
}

func TestFeedbackListFilters(t *testing.T) {
	_, s := setupFeedbackStore(t)
	ctx := context.Background()
	day := func(d int) time.Time { return time.Date(2026, 11, d, 2, 0, 0, 0, time.UTC) }
	mk := func(at time.Time, edit func(*feedback.Feedback)) feedback.Feedback {
		f, err := createFeedbackItem(ctx, s, "PAKN-X", at, edit)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	a := mk(day(2), nil)                                                                   // C, received, due 17th
	b := mk(day(3), func(f *feedback.Feedback) { f.RecordedUnit, f.AgencyCode = "", "J" }) // public, J
	c := mk(day(4), func(f *feedback.Feedback) { f.Status, f.Channel = feedback.StatusAnswered, feedback.ChannelMail })
	d := mk(day(20), func(f *feedback.Feedback) { f.RecordedUnit = ""; f.DossierCode = "D-1" }) // province inbox
	codes := func(items []feedback.Feedback) []string {
		out := []string{}
		for _, f := range items {
			out = append(out, f.Code)
		}
		return out
	}
	page := domain.Page{Page: 1, PageSize: 50}
	tests := []struct {
		name string
		f    feedback.Filter
		want []string
	}{
		{"all, newest first", feedback.Filter{Page: page}, []string{d.Code, c.Code, b.Code, a.Code}},
		{"scope C", feedback.Filter{Page: page, Scope: []string{"C"}}, []string{c.Code, a.Code}},
		{"scope J", feedback.Filter{Page: page, Scope: []string{"J"}}, []string{b.Code}},
		{"overdue on the 25th", feedback.Filter{Page: page, Overdue: true, Now: day(25)}, []string{b.Code, a.Code}},
		{"received 3rd..4th", feedback.Filter{Page: page, From: day(3).Add(-2 * time.Hour), To: day(5).Add(-2 * time.Hour)}, []string{c.Code, b.Code}},
		{"channel mail", feedback.Filter{Page: page, Channel: feedback.ChannelMail}, []string{c.Code}},
		{"status answered", feedback.Filter{Page: page, Status: feedback.StatusAnswered}, []string{c.Code}},
		{"agency J", feedback.Filter{Page: page, AgencyCode: "J"}, []string{b.Code}},
		{"dossier", feedback.Filter{Page: page, DossierCode: "D-1"}, []string{d.Code}},
		{"page 2 of 3", feedback.Filter{Page: domain.Page{Page: 2, PageSize: 3}}, []string{a.Code}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, total, err := s.List(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if got := codes(items); fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("codes = %v, want %v", got, tt.want)
			}
			if tt.name != "page 2 of 3" && total != int64(len(tt.want)) {
				t.Fatalf("total = %d, want %d", total, len(tt.want))
			}
		})
	}
}

// insertDossier writes a minimal dossiers row (the dossier store's own table).
func insertDossier(t *testing.T, db *gorm.DB, code, status string) int64 {
	t.Helper()
	row := map[string]any{"code": code, "procedure_code": "1.000001", "unit_code": "C", "agency_code": "J", "holder_unit": "J",
		"channel": "direct", "status": status, "status_code": 10, "applicant_name": "Nguyễn Văn An", "pin_hash": "ph",
		"processing_value": 5, "processing_unit": "working_days", "submitted_at": t0, "created_at": t0, "updated_at": t0}
	if err := db.Table("dossiers").Create(row).Error; err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := db.Table("dossiers").Select("id").Where("code = ?", code).Scan(&id).Error; err != nil {
		t.Fatal(err)
	}
	return id
}

// feedbackService is the feedback service over s and the catalog of db, at t0.
func feedbackService(db *gorm.DB, s *FeedbackStore) *feedback.Service {
	now := func() time.Time { return t0 }
	cat := catalog.NewService(NewCatalogStore(db), worktime.DefaultLocation(), now)
	return feedback.NewService(s, cat, domain.NewPinHasher([]byte("0123456789abcdef0123456789abcdef")), now)
}

var feedbackAdmin = user.Principal{Username: "root", Role: user.RoleAdmin}

func TestRatingOncePerDossierWithFeedback(t *testing.T) {
	db, s := setupFeedbackStore(t)
	ctx := context.Background()
	id := insertDossier(t, db, "C-261123-0001", "returned")
	ref, err := s.Dossier(ctx, "C-261123-0001")
	if err != nil || ref.ID != id || ref.AgencyCode != "J" || ref.PinHash != "ph" || ref.Status != "returned" {
		t.Fatalf("Dossier = %+v, %v", ref, err)
	}
	wantKind(t, "unknown dossier", func() error { _, err := s.Dossier(ctx, "NOPE"); return err }(), domain.KindNotFound)

	svc := feedbackService(db, s)
	r, err := svc.ImportRating(ctx, feedbackAdmin, "C-261123-0001", 1, "chậm")
	if err != nil {
		t.Fatal(err)
	}
	if r.ID == 0 || r.DossierID != id || r.FeedbackCode != "PAKN-P-261123-0001" || r.Score != 1 || r.AgencyCode != "J" {
		t.Fatalf("rating = %+v", r)
	}
	f, err := s.Get(ctx, r.FeedbackCode)
	if err != nil || f.DossierCode != "C-261123-0001" || f.AgencyCode != "J" || len(f.History) != 1 {
		t.Fatalf("opened feedback = %+v, %v", f, err)
	}
	_, err = svc.ImportRating(ctx, feedbackAdmin, "C-261123-0001", 1, "chậm")
	wantKind(t, "second rating", err, domain.KindConflict)
	// The refused second rating opened no feedback item: its number is free again.
	var n int64
	if err := db.Table("feedback").Count(&n).Error; err != nil || n != 1 {
		t.Fatalf("feedback rows = %d, %v; want 1", n, err)
	}
	_, err = svc.ImportRating(ctx, feedbackAdmin, "NOPE", 1, "")
	wantKind(t, "unknown dossier", err, domain.KindNotFound)
	_, err = svc.Rate(ctx, "C-261123-0001", "123456", 5, "")
	wantKind(t, "wrong pin", err, domain.KindNotFound)
	insertDossier(t, db, "C-261123-0003", "processing")
	_, err = svc.ImportRating(ctx, feedbackAdmin, "C-261123-0003", 1, "")
	wantKind(t, "not returned", err, domain.KindInvalidTransition)
	// The store's UNIQUE dossier_id refuses a second rating that skipped the check.
	err = s.InsertRating(ctx, &feedback.Rating{DossierID: id, DossierCode: "C-261123-0001", Score: 5, CreatedAt: t0})
	wantKind(t, "duplicate insert", err, domain.KindConflict)
}

// TestRatingConcurrentOnlyOne: two ratings of one dossier at once: one is
// stored, the other is KindConflict, and only one feedback item is opened.
func TestRatingConcurrentOnlyOne(t *testing.T) {
	db, s := setupFeedbackStore(t)
	ctx := context.Background()
	insertDossier(t, db, "C-261123-0002", "returned")
	svc := feedbackService(db, s)
	const n = 6
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, errs[i] = svc.ImportRating(ctx, feedbackAdmin, "C-261123-0002", 2, "")
		}(i)
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case domain.KindOf(err) != domain.KindConflict:
			t.Fatalf("concurrent rating: %v, want success or conflict", err)
		}
	}
	var ratings, items int64
	db.Table("ratings").Count(&ratings)
	db.Table("feedback").Count(&items)
	if ok != 1 || ratings != 1 || items != 1 {
		t.Fatalf("%d succeeded, %d ratings, %d feedback items; want exactly one of each", ok, ratings, items)
	}
}
