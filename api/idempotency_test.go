package api_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/cmd/motcua/demo"
)

const idemProcedure = "2.000488" // a demo procedure

// postKeyed posts body (a JSON string) with an Idempotency-Key.
func postKeyed(s *apptest.Server, path, tok, key, body string) apptest.Response {
	s.T.Helper()
	return s.Do(apptest.Request{Method: http.MethodPost, Path: path, Token: tok, Body: body,
		Header: map[string]string{"Idempotency-Key": key}})
}

// login gets a fresh token (s.Token caches, and moving the clock ages them).
func login(t *testing.T, s *apptest.Server, username string) string {
	t.Helper()
	r := apptest.Want(t, s.Post("/api/v1/auth/login", "", map[string]string{"username": username, "password": demo.Password}), http.StatusOK)
	return r.JSON(t)["access_token"].(string)
}

// publications counts the publications of the demo procedure.
func publications(t *testing.T, s *apptest.Server, tok string) int {
	t.Helper()
	r := apptest.Want(t, s.Get("/api/v1/procedures/"+idemProcedure, tok), http.StatusOK)
	pubs, _ := r.JSON(t)["publications"].([]any)
	return len(pubs)
}

func agencyBody(code, name string) string {
	return `{"code":"` + code + `","name":"` + name + `","kind":"department","parent_code":"` + demo.Province + `"}`
}

func wantReplay(t *testing.T, first, again apptest.Response) {
	t.Helper()
	if again.Status != first.Status || !bytes.Equal(again.Body, first.Body) {
		t.Fatalf("replay = %d %s, want the first answer %d %s", again.Status, again.Body, first.Status, first.Body)
	}
	if again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatal("replay lacks Idempotent-Replayed: true")
	}
	if ct := again.Header.Get("Content-Type"); ct != first.Header.Get("Content-Type") {
		t.Fatalf("replay Content-Type = %q, want %q", ct, first.Header.Get("Content-Type"))
	}
}

func TestIdempotencySameKeySameBodyReplays(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, apptest.Options{})
	tok := s.Token("admin")

	body := agencyBody("000.00.31.H99", "Sở Thử nghiệm")
	first := apptest.Want(t, postKeyed(s, "/api/v1/agencies", tok, "agency-1", body), http.StatusCreated)
	if first.Header.Get("Idempotent-Replayed") != "" {
		t.Fatal("a first answer is marked as replayed")
	}
	s.Clock.Advance(time.Hour) // a replay is the first answer, not a new one
	wantReplay(t, first, postKeyed(s, "/api/v1/agencies", tok, "agency-1", body))
	// Without the key the same request runs again and meets the agency.
	if r := s.Post("/api/v1/agencies", tok, body); r.Status != http.StatusConflict {
		t.Fatalf("second create without key = %d %s, want 409", r.Status, r.Body)
	}
	apptest.Want(t, s.Get("/api/v1/agencies/000.00.31.H99", tok), http.StatusOK)

	// A state-creating POST that has no unique code: only one publication.
	before := publications(t, s, tok)
	pub := `{"kind":"amended","decision":"12/QĐ-UBND","decided_on":"2026-11-20"}`
	path := "/api/v1/procedures/" + idemProcedure + "/publications"
	p1 := apptest.Want(t, postKeyed(s, path, tok, "pub-1", pub), http.StatusCreated)
	wantReplay(t, p1, postKeyed(s, path, tok, "pub-1", pub))
	wantReplay(t, p1, postKeyed(s, path, tok, "pub-1", pub))
	if got := publications(t, s, tok); got != before+1 {
		t.Fatalf("publications = %d, want %d (one creation)", got, before+1)
	}
	// A different key is a different request.
	apptest.Want(t, postKeyed(s, path, tok, "pub-2", pub), http.StatusCreated)
	if got := publications(t, s, tok); got != before+2 {
		t.Fatalf("publications = %d, want %d", got, before+2)
	}
}

func TestIdempotencySameKeyOtherRequestIsConflict(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, apptest.Options{})
	tok := s.Token("admin")
	apptest.Want(t, postKeyed(s, "/api/v1/agencies", tok, "k", agencyBody("000.00.32.H99", "Sở A")), http.StatusCreated)

	r := postKeyed(s, "/api/v1/agencies", tok, "k", agencyBody("000.00.33.H99", "Sở B"))
	if r.Status != http.StatusConflict || r.ErrorCode() != "conflict" {
		t.Fatalf("same key, other body = %d %s, want 409 conflict", r.Status, r.Body)
	}
	if msg := r.JSON(t)["error"].(map[string]any)["message"].(string); !strings.Contains(msg, "Idempotency-Key") {
		t.Fatalf("message %q does not name the header", msg)
	}
	apptest.Want(t, s.Get("/api/v1/agencies/000.00.33.H99", tok), http.StatusNotFound)

	// Same body on another route is another request too.
	pub := `{"kind":"amended","decision":"1/QĐ","decided_on":"2026-11-20"}`
	if r := postKeyed(s, "/api/v1/procedures/"+idemProcedure+"/publications", tok, "k", pub); r.Status != http.StatusConflict {
		t.Fatalf("same key on another route = %d %s, want 409", r.Status, r.Body)
	}
}

