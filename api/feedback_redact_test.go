package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/cmd/motcua/demo"
)

// TestFeedbackPublishedRedactsByPattern publishes an item whose title,
// content and answer carry the sender's phone in five spellings, an ID
// number, an e-mail, the sender's name without diacritics and someone else's
// phone: none of them appears in the public list or the citizen's lookup,
// while years, amounts and dossier codes stay.
func TestFeedbackPublishedRedactsByPattern(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, apptest.Options{})
	content := "Toi la nguyen van binh, so 0912.345.678 hoac 0912 345 678 hoac +84 912 345 678 hoac 84912345678; " +
		"CCCD 001 099 012 345, mail binh.nv@example.vn; hang xom goi 0987-654-321. Ho so 000.00.20.H99-261123-0001 nam 2026, phi 1.500.000 đồng."
	created := recordFeedback(t, s, "clerk", hotlineFeedback(map[string]any{"title": "Gọi lại 0912-345-678 giúp tôi", "content": content,
		"sender": map[string]any{"name": "Nguyễn Văn Bình", "phone": "0912345678"}}))
	code, pin := created["code"].(string), created["lookup_pin"].(string)
	s.Clock.Advance(time.Hour)
	apptest.Want(t, feedbackAction(s, "clerk", code, map[string]any{"action": "assign", "agency_code": demo.Justice}), http.StatusOK)
	apptest.Want(t, feedbackAction(s, "officer", code, map[string]any{"action": "answer",
		"answer": "Đã liên hệ ông Nguyễn Văn Bình qua số (+84) 912-345-678."}), http.StatusOK)
	apptest.Want(t, feedbackAction(s, "leader", code, map[string]any{"action": "publish"}), http.StatusOK)

	list := apptest.Want(t, s.Get("/api/v1/public/feedback?published=true&page_size=500", ""), http.StatusOK)
	item, ok := itemsByCode(t, list)[code]
	if !ok {
		t.Fatalf("published item missing: %s", list.Body)
	}
	look := apptest.Want(t, s.Get("/api/v1/public/feedback/"+code+"?pin="+pin, ""), http.StatusOK)
	for _, body := range []string{string(list.Body), string(look.Body)} {
		low := strings.ToLower(body)
		for _, leak := range []string{"912", "345", "678", "001 099", "012 345", "binh.nv", "example.vn", "nguyen van binh", "bình", "987", "654"} {
			if strings.Contains(low, leak) {
				t.Errorf("public answer contains %q: %s", leak, body)
			}
		}
	}
	for _, keep := range []string{"000.00.20.H99-261123-0001", "2026", "1.500.000 đồng"} {
		if !strings.Contains(item["content"].(string), keep) {
			t.Errorf("ordinary text %q destroyed: %v", keep, item["content"])
		}
	}
}

// TestFeedbackPublicPreviewAndEdits: the leader who may publish sees exactly
// what publish would show, redactions counted; others may not; texts the
// leader sends with publish replace the item's own in public and are
// redacted too, while the item keeps what was received and answered.
func TestFeedbackPublicPreviewAndEdits(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, apptest.Options{})
	created := recordFeedback(t, s, "clerk", hotlineFeedback(map[string]any{"title": "Hỏi hồ sơ của Trần Thị Mai",
		"content": "Bà Trần Thị Mai, số 0903 111 222, hỏi tiến độ.", "sender": map[string]any{"name": "Trần Thị Mai", "phone": "0903111222"}}))
	code, pin := created["code"].(string), created["lookup_pin"].(string)
	preview := func(user string) apptest.Response {
		return s.Get("/api/v1/feedback/"+code+"/public-preview", s.Token(user))
	}
	wantErrorAnswer(t, preview("leader"), http.StatusNotFound, "not_found", "") // not the leader's agency's yet
	s.Clock.Advance(time.Hour)
	apptest.Want(t, feedbackAction(s, "clerk", code, map[string]any{"action": "assign", "agency_code": demo.Justice}), http.StatusOK)
	wantErrorAnswer(t, preview("leader"), http.StatusConflict, "invalid_transition", "") // not answered yet
	// public_* belong to publish only.
	wantFields(t, feedbackAction(s, "clerk", code, map[string]any{"action": "assign", "agency_code": demo.Justice, "public_title": "x"}), "public_title")
	apptest.Want(t, feedbackAction(s, "officer", code, map[string]any{"action": "answer", "answer": "Đã gọi lại bà Mai theo số 0903.111.222."}), http.StatusOK)

	for _, who := range []string{"clerk", "officer", "viewer"} {
		if r := preview(who); r.Status != http.StatusForbidden && r.Status != http.StatusNotFound {
			t.Errorf("%s previews: %d %s", who, r.Status, r.Body)
		}
	}
	p := apptest.Want(t, preview("leader"), http.StatusOK).JSON(t)
	if p["title"] != "Hỏi hồ sơ của ***" || !strings.Contains(p["content"].(string), "Bà ***, số ***") ||
		strings.Contains(p["answer"].(string), "0903") || p["redactions"].(float64) < 4 {
		t.Fatalf("preview = %v", p)
	}

	// Publish with the leader's own texts, which carry a phone again.
	apptest.Want(t, feedbackAction(s, "leader", code, map[string]any{"action": "publish", "public_title": "Hỏi tiến độ hồ sơ",
		"public_answer": "Cơ quan đã liên hệ người gửi (0903 111 222) và trả lời."}), http.StatusOK)
	look := apptest.Want(t, s.Get("/api/v1/public/feedback/"+code+"?pin="+pin, ""), http.StatusOK).JSON(t)
	answer, _ := look["answer"].(string)
	if look["title"] != "Hỏi tiến độ hồ sơ" || !strings.HasPrefix(answer, "Cơ quan đã liên hệ người gửi ") ||
		!strings.Contains(answer, "***") || strings.Contains(answer, "0903") || strings.Contains(answer, "222") {
		t.Errorf("public item = %v", look)
	}
	listed := itemsByCode(t, apptest.Want(t, s.Get("/api/v1/public/feedback?page_size=500", ""), http.StatusOK))[code]
	if listed["title"] != look["title"] || listed["answer"] != look["answer"] || !strings.Contains(listed["content"].(string), "Bà ***") {
		t.Errorf("public list item = %v", listed)
	}
	if r := apptest.Want(t, preview("leader"), http.StatusOK).JSON(t); r["title"] != look["title"] || r["answer"] != look["answer"] {
		t.Errorf("preview after publishing %v differs from the public item %v", r, look)
	}
	staff := apptest.Want(t, s.Get("/api/v1/feedback/"+code, s.Token("leader")), http.StatusOK).JSON(t)
	if staff["title"] != "Hỏi hồ sơ của Trần Thị Mai" || staff["answer"] != "Đã gọi lại bà Mai theo số 0903.111.222." {
		t.Errorf("the item lost what was received and answered: %v", staff)
	}
}
