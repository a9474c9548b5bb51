package outbox_test

import (
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	dwebhook "github.com/motcua/motcua/domain/webhook"
	"github.com/motcua/motcua/outbox"
)

// TestRetryPolicyFollowsTheSchedule checks River's retry times against the
// delivery schedule: base doubling to the cap, at most 10 % later.
func TestRetryPolicyFollowsTheSchedule(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	p := outbox.RetryPolicy{Schedule: dwebhook.Schedule{Base: time.Minute, Cap: 8 * time.Hour, MaxAttempts: 12},
		Now: func() time.Time { return now }}
	for _, c := range []struct {
		attempt int
		want    time.Duration
	}{{1, time.Minute}, {2, 2 * time.Minute}, {3, 4 * time.Minute}, {9, 256 * time.Minute}, {10, 8 * time.Hour}, {30, 8 * time.Hour}} {
		for id := range int64(50) {
			got := p.NextRetry(&rivertype.JobRow{ID: id, Attempt: c.attempt, MaxAttempts: 12}).Sub(now)
			if got < c.want || got > c.want+c.want/10 {
				t.Fatalf("after attempt %d: wait %v, want %v to %v", c.attempt, got, c.want, c.want+c.want/10)
			}
		}
	}
	if !outbox.LastAttempt(&rivertype.JobRow{Attempt: 3, MaxAttempts: 3}) || outbox.LastAttempt(&rivertype.JobRow{Attempt: 2, MaxAttempts: 3}) {
		t.Fatal("LastAttempt is wrong")
	}
	for _, c := range []struct {
		ok      bool
		attempt int
		want    string
	}{{true, 3, "success"}, {false, 2, "failure"}, {false, 3, "dead"}} {
		if got := outbox.Result(c.ok, &rivertype.JobRow{Attempt: c.attempt, MaxAttempts: 3}); got != c.want {
			t.Errorf("Result(%v, attempt %d of 3) = %s, want %s", c.ok, c.attempt, got, c.want)
		}
	}
}
