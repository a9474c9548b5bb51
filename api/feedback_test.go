package api_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/cmd/motcua/demo"
)

// Feedback tests run through the HTTP API on the engine apptest opens:
// SQLite by default, PostgreSQL under .ci/with-postgres.

var pinRE = regexp.MustCompile(`^[0-9]{6}$`)

// wantErrorAnswer checks an error answer: the status, the stable code, a
// message, and (for 422) the refused field in details.fields.
func wantErrorAnswer(t *testing.T, r apptest.Response, status int, code, field string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d, want %d; body %s", r.Status, status, r.Body)
	}
	var body struct {
		Error struct {
			Code    string         `json:"code"`
			Message string         `json:"message"`
			Details map[string]any `json:"details"`
		} `json:"error"`
	}
	r.Decode(t, &body)
	if body.Error.Code != code || body.Error.Message == "" {
		t.Fatalf("error = %+v, want code %s with a message; body %s", body.Error, code, r.Body)
	}
	if field != "" {
		// A map, not a struct: details differ by error code, and the test
		// asks only whether field is among the keys of details.fields.
		fields, _ := body.Error.Details["fields"].(map[string]any)
		if _, ok := fields[field]; !ok {
			t.Fatalf("details.fields = %v, want %q among them; body %s", fields, field, r.Body)
		}
	}
}

// recordFeedback has username record feedback and returns the created item.
// It answers as a map for the tests of other files; the tests here use
// newFeedback.
func recordFeedback(t *testing.T, s *apptest.Server, username string, body map[string]any) map[string]any {
	t.Helper()
	return apptest.Want(t, s.Post("/api/v1/feedback", s.Token(username), body), http.StatusCreated).JSON(t)
}

// newFeedback has username record feedback and returns the created item.
func newFeedback(t *testing.T, s *apptest.Server, username string, body map[string]any) feedbackJSON {
	t.Helper()
	return decodeAs[feedbackJSON](t, apptest.Want(t, s.Post("/api/v1/feedback", s.Token(username), body), http.StatusCreated))
}

func hotlineFeedback(extra map[string]any) map[string]any {
	b := map[string]any{"channel": "hotline", "category": "procedure", "title": "Hỏi tiến độ hồ sơ",
		"content": "Công dân gọi hỏi vì sao hồ sơ chưa có kết quả."}
	for k, v := range extra {
		b[k] = v
	}
	return b
}

// loginAfresh logs username in afresh (after the clock moved past the cached
// token's expiry).
func loginAfresh(t *testing.T, s *apptest.Server, username string) string {
	t.Helper()
	r := apptest.Want(t, s.Post("/api/v1/auth/login", "", map[string]string{"username": username, "password": demo.Password}), http.StatusOK)
	return decodeAs[tokenJSON](t, r).AccessToken
}

func feedbackAction(s *apptest.Server, username, code string, body map[string]any) apptest.Response {
	return s.Post("/api/v1/feedback/"+code+"/actions", s.Token(username), body)
}

// itemsByCode lists the codes of a list answer, the items as maps, for the
// tests of other files; the tests here use feedbackByCode and
// publishedByCode.
func itemsByCode(t *testing.T, r apptest.Response) map[string]map[string]any {
	t.Helper()
	var body struct {
		Items []map[string]any `json:"items"`
		Total int              `json:"total"`
	}
	r.Decode(t, &body)
	out := map[string]map[string]any{}
	for _, it := range body.Items {
		out[it["code"].(string)] = it
	}
	return out
}

// feedbackByCode is the items of a staff list answer by code.
func feedbackByCode(t *testing.T, r apptest.Response) map[string]feedbackJSON {
	t.Helper()
	out := map[string]feedbackJSON{}
	for _, it := range itemsAs[feedbackJSON](t, r) {
		out[it.Code] = it
	}
	return out
}

// publishedByCode is the items of the public list answer by code.
func publishedByCode(t *testing.T, r apptest.Response) map[string]publishedFeedbackJSON {
	t.Helper()
	out := map[string]publishedFeedbackJSON{}
	for _, it := range itemsAs[publishedFeedbackJSON](t, r) {
		out[it.Code] = it
	}
	return out
}

