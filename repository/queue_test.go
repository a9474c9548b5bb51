package repository_test

import (
	"context"
	"testing"

	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/motcua/motcua/repository"
)

// TestPendingJobsCountsDigestsAsEmail: the gauge shows every kind, and a
// staff digest waiting on the e-mail queue counts as an e-mail.
func TestPendingJobsCountsDigestsAsEmail(t *testing.T) {
	ctx := context.Background()
	db := repository.OpenTest(t)
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := repository.EnqueueTx(ctx, tx, repository.DigestArgs{Username: "officer", Escalations: []int64{1}},
			&river.InsertOpts{Queue: "email"}); err != nil {
			return err
		}
		return repository.EnqueueTx(ctx, tx, repository.WebhookArgs{DeliveryID: "whd_x"}, &river.InsertOpts{Queue: "webhook"})
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := repository.PendingJobs(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"dispatch": 0, "webhook": 1, "email": 1, "sms": 0, "escalation": 0}
	if len(got) != len(want) {
		t.Fatalf("kinds %v, want %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s: %d pending, want %d", k, got[k], n)
		}
	}
}
