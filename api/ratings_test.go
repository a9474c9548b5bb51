package api_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/cmd/motcua/demo"
)

// registerRateableDossier has the centre's clerk register a Sở Tư pháp dossier and
// returns its code and lookup PIN.
func registerRateableDossier(t testing.TB, s *apptest.Server) (code, pin string) {
	t.Helper()
	r := apptest.Want(t, s.Post("/api/v1/dossiers", s.Token("clerk"), map[string]any{"procedure_code": "2.000488", "channel": "direct",
		"applicant": map[string]any{"name": "Nguyễn Văn An", "phone": "0912345678"},
		"documents": []map[string]any{{"name": "Tờ khai", "copies": 1}}}), http.StatusCreated).JSON(t)
	return r["code"].(string), r["lookup_pin"].(string)
}

// returnDossier moves a dossier through processing to returned.
func returnDossier(t testing.TB, s *apptest.Server, code string) {
	t.Helper()
	for _, st := range []struct {
		user string
		body map[string]any
	}{
		{"clerk", map[string]any{"action": "start"}},
		{"leader", map[string]any{"action": "resolve", "outcome": "approved"}},
		{"clerk", map[string]any{"action": "return"}},
	} {
		s.Clock.Advance(10 * time.Minute)
		apptest.Want(t, s.Post("/api/v1/dossiers/"+code+"/actions", s.Token(st.user), st.body), http.StatusOK)
	}
}

func postRating(s *apptest.Server, code, pin string, body any) apptest.Response {
	return s.Do(apptest.Request{Method: http.MethodPost, Path: "/api/v1/public/dossiers/" + code + "/rating?pin=" + pin, Body: body})
}

// TestRatingOnceAfterReturn: a rating needs the dossier's PIN and a returned
// dossier, is stored once with the dossier's unit, agency and procedure, and
// a second one is 409.
func TestRatingOnceAfterReturn(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, apptest.Options{})
	code, pin := registerRateableDossier(t, s)
	wrong := "000000"
	if pin == wrong {
		wrong = "111111"
	}
	wantErrorAnswer(t, postRating(s, code, pin, map[string]any{"score": 5}), http.StatusConflict, "invalid_transition", "")

	byWrongPin := postRating(s, code, wrong, map[string]any{"score": 5})
	byUnknownCode := postRating(s, code+"9", pin, map[string]any{"score": 5})
	wantErrorAnswer(t, byWrongPin, http.StatusNotFound, "not_found", "")
	wantErrorAnswer(t, byUnknownCode, http.StatusNotFound, "not_found", "")
	if string(byWrongPin.Body) != string(byUnknownCode.Body) {
		t.Fatalf("wrong pin %s and unknown code %s must be indistinguishable", byWrongPin.Body, byUnknownCode.Body)
	}
	for _, tt := range []struct {
		name, pin string
		body      any
		status    int
		code      string
		field     string
	}{
		{"pin not 6 digits", "12345", map[string]any{"score": 5}, 422, "validation_failed", "pin"},
		{"no pin", "", map[string]any{"score": 5}, 422, "validation_failed", "pin"},
		{"score 0", pin, map[string]any{"score": 0}, 422, "validation_failed", "score"},
		{"no score", pin, map[string]any{"comment": "ok"}, 422, "validation_failed", "score"},
		{"score 6", pin, map[string]any{"score": 6}, 422, "validation_failed", "score"},
		{"score as text", pin, `{"score":"5"}`, 400, "invalid_request", ""},
		{"fractional score", pin, `{"score":4.5}`, 400, "invalid_request", ""},
		{"oversized comment", pin, map[string]any{"score": 4, "comment": strings.Repeat("a", 10001)}, 422, "validation_failed", "comment"},
		{"unknown field", pin, `{"score":4,"stars":4}`, 400, "invalid_request", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantErrorAnswer(t, postRating(s, code, tt.pin, tt.body), tt.status, tt.code, tt.field)
		})
	}

	returnDossier(t, s, code)
	r := apptest.Want(t, postRating(s, code, pin, map[string]any{"score": 5, "comment": "Nhanh, chu đáo."}), http.StatusCreated).JSON(t)
	if r["dossier_code"] != code || r["score"] != float64(5) || r["comment"] != "Nhanh, chu đáo." || r["feedback_code"] != nil {
		t.Fatalf("rating = %v", r)
	}
	wantErrorAnswer(t, postRating(s, code, pin, map[string]any{"score": 1}), http.StatusConflict, "conflict", "")
	if got := itemsByCode(t, apptest.Want(t, s.Get("/api/v1/feedback?dossier_code="+code, s.Token("admin")), http.StatusOK)); len(got) != 0 {
		t.Fatalf("a refused second rating opened feedback: %v", got)
	}

	var row struct {
		Score                               int
		UnitCode, AgencyCode, ProcedureCode string
		DossierCode                         string
	}
	if err := s.App.DB.Table("ratings").Where("dossier_code = ?", code).Take(&row).Error; err != nil {
		t.Fatal(err)
	}
	if row.Score != 5 || row.UnitCode != demo.Center || row.AgencyCode != demo.Justice || row.ProcedureCode != "2.000488" {
		t.Fatalf("stored rating = %+v, want the dossier's unit, agency and procedure", row)
	}
}