// TestFeedbackHotlineToPublishedAnswer is the acceptance path: a hotline
// call recorded by a clerk, assigned, answered, published, and then visible
// publicly with no sender name, phone, e-mail or address anywhere in the
// public answers (raw bodies), even where the sender's name and phone were
// written into the content.
func TestFeedbackHotlineToPublishedAnswer(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, apptest.Options{})
	secrets := []string{"Nguyễn Thị Hoa", "0912 345 678", "0912345678", "hoa.nguyen@example.vn", "Số 12 đường Trần Hưng Đạo", "sender"}
	created := newFeedback(t, s, "clerk", map[string]any{"channel": "hotline", "category": "procedure",
		"title":   "Hỏi tiến độ cấp Phiếu lý lịch tư pháp",
		"content": "Bà Nguyễn Thị Hoa (ĐT 0912345678) gọi hỏi vì sao hồ sơ lý lịch tư pháp nộp đã 12 ngày chưa có kết quả.",
		"sender": map[string]any{"name": "Nguyễn Thị Hoa", "phone": "0912 345 678", "email": "hoa.nguyen@example.vn",
			"address": "Số 12 đường Trần Hưng Đạo, phường Tân Phong"},
		"procedure_code": "2.000488"})
	code := created.Code
	if !strings.HasPrefix(code, "PAKN-"+demo.Center+"-261123-") {
		t.Fatalf("code = %q, want the clerk's unit and the day: PAKN-%s-261123-NNNN", code, demo.Center)
	}
	pin := created.LookupPin
	if !pinRE.MatchString(pin) {
		t.Fatalf("lookup_pin = %q, want 6 digits", pin)
	}
	if created.Status != "received" || created.Channel != "hotline" || val(created.RecordedUnit) != demo.Center ||
		created.DueAt != "2026-12-14T09:00:00+07:00" || created.RefuseDueAt != "2026-11-25T09:00:00+07:00" {
		t.Fatalf("created = %v; want received, due in 15 working days (Mon 14 Dec 09:00), refusal in 2 (Wed 25 Nov 09:00)", created)
	}
	if snd := created.Sender; snd == nil || val(snd.Phone) != "0912 345 678" {
		t.Fatalf("the recording clerk sees the sender: %s", jsonString(created.Sender))
	}

	s.Clock.Advance(time.Hour)
	r := decodeAs[feedbackJSON](t, apptest.Want(t, feedbackAction(s, "clerk", code, map[string]any{"action": "assign", "agency_code": demo.Justice}), http.StatusOK))
	if r.Status != "processing" || val(r.AgencyCode) != demo.Justice {
		t.Fatalf("after assign: %v", r)
	}
	s.Clock.Advance(time.Hour)
	answer := "Sở Tư pháp đã xác minh: hồ sơ cần tra cứu thêm tại địa phương; kết quả trả trong tuần này."
	r = decodeAs[feedbackJSON](t, apptest.Want(t, feedbackAction(s, "officer", code, map[string]any{"action": "answer", "answer": answer}), http.StatusOK))
	if r.Status != "answered" || val(r.Answer) != answer || val(r.AnsweredAt) != "2026-11-23T11:00:00+07:00" || r.Published {
		t.Fatalf("after answer: %v", r)
	}

	// Answered, not yet published: the public list does not show it, the
	// citizen sees the status but not the answer.
	if _, ok := publishedByCode(t, apptest.Want(t, s.Get("/api/v1/public/feedback?published=true&page_size=500", ""), http.StatusOK))[code]; ok {
		t.Fatal("an unpublished answer is in the public list")
	}
	look := decodeAs[feedbackLookupJSON](t, apptest.Want(t, s.Get("/api/v1/public/feedback/"+code+"?pin="+pin, ""), http.StatusOK))
	if look.Status != "answered" || look.Answer != nil || look.Published {
		t.Fatalf("lookup before publication = %v, want status answered and no answer", look)
	}

	s.Clock.Advance(time.Hour)
	r = decodeAs[feedbackJSON](t, apptest.Want(t, feedbackAction(s, "leader", code, map[string]any{"action": "publish"}), http.StatusOK))
	if !r.Published || val(r.PublishedAt) != "2026-11-23T12:00:00+07:00" {
		t.Fatalf("after publish: %v", r)
	}
	wantErrorAnswer(t, feedbackAction(s, "leader", code, map[string]any{"action": "publish"}), http.StatusConflict, "invalid_transition", "")

	list := apptest.Want(t, s.Get("/api/v1/public/feedback?published=true&page_size=500", ""), http.StatusOK)
	item, ok := publishedByCode(t, list)[code]
	if !ok || item.Answer != answer || val(item.AgencyCode) != demo.Justice || val(item.AgencyName) != "Sở Tư pháp" {
		t.Fatalf("public list item = %v (found %v)", item, ok)
	}
	look2 := apptest.Want(t, s.Get("/api/v1/public/feedback/"+code+"?pin="+pin, ""), http.StatusOK)
	if val(decodeAs[feedbackLookupJSON](t, look2).Answer) != answer {
		t.Fatalf("lookup after publication = %s", look2.Body)
	}
	for _, body := range [][]byte{list.Body, look2.Body} {
		for _, secret := range secrets {
			if strings.Contains(string(body), secret) {
				t.Fatalf("a public answer contains %q: %s", secret, body)
			}
		}
	}
	if !strings.Contains(item.Content, "***") {
		t.Fatalf("the sender's name in the content must be redacted: %v", item.Content)
	}

	// Staff see the whole history, append-only, first entry from null.
	got := decodeAs[feedbackJSON](t, apptest.Want(t, s.Get("/api/v1/feedback/"+code, s.Token("leader")), http.StatusOK))
	hist := got.History
	var actions []string
	for _, h := range hist {
		actions = append(actions, h.Action)
	}
	if strings.Join(actions, ",") != "receive,assign,answer,publish" {
		t.Fatalf("history actions = %v", actions)
	}
	first := hist[0]
	if first.From != nil || first.To != "received" || val(first.By) != "clerk" || val(first.Unit) != demo.Center {
		t.Fatalf("first history entry = %v", first)
	}
	if h := hist[2]; val(h.From) != "processing" || h.To != "answered" || val(h.By) != "officer" {
		t.Fatalf("answer entry = %v", h)
	}
}

