package api

import (
	"strconv"

	"github.com/motcua/motcua/domain/stats"
)

// form06Title is the title of the official report.
const form06Title = "BÁO CÁO TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"

// form06Headings are the flat column headings (CSV) after STT, name and code.
var form06Headings = []string{
	"Số hồ sơ nhận giải quyết: Tổng số",
	"Số mới tiếp nhận trực tuyến",
	"Số mới tiếp nhận trực tiếp và qua bưu chính",
	"Số kỳ trước chuyển qua",
	"Số hồ sơ đã giải quyết: Tổng số",
	"Trả trước hạn",
	"Trả đúng thời hạn",
	"Trả quá hạn",
	"Số hồ sơ đang giải quyết: Tổng số",
	"Chưa đến hạn",
	"Quá hạn",
	"Số hồ sơ rút",
	"Số hồ sơ dừng xử lý",
	"Số hồ sơ từ chối tiếp nhận",
	"Tỷ lệ giải quyết đúng hạn (%)",
	"Tỷ lệ tiếp nhận trực tuyến (%)",
	"Số hồ sơ giải quyết theo phương án 5 tại chỗ",
	"Tỷ lệ giải quyết theo phương án 5 tại chỗ (%)",
}

// form06Values are a row's cells in form06Headings order.
func form06Values(c stats.Counts) []any {
	return []any{
		c.ReceivedTotal(), c.ReceivedOnline, c.ReceivedDirectPostal, c.CarriedOver,
		c.ResolvedTotal, c.ResolvedEarly, c.ResolvedOnTime, c.ResolvedLate,
		c.InProgressTotal(), c.InProgressWithin, c.InProgressOverdue,
		c.Withdrawn, c.Stopped, c.Rejected,
		c.OnTimeRate().Value(), c.OnlineRate().Value(), c.OnSpotResolved, c.OnSpotRate().Value(),
	}
}

// totalLabel names the total row.
const totalLabel = "Tổng cộng"

// form06Table is form 06 as CSV records: one heading row, a row per group,
// and the total.
func form06Table(f stats.Form06) [][]string {
	head := append([]string{"STT", f.GroupBy.Heading(), "Mã"}, form06Headings...)
	out := [][]string{head}
	for i, r := range f.Rows {
		rec := []string{strconv.Itoa(i + 1), r.Name, r.Group}
		for _, v := range form06Values(r.Counts) {
			rec = append(rec, cellText(v))
		}
		out = append(out, rec)
	}
	rec := []string{"", totalLabel, ""}
	for _, v := range form06Values(f.Total) {
		rec = append(rec, cellText(v))
	}
	return append(out, rec)
}

// The layout of the form-06 sheet: title and captions, then three header
// rows and the row of column numbers, then the data, then the place and
// date and the signatures.
const (
	form06Sheet     = "Mẫu 06"
	form06HeadRow   = 7                 // first header row
	form06NumberRow = form06HeadRow + 3 // (1), (2), … under the headings
	form06FirstData = form06NumberRow + 1
	form06Columns   = 3 + 18 // STT, name, code, then the figures
)

// The form's closing lines: the place-and-date line over the head of the
// unit's signature, and the two signature blocks.
const (
	form06DateLine  = "…, ngày … tháng … năm …"
	form06Preparer  = "Người lập biểu"
	form06Head      = "Thủ trưởng đơn vị"
	form06SignNote  = "(Ký, ghi rõ họ tên)"
	form06StampNote = "(Ký tên, đóng dấu)"
)

// The columns the signature blocks span: the preparer on the left, the
// head of the unit on the right.
var (
	form06LeftBlock  = [2]int{1, 3}
	form06RightBlock = [2]int{15, form06Columns}
)

// form06Header is one header cell: its text and the range it covers
// (columns 1-based, rows relative to form06HeadRow).
type form06Header struct {
	text               string
	col, row, col2, r2 int
}

