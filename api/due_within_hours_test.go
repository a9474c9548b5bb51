package api_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/cmd/motcua/demo"
)

// TestDossierDueWithinHours: due_within_hours=N lists the running dossiers
// due after now and within N working hours, soonest first; a past-due, a
// closed and a later one stay out, and a bad N is 422.
func TestDossierDueWithinHours(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{}) // Monday 2026-11-23 09:00
	at := func(h, m int) time.Time { return time.Date(2026, 11, 23, h, m, 0, 0, apptest.Loc) }
	e.s.Clock.Set(at(7, 0))
	past := newDossier(t, e, "clerk", dossierBody(justiceOnSpotFourHours, "direct")).Code // due 11:00
	e.s.Clock.Set(at(9, 0))
	soon := newDossier(t, e, "clerk", dossierBody(justiceOnSpotFourHours, "direct")).Code // due 15:00, over lunch
	b := dossierBody(justiceOnSpotFourHours, "direct")
	b["on_spot"] = true
	closed := newDossier(t, e, "clerk", b).Code // due 15:00, but resolved
	actOnDossier(t, e, "leader", closed, map[string]any{"action": "resolve", "outcome": "approved"})
	later := newDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct")).Code // due in 10 working days

	e.s.Clock.Set(at(13, 0))
	tok := freshToken(e, "admin")
	list := func(n string) []string {
		t.Helper()
		var body struct {
			Items []dossierJSON `json:"items"`
			Total int           `json:"total"`
		}
		apptest.Want(t, e.get("/api/v1/dossiers?due_within_hours="+n, tok), http.StatusOK).Decode(t, &body)
		if body.Total != len(body.Items) {
			t.Errorf("due_within_hours=%s: total %d for %d items", n, body.Total, len(body.Items))
		}
		for i := 1; i < len(body.Items); i++ { // soonest due first, the demo's too
			if val(body.Items[i].DueAt) < val(body.Items[i-1].DueAt) {
				t.Errorf("due_within_hours=%s: %s listed before %s", n, val(body.Items[i-1].DueAt), val(body.Items[i].DueAt))
			}
		}
		return dossierCodes(body.Items)
	}
	for _, tt := range []struct {
		n    string
		want []string
	}{
		{"1", nil},                     // to 14:30: the 15:00 one is later
		{"2", []string{soon}},          // to 15:30
		{"720", []string{soon, later}}, // soonest first
	} {
		// The demo data has dossiers of its own: only ours are compared.
		got := slices.DeleteFunc(list(tt.n), func(c string) bool { return !slices.Contains([]string{past, soon, closed, later}, c) })
		if !slices.Equal(got, tt.want) {
			t.Errorf("due_within_hours=%s: %v, want %v (past %s, closed %s)", tt.n, got, tt.want, past, closed)
		}
	}
	for _, bad := range []string{"0", "721", "-3", "abc", "1.5"} {
		wantErrorAnswer(t, e.get("/api/v1/dossiers?due_within_hours="+bad, tok), http.StatusUnprocessableEntity, "validation_failed", "due_within_hours")
	}
}

// TestFeedbackDueWithinHours: the same filter on the feedback list, counted
// in working hours across the weekend and the evening.
func TestFeedbackDueWithinHours(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, apptest.Options{}) // Monday 2026-11-23 09:00
	record := func(at time.Time) string {
		s.Clock.Set(at)
		tok := loginAfresh(t, s, "clerk")
		r := apptest.Want(t, s.Post("/api/v1/feedback", tok, hotlineFeedback(map[string]any{"agency_code": demo.Justice})), http.StatusCreated)
		return r.JSON(t)["code"].(string)
	}
	day := func(d, h int) time.Time { return time.Date(2026, 11, d, h, 0, 0, 0, apptest.Loc) }
	// Each answer is due 15 working days after receipt.
	overdue := record(day(23, 9))  // due Mon 14 Dec 09:00
	soonest := record(day(24, 9))  // due Tue 15 Dec 09:00
	answered := record(day(24, 9)) // due Tue 15 Dec 09:00, but answered
	latest := record(day(30, 9))   // due Mon 21 Dec 09:00
	apptest.Want(t, feedbackAction(s, "officer", answered, map[string]any{"action": "answer", "answer": "Đã trả lời."}), http.StatusOK)

	s.Clock.Set(time.Date(2026, 12, 14, 10, 0, 0, 0, apptest.Loc))
	tok := loginAfresh(t, s, "clerk")
	for _, tt := range []struct {
		n    string
		want []string
	}{
		{"6", nil},                         // to Tue 08:00
		{"8", []string{soonest}},           // to Tue 10:00, over the evening
		{"720", []string{soonest, latest}}, // soonest first
	} {
		var body struct {
			Items []struct {
				Code string `json:"code"`
			} `json:"items"`
		}
		apptest.Want(t, s.Get("/api/v1/feedback?due_within_hours="+tt.n, tok), http.StatusOK).Decode(t, &body)
		var got []string
		for _, it := range body.Items {
			got = append(got, it.Code)
		}
		got = slices.DeleteFunc(got, func(c string) bool { return !slices.Contains([]string{overdue, soonest, answered, latest}, c) })
		if !slices.Equal(got, tt.want) {
			t.Errorf("due_within_hours=%s: %v, want %v (overdue %s, answered %s)", tt.n, got, tt.want, overdue, answered)
		}
	}
	for _, bad := range []string{"0", "721", "x"} {
		wantErrorAnswer(t, s.Get("/api/v1/feedback?due_within_hours="+bad, tok), http.StatusUnprocessableEntity, "validation_failed", "due_within_hours")
	}
}
