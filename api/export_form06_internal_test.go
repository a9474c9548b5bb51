package api

import (
	"testing"

	"github.com/motcua/motcua/domain/stats"
)

// TestForm06LayoutWithoutHTTP: the form-06 layout is computed from the
// report alone: the numbers row, the data below it, the closing lines
// after the total and the print setup.
func TestForm06LayoutWithoutHTTP(t *testing.T) {
	t.Parallel()
	r := stats.Form06{GroupBy: stats.GroupBy("agency"), Rows: []stats.Row{{Group: "X", Name: "Sở X"}}}
	l := form06Layout(r)
	at := map[[2]int]any{}
	for _, c := range l.cells {
		if c.value != nil {
			at[[2]int{c.col, c.row}] = c.value
		}
	}
	for want, v := range map[[2]int]any{
		{1, 10}: "(1)", {21, 10}: "(21)", {1, 11}: 1, {2, 11}: "Sở X", {2, 12}: totalLabel,
		{15, 14}: form06DateLine, {1, 15}: form06Preparer, {15, 15}: form06Head,
	} {
		if at[want] != v {
			t.Errorf("cell %v = %v, want %v", want, at[want], v)
		}
	}
	p := l.print
	if p == nil || !p.landscape || p.paperSize != 9 || p.fitWidth != 1 || p.fitHeight != 0 || p.titleFrom != 7 || p.titleTo != 10 {
		t.Errorf("print setup %+v", p)
	}
}