// TestLowRatingOpensFeedback: a score of 1 or 2 opens, in the same
// transaction, a procedure feedback item linked to the dossier and assigned
// to its handling agency, which the citizen follows with the same PIN.
func TestLowRatingOpensFeedback(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, apptest.Options{})
	code, pin := registerRateableDossier(t, s)
	returnDossier(t, s, code)
	r := apptest.Want(t, postRating(s, code, pin, map[string]any{"score": 2, "comment": "Phải đi lại hai lần vì hướng dẫn không rõ."}),
		http.StatusCreated).JSON(t)
	fcode, _ := r["feedback_code"].(string)
	if !regexp.MustCompile(`^PAKN-` + regexp.QuoteMeta(demo.Province) + `-261123-[0-9]{4}$`).MatchString(fcode) {
		t.Fatalf("feedback_code = %q, want PAKN-%s-261123-NNNN", fcode, demo.Province)
	}
	f := apptest.Want(t, s.Get("/api/v1/feedback/"+fcode, s.Token("officer")), http.StatusOK).JSON(t)
	if f["channel"] != "online" || f["category"] != "procedure" || f["dossier_code"] != code || f["agency_code"] != demo.Justice ||
		f["procedure_code"] != "2.000488" || f["status"] != "received" || f["content"] != "Phải đi lại hai lần vì hướng dẫn không rõ." ||
		f["title"] != "Đánh giá không hài lòng hồ sơ "+code || f["sender"] != nil {
		t.Fatalf("opened feedback = %v", f)
	}
	if got := itemsByCode(t, apptest.Want(t, s.Get("/api/v1/feedback?dossier_code="+code, s.Token("leader")), http.StatusOK)); got[fcode] == nil {
		t.Fatalf("dossier_code filter misses the opened item: %v", got)
	}
	look := apptest.Want(t, s.Get("/api/v1/public/feedback/"+fcode+"?pin="+pin, ""), http.StatusOK).JSON(t)
	if look["status"] != "received" {
		t.Fatalf("citizen's lookup of the opened item = %v", look)
	}
	// The agency answers it like any other item.
	apptest.Want(t, feedbackAction(s, "officer", fcode, map[string]any{"action": "answer", "answer": "Sở xin lỗi và đã chấn chỉnh."}), http.StatusOK)

	// A 1 without a comment gets a default content naming the dossier.
	code2, pin2 := registerRateableDossier(t, s)
	returnDossier(t, s, code2)
	r2 := apptest.Want(t, postRating(s, code2, pin2, map[string]any{"score": 1}), http.StatusCreated).JSON(t)
	f2 := apptest.Want(t, s.Get("/api/v1/feedback/"+r2["feedback_code"].(string), s.Token("admin")), http.StatusOK).JSON(t)
	if c, _ := f2["content"].(string); !strings.Contains(c, code2) || !strings.Contains(c, "1/5") {
		t.Fatalf("default content = %q", c)
	}
	// 3, 4 and 5 open nothing.
	code3, pin3 := registerRateableDossier(t, s)
	returnDossier(t, s, code3)
	if r3 := apptest.Want(t, postRating(s, code3, pin3, map[string]any{"score": 3}), http.StatusCreated).JSON(t); r3["feedback_code"] != nil {
		t.Fatalf("a 3 opened feedback: %v", r3)
	}
}

// TestPublicFeedbackLinksDossierOnlyWithPin: a citizen's feedback names a
// dossier only with its PIN.
func TestPublicFeedbackLinksDossierOnlyWithPin(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, apptest.Options{})
	code, pin := registerRateableDossier(t, s)
	wrong := "000000"
	if pin == wrong {
		wrong = "111111"
	}
	body := func(p string) map[string]any {
		return map[string]any{"category": "procedure", "title": "Hồ sơ chậm", "content": "Hồ sơ của tôi chậm.", "dossier_code": code,
			"dossier_pin": p, "agency_code": demo.Justice}
	}
	wantErrorAnswer(t, s.Post("/api/v1/public/feedback", "", body(wrong)), http.StatusUnprocessableEntity, "validation_failed", "dossier_code")
	fcode := apptest.Want(t, s.Post("/api/v1/public/feedback", "", body(pin)), http.StatusCreated).JSON(t)["code"].(string)
	f := apptest.Want(t, s.Get("/api/v1/feedback/"+fcode, s.Token("officer")), http.StatusOK).JSON(t)
	if f["dossier_code"] != code {
		t.Fatalf("linked feedback = %v", f)
	}
	// Staff may link any existing dossier without a PIN.
	staff := recordFeedback(t, s, "clerk", hotlineFeedback(map[string]any{"dossier_code": code}))
	if staff["dossier_code"] != code {
		t.Fatalf("staff-linked feedback = %v", staff)
	}
}
