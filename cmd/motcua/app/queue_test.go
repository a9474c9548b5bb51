package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
)

// TestDispatchCompletesForARegistration starts the queue as serve does and
// follows a registration's event to the end of its dispatch job: the event
// marked dispatched, the job completed, the gauge back at zero.
func TestDispatchCompletesForARegistration(t *testing.T) {
	s := apptest.New(t, apptest.Options{})
	db := s.App.DB
	// The demo's own events are not under test: their jobs would only make
	// this one wait its turn.
	if err := db.Exec("DELETE FROM river_job WHERE kind = 'dispatch'").Error; err != nil {
		t.Fatal(err)
	}
	if err := s.App.StartQueue(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := apptest.Want(t, s.Post("/api/v1/dossiers", s.Token("clerk"), map[string]any{
		"procedure_code": "2.000488", "channel": "direct", "applicant": map[string]any{"name": "Lò Thị Xuân"}}), http.StatusCreated)
	code := r.JSON(t)["code"].(string)
	deadline := time.Now().Add(30 * time.Second)
	for {
		var dispatched, pending int64
		if err := db.Raw("SELECT COUNT(*) FROM events WHERE code = ? AND dispatched_at IS NOT NULL", code).Scan(&dispatched).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Raw("SELECT COUNT(*) FROM river_job WHERE kind = 'dispatch' AND state <> 'completed'").Scan(&pending).Error; err != nil {
			t.Fatal(err)
		}
		if dispatched == 1 && pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 30 s: %d events of %s dispatched, %d dispatch jobs unfinished", dispatched, code, pending)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The job succeeded at its first attempt. (River's own elections and
	// fetches may meet a busy SQLite database on a starved machine and try
	// again; ADR 0007.)
	var errs int64
	if err := db.Raw("SELECT COUNT(*) FROM river_job WHERE kind = 'dispatch' AND attempt > 1").Scan(&errs).Error; err != nil {
		t.Fatal(err)
	}
	if errs != 0 {
		t.Fatalf("%d dispatch jobs needed a second attempt", errs)
	}
	m := apptest.Want(t, s.Get("/metrics", ""), http.StatusOK)
	if !strings.Contains(string(m.Body), `motcua_outbox_pending{kind="dispatch"} 0`) {
		t.Fatalf("the gauge does not show the dispatch jobs done:\n%s", grepLines(string(m.Body), "motcua_outbox_pending"))
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