// TestFeedbackActionRolesAndScope is docs/domain.md's who column through HTTP: out
// of scope is 404, a wrong role in scope 403, and the officer or leader must
// be of the assigned agency to answer or publish.
func TestFeedbackActionRolesAndScope(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, apptest.Options{})
	// atJustice: recorded at the centre, naming the Sở Tư pháp (assigned from the start).
	atJustice := func() string {
		return newFeedback(t, s, "clerk", hotlineFeedback(map[string]any{"agency_code": demo.Justice})).Code
	}
	// atDistrict: recorded at the district desk, not assigned.
	atDistrict := func() string { return newFeedback(t, s, "clerk.commune", hotlineFeedback(nil)).Code }
	// districtToJustice: recorded at the district, assigned to the Sở Tư pháp.
	districtToJustice := func() string {
		c := atDistrict()
		apptest.Want(t, feedbackAction(s, "clerk.commune", c, map[string]any{"action": "assign", "agency_code": demo.Justice}), http.StatusOK)
		return c
	}
	answered := func(mk func() string) func() string {
		return func() string {
			c := mk()
			apptest.Want(t, feedbackAction(s, "officer", c, map[string]any{"action": "answer", "answer": "Đã trả lời."}), http.StatusOK)
			return c
		}
	}
	assign := map[string]any{"action": "assign", "agency_code": demo.Planning}
	answer := map[string]any{"action": "answer", "answer": "Trả lời."}
	refuse := map[string]any{"action": "refuse", "reason": "Không thuộc phạm vi."}
	publish := map[string]any{"action": "publish"}
	tests := []struct {
		name   string
		item   func() string
		user   string
		body   map[string]any
		status int
		code   string
		after  string // the status after a success
	}{
		{"clerk assigns", atJustice, "clerk", assign, 200, "", "processing"},
		{"leader of the agency assigns", atJustice, "leader", assign, 200, "", "processing"},
		{"admin assigns", atJustice, "admin", assign, 200, "", "processing"},
		{"officer may not assign", atJustice, "officer", assign, 403, "forbidden", ""},
		{"viewer may not assign", atJustice, "viewer", assign, 403, "forbidden", ""},
		{"district clerk: out of scope", atJustice, "clerk.commune", assign, 404, "not_found", ""},
		{"district clerk assigns its own", atDistrict, "clerk.commune", assign, 200, "", "processing"},

		{"officer of the agency answers", atJustice, "officer", answer, 200, "", "answered"},
		{"leader of the agency answers", atJustice, "leader", answer, 200, "", "answered"},
		{"clerk may not answer", atJustice, "clerk", answer, 403, "forbidden", ""},
		{"admin may not answer", atJustice, "admin", answer, 403, "forbidden", ""},
		{"district leader: out of scope", atJustice, "leader.commune", answer, 404, "not_found", ""},
		{"recording unit's leader is not of the agency", districtToJustice, "leader.commune", answer, 403, "forbidden", ""},
		{"officer answers an item assigned from the district", districtToJustice, "officer", answer, 200, "", "answered"},
		{"officer cannot see an unassigned district item", atDistrict, "officer", answer, 404, "not_found", ""},
		{"nobody is of the agency of an unassigned item", atDistrict, "leader.commune", answer, 403, "forbidden", ""},

		{"leader of the agency refuses", atJustice, "leader", refuse, 200, "", "refused"},
		{"recording unit's leader refuses", atDistrict, "leader.commune", refuse, 200, "", "refused"},
		{"officer may not refuse", atJustice, "officer", refuse, 403, "forbidden", ""},
		{"clerk may not refuse", atJustice, "clerk", refuse, 403, "forbidden", ""},
		{"admin may not refuse", atJustice, "admin", refuse, 403, "forbidden", ""},

		{"leader of the agency publishes", answered(atJustice), "leader", publish, 200, "", "answered"},
		{"admin publishes", answered(atJustice), "admin", publish, 200, "", "answered"},
		{"officer may not publish", answered(atJustice), "officer", publish, 403, "forbidden", ""},
		{"clerk may not publish", answered(atJustice), "clerk", publish, 403, "forbidden", ""},
		{"viewer may not publish", answered(atJustice), "viewer", publish, 403, "forbidden", ""},
		{"recording unit's leader may not publish", answered(districtToJustice), "leader.commune", publish, 403, "forbidden", ""},

		{"publish an unanswered item", atJustice, "leader", publish, 409, "invalid_transition", ""},
		{"answer an answered item", answered(atJustice), "leader", answer, 409, "invalid_transition", ""},
		{"assign an answered item", answered(atJustice), "clerk", assign, 409, "invalid_transition", ""},
		{"refuse an answered item", answered(atJustice), "leader", refuse, 409, "invalid_transition", ""},
		{"answer a refused item", func() string {
			c := atJustice()
			apptest.Want(t, feedbackAction(s, "leader", c, refuse), http.StatusOK)
			return c
		}, "leader", answer, 409, "invalid_transition", ""},
		{"unknown code", func() string { return "PAKN-000.00.20.H99-261123-9999" }, "admin", assign, 404, "not_found", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code := tt.item()
			r := feedbackAction(s, tt.user, code, tt.body)
			if tt.status != http.StatusOK {
				wantErrorAnswer(t, r, tt.status, tt.code, "")
				return
			}
			got := decodeAs[feedbackJSON](t, apptest.Want(t, r, http.StatusOK))
			if got.Status != tt.after {
				t.Fatalf("status after %s = %v, want %s", tt.body["action"], got.Status, tt.after)
			}
		})
	}
}

