package api_test

import (
	"bytes"
	"net/http"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
)

// TestStatsForm06XLSXPrintsAsTheForm: the form-06 workbook prints on A4
// landscape, one page wide, with the heading rows repeated on every page, a
// row of column numbers under the headings, the place-and-date line and
// both signature blocks after the total, and headings that wrap.
func TestStatsForm06XLSXPrintsAsTheForm(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct"))
	r := e.s.Get("/api/v1/stats/dossiers?month=2026-11&group_by=agency&format=xlsx", e.tok("viewer"))
	apptest.Want(t, r, http.StatusOK)
	f, err := excelize.OpenReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close() //nolint:errcheck
	const sheet = "Mẫu 06"

	pl, err := f.GetPageLayout(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if pl.Orientation == nil || *pl.Orientation != "landscape" || pl.Size == nil || *pl.Size != 9 ||
		pl.FitToWidth == nil || *pl.FitToWidth != 1 || pl.FitToHeight == nil || *pl.FitToHeight != 0 {
		t.Errorf("page layout orientation %v size %v fit %v×%v", deref(pl.Orientation), deref(pl.Size), deref(pl.FitToWidth), deref(pl.FitToHeight))
	}
	props, err := f.GetSheetProps(sheet)
	if err != nil || props.FitToPage == nil || !*props.FitToPage {
		t.Errorf("fit to page not set: %v", err)
	}
	titles := ""
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm.Print_Titles" && dn.Scope == sheet {
			titles = dn.RefersTo
		}
	}
	if titles != "'Mẫu 06'!$7:$10" {
		t.Errorf("print titles %q, want the heading rows 7 to 10", titles)
	}

	cell := func(ref string) string {
		v, err := f.GetCellValue(sheet, ref)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for col := 1; col <= 21; col++ {
		ref, _ := excelize.CoordinatesToCellName(col, 10)
		if want := "(" + strconv.Itoa(col) + ")"; cell(ref) != want {
			t.Errorf("numbers row %s = %q, want %q", ref, cell(ref), want)
		}
	}
	// Find the total row, then the closing lines below it.
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for i, row := range rows {
		if len(row) > 1 && row[1] == "Tổng cộng" {
			total = i + 1
		}
	}
	if total == 0 {
		t.Fatal("no total row")
	}
	n := func(d int) string { return strconv.Itoa(total + d) }
	for ref, want := range map[string]string{
		"O" + n(2): "…, ngày … tháng … năm …",
		"A" + n(3): "Người lập biểu", "O" + n(3): "Thủ trưởng đơn vị",
		"A" + n(4): "(Ký, ghi rõ họ tên)", "O" + n(4): "(Ký tên, đóng dấu)",
	} {
		if cell(ref) != want {
			t.Errorf("%s = %q, want %q", ref, cell(ref), want)
		}
	}
	// Headings wrap, and their rows are tall enough not to clip them.
	for _, ref := range []string{"A7", "D7", "E9", "F9", "R7", "T7", "U8", "B7"} {
		id, err := f.GetCellStyle(sheet, ref)
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.GetStyle(id)
		if err != nil || st.Alignment == nil || !st.Alignment.WrapText {
			t.Errorf("heading %s does not wrap (%v)", ref, err)
		}
	}
	if h, _ := f.GetRowHeight(sheet, 9); h < 75 {
		t.Errorf("row 9 height %v: the longest headings are clipped", h)
	}
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}
