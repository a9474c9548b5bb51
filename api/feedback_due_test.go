package api_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/cmd/motcua/demo"
)

// TestFeedbackDueWithin: due_within=N lists the open items whose due time is
// not past and falls within N working days, soonest due first, and pages
// through them by cursor in that order; answered and overdue items stay out.
func TestFeedbackDueWithin(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, apptest.Options{}) // Monday 2026-11-23 09:00
	record := func(at time.Time) string {
		s.Clock.Set(at)
		tok := loginAfresh(t, s, "clerk")
		r := apptest.Want(t, s.Post("/api/v1/feedback", tok, hotlineFeedback(map[string]any{"agency_code": demo.Justice})), http.StatusCreated)
		return r.JSON(t)["code"].(string)
	}
	day := func(d, h int) time.Time { return time.Date(2026, 11, d, h, 0, 0, 0, apptest.Loc) }
	// Each answer is due 15 working days after receipt (no holiday in between).
	overdue := record(day(23, 9))  // due Mon 14 Dec 09:00
	soonest := record(day(24, 9))  // due Tue 15 Dec 09:00
	answered := record(day(24, 9)) // due Tue 15 Dec 09:00, but answered
	later := record(day(26, 9))    // due Thu 17 Dec 09:00
	latest := record(day(30, 9))   // due Mon 21 Dec 09:00
	apptest.Want(t, feedbackAction(s, "officer", answered, map[string]any{"action": "answer", "answer": "Đã trả lời."}), http.StatusOK)

	s.Clock.Set(time.Date(2026, 12, 14, 10, 0, 0, 0, apptest.Loc))
	tok := loginAfresh(t, s, "clerk")
	list := func(query string) ([]string, int, *string) {
		t.Helper()
		var body struct {
			Items []struct {
				Code  string `json:"code"`
				DueAt string `json:"due_at"`
			} `json:"items"`
			Total      int     `json:"total"`
			NextCursor *string `json:"next_cursor"`
		}
		apptest.Want(t, s.Get("/api/v1/feedback?"+query, tok), http.StatusOK).Decode(t, &body)
		var codes []string
		for _, it := range body.Items {
			codes = append(codes, it.Code)
		}
		return codes, body.Total, body.NextCursor
	}
	for _, tt := range []struct {
		n    string
		want []string
	}{
		{"1", []string{soonest}},        // to Tue 15 Dec 10:00
		{"3", []string{soonest, later}}, // to Thu 17 Dec 10:00
		{"5", []string{soonest, later, latest}},
		{"30", []string{soonest, later, latest}},
	} {
		got, total, _ := list("due_within=" + tt.n)
		if !slices.Equal(got, tt.want) || total != len(tt.want) {
			t.Errorf("due_within=%s: %v (total %d), want %v", tt.n, got, total, tt.want)
		}
		if slices.Contains(got, overdue) || slices.Contains(got, answered) {
			t.Errorf("due_within=%s lists an overdue or answered item: %v", tt.n, got)
		}
	}
	// The cursor walks the same order one item at a time.
	var walked []string
	q := "due_within=5&page_size=1"
	for range 5 {
		got, total, next := list(q)
		if total != 3 {
			t.Fatalf("total %d while paging, want 3", total)
		}
		walked = append(walked, got...)
		if next == nil {
			break
		}
		q = "due_within=5&page_size=1&cursor=" + url.QueryEscape(*next)
	}
	if want := []string{soonest, later, latest}; !slices.Equal(walked, want) {
		t.Fatalf("paged by cursor: %v, want %v", walked, want)
	}
	for _, bad := range []string{"0", "31", "-1", "abc", "2.5"} {
		wantErrorAnswer(t, s.Get("/api/v1/feedback?due_within="+bad, tok), http.StatusUnprocessableEntity, "validation_failed", "due_within")
	}
}
