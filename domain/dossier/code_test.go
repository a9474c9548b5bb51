package dossier_test

import (
	"testing"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/worktime"
)

func TestFormatCode(t *testing.T) {
	t.Parallel()
	day := worktime.MustParseDate("2021-08-02")
	tests := []struct {
		n    int64
		want string
	}{
		{1, "000.00.20.H33-210802-0001"},
		{42, "000.00.20.H33-210802-0042"},
		{9999, "000.00.20.H33-210802-9999"},
		{10000, "000.00.20.H33-210802-10000"}, // 5 digits after 9,999
		{123456, "000.00.20.H33-210802-123456"},
	}
	for _, tt := range tests {
		if got := dossier.FormatCode("000.00.20.H33", day, tt.n); got != tt.want {
			t.Errorf("FormatCode(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
	if got := dossier.FormatCode("U", worktime.MustParseDate("2030-01-09"), 7); got != "U-300109-0007" {
		t.Errorf("got %q", got)
	}
	if a, b := dossier.Series("U", day), dossier.Series("U", day.AddDays(1)); a == b || a != "dossier|U|210802" {
		t.Errorf("series %q / %q: one per unit and day", a, b)
	}
	if dossier.Series("A", day) == dossier.Series("B", day) {
		t.Error("two units share a series")
	}
}

func TestMaskName(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Nguyễn Văn An", "N***** V** A*"},
		{"Lò Thị Đào", "L* T** Đ**"},
		{"  Phạm   Thu  Hà ", "P*** T** H*"},
		{"Nguye\u0302\u0303n Văn", "N***** V**"}, // decomposed ễ: marks dropped, not leaked
		{"Hồ-Xuân Hương", "H*-**** H****"},
		{"A", "A"},
		{"", ""},
		{"Công ty TNHH 3A", "C*** t* T*** 3A"}, // a digit is not a letter: the first letter is A
	}
	for _, tt := range tests {
		if got := domain.MaskName(tt.in); got != tt.want {
			t.Errorf("MaskName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMaskIDAndPhone(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"001234567890", "001*******90"},
		{"123456789", "123****89"},
		{"12345", "*****"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := dossier.MaskIDNumber(tt.in); got != tt.want {
			t.Errorf("MaskIDNumber(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := dossier.MaskPhone("0912345678"); got != "*******678" {
		t.Errorf("MaskPhone = %q", got)
	}
}

func TestFold(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Nguyễn Văn An", "nguyen van an"},
		{"ĐẶNG THỊ ỞI", "dang thi oi"},
		{"Nguye\u0302\u0303n", "nguyen"},
		{"ABC-123", "abc-123"},
	}
	for _, tt := range tests {
		if got := dossier.Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
