package papers_test

import (
	"testing"
	"time"

	"github.com/motcua/motcua/domain/papers"
)

func TestFormOfFollowsTheDateOfReception(t *testing.T) {
	loc := time.FixedZone("ICT", 7*3600)
	for _, c := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2025, 6, 30, 23, 59, 0, 0, loc), papers.SourceCircular},
		{time.Date(2025, 6, 30, 17, 30, 0, 0, time.UTC), papers.SourceDecree}, // 1 July 00:30 local
		{time.Date(2025, 7, 1, 0, 0, 0, 0, loc), papers.SourceDecree},
		{time.Date(2019, 1, 2, 8, 0, 0, 0, loc), papers.SourceCircular},
		{time.Date(2026, 1, 2, 8, 0, 0, 0, loc), papers.SourceDecree},
	} {
		f := papers.FormOf(papers.KindReceipt, c.at, loc)
		if f.Source != c.want || f.Number != "01" {
			t.Errorf("FormOf(%v) = %+v, want source %q", c.at, f, c.want)
		}
	}
}

func TestWriting(t *testing.T) {
	loc := time.FixedZone("ICT", 7*3600)
	at := time.Date(2026, 11, 23, 2, 5, 0, 0, time.UTC)
	if got := papers.LongTime(&at, loc); got != "09 giờ 05 phút, ngày 23 tháng 11 năm 2026" {
		t.Errorf("LongTime = %q", got)
	}
	if got := papers.LongTime(nil, loc); got != "" {
		t.Errorf("LongTime(nil) = %q", got)
	}
	for v, want := range map[int64]string{0: "Không thu phí, lệ phí", 500: "500 đồng", 1000: "1.000 đồng",
		200000: "200.000 đồng", 1500000: "1.500.000 đồng"} {
		if got := papers.Money(v); got != want {
			t.Errorf("Money(%d) = %q, want %q", v, got, want)
		}
	}
	for in, want := range map[string]string{"UBND tỉnh Lai Châu": "Lai Châu", "Ủy ban nhân dân thành phố Hà Nội": "Hà Nội",
		"UBND tỉnh (demo)": "UBND tỉnh (demo)", "Lào Cai": "Lào Cai"} {
		if got := papers.Place(in); got != want {
			t.Errorf("Place(%q) = %q, want %q", in, got, want)
		}
	}
}
