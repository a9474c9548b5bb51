package api

import "testing"

// TestCSVSafeCells: a cell a spreadsheet would run as a formula starts with
// an apostrophe; anything else is left alone.
func TestCSVSafeCells(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"=1+2":            "'=1+2",
		"+84 912":         "'+84 912",
		"-3":              "'-3",
		"@SUM(A1)":        "'@SUM(A1)",
		"\tcmd":           "'\tcmd",
		"\rcmd":           "'\rcmd",
		"":                "",
		"Sở Tư pháp":      "Sở Tư pháp",
		"99.97":           "99.97",
		"a=b":             "a=b",
		"'=already":       "'=already",
		" =leading space": " =leading space",
	} {
		if got := csvSafe(in); got != want {
			t.Errorf("csvSafe(%q) = %q, want %q", in, got, want)
		}
	}
}