func TestIdempotencyKeysBelongToTheUser(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, apptest.Options{})
	tok := s.Token("admin")
	apptest.Want(t, s.Post("/api/v1/users", tok, map[string]string{
		"username": "admin2", "name": "Quản trị 2", "role": "admin", "password": demo.Password}), http.StatusCreated)
	tok2 := s.Token("admin2")

	a := apptest.Want(t, postKeyed(s, "/api/v1/agencies", tok, "shared", agencyBody("000.00.34.H99", "Sở C")), http.StatusCreated)
	// The other user's same key with another body is not a conflict: it runs.
	b := apptest.Want(t, postKeyed(s, "/api/v1/agencies", tok2, "shared", agencyBody("000.00.35.H99", "Sở D")), http.StatusCreated)
	if b.Header.Get("Idempotent-Replayed") != "" || bytes.Equal(a.Body, b.Body) {
		t.Fatalf("admin2 got admin's answer: %s", b.Body)
	}
	apptest.Want(t, s.Get("/api/v1/agencies/000.00.35.H99", tok), http.StatusOK)
	// And each user's key replays that user's answer.
	wantReplay(t, a, postKeyed(s, "/api/v1/agencies", tok, "shared", agencyBody("000.00.34.H99", "Sở C")))
	wantReplay(t, b, postKeyed(s, "/api/v1/agencies", tok2, "shared", agencyBody("000.00.35.H99", "Sở D")))
}

func TestIdempotencyReplaysClientErrors(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, apptest.Options{})
	tok := s.Token("admin")
	bad := `{"code":"000.00.36.H99","name":"","kind":"bogus","parent_code":"` + demo.Province + `"}`
	first := postKeyed(s, "/api/v1/agencies", tok, "bad", bad)
	if first.Status != http.StatusUnprocessableEntity || first.ErrorCode() != "validation_failed" {
		t.Fatalf("invalid agency = %d %s, want 422", first.Status, first.Body)
	}
	wantReplay(t, first, postKeyed(s, "/api/v1/agencies", tok, "bad", bad))
	// The key is spent on the failed request: a corrected body needs a new key.
	good := agencyBody("000.00.36.H99", "Sở E")
	if r := postKeyed(s, "/api/v1/agencies", tok, "bad", good); r.Status != http.StatusConflict {
		t.Fatalf("corrected body on a used key = %d, want 409", r.Status)
	}
	apptest.Want(t, postKeyed(s, "/api/v1/agencies", tok, "good", good), http.StatusCreated)

	// Malformed JSON (400) is kept the same way.
	m := postKeyed(s, "/api/v1/agencies", tok, "malformed", `{"code":`)
	if m.Status != http.StatusBadRequest {
		t.Fatalf("malformed = %d, want 400", m.Status)
	}
	wantReplay(t, m, postKeyed(s, "/api/v1/agencies", tok, "malformed", `{"code":`))
}

func TestIdempotencyKeyFormat(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, apptest.Options{})
	tok := s.Token("admin")
	body := agencyBody("000.00.37.H99", "Sở F")
	for name, key := range map[string]string{
		"empty":     "",
		"too long":  strings.Repeat("k", 201),
		"non-ASCII": "khóa-1",
		"control":   "a\x01b",
	} {
		r := postKeyed(s, "/api/v1/agencies", tok, key, body)
		if r.Status != http.StatusBadRequest || r.ErrorCode() != "invalid_request" {
			t.Errorf("%s key: %d %s, want 400 invalid_request", name, r.Status, r.Body)
		}
	}
	// Two keys at once are refused too.
	req, _ := http.NewRequest(http.MethodPost, "/api/v1/agencies", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Add("Idempotency-Key", "one")
	req.Header.Add("Idempotency-Key", "two")
	req.RemoteAddr = "192.0.2.1:1234"
	rec := httptest.NewRecorder()
	s.App.Handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusBadRequest {
		t.Errorf("two keys: %d %s, want 400", rec.Code, rec.Body)
	}
	apptest.Want(t, s.Get("/api/v1/agencies/000.00.37.H99", tok), http.StatusNotFound)

	// 200 printable characters, spaces included, are a good key.
	long := strings.Repeat("a b~", 50)
	first := apptest.Want(t, postKeyed(s, "/api/v1/agencies", tok, long, body), http.StatusCreated)
	wantReplay(t, first, postKeyed(s, "/api/v1/agencies", tok, long, body))
}

func TestIdempotencyBodyLimit(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, apptest.Options{})
	tok := s.Token("admin")
	big := `{"code":"000.00.38.H99","name":"` + strings.Repeat("x", 1<<20) + `"}`
	r := postKeyed(s, "/api/v1/agencies", tok, "big", big)
	if r.Status != http.StatusRequestEntityTooLarge || r.ErrorCode() != "payload_too_large" {
		t.Fatalf("oversized body = %d %s, want 413", r.Status, r.Body)
	}
}