// TestFeedbackOverdueList moves the clock 16 working days: an open item
// past its due time is listed by overdue=true, an answered one and a fresh
// one are not.
func TestFeedbackOverdueList(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, apptest.Options{})
	tok := s.Token("clerk")
	open := newFeedback(t, s, "clerk", hotlineFeedback(map[string]any{"agency_code": demo.Justice})).Code
	done := newFeedback(t, s, "clerk", hotlineFeedback(map[string]any{"agency_code": demo.Justice})).Code
	apptest.Want(t, feedbackAction(s, "officer", done, map[string]any{"action": "answer", "answer": "Đã trả lời."}), http.StatusOK)

	overdue := func() map[string]feedbackJSON {
		return feedbackByCode(t, apptest.Want(t, s.Get("/api/v1/feedback?overdue=true&page_size=500", tok), http.StatusOK))
	}
	if _, ok := overdue()[open]; ok {
		t.Fatal("an item within its 15 working days is listed as overdue")
	}
	// Mon 23 Nov 09:00 + 16 working days = Tue 15 Dec 09:00 (no holiday between).
	s.Clock.Set(time.Date(2026, 12, 15, 9, 0, 0, 0, apptest.Loc))
	tok = loginAfresh(t, s, "clerk")
	fresh := decodeAs[feedbackJSON](t, apptest.Want(t, s.Post("/api/v1/feedback", tok, hotlineFeedback(nil)), http.StatusCreated)).Code
	got := overdue()
	if it, ok := got[open]; !ok || !it.Overdue {
		t.Fatalf("open item past due_at not listed as overdue: %v (listed %v)", it, ok)
	}
	if _, ok := got[done]; ok {
		t.Fatal("an answered item is listed as overdue")
	}
	if _, ok := got[fresh]; ok {
		t.Fatal("a fresh item is listed as overdue")
	}
	for c, it := range got {
		if it.Status != "received" && it.Status != "processing" {
			t.Fatalf("overdue list holds %s in status %v", c, it.Status)
		}
	}
	all := feedbackByCode(t, apptest.Want(t, s.Get("/api/v1/feedback?page_size=500", tok), http.StatusOK))
	// Both must be listed: a missing item's zero value would pass for false.
	d, dok := all[done]
	f, fok := all[fresh]
	if !dok || d.Overdue || !fok || f.Overdue {
		t.Fatalf("overdue flags: done %v (listed %v), fresh %v (listed %v)", d.Overdue, dok, f.Overdue, fok)
	}
}

