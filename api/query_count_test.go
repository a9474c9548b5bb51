package api_test

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"

	"gorm.io/gorm"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/cmd/motcua/demo"
)

// countStatements counts every SQL statement db runs from now on (a GORM
// callback after each processor: create, query, update, delete, row, raw),
// except the audit trail's inserts: the trail's writer batches read entries
// in the background, so one of its flushes can land inside any request's
// window, and it is not part of the request.
func countStatements(t *testing.T, db *gorm.DB) *atomic.Int64 {
	t.Helper()
	var n atomic.Int64
	inc := func(tx *gorm.DB) {
		if tx.Statement != nil && tx.Statement.Table == "audit_log" {
			return
		}
		n.Add(1)
	}
	cb := db.Callback()
	for _, err := range []error{
		cb.Create().Register("test:count_statements", inc),
		cb.Query().Register("test:count_statements", inc),
		cb.Update().Register("test:count_statements", inc),
		cb.Delete().Register("test:count_statements", inc),
		cb.Row().Register("test:count_statements", inc),
		cb.Raw().Register("test:count_statements", inc),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return &n
}

// statements answers how many SQL statements one GET runs.
func statements(t *testing.T, s *apptest.Server, n *atomic.Int64, path, tok string) int64 {
	t.Helper()
	before := n.Load()
	apptest.Want(t, s.Get(path, tok), http.StatusOK)
	return n.Load() - before
}

// No N+1: the lists and the dossier detail run a small number of
// statements, the same for a page of 5 as for a page of 50, and the same
// for a dossier with a long history as for a fresh one.
func TestNoNPlusOneQueries(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, apptest.Options{})
	clerk, admin, officer := s.Token("clerk"), s.Token("admin"), s.Token("officer")
	var codes []string
	for i := 0; i < 55; i++ {
		d := apptest.Want(t, s.Post("/api/v1/dossiers", clerk, map[string]any{"procedure_code": "2.000908", "channel": "direct",
			"applicant": map[string]any{"name": fmt.Sprintf("Người nộp %d", i), "id_number": "001234567890", "phone": "0912345678"}}),
			http.StatusCreated).JSON(t)
		codes = append(codes, d["code"].(string))
	}
	for i := 0; i < 12; i++ {
		apptest.Want(t, s.Post("/api/v1/feedback", clerk, map[string]any{"channel": "hotline", "category": "procedure",
			"title": fmt.Sprintf("Hỏi tiến độ %d", i), "content": "Công dân hỏi tiến độ hồ sơ."}), http.StatusCreated)
	}
	// A long history for one dossier.
	long := codes[0]
	act := func(tok, action string, extra map[string]any) {
		body := map[string]any{"action": action}
		for k, v := range extra {
			body[k] = v
		}
		apptest.Want(t, s.Post("/api/v1/dossiers/"+long+"/actions", tok, body), http.StatusOK)
	}
	act(officer, "start", nil)
	for i := 0; i < 4; i++ {
		act(officer, "request_supplement", map[string]any{"reason": "thiếu giấy tờ"})
		act(clerk, "supplement", nil)
	}

	n := countStatements(t, s.App.DB)
	// The user behind the token, then count + page (or dossier + history).
	const most = 3
	for _, c := range []struct {
		name, small, large string
		tok                string
	}{
		{"dossier list", "/api/v1/dossiers?page_size=5", "/api/v1/dossiers?page_size=50", admin},
		{"dossier list by unit and status", "/api/v1/dossiers?page_size=5&status=received&unit_code=" + demo.Center,
			"/api/v1/dossiers?page_size=50&status=received&unit_code=" + demo.Center, clerk},
		{"dossier detail", "/api/v1/dossiers/" + codes[1], "/api/v1/dossiers/" + long, admin},
		{"feedback list", "/api/v1/feedback?page_size=5", "/api/v1/feedback?page_size=50", admin},
		{"procedure list", "/api/v1/procedures?page_size=5", "/api/v1/procedures?page_size=50", admin},
	} {
		small := statements(t, s, n, c.small, c.tok)
		large := statements(t, s, n, c.large, c.tok)
		if small != large || large > most || large == 0 {
			t.Errorf("%s: %d statements for the small answer, %d for the large one; want the same, at most %d", c.name, small, large, most)
		}
	}
	// The citizen's lookup, the hottest public path: the dossier and its
	// history, names from the catalog cache — two statements however long
	// the history.
	fresh := apptest.Want(t, s.Post("/api/v1/dossiers", clerk, map[string]any{"procedure_code": "2.000908", "channel": "direct",
		"applicant": map[string]any{"name": "Người tra cứu"}}), http.StatusCreated).JSON(t)
	code, lookupPin := fresh["code"].(string), fresh["lookup_pin"].(string)
	for i := 0; i < 3; i++ {
		apptest.Want(t, s.Post("/api/v1/dossiers/"+code+"/actions", officer, map[string]any{"action": map[bool]string{true: "start", false: "request_supplement"}[i == 0], "reason": "thiếu giấy tờ"}), http.StatusOK)
		if i > 0 {
			apptest.Want(t, s.Post("/api/v1/dossiers/"+code+"/actions", clerk, map[string]any{"action": "supplement"}), http.StatusOK)
		}
	}
	lookup := "/api/v1/public/dossiers/" + code + "?pin=" + lookupPin
	statements(t, s, n, lookup, "") // warm the catalog cache
	if got := statements(t, s, n, lookup, ""); got > 2 {
		t.Errorf("public lookup: %d statements, want at most 2 (dossier, history)", got)
	}
	if got := s.Get(lookup, "").JSON(t)["stages"].([]any); len(got) < 5 {
		t.Fatalf("lookup history has %d stages", len(got))
	}

	// The large answers were large: the comparison means something.
	if got := s.Get("/api/v1/dossiers?page_size=50", admin).JSON(t)["items"].([]any); len(got) != 50 {
		t.Fatalf("dossier page of 50 has %d items", len(got))
	}
	if got := s.Get("/api/v1/dossiers/"+long, admin).JSON(t)["history"].([]any); len(got) < 10 {
		t.Fatalf("long history has %d entries", len(got))
	}
	if got := s.Get("/api/v1/feedback?page_size=50", admin).JSON(t)["items"].([]any); len(got) < 12 {
		t.Fatalf("feedback page has %d items", len(got))
	}
	if got := s.Get("/api/v1/procedures?page_size=50", admin).JSON(t)["items"].([]any); len(got) <= 5 {
		t.Fatalf("procedure page has %d items", len(got))
	}
}
