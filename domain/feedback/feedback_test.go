package feedback

import (
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/domain"
)

func validNew() NewFeedback {
	return NewFeedback{Channel: ChannelHotline, Category: CategoryConduct, Title: "Thái độ tiếp dân",
		Content: "Cán bộ tiếp nhận chậm.", Sender: Sender{Name: "Nguyễn Văn An", Phone: "0912 345 678", Email: "an@example.vn", Address: "Bản Bo"}}
}

func TestValidateFields(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*NewFeedback)
		field string // "" = valid
	}{
		{"valid", func(*NewFeedback) {}, ""},
		{"anonymous", func(n *NewFeedback) { n.Sender = Sender{} }, ""},
		{"bad channel", func(n *NewFeedback) { n.Channel = "fax" }, "channel"},
		{"bad category", func(n *NewFeedback) { n.Category = "complaint" }, "category"},
		{"no title", func(n *NewFeedback) { n.Title = "  " }, "title"},
		{"title 301", func(n *NewFeedback) { n.Title = strings.Repeat("ả", 301) }, "title"},
		{"title 300", func(n *NewFeedback) { n.Title = strings.Repeat("ả", 300) }, ""},
		{"no content", func(n *NewFeedback) { n.Content = "" }, "content"},
		{"content 10001", func(n *NewFeedback) { n.Content = strings.Repeat("x", 10001) }, "content"},
		{"content 10000", func(n *NewFeedback) { n.Content = strings.Repeat("ệ", 10000) }, ""},
		{"bad phone", func(n *NewFeedback) { n.Sender.Phone = "call me" }, "sender.phone"},
		{"short phone", func(n *NewFeedback) { n.Sender.Phone = "123" }, "sender.phone"},
		{"bad email", func(n *NewFeedback) { n.Sender.Email = "an@" }, "sender.email"},
		{"long name", func(n *NewFeedback) { n.Sender.Name = strings.Repeat("a", 301) }, "sender.name"},
		{"bad agency code", func(n *NewFeedback) { n.AgencyCode = "x y" }, "agency_code"},
		{"bad utf-8", func(n *NewFeedback) { n.Content = "\xff\xfe" }, "content"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := validNew()
			tt.edit(&n)
			fe := domain.FieldErrors{}
			n.validate(fe)
			if tt.field == "" {
				if len(fe) != 0 {
					t.Fatalf("errors %v, want none", fe)
				}
				return
			}
			if _, ok := fe[tt.field]; !ok || len(fe) != 1 {
				t.Fatalf("errors %v, want exactly %s", fe, tt.field)
			}
		})
	}
}

func TestMaskName(t *testing.T) {
	for in, want := range map[string]string{"Nguyễn Văn An": "N***** V** A*", "": "", "Lò  Hùng": "L* H***"} {
		if got := domain.MaskName(in); got != want {
			t.Errorf("MaskName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPublicDropsSenderEverywhere(t *testing.T) {
	f := Feedback{Code: "PAKN-1", Title: "Ông NGUYỄN VĂN AN phản ánh", Content: "Tôi là Nguyễn Văn An, số 0912345678, ở Bản Bo. Email an@example.vn",
		Answer: "Trả lời ông Nguyễn văn An: đã xử lý.", Sender: validNew().Sender, PinHash: "h", RecordedUnit: "D",
		History: []Entry{{Action: ActionReceive}}}
	p := f.Public()
	all := p.Title + p.Content + p.Answer
	for _, secret := range []string{"Nguyễn Văn An", "NGUYỄN VĂN AN", "Nguyễn văn An", "0912345678", "0912 345 678", "Bản Bo", "an@example.vn"} {
		if strings.Contains(all, secret) {
			t.Errorf("public text still holds %q: %s", secret, all)
		}
	}
	if !p.Sender.Empty() || p.PinHash != "" || p.RecordedUnit != "" || p.History != nil {
		t.Fatalf("public view keeps private fields: %+v", p)
	}
	if !strings.Contains(p.Content, "***") || !strings.Contains(p.Answer, "đã xử lý") {
		t.Fatalf("public text mangled: %q / %q", p.Content, p.Answer)
	}
	m := f.Masked()
	if m.Sender.Name != "N***** V** A*" || m.Sender.Phone != "" || m.Sender.Email != "" || m.Sender.Address != "" {
		t.Fatalf("Masked sender = %+v", m.Sender)
	}
}

func TestCodePrefixAndFormat(t *testing.T) {
	loc := time.FixedZone("ICT", 7*3600)
	at := time.Date(2026, 11, 23, 18, 30, 0, 0, time.UTC) // 01:30 on the 24th in Hà Nội
	if got := CodePrefix("000.00.20.H99", at, loc); got != "PAKN-000.00.20.H99-261124" {
		t.Fatalf("CodePrefix = %q", got)
	}
	if got := CodePrefix("", at, loc); got != "PAKN-261124" {
		t.Fatalf("CodePrefix without unit = %q", got)
	}
	if got := FormatCode("PAKN-261124", 7); got != "PAKN-261124-0007" {
		t.Fatalf("FormatCode = %q", got)
	}
	if got := FormatCode("PAKN-261124", 12345); got != "PAKN-261124-12345" {
		t.Fatalf("FormatCode past 9999 = %q", got)
	}
}

func TestOverdue(t *testing.T) {
	due := time.Date(2026, 12, 14, 9, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		s    Status
		at   time.Time
		want bool
	}{
		{StatusReceived, due.Add(time.Second), true},
		{StatusProcessing, due.Add(time.Second), true},
		{StatusProcessing, due, false},
		{StatusAnswered, due.Add(time.Hour), false},
		{StatusRefused, due.Add(time.Hour), false},
	} {
		if got := (Feedback{Status: tt.s, DueAt: due}).Overdue(tt.at); got != tt.want {
			t.Errorf("Overdue(%s at %v) = %v, want %v", tt.s, tt.at, got, tt.want)
		}
	}
}
