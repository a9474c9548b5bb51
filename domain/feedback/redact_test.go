package feedback

import (
	"strings"
	"testing"
)

func TestRedactPatterns(t *testing.T) {
	for _, in := range []string{
		"0912345678", "0912.345.678", "0912 345 678", "0912-345-678", "+84 912 345 678", "+84912345678",
		"84912345678", "(+84) 912-345-678", "024 3825 1234", "0243 825 1234", "(024) 3825 1234",
		"123456789", "001099012345", "001 099 012 345", "001.099.012.345", "an.nguyen+pakn@gmail.com.vn",
	} {
		got, n := Redact("Liên hệ " + in + ", cảm ơn.")
		if got != "Liên hệ ***, cảm ơn." || n != 1 {
			t.Errorf("%q -> %q (%d)", in, got, n)
		}
	}
}

func TestRedactKeepsOrdinaryNumbers(t *testing.T) {
	for _, in := range []string{
		"Năm 2026", "hồ sơ 000.00.20.H99-261123-0001", "mã PAKN-000.00.20.H99-261123-0012", "phí 1.500.000 đồng",
		"nộp 125.000.000 đồng", "ngày 05/12/2026", "ngày 05-12-2026 lúc 08:30", "lúc 05-12-2026 08", "số 0001", "điều 12 khoản 3",
	} {
		if got, n := Redact(in); got != in || n != 0 {
			t.Errorf("%q -> %q (%d)", in, got, n)
		}
	}
}

func TestRedactSenderFolded(t *testing.T) {
	nfd := "Nguye\u0302\u0303n Va\u0306n An" // NFD spelling of Nguyễn Văn An
	for _, in := range []string{"Nguyễn Văn An", "nguyen van an", "NGUYỄN VĂN AN", nfd, "Nguyen-Van-An", "nguyễn  văn   an", "NguyenVanAn"} {
		got, n := Redact("Tôi là "+in+" ở đây", "Nguyễn Văn An", "0912345678", "", "Số 12 Lê Lợi, phường Đông Ba")
		if got != "Tôi là *** ở đây" || n != 1 {
			t.Errorf("%q -> %q (%d)", in, got, n)
		}
	}
	got, _ := Redact("Nhà tôi ở so 12 le loi - phuong dong ba nhé", "", "", "", "Số 12 Lê Lợi, phường Đông Ba")
	if got != "Nhà tôi ở *** nhé" {
		t.Errorf("address: %q", got)
	}
	// a longer word is not a match of the name
	if got, _ := Redact("Nguyễn Văn Anh", "Nguyễn Văn An"); got != "Nguyễn Văn Anh" {
		t.Errorf("prefix matched: %q", got)
	}
}

func TestPublicRedactsEverything(t *testing.T) {
	f := Feedback{Title: "Gọi 0912.345.678", Content: "Tôi nguyen van an, CCCD 001099012345, mail an@x.vn, hàng xóm 0987 654 321",
		Answer: "Đã gọi +84 912 345 678", Sender: Sender{Name: "Nguyễn Văn An", Phone: "0912345678"}}
	p := f.Public()
	for _, leak := range []string{"0912", "912", "nguyen", "0010", "an@x", "0987"} {
		if strings.Contains(strings.ToLower(p.Title+p.Content+p.Answer), leak) {
			t.Errorf("%q leaked: %+v", leak, p)
		}
	}
}

// TestRedactLongDigitChains: a text of the longest allowed length made of
// one chain of single digits ("1 1 1 …") is redacted at once. Each start of
// the chain tries only the runs that can hold a personal number (13 digits
// at most); trying every run made it cubic, minutes for one publication.
func TestRedactLongDigitChains(t *testing.T) {
	in := strings.Repeat("1 ", MaxTextLen/2)
	// Single digits spaced out are no phone or ID number (a group of a
	// spelled-out number has three digits or more): nothing is masked.
	if out, n := Redact(in); n != 0 || out != in {
		t.Errorf("%d spans masked in a chain of single digits", n)
	}
	// The same chain led by a phone number: the phone goes, the rest stays.
	out, n := Redact("0912 345 678 " + in)
	if n != 1 || !strings.HasPrefix(out, "*** 1 1") {
		t.Errorf("%d spans, %.20q…", n, out)
	}
}
