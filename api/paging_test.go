package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
)

// TestOffsetPagingStopsAtTenThousand: every offset list refuses a page that
// ends beyond 10,000 items with 422 naming cursor, and serves the last page
// within the limit.
func TestOffsetPagingStopsAtTenThousand(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	admin := e.tok("admin")
	for _, path := range []string{"/api/v1/agencies", "/api/v1/procedures", "/api/v1/users",
		"/api/v1/dossiers", "/api/v1/feedback", "/api/v1/public/feedback"} {
		tok := admin
		if path == "/api/v1/public/feedback" {
			tok = ""
		}
		apptest.Want(t, e.get(path+"?page=20&page_size=500", tok), http.StatusOK)
		apptest.Want(t, e.get(path+"?page=10000&page_size=1", tok), http.StatusOK)
		for _, q := range []string{"page=21&page_size=500", "page=10001", "page=201", "page=10001&page_size=1"} {
			r := e.get(path+"?"+q, tok)
			wantFields(t, r, "cursor")
			if r.Status != http.StatusUnprocessableEntity || r.ErrorCode() != "validation_failed" {
				t.Errorf("%s?%s: %d %s", path, q, r.Status, r.Body)
			}
		}
	}
}

// TestFeedbackListCursor: the staff feedback list pages on with next_cursor
// exactly as with offsets (same items, same order, ties on received_at by
// id), deep pages refuse offsets and point to the cursor, and a malformed
// cursor is 422.
func TestFeedbackListCursor(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, apptest.Options{})
	for i := 0; i < 7; i++ {
		if i%2 == 0 {
			s.Clock.Advance(time.Minute) // pairs received at the same instant
		}
		recordFeedback(t, s, "clerk", map[string]any{"channel": "hotline", "category": "procedure", "title": "Hỏi " + strconv.Itoa(i),
			"content": "Nội dung.", "sender": map[string]any{"name": "Người hỏi"}})
	}
	tok := s.Token("admin")
	all := apptest.Want(t, s.Get("/api/v1/feedback?page_size=500", tok), http.StatusOK).JSON(t)
	var want []string
	for _, it := range all["items"].([]any) {
		want = append(want, it.(map[string]any)["code"].(string))
	}
	if len(want) < 7 {
		t.Fatalf("only %d items", len(want))
	}
	var got []string
	path := "/api/v1/feedback?page_size=3"
	for pages := 0; ; pages++ {
		if pages > len(want) {
			t.Fatal("the cursor does not end")
		}
		r := apptest.Want(t, s.Get(path, tok), http.StatusOK).JSON(t)
		for _, it := range r["items"].([]any) {
			got = append(got, it.(map[string]any)["code"].(string))
		}
		if int(r["total"].(float64)) != len(want) {
			t.Errorf("total %v, want %d", r["total"], len(want))
		}
		next, _ := r["next_cursor"].(string)
		if next == "" {
			break
		}
		path = "/api/v1/feedback?page_size=3&cursor=" + next
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("by cursor %v\nby offset %v", got, want)
	}
	wantFields(t, s.Get("/api/v1/feedback?cursor=not-a-cursor", tok), "cursor")
	wantFields(t, s.Get("/api/v1/feedback?page=201&page_size=50", tok), "cursor")
}

// Keyset pagination: following next_cursor walks the same dossiers, in the
// same order, as the OFFSET pages, each once, and stops with a null cursor;
// a malformed cursor is a 422 naming it.
func TestDossierListCursor(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, apptest.Options{})
	clerk, admin := s.Token("clerk"), s.Token("admin")
	// Dossiers registered at the same instant share the sort time: the id
	// breaks the tie.
	for i := 0; i < 23; i++ {
		apptest.Want(t, s.Post("/api/v1/dossiers", clerk, map[string]any{"procedure_code": "2.000908", "channel": "direct",
			"applicant": map[string]any{"name": fmt.Sprintf("Người nộp %d", i)}}), http.StatusCreated)
		if i%3 == 0 {
			s.Clock.Advance(1)
		}
	}
	codesOf := func(body map[string]any) []string {
		var out []string
		for _, it := range body["items"].([]any) {
			out = append(out, it.(map[string]any)["code"].(string))
		}
		return out
	}
	var byOffset []string
	total := 0
	for page := 1; ; page++ {
		body := apptest.Want(t, s.Get(fmt.Sprintf("/api/v1/dossiers?page_size=7&page=%d", page), admin), http.StatusOK).JSON(t)
		total = int(body["total"].(float64))
		got := codesOf(body)
		byOffset = append(byOffset, got...)
		if len(got) < 7 {
			break
		}
	}
	if total < 23 || len(byOffset) != total {
		t.Fatalf("offset pages: %d items of %d", len(byOffset), total)
	}
	var byCursor []string
	path := "/api/v1/dossiers?page_size=7"
	for pages := 0; ; pages++ {
		if pages > total {
			t.Fatal("the cursor never ends")
		}
		body := apptest.Want(t, s.Get(path, admin), http.StatusOK).JSON(t)
		if int(body["total"].(float64)) != total || body["page_size"] != float64(7) {
			t.Fatalf("cursor page envelope: %v", body)
		}
		byCursor = append(byCursor, codesOf(body)...)
		next, ok := body["next_cursor"].(string)
		if !ok {
			if body["next_cursor"] != nil {
				t.Fatalf("next_cursor %v", body["next_cursor"])
			}
			break
		}
		path = "/api/v1/dossiers?page_size=7&page=99&cursor=" + url.QueryEscape(next)
	}
	if fmt.Sprint(byCursor) != fmt.Sprint(byOffset) {
		t.Errorf("cursor walk\n %v\nwant the offset walk\n %v", byCursor, byOffset)
	}
	for _, bad := range []string{"x", "YzEuMS4w", "%00", "YzIuMS4x"} {
		resp := s.Get("/api/v1/dossiers?cursor="+url.QueryEscape(bad), admin)
		apptest.Want(t, resp, http.StatusUnprocessableEntity)
		if fields, _ := resp.JSON(t)["error"].(map[string]any)["details"].(map[string]any)["fields"].(map[string]any); fields["cursor"] == nil {
			t.Errorf("cursor %q: %s", bad, resp.Body)
		}
	}
}
