package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestGapsCountsEachSeriesThatSkips(t *testing.T) {
	h := &harness{r: &result{}}
	codes := []string{
		"000.00.20.H99-261206-0001", "000.00.20.H99-261206-0002", "000.00.20.H99-261206-0003", // whole
		"000.00.20.H99-261205-0001", "000.00.20.H99-261205-0003", // 0002 missing
		"PAKN-000.00.20.H99-261206-0002", // starts at 2
		"X-261206-0001", "X-261206-0001", // twice
	}
	if got := h.gaps("dossiers", codes); got != 3 {
		t.Fatalf("gaps = %d, want 3 (%v)", got, h.r.Examples)
	}
	if got := h.gaps("dossiers", codes[:3]); got != 0 {
		t.Fatalf("gaps of a whole series = %d", got)
	}
	if got := h.gaps("dossiers", []string{"no-number-here"}); got != 1 {
		t.Fatalf("a code without a number = %d gaps, want 1", got)
	}
}

func TestTableSaysWhatWasLost(t *testing.T) {
	var b bytes.Buffer
	printTable(&b, options{}, []*result{{Engine: "postgres", Kills: 50, DBStops: 10, Acked: 900, Lost: 2, Examples: []string{"lost: dossier A"}}})
	out := b.String()
	for _, want := range []string{"engine", "lost", "postgres", "900", "lost: dossier A"} {
		if !strings.Contains(out, want) {
			t.Fatalf("table lacks %q:\n%s", want, out)
		}
	}
}