// TestFeedbackListScopeAndFilters checks unit scope (recording unit or
// assigned agency), the masked sender for viewers and every filter.
func TestFeedbackListScopeAndFilters(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, apptest.Options{})
	center := newFeedback(t, s, "clerk", hotlineFeedback(map[string]any{"sender": map[string]any{"name": "Nguyễn Văn An", "phone": "0912345678"}})).Code
	letter := newFeedback(t, s, "clerk", map[string]any{"channel": "mail", "category": "conduct", "title": "Thư phản ánh",
		"content": "Nội dung thư.", "agency_code": demo.Justice}).Code
	district := newFeedback(t, s, "clerk.commune", hotlineFeedback(nil)).Code
	list := func(user, query string) map[string]feedbackJSON {
		t.Helper()
		return feedbackByCode(t, apptest.Want(t, s.Get("/api/v1/feedback?page_size=500&"+query, s.Token(user)), http.StatusOK))
	}
	type want struct{ center, letter, district bool }
	tests := []struct {
		user, query string
		want        want
	}{
		{"clerk", "", want{true, true, false}},
		{"clerk.commune", "", want{false, false, true}},
		{"officer", "", want{false, true, false}}, // assigned to its agency
		{"leader.commune", "", want{false, false, true}},
		{"admin", "", want{true, true, true}},
		{"viewer", "", want{true, true, true}},
		{"admin", "channel=mail", want{false, true, false}},
		{"admin", "category=conduct", want{false, true, false}},
		{"admin", "agency_code=" + demo.Justice, want{false, true, false}},
		{"admin", "status=received", want{true, true, true}},
		{"admin", "status=answered", want{false, false, false}},
		{"admin", "received_from=2026-11-23&received_to=2026-11-23", want{true, true, true}},
		{"admin", "received_from=2026-11-24", want{false, false, false}},
		{"admin", "received_to=2026-11-22", want{false, false, false}},
	}
	for _, tt := range tests {
		got := list(tt.user, tt.query)
		_, c := got[center]
		_, l := got[letter]
		_, d := got[district]
		if (want{c, l, d}) != tt.want {
			t.Errorf("%s ?%s: sees center %v letter %v district %v, want %+v", tt.user, tt.query, c, l, d, tt.want)
		}
	}
	v := list("viewer", "")[center].Sender
	if v == nil || val(v.Name) != "N***** V** A*" || v.Phone != nil {
		t.Fatalf("viewer sees sender %s, want the name masked and no phone", jsonString(v))
	}
	if r := s.Get("/api/v1/feedback/"+center, s.Token("viewer")); !strings.Contains(string(r.Body), "N***** V** A*") || strings.Contains(string(r.Body), "0912345678") {
		t.Fatalf("viewer's detail must mask the sender: %s", r.Body)
	}
	wantErrorAnswer(t, s.Get("/api/v1/feedback/"+center, s.Token("clerk.commune")), http.StatusNotFound, "not_found", "")
	if r := s.Get("/api/v1/feedback/"+center, s.Token("clerk")); !strings.Contains(string(r.Body), "0912345678") {
		t.Fatalf("the recording clerk sees the sender's phone: %s", r.Body)
	}
}

