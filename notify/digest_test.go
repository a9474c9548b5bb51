package notify_test

import (
	"strings"
	"testing"

	"github.com/motcua/motcua/notify"
)

func TestDigest(t *testing.T) {
	m, err := notify.Digest(notify.DigestData{Items: []notify.DigestItem{
		{Kind: notify.DigestOverdue, Subject: notify.DigestDossier, Code: "000.00.20.H99-261123-0001",
			ProcedureName: "Chứng thực bản sao từ bản chính", DueAt: "15:00 ngày 23/11/2026"},
		{Kind: notify.DigestDueSoon, Subject: notify.DigestDossier, Code: "000.00.20.H99-261123-0002", DueAt: "08:00 ngày 24/11/2026"},
		{Kind: notify.DigestDueSoon, Subject: notify.DigestFeedback, Code: "PAKN-2026-000001", DueAt: "09:00 ngày 14/12/2026"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Nhắc hạn xử lý: 3 hồ sơ, phản ánh sắp đến hạn hoặc đã quá hạn" {
		t.Errorf("subject %q", m.Subject)
	}
	for _, want := range []string{
		"3 hồ sơ, phản ánh kiến nghị", "trong đó 1 đã quá hạn và 2 sắp đến hạn:",
		"\n- Quá hạn: hồ sơ 000.00.20.H99-261123-0001 (Chứng thực bản sao từ bản chính), hạn xử lý 15:00 ngày 23/11/2026\n",
		"\n- Sắp đến hạn: hồ sơ 000.00.20.H99-261123-0002, hạn xử lý 08:00 ngày 24/11/2026\n",
		"\n- Sắp đến hạn: phản ánh PAKN-2026-000001, hạn xử lý 09:00 ngày 14/12/2026\n",
		"Mẫu 04",
	} {
		if !strings.Contains(m.Body, want) {
			t.Errorf("body lacks %q:\n%s", want, m.Body)
		}
	}
	one, err := notify.Digest(notify.DigestData{Items: []notify.DigestItem{{Kind: notify.DigestDueSoon, Subject: notify.DigestDossier, Code: "X", DueAt: "t"}}})
	if err != nil || !strings.Contains(one.Body, "trong đó 1 sắp đến hạn:") || strings.Contains(one.Body, "quá hạn,") {
		t.Errorf("one due-soon item: %v\n%s", err, one.Body)
	}
	if _, err := notify.Digest(notify.DigestData{}); err == nil {
		t.Error("an empty digest rendered")
	}
}
