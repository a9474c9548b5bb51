package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/cmd/motcua/app"
	"github.com/motcua/motcua/cmd/motcua/app/apptest"
)

// TestFeedbackPublishedRedactsByPattern publishes an item whose title,
// content and answer carry the sender's phone in five spellings, an ID
// number, an e-mail, the sender's name without diacritics and someone else's
// phone: none of them appears in the public list or the citizen's lookup,
// while years, amounts and dossier codes stay.
func TestFeedbackPublishedRedactsByPattern(t *testing.T) {
	s := apptest.New(t, apptest.Options{})
	content := "Toi la nguyen van binh, so 0912.345.678 hoac 0912 345 678 hoac +84 912 345 678 hoac 84912345678; " +
		"CCCD 001 099 012 345, mail binh.nv@example.vn; hang xom goi 0987-654-321. Ho so 000.00.20.H99-261123-0001 nam 2026, phi 1.500.000 đồng."
	created := fbRecord(t, s, "clerk", fbHotline(map[string]any{"title": "Gọi lại 0912-345-678 giúp tôi", "content": content,
		"sender": map[string]any{"name": "Nguyễn Văn Bình", "phone": "0912345678"}}))
	code, pin := created["code"].(string), created["lookup_pin"].(string)
	s.Clock.Advance(time.Hour)
	apptest.Want(t, fbAct(s, "clerk", code, map[string]any{"action": "assign", "agency_code": app.DemoJustice}), http.StatusOK)
	apptest.Want(t, fbAct(s, "officer", code, map[string]any{"action": "answer",
		"answer": "Đã liên hệ ông Nguyễn Văn Bình qua số (+84) 912-345-678."}), http.StatusOK)
	apptest.Want(t, fbAct(s, "leader", code, map[string]any{"action": "publish"}), http.StatusOK)

	list := apptest.Want(t, s.Get("/api/v1/public/feedback?published=true&page_size=500", ""), http.StatusOK)
	item, ok := fbCodes(t, list)[code]
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