// TestFeedbackBadInput: every bad input is a 4xx with the error body of docs/openapi.yaml,
// never a 500.
func TestFeedbackBadInput(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, apptest.Options{})
	clerk := s.Token("clerk")
	code := newFeedback(t, s, "clerk", hotlineFeedback(map[string]any{"agency_code": demo.Justice})).Code
	long := strings.Repeat("ư", 10001)
	tests := []struct {
		name   string
		req    apptest.Request
		status int
		code   string
		field  string
	}{
		{"oversized content", apptest.Request{Method: "POST", Path: "/api/v1/feedback", Token: clerk, Body: hotlineFeedback(map[string]any{"content": long})}, 422, "validation_failed", "content"},
		{"oversized title", apptest.Request{Method: "POST", Path: "/api/v1/feedback", Token: clerk, Body: hotlineFeedback(map[string]any{"title": strings.Repeat("a", 301)})}, 422, "validation_failed", "title"},
		{"bad channel", apptest.Request{Method: "POST", Path: "/api/v1/feedback", Token: clerk, Body: hotlineFeedback(map[string]any{"channel": "fax"})}, 422, "validation_failed", "channel"},
		{"bad category", apptest.Request{Method: "POST", Path: "/api/v1/feedback", Token: clerk, Body: hotlineFeedback(map[string]any{"category": "complaint"})}, 422, "validation_failed", "category"},
		{"bad phone", apptest.Request{Method: "POST", Path: "/api/v1/feedback", Token: clerk, Body: hotlineFeedback(map[string]any{"sender": map[string]any{"phone": "gọi tôi"}})}, 422, "validation_failed", "sender.phone"},
		{"unknown agency", apptest.Request{Method: "POST", Path: "/api/v1/feedback", Token: clerk, Body: hotlineFeedback(map[string]any{"agency_code": "000.99.99.H99"})}, 422, "validation_failed", "agency_code"},
		{"unknown procedure", apptest.Request{Method: "POST", Path: "/api/v1/feedback", Token: clerk, Body: hotlineFeedback(map[string]any{"procedure_code": "9.999999"})}, 422, "validation_failed", "procedure_code"},
		{"unknown dossier", apptest.Request{Method: "POST", Path: "/api/v1/feedback", Token: clerk, Body: hotlineFeedback(map[string]any{"dossier_code": "000.00.20.H99-261123-9999"})}, 422, "validation_failed", "dossier_code"},
		{"wrong type", apptest.Request{Method: "POST", Path: "/api/v1/feedback", Token: clerk, Body: `{"channel":1}`}, 400, "invalid_request", ""},
		{"unknown field", apptest.Request{Method: "POST", Path: "/api/v1/feedback", Token: clerk, Body: `{"channel":"hotline","sender_id":"1"}`}, 400, "invalid_request", ""},
		{"malformed JSON", apptest.Request{Method: "POST", Path: "/api/v1/feedback", Token: clerk, Body: `{"channel":`}, 400, "invalid_request", ""},
		{"body over 1 MiB", apptest.Request{Method: "POST", Path: "/api/v1/feedback", Token: clerk, Body: `{"content":"` + strings.Repeat("a", 1<<20) + `"}`}, 413, "payload_too_large", ""},
		{"officer may not record", apptest.Request{Method: "POST", Path: "/api/v1/feedback", Token: s.Token("officer"), Body: hotlineFeedback(nil)}, 403, "forbidden", ""},
		{"no token", apptest.Request{Method: "POST", Path: "/api/v1/feedback", Body: hotlineFeedback(nil)}, 401, "unauthenticated", ""},
		{"unknown action", apptest.Request{Method: "POST", Path: "/api/v1/feedback/" + code + "/actions", Token: clerk, Body: `{"action":"reopen"}`}, 422, "validation_failed", "action"},
		{"assign without agency", apptest.Request{Method: "POST", Path: "/api/v1/feedback/" + code + "/actions", Token: clerk, Body: `{"action":"assign"}`}, 422, "validation_failed", "agency_code"},
		{"assign to unknown agency", apptest.Request{Method: "POST", Path: "/api/v1/feedback/" + code + "/actions", Token: clerk, Body: `{"action":"assign","agency_code":"nope"}`}, 422, "validation_failed", "agency_code"},
		{"answer without answer", apptest.Request{Method: "POST", Path: "/api/v1/feedback/" + code + "/actions", Token: s.Token("officer"), Body: `{"action":"answer"}`}, 422, "validation_failed", "answer"},
		{"oversized answer", apptest.Request{Method: "POST", Path: "/api/v1/feedback/" + code + "/actions", Token: s.Token("officer"), Body: map[string]any{"action": "answer", "answer": long}}, 422, "validation_failed", "answer"},
		{"refuse without reason", apptest.Request{Method: "POST", Path: "/api/v1/feedback/" + code + "/actions", Token: s.Token("leader"), Body: `{"action":"refuse"}`}, 422, "validation_failed", "reason"},
		{"stale version", apptest.Request{Method: "POST", Path: "/api/v1/feedback/" + code + "/actions", Token: clerk, Body: map[string]any{"action": "assign", "agency_code": demo.Justice, "version": 7}}, 409, "conflict", ""},
		{"bad status filter", apptest.Request{Method: "GET", Path: "/api/v1/feedback?status=closed", Token: clerk}, 422, "validation_failed", "status"},
		{"bad channel filter", apptest.Request{Method: "GET", Path: "/api/v1/feedback?channel=fax", Token: clerk}, 422, "validation_failed", "channel"},
		{"bad date filter", apptest.Request{Method: "GET", Path: "/api/v1/feedback?received_from=2026-13-01", Token: clerk}, 422, "validation_failed", "received_from"},
		{"inverted period", apptest.Request{Method: "GET", Path: "/api/v1/feedback?received_from=2026-11-24&received_to=2026-11-23", Token: clerk}, 422, "validation_failed", "received_to"},
		{"bad overdue flag", apptest.Request{Method: "GET", Path: "/api/v1/feedback?overdue=maybe", Token: clerk}, 422, "validation_failed", "overdue"},
		{"bad page size", apptest.Request{Method: "GET", Path: "/api/v1/feedback?page_size=501", Token: clerk}, 422, "validation_failed", "page_size"},

		{"public: oversized content", apptest.Request{Method: "POST", Path: "/api/v1/public/feedback", Body: map[string]any{"category": "other", "title": "t", "content": long}}, 422, "validation_failed", "content"},
		{"public: not the online channel", apptest.Request{Method: "POST", Path: "/api/v1/public/feedback", Body: map[string]any{"channel": "hotline", "category": "other", "title": "t", "content": "c"}}, 422, "validation_failed", "channel"},
		{"public: bad channel", apptest.Request{Method: "POST", Path: "/api/v1/public/feedback", Body: map[string]any{"channel": "fax", "category": "other", "title": "t", "content": "c"}}, 422, "validation_failed", "channel"},
		{"public: bad email", apptest.Request{Method: "POST", Path: "/api/v1/public/feedback", Body: map[string]any{"category": "other", "title": "t", "content": "c", "sender": map[string]any{"email": "a@b"}}}, 422, "validation_failed", "sender.email"},
		{"public: dossier without pin", apptest.Request{Method: "POST", Path: "/api/v1/public/feedback", Body: map[string]any{"category": "procedure", "title": "t", "content": "c", "dossier_code": "000.00.20.H99-261123-0001"}}, 422, "validation_failed", "dossier_pin"},
		{"public: dossier pin bad format", apptest.Request{Method: "POST", Path: "/api/v1/public/feedback", Body: map[string]any{"category": "procedure", "title": "t", "content": "c", "dossier_code": "000.00.20.H99-261123-0001", "dossier_pin": "12a456"}}, 422, "validation_failed", "dossier_pin"},
		{"public: unknown dossier", apptest.Request{Method: "POST", Path: "/api/v1/public/feedback", Body: map[string]any{"category": "procedure", "title": "t", "content": "c", "dossier_code": "000.00.20.H99-261123-9999", "dossier_pin": "123456"}}, 422, "validation_failed", "dossier_code"},
		{"public: pin without dossier", apptest.Request{Method: "POST", Path: "/api/v1/public/feedback", Body: map[string]any{"category": "procedure", "title": "t", "content": "c", "dossier_pin": "123456"}}, 422, "validation_failed", "dossier_code"},
		{"public: unknown field", apptest.Request{Method: "POST", Path: "/api/v1/public/feedback", Body: `{"category":"other","title":"t","content":"c","recorded_unit":"x"}`}, 400, "invalid_request", ""},
		{"public: lookup pin not 6 digits", apptest.Request{Method: "GET", Path: "/api/v1/public/feedback/" + code + "?pin=12345"}, 422, "validation_failed", "pin"},
		{"public: lookup pin letters", apptest.Request{Method: "GET", Path: "/api/v1/public/feedback/" + code + "?pin=abcdef"}, 422, "validation_failed", "pin"},
		{"public: lookup without pin", apptest.Request{Method: "GET", Path: "/api/v1/public/feedback/" + code}, 422, "validation_failed", "pin"},
		{"public: list unpublished", apptest.Request{Method: "GET", Path: "/api/v1/public/feedback?published=false"}, 422, "validation_failed", "published"},
		{"public: list bad category", apptest.Request{Method: "GET", Path: "/api/v1/public/feedback?category=x"}, 422, "validation_failed", "category"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantErrorAnswer(t, s.Do(tt.req), tt.status, tt.code, tt.field)
		})
	}
	if strings.Contains(s.Log.String(), "request failed") {
		t.Fatalf("an input caused an internal error: %s", s.Log.String())
	}
}