func TestIdempotencyConcurrentDuplicates(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, apptest.Options{})
	tok := s.Token("admin")
	before := publications(t, s, tok)
	path := "/api/v1/procedures/" + idemProcedure + "/publications"
	pub := `{"kind":"amended","decision":"99/QĐ-UBND","decided_on":"2026-11-20"}`

	const n = 32
	answers := make([]apptest.Response, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			answers[i] = postKeyed(s, path, tok, "burst", pub)
		}()
	}
	close(start)
	wg.Wait()

	replayed := 0
	for i, a := range answers {
		if a.Status != http.StatusCreated {
			t.Fatalf("answer %d = %d %s, want 201", i, a.Status, a.Body)
		}
		if !bytes.Equal(a.Body, answers[0].Body) {
			t.Fatalf("answer %d differs:\n%s\n%s", i, a.Body, answers[0].Body)
		}
		if a.Header.Get("Idempotent-Replayed") == "true" {
			replayed++
		}
	}
	if replayed != n-1 {
		t.Fatalf("%d answers replayed, want %d (one ran the handler)", replayed, n-1)
	}
	if got := publications(t, s, tok); got != before+1 {
		t.Fatalf("publications = %d, want %d: exactly one creation", got, before+1)
	}
}

func TestIdempotencyKeyExpiresAfter24Hours(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, apptest.Options{})
	tok := s.Token("admin")
	before := publications(t, s, tok)
	path := "/api/v1/procedures/" + idemProcedure + "/publications"
	pub := `{"kind":"amended","decision":"7/QĐ-UBND","decided_on":"2026-11-20"}`
	first := apptest.Want(t, postKeyed(s, path, tok, "daily", pub), http.StatusCreated)

	s.Clock.Advance(23 * time.Hour)
	tok = login(t, s, "admin")
	wantReplay(t, first, postKeyed(s, path, tok, "daily", pub))

	s.Clock.Advance(2 * time.Hour) // 25 h after the first
	tok = login(t, s, "admin")
	again := apptest.Want(t, postKeyed(s, path, tok, "daily", pub), http.StatusCreated)
	if again.Header.Get("Idempotent-Replayed") != "" {
		t.Fatal("a 25-hour-old key was replayed")
	}
	if got := publications(t, s, tok); got != before+2 {
		t.Fatalf("publications = %d, want %d: the request ran again", got, before+2)
	}
	wantReplay(t, again, postKeyed(s, path, tok, "daily", pub))
}

func TestIdempotencyIgnoredWithoutKeyAndOnOtherMethods(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, apptest.Options{})
	tok := s.Token("admin")
	before := publications(t, s, tok)
	path := "/api/v1/procedures/" + idemProcedure + "/publications"
	pub := `{"kind":"amended","decision":"8/QĐ-UBND","decided_on":"2026-11-20"}`
	apptest.Want(t, s.Post(path, tok, pub), http.StatusCreated)
	apptest.Want(t, s.Post(path, tok, pub), http.StatusCreated)
	if got := publications(t, s, tok); got != before+2 {
		t.Fatalf("publications = %d, want %d: no key, no deduplication", got, before+2)
	}
	// A GET with a key is a plain GET, even a malformed key.
	r := s.Do(apptest.Request{Method: http.MethodGet, Path: "/api/v1/agencies/" + demo.Justice, Token: tok,
		Header: map[string]string{"Idempotency-Key": ""}})
	apptest.Want(t, r, http.StatusOK)
}

func TestIdempotencyPublicKeysBelongToTheClientAddress(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, apptest.Options{})
	body := `{"category":"other","title":"Góp ý","content":"Thời gian chờ tại quầy quá lâu"}`
	send := func(remote, key string) apptest.Response {
		return s.Do(apptest.Request{Method: http.MethodPost, Path: "/api/v1/public/feedback", Body: body,
			Header: map[string]string{"Idempotency-Key": key}, Remote: remote})
	}
	first := apptest.Want(t, send("192.0.2.10:5000", "gop-y-1"), http.StatusCreated)
	// The same client retrying (from another port) gets the first answer.
	wantReplay(t, first, send("192.0.2.10:6000", "gop-y-1"))
	// Another client's same key is its own.
	other := apptest.Want(t, send("198.51.100.20:5000", "gop-y-1"), http.StatusCreated)
	if other.Header.Get("Idempotent-Replayed") != "" || other.JSON(t)["code"] == first.JSON(t)["code"] {
		t.Fatalf("another address got the first client's answer: %s", other.Body)
	}
	if r := s.Do(apptest.Request{Method: http.MethodPost, Path: "/api/v1/public/feedback", Body: `{"category":"other","title":"Khác","content":"x"}`,
		Header: map[string]string{"Idempotency-Key": "gop-y-1"}, Remote: "192.0.2.10:5000"}); r.Status != http.StatusConflict {
		t.Fatalf("same address, same key, other body = %d %s, want 409", r.Status, r.Body)
	}
}
