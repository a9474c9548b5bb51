package pdf_test

import (
	"testing"
	"time"

	"github.com/motcua/motcua/render/pdf"
)

// BenchmarkReceipt and BenchmarkFloor time one receipt and one floor page
// on one goroutine, without the HTTP chain (make bench-papers has it).
func BenchmarkReceipt(b *testing.B) {
	at := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (pdf.Renderer{}).Receipt(receipt(at)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFloor(b *testing.B) {
	at := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := pdf.Floor(at); err != nil {
			b.Fatal(err)
		}
	}
}