// TestFeedbackPublicSubmission covers a citizen's submission: code series
// (the root of the named agency's tree, or none), the one-time PIN, and who
// sees it afterwards.
func TestFeedbackPublicSubmission(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, apptest.Options{})
	subAnswer := apptest.Want(t, s.Post("/api/v1/public/feedback", "", map[string]any{"category": "procedure",
		"title": "Hướng dẫn chưa rõ", "content": "Hướng dẫn hồ sơ chứng thực chưa rõ.", "agency_code": demo.Justice,
		"sender": map[string]any{"name": "Lê Văn Tám", "phone": "0987654321"}}), http.StatusCreated)
	sub := decodeAs[feedbackReceiptJSON](t, subAnswer)
	code, pin := sub.Code, sub.LookupPin
	if !strings.HasPrefix(code, "PAKN-"+demo.Province+"-261123-") || !pinRE.MatchString(pin) ||
		sub.Status != "received" || sub.DueAt != "2026-12-14T09:00:00+07:00" {
		t.Fatalf("submission = %+v", sub)
	}
	// The raw map, not feedbackReceiptJSON: the sender must be absent from
	// the JSON, and a struct cannot tell an absent key from a null one.
	if _, ok := obj(t, subAnswer)["sender"]; ok {
		t.Fatalf("the public answer echoes the sender: %s", subAnswer.Body)
	}
	inbox := decodeAs[feedbackReceiptJSON](t, apptest.Want(t, s.Post("/api/v1/public/feedback", "", map[string]any{"category": "other",
		"title": "Góp ý chung", "content": "Nội dung."}), http.StatusCreated)).Code
	if !regexp.MustCompile(`^PAKN-261123-[0-9]{4}$`).MatchString(inbox) {
		t.Fatalf("an item naming no agency is %q, want PAKN-261123-NNNN", inbox)
	}

	got := decodeAs[feedbackJSON](t, apptest.Want(t, s.Get("/api/v1/feedback/"+code, s.Token("officer")), http.StatusOK))
	if got.Channel != "online" || got.RecordedUnit != nil || val(got.AgencyCode) != demo.Justice || got.Status != "received" {
		t.Fatalf("staff view of a citizen's item = %v", got)
	}
	if h := got.History[0]; h.Action != "submit" || h.By != nil {
		t.Fatalf("first entry of a citizen's item = %v", h)
	}
	wantErrorAnswer(t, s.Get("/api/v1/feedback/"+code, s.Token("clerk.commune")), http.StatusNotFound, "not_found", "")
	// An item naming no agency waits in the province inbox: the admin
	// without a unit sees and assigns it; unit staff do not see it.
	wantErrorAnswer(t, s.Get("/api/v1/feedback/"+inbox, s.Token("clerk")), http.StatusNotFound, "not_found", "")
	apptest.Want(t, feedbackAction(s, "admin", inbox, map[string]any{"action": "assign", "agency_code": demo.Planning}), http.StatusOK)

	look := apptest.Want(t, s.Get("/api/v1/public/feedback/"+code+"?pin="+pin, ""), http.StatusOK)
	if m := decodeAs[feedbackLookupJSON](t, look); m.Status != "received" || m.Code != code || strings.Contains(string(look.Body), "Lê Văn Tám") ||
		strings.Contains(string(look.Body), "0987654321") {
		t.Fatalf("lookup = %s", look.Body)
	}
	// A refused item shows the citizen why.
	apptest.Want(t, feedbackAction(s, "leader", code, map[string]any{"action": "refuse", "reason": "Đã trả lời trong phản ánh trước."}), http.StatusOK)
	if m := decodeAs[feedbackLookupJSON](t, apptest.Want(t, s.Get("/api/v1/public/feedback/"+code+"?pin="+pin, ""), http.StatusOK)); m.Status != "refused" ||
		val(m.RefusalReason) != "Đã trả lời trong phản ánh trước." {
		t.Fatalf("lookup of a refused item = %v", m)
	}
}

