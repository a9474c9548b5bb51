package demo_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/cmd/motcua/demo"
)

// TestDemoFeedbackAndRatings: the demo has feedback through every channel
// and in every status (published and overdue ones too), ratings on returned
// dossiers with one that opened feedback, published answers without sender
// data, and seeding again adds nothing.
func TestDemoFeedbackAndRatings(t *testing.T) {
	s := apptest.New(t, apptest.Options{})
	admin := s.Token("admin")
	var list struct {
		Items []struct {
			Code      string `json:"code"`
			Channel   string `json:"channel"`
			Status    string `json:"status"`
			Published bool   `json:"published"`
			Overdue   bool   `json:"overdue"`
		} `json:"items"`
		Total int `json:"total"`
	}
	apptest.Want(t, s.Get("/api/v1/feedback?page_size=500", admin), http.StatusOK).Decode(t, &list)
	channels, statuses := map[string]bool{}, map[string]bool{}
	published, overdue := 0, 0
	for _, it := range list.Items {
		channels[it.Channel] = true
		statuses[it.Status] = true
		if it.Published {
			published++
		}
		if it.Overdue {
			overdue++
		}
	}
	for _, c := range []string{"hotline", "online", "direct", "mail"} {
		if !channels[c] {
			t.Errorf("no demo feedback through %s", c)
		}
	}
	for _, st := range []string{"received", "processing", "answered", "refused"} {
		if !statuses[st] {
			t.Errorf("no demo feedback in status %s", st)
		}
	}
	if published < 1 || overdue < 1 {
		t.Errorf("demo feedback: %d published, %d overdue; want some of each", published, overdue)
	}
	var ov struct {
		Total int `json:"total"`
	}
	apptest.Want(t, s.Get("/api/v1/feedback?overdue=true", admin), http.StatusOK).Decode(t, &ov)
	if ov.Total != overdue {
		t.Errorf("overdue=true lists %d, the flags say %d", ov.Total, overdue)
	}

	pub := apptest.Want(t, s.Get("/api/v1/public/feedback?published=true", ""), http.StatusOK)
	if !strings.Contains(string(pub.Body), `"answer"`) {
		t.Fatalf("no published demo answer: %s", pub.Body)
	}
	for _, secret := range []string{"Trần Thị Bình", "0912 000 111", "Lò Văn Sáng", "Bản Hon", "Vũ Minh Đức", "Tổ 5, phường", "doanhnghiep@"} {
		if strings.Contains(string(pub.Body), secret) {
			t.Fatalf("the public list shows demo sender data %q", secret)
		}
	}

	var ratings, opened int64
	if err := s.App.DB.Table("ratings").Count(&ratings).Error; err != nil {
		t.Fatal(err)
	}
	if err := s.App.DB.Table("ratings").Where("feedback_code IS NOT NULL").Count(&opened).Error; err != nil {
		t.Fatal(err)
	}
	if ratings < 3 || opened < 1 {
		t.Fatalf("demo ratings: %d, of which %d opened feedback; want several and one low", ratings, opened)
	}

	if err := demo.Seed(context.Background(), s.App, io.Discard); err != nil {
		t.Fatal(err)
	}
	var again struct {
		Total int `json:"total"`
	}
	apptest.Want(t, s.Get("/api/v1/feedback?page_size=1", admin), http.StatusOK).Decode(t, &again)
	var ratings2 int64
	if err := s.App.DB.Table("ratings").Count(&ratings2).Error; err != nil {
		t.Fatal(err)
	}
	if again.Total != list.Total || ratings2 != ratings {
		t.Fatalf("seeding twice: feedback %d → %d, ratings %d → %d", list.Total, again.Total, ratings, ratings2)
	}
}
