package api_test

import (
	"net/http"
	"testing"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
)

// TestOffsetPagingStopsAtTenThousand: every offset list refuses a page that
// ends beyond 10,000 items with 422 naming cursor, and serves the last page
// within the limit.
func TestOffsetPagingStopsAtTenThousand(t *testing.T) {
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