// TestFeedbackWrongPinAndUnknownCodeAlike: a wrong PIN and an unknown code
// give the same 404 body.
func TestFeedbackWrongPinAndUnknownCodeAlike(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, apptest.Options{})
	sub := decodeAs[feedbackReceiptJSON](t, apptest.Want(t, s.Post("/api/v1/public/feedback", "", map[string]any{"category": "other", "title": "t", "content": "c"}),
		http.StatusCreated))
	code, pin := sub.Code, sub.LookupPin
	wrong := "000000"
	if pin == wrong {
		wrong = "111111"
	}
	a := s.Get("/api/v1/public/feedback/"+code+"?pin="+wrong, "")
	b := s.Get("/api/v1/public/feedback/"+url.PathEscape(code+"9")+"?pin="+pin, "")
	c := s.Get("/api/v1/public/feedback/PAKN-261123-9999?pin="+pin, "")
	wantErrorAnswer(t, a, http.StatusNotFound, "not_found", "")
	for _, r := range []apptest.Response{b, c} {
		wantErrorAnswer(t, r, http.StatusNotFound, "not_found", "")
		if string(r.Body) != string(a.Body) {
			t.Fatalf("unknown code answers %s, wrong pin %s: they must be indistinguishable", r.Body, a.Body)
		}
	}
	apptest.Want(t, s.Get("/api/v1/public/feedback/"+code+"?pin="+pin, ""), http.StatusOK)
}

// TestFeedbackPublicRateLimited: the public feedback and rating endpoints
// share the per-address budget; over it they answer 429 with Retry-After.
func TestFeedbackPublicRateLimited(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, apptest.Options{Env: map[string]string{"MOTCUA_PUBLIC_RATE_LIMIT": "3"}})
	submit := apptest.Request{Method: "POST", Path: "/api/v1/public/feedback", Body: map[string]any{"category": "other", "title": "t", "content": "c"}}
	sub := decodeAs[feedbackReceiptJSON](t, apptest.Want(t, s.Do(submit), http.StatusCreated))
	apptest.Want(t, s.Get("/api/v1/public/feedback/"+sub.Code+"?pin="+sub.LookupPin, ""), http.StatusOK)
	apptest.Want(t, s.Get("/api/v1/public/feedback?published=true", ""), http.StatusOK)
	for _, req := range []apptest.Request{
		{Method: "GET", Path: "/api/v1/public/feedback?published=true"},
		{Method: "GET", Path: "/api/v1/public/feedback/" + sub.Code + "?pin=000000"},
		submit,
		{Method: "POST", Path: "/api/v1/public/dossiers/000.00.20.H99-261123-0001/rating?pin=123456", Body: map[string]any{"score": 5}},
	} {
		r := s.Do(req)
		wantErrorAnswer(t, r, http.StatusTooManyRequests, "rate_limited", "")
		if ra := r.Header.Get("Retry-After"); ra == "" || ra == "0" {
			t.Fatalf("%s %s: 429 without Retry-After", req.Method, req.Path)
		}
	}
	// Another address has its own budget; a minute later this one has its budget back.
	apptest.Want(t, s.Do(apptest.Request{Method: "GET", Path: "/api/v1/public/feedback", Remote: "198.51.100.9:4000"}), http.StatusOK)
	s.Clock.Advance(time.Minute)
	apptest.Want(t, s.Get("/api/v1/public/feedback", ""), http.StatusOK)
}