// form06Headers is the official two-level header of "Số hồ sơ nhận giải
// quyết" and "Kết quả giải quyết" under one title row, with merged cells.
var form06Headers = []form06Header{
	{"STT", 1, 0, 1, 2},
	{"", 2, 0, 2, 2}, // the group heading, filled in per report
	{"Mã", 3, 0, 3, 2},
	{"Số hồ sơ nhận giải quyết", 4, 0, 7, 0},
	{"Tổng số", 4, 1, 4, 2},
	{"Trong đó", 5, 1, 7, 1},
	{"Số mới tiếp nhận trực tuyến", 5, 2, 5, 2},
	{"Số mới tiếp nhận trực tiếp và qua bưu chính", 6, 2, 6, 2},
	{"Số kỳ trước chuyển qua", 7, 2, 7, 2},
	{"Kết quả giải quyết", 8, 0, 16, 0},
	{"Số hồ sơ đã giải quyết", 8, 1, 11, 1},
	{"Tổng số", 8, 2, 8, 2},
	{"Trả trước hạn", 9, 2, 9, 2},
	{"Trả đúng thời hạn", 10, 2, 10, 2},
	{"Trả quá hạn", 11, 2, 11, 2},
	{"Số hồ sơ đang giải quyết", 12, 1, 14, 1},
	{"Tổng số", 12, 2, 12, 2},
	{"Chưa đến hạn", 13, 2, 13, 2},
	{"Quá hạn", 14, 2, 14, 2},
	{"Số hồ sơ rút", 15, 1, 15, 2},
	{"Số hồ sơ dừng xử lý", 16, 1, 16, 2},
	{"Số hồ sơ từ chối tiếp nhận", 17, 0, 17, 2},
	{"Tỷ lệ giải quyết đúng hạn (%)", 18, 0, 18, 2},
	{"Tỷ lệ tiếp nhận trực tuyến (%)", 19, 0, 19, 2},
	{"Giải quyết theo phương án 5 tại chỗ", 20, 0, 21, 0},
	{"Số hồ sơ", 20, 1, 20, 2},
	{"Tỷ lệ (%)", 21, 1, 21, 2},
}

// form06RateColumns are the figure columns (1-based) holding percentages.
var form06RateColumns = map[int]bool{18: true, 19: true, 21: true}

// form06Layout lays out form 06 in the official shape: title, period,
// unit, the three-level merged header, an STT column, a row per group and
// the "Tổng cộng" row, every figure a number.
func form06Layout(r stats.Form06) sheetLayout {
	l := sheetLayout{name: form06Sheet}
	l.captions(form06Columns, form06Title,
		"(Mẫu số 06, Thông tư số 01/2020/TT-VPCP)",
		"Kỳ báo cáo: "+r.Period.Label(),
		"Đơn vị: "+r.Scope.Label(),
		"Tổng hợp theo: "+r.GroupBy.Heading())
	for _, h := range form06Headers {
		text := h.text
		if h.col == 2 {
			text = r.GroupBy.Heading()
		}
		l.put(h.col, form06HeadRow+h.row, text, styleHeader)
		l.merge(sheetRange{h.col, form06HeadRow + h.row, h.col2, form06HeadRow + h.r2})
	}
	l.styleRange(sheetRange{1, form06HeadRow, form06Columns, form06HeadRow + 2}, styleHeader)
	for col := 1; col <= form06Columns; col++ {
		l.put(col, form06NumberRow, "("+strconv.Itoa(col)+")", styleHeader)
	}
	row := form06FirstData
	put := func(stt any, code, name string, c stats.Counts, total bool) {
		text, num, rate := styleText, styleNumber, styleRate
		if total {
			text, num, rate = styleTotalText, styleTotalNumber, styleTotalRate
		}
		for i, v := range append([]any{stt, name, code}, form06Values(c)...) {
			col := i + 1
			style := num
			switch {
			case col == 2 || col == 3:
				style = text
			case form06RateColumns[col]:
				style = rate
			}
			l.put(col, row, v, style)
		}
		row++
	}
	for i, g := range r.Rows {
		put(i+1, g.Group, g.Name, g.Counts, false)
	}
	put(nil, "", totalLabel, r.Total, true)
	form06Closing(&l, row+1)
	l.widths = []colWidth{{1, 1, 6}, {2, 2, 40}, {3, 3, 18}, {4, form06Columns, 13}}
	l.heights = map[int]float64{1: 36, form06HeadRow: 30, form06HeadRow + 1: 45, form06HeadRow + 2: 90}
	l.print = &printSetup{landscape: true, paperSize: 9, fitWidth: 1, fitHeight: 0,
		titleFrom: form06HeadRow, titleTo: form06NumberRow}
	return l
}

// form06Closing lays out, from row on, the place-and-date line above the
// head of the unit, then both signature blocks with their notes.
func form06Closing(l *sheetLayout, row int) {
	signatureClosing(l, row, form06LeftBlock, form06RightBlock)
}

// signatureClosing lays out the place-and-date line over the right block
// and the two signature blocks, spanning the columns left and right.
func signatureClosing(l *sheetLayout, row int, left, right [2]int) {
	line := func(block [2]int, row int, text string, s cellStyle) {
		l.put(block[0], row, text, s)
		r := sheetRange{block[0], row, block[1], row}
		l.merge(r)
		l.styleRange(r, s)
	}
	line(right, row, form06DateLine, styleNote)
	line(left, row+1, form06Preparer, styleSignature)
	line(right, row+1, form06Head, styleSignature)
	line(left, row+2, form06SignNote, styleNote)
	line(right, row+2, form06StampNote, styleNote)
}

// form06Workbook renders form 06 as an XLSX workbook.
func form06Workbook(r stats.Form06) ([]byte, error) {
	return writeLayout(form06Layout(r))
}
