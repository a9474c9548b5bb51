package api_test

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/motcua/motcua/api"
	"github.com/motcua/motcua/cmd/motcua/app/apptest"
)

// TestEveryOperationGuardsItsInput: what docs/openapi.yaml says of every
// operation's 400, 422 and 413, generated from the document: a query value
// that is not UTF-8 is 400 and one with a control character 422 (the input
// guard runs before authentication, so no token is needed), and a JSON body
// over 1 MiB is 413 for the first caller (none, admin, clerk, officer,
// leader) the operation lets that far.
func TestEveryOperationGuardsItsInput(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	spec := loadSpec(t)
	tokens := map[string]string{"": ""}
	callers := []string{"", "admin", "clerk", "officer", "leader"}
	for _, u := range callers[1:] {
		tokens[u] = freshToken(e, u)
	}
	paths := spec.Paths.Map()
	tpls := slices.Sorted(maps.Keys(paths))
	checked := 0
	for _, tpl := range tpls {
		if !strings.HasPrefix(tpl, "/api/") {
			continue
		}
		item := paths[tpl]
		for method, op := range item.Operations() {
			path, ok := examplePath(tpl, item, op)
			if !ok {
				path = strings.NewReplacer("{code}", "X-1", "{username}", "nobody", "{year}", "2026", "{kind}", "dossiers").Replace(tpl)
			}
			for _, c := range []struct {
				query  string
				status int
			}{{"guard=%FF", http.StatusBadRequest}, {"guard=a%01b", http.StatusUnprocessableEntity}} {
				if op.Responses.Status(c.status) == nil {
					continue // the document does not claim it; conforms() fails any answer it does not list
				}
				checked++
				r := e.do(apptest.Request{Method: method, Path: path + "?" + c.query})
				if r.Status != c.status {
					t.Errorf("%s %s?%s: %d, the document says %d: %s", method, tpl, c.query, r.Status, c.status, r.Body)
				}
			}
			if op.RequestBody == nil || op.Responses.Status(http.StatusRequestEntityTooLarge) == nil ||
				op.RequestBody.Value.Content.Get("application/json") == nil {
				continue
			}
			checked++
			big := []byte(`{"name":"` + strings.Repeat("a", api.MaxBodyBytes) + `"}`)
			var answers []string
			got := false
			for _, u := range callers {
				r := e.do(apptest.Request{Method: method, Path: path, Token: tokens[u], Body: big})
				if r.Status == http.StatusRequestEntityTooLarge {
					got = r.ErrorCode() == "payload_too_large"
					break
				}
				answers = append(answers, fmt.Sprintf("%q %d", u, r.Status))
			}
			if !got {
				t.Errorf("%s %s: a body over 1 MiB is documented as 413; the callers got %v", method, tpl, answers)
			}
		}
	}
	if checked < 100 {
		t.Fatalf("only %d checks: the generator lost its inputs", checked)
	}
}

// TestFeedbackIdempotencyKeyForAnotherBody: the same Idempotency-Key with
// another body is 409, and records nothing.
func TestFeedbackIdempotencyKeyForAnotherBody(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, apptest.Options{})
	clerk := s.Token("clerk")
	key := map[string]string{"Idempotency-Key": "fb-409-1"}
	first := apptest.Want(t, s.Do(apptest.Request{Method: http.MethodPost, Path: "/api/v1/feedback", Token: clerk, Header: key,
		Body: hotlineFeedback(nil)}), http.StatusCreated).JSON(t)
	r := s.Do(apptest.Request{Method: http.MethodPost, Path: "/api/v1/feedback", Token: clerk, Header: key,
		Body: hotlineFeedback(map[string]any{"title": "Another title"})})
	if r.Status != http.StatusConflict || r.ErrorCode() != "conflict" {
		t.Fatalf("the key with another body: %d %s", r.Status, r.Body)
	}
	list := apptest.Want(t, s.Get("/api/v1/feedback?page_size=100", s.Token("admin")), http.StatusOK).JSON(t)
	n := 0
	for _, it := range list["items"].([]any) {
		if it.(map[string]any)["title"] == "Another title" {
			n++
		}
	}
	if n != 0 || first["code"] == "" {
		t.Errorf("the refused request recorded %d items", n)
	}
}

// TestPasswordChangeLocksAfterWrongPasswords: five wrong current passwords
// lock the account's password change (429 with Retry-After), the right one
// included, as logins are.
func TestPasswordChangeLocksAfterWrongPasswords(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, apptest.Options{})
	tok := s.Token("officer")
	change := func(current string) apptest.Response {
		return s.Post("/api/v1/auth/password", tok, map[string]string{"current_password": current, "new_password": "a-brand-new-password"})
	}
	for i := 0; i < 5; i++ {
		if r := change("not-the-password"); r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("wrong password %d: %d %s", i+1, r.Status, r.Body)
		}
	}
	r := change("motcua-demo-2026")
	if r.Status != http.StatusTooManyRequests || r.ErrorCode() != "rate_limited" || r.Header.Get("Retry-After") == "" {
		t.Fatalf("after five wrong passwords: %d %s (Retry-After %q)", r.Status, r.Body, r.Header.Get("Retry-After"))
	}
}
