package pdf_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/motcua/motcua/domain/papers"
	"github.com/motcua/motcua/render/pdf"
)

func receipt(printed time.Time) papers.Receipt {
	return papers.Receipt{Heading: papers.Heading{Form: papers.FormOf(papers.KindReceipt, printed, time.UTC),
		Unit: "Trung tâm Phục vụ hành chính công", Code: "000.00.20.H99-261123-0001", PlaceDate: "Lai Châu, ngày 23 tháng 11 năm 2026",
		PrintedAt: "In lúc " + printed.Format("15:04"), Printed: printed, LookupURL: "/tra-cuu/000.00.20.H99-261123-0001"},
		ApplicantName: "Nguyễn Văn An", ProcedureName: "Cấp Phiếu lý lịch tư pháp", Documents: []papers.Document{{Name: "Tờ khai", Copies: 1}}}
}

// The same paper printed at the same time is the same file, byte for byte;
// printed at another time it is another file (the print time and dates).
func TestDeterministic(t *testing.T) {
	at := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	a, err := pdf.Renderer{}.Receipt(receipt(at))
	if err != nil {
		t.Fatal(err)
	}
	b, err := pdf.Renderer{}.Receipt(receipt(at))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("two renderings of the same receipt differ")
	}
	c, err := pdf.Renderer{}.Receipt(receipt(at.Add(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a, c) || !bytes.Contains(a, []byte("/Producer")) {
		t.Fatal("the print time does not reach the file")
	}
}

func TestFloor(t *testing.T) {
	b, err := pdf.Floor(time.Now())
	if err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("floor: %v", err)
	}
}
