package api

import (
	"fmt"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// cellText renders a cell for CSV: numbers in Go's plain notation with a
// point (99.97), an absent rate as an empty field.
func cellText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case *float64:
		if x == nil {
			return ""
		}
		return strconv.FormatFloat(*x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// cellValue is what excelize should store: numbers as numbers, nothing for
// an absent rate.
func cellValue(v any) any {
	if p, ok := v.(*float64); ok {
		if p == nil {
			return nil
		}
		return *p
	}
	return v
}

// cellStyle names one of the export styles; the writer turns it into an
// excelize style.
type cellStyle int

const (
	styleNone cellStyle = iota
	styleTitle
	styleCaption
	styleHeader
	styleText
	styleNumber
	styleRate
	styleTotalText
	styleTotalNumber
	styleTotalRate
	styleSignature // bold, centred, no border: the signature block
	styleNote      // italic, centred, no border: place and date, "(Ký ...)"
	styleCount     // keep last
)

// sheetCell is one cell of a laid-out sheet (columns and rows 1-based). A
// nil value leaves the cell empty but still styled.
type sheetCell struct {
	col, row int
	value    any
	style    cellStyle
}

// sheetRange is a rectangle of cells, used for merges.
type sheetRange struct {
	col, row, col2, row2 int
}

// colWidth sets the width of columns from..to.
type colWidth struct {
	from, to int
	width    float64
}

// sheetLayout is a whole worksheet as data: what the layout functions
// compute from a report and writeLayout renders with excelize.
type sheetLayout struct {
	name   string
	cells  []sheetCell
	merges []sheetRange
	widths []colWidth
	// heights are row heights by row number.
	heights map[int]float64
	// print, when set, is how the sheet prints.
	print *printSetup
}

// printSetup is the page setup of a printed report.
type printSetup struct {
	landscape bool
	paperSize int // 9 = A4
	// fitWidth pages wide, fitHeight pages tall (0 = as many as needed).
	fitWidth, fitHeight int
	// titleRows, from..to, repeat at the top of every printed page.
	titleFrom, titleTo int
}

// put adds a cell.
func (l *sheetLayout) put(col, row int, v any, s cellStyle) {
	l.cells = append(l.cells, sheetCell{col: col, row: row, value: v, style: s})
}

// styleRange styles every cell of r that has no cell yet, e.g. the covered
// parts of a merge, so borders run all round.
func (l *sheetLayout) styleRange(r sheetRange, s cellStyle) {
	taken := map[[2]int]int{}
	for i, c := range l.cells {
		taken[[2]int{c.col, c.row}] = i
	}
	for row := r.row; row <= r.row2; row++ {
		for col := r.col; col <= r.col2; col++ {
			if i, ok := taken[[2]int{col, row}]; ok {
				l.cells[i].style = s
				continue
			}
			l.put(col, row, nil, s)
		}
	}
}

// merge merges r; a one-cell range is no merge.
func (l *sheetLayout) merge(r sheetRange) {
	if r.col == r.col2 && r.row == r.row2 {
		return
	}
	l.merges = append(l.merges, r)
}

// captions lays out the title and the extra lines, each merged across
// width columns; it returns the next free row (one left blank).
func (l *sheetLayout) captions(width int, title string, lines ...string) int {
	row := 1
	put := func(text string, s cellStyle) {
		l.put(1, row, text, s)
		r := sheetRange{1, row, width, row}
		l.merge(r)
		l.styleRange(r, s)
		row++
	}
	put(title, styleTitle)
	for _, t := range lines {
		put(t, styleCaption)
	}
	return row + 1
}

func cellName(col, row int) string {
	n, _ := excelize.CoordinatesToCellName(col, row)
	return n
}

// newXLSXStyles registers the export styles in f, indexed by cellStyle.
func newXLSXStyles(f *excelize.File) ([styleCount]int, error) {
	var ids [styleCount]int
	border := []excelize.Border{{Type: "left", Color: "000000", Style: 1}, {Type: "top", Color: "000000", Style: 1},
		{Type: "right", Color: "000000", Style: 1}, {Type: "bottom", Color: "000000", Style: 1}}
	font := func(bold bool, size float64) *excelize.Font {
		return &excelize.Font{Family: "Times New Roman", Size: size, Bold: bold}
	}
	two := "0.00"
	specs := map[cellStyle]*excelize.Style{
		styleTitle:       {Font: font(true, 14), Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}},
		styleCaption:     {Font: font(false, 12), Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}},
		styleHeader:      {Font: font(true, 11), Border: border, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}},
		styleText:        {Font: font(false, 11), Border: border, Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}},
		styleNumber:      {Font: font(false, 11), Border: border, NumFmt: 3},
		styleRate:        {Font: font(false, 11), Border: border, CustomNumFmt: &two},
		styleTotalText:   {Font: font(true, 11), Border: border, Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}},
		styleTotalNumber: {Font: font(true, 11), Border: border, NumFmt: 3},
		styleTotalRate:   {Font: font(true, 11), Border: border, CustomNumFmt: &two},
		styleSignature:   {Font: font(true, 12), Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}},
		styleNote:        {Font: &excelize.Font{Family: "Times New Roman", Size: 12, Italic: true}, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}},
	}
	for s := styleTitle; s < styleCount; s++ {
		id, err := f.NewStyle(specs[s])
		if err != nil {
			return ids, err
		}
		ids[s] = id
	}
	return ids, nil
}

// writeLayout renders l as a one-sheet workbook.
func writeLayout(l sheetLayout) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close() //nolint:errcheck
	sheet := l.name
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	ids, err := newXLSXStyles(f)
	if err != nil {
		return nil, err
	}
	for _, m := range l.merges {
		if err := f.MergeCell(sheet, cellName(m.col, m.row), cellName(m.col2, m.row2)); err != nil {
			return nil, err
		}
	}
	for _, c := range l.cells {
		ref := cellName(c.col, c.row)
		if v := cellValue(c.value); v != nil {
			if err := f.SetCellValue(sheet, ref, v); err != nil {
				return nil, err
			}
		}
		if c.style != styleNone {
			if err := f.SetCellStyle(sheet, ref, ref, ids[c.style]); err != nil {
				return nil, err
			}
		}
	}
	for _, w := range l.widths {
		a, _ := excelize.ColumnNumberToName(w.from)
		b, _ := excelize.ColumnNumberToName(w.to)
		if err := f.SetColWidth(sheet, a, b, w.width); err != nil {
			return nil, err
		}
	}
	for row, h := range l.heights {
		if err := f.SetRowHeight(sheet, row, h); err != nil {
			return nil, err
		}
	}
	if p := l.print; p != nil {
		if err := writePrintSetup(f, sheet, *p); err != nil {
			return nil, err
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writePrintSetup applies p to sheet: paper, orientation, fit-to-page and
// the rows repeated on every page.
func writePrintSetup(f *excelize.File, sheet string, p printSetup) error {
	orientation := "portrait"
	if p.landscape {
		orientation = "landscape"
	}
	size, fw, fh := p.paperSize, p.fitWidth, p.fitHeight
	if err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: &size, Orientation: &orientation,
		FitToWidth: &fw, FitToHeight: &fh}); err != nil {
		return err
	}
	fit := true
	if err := f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	if p.titleFrom > 0 {
		ref := fmt.Sprintf("'%s'!$%d:$%d", sheet, p.titleFrom, p.titleTo)
		if err := f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: ref, Scope: sheet}); err != nil {
			return err
		}
	}
	return nil
}
