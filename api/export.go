package api

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/xuri/excelize/v2"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/stats"
)

// Export formats of the statistics endpoints.
const (
	formatJSON = "json"
	formatCSV  = "csv"
	formatXLSX = "xlsx"
)

// Content types of the exports.
const (
	contentCSV  = "text/csv; charset=utf-8"
	contentXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// exportFormat picks the answer's format: ?format=json|csv|xlsx wins;
// without it, an Accept header naming text/csv (or the XLSX type) asks for
// that export; JSON otherwise. An unknown format is 422.
func exportFormat(c *gin.Context) (string, error) {
	switch f := strings.ToLower(strings.TrimSpace(c.Query("format"))); f {
	case formatJSON, formatCSV, formatXLSX:
		return f, nil
	case "":
	default:
		return "", domain.FieldErrors{"format": "phải là json, csv hoặc xlsx"}.Err()
	}
	for _, part := range strings.Split(c.GetHeader("Accept"), ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil || params["q"] == "0" {
			continue
		}
		switch mt {
		case "application/json", "*/*", "application/*":
			return formatJSON, nil
		case "text/csv":
			return formatCSV, nil
		case contentXLSX:
			return formatXLSX, nil
		}
	}
	return formatJSON, nil
}

// exportName is the download's file name without extension, ASCII only:
// report, period and scope, e.g. thong-ke-phan-anh-kien-nghi_2021-08_toan-tinh.
func exportName(report string, p stats.Period, s stats.Scope) string {
	period := p.From.String() + "_" + p.To.String()
	if p.Month != "" {
		period = p.Month
	}
	unit := "toan-tinh"
	if !s.All() {
		unit = s.UnitCode
	}
	return report + "_" + period + "_" + safeFileName(unit)
}

func safeFileName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	return b.String()
}

func attachment(c *gin.Context, name string) {
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
}

// utf8BOM makes Excel read a CSV file as UTF-8 (Vietnamese diacritics).
const utf8BOM = "\uFEFF"

// writeCSV answers records as a CSV download with a UTF-8 BOM.
func writeCSV(c *gin.Context, log *slog.Logger, name string, records [][]string) {
	var buf bytes.Buffer
	buf.WriteString(utf8BOM)
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(records); err != nil {
		writeError(c, log, fmt.Errorf("csv export: %w", err))
		return
	}
	attachment(c, name+".csv")
	c.Data(http.StatusOK, contentCSV, buf.Bytes())
}

// writeXLSX answers the workbook build makes as an XLSX download.
func writeXLSX(c *gin.Context, log *slog.Logger, name string, build func() ([]byte, error)) {
	b, err := build()
	if err != nil {
		writeError(c, log, fmt.Errorf("xlsx export: %w", err))
		return
	}
	attachment(c, name+".xlsx")
	c.Data(http.StatusOK, contentXLSX, b)
}

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

// ---- form 06

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
// rows, then the data.
const (
	form06Sheet     = "Mẫu 06"
	form06HeadRow   = 7 // first header row
	form06FirstData = form06HeadRow + 3
	form06Columns   = 3 + 18 // STT, name, code, then the figures
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

func cellName(col, row int) string {
	n, _ := excelize.CoordinatesToCellName(col, row)
	return n
}

// xlsxStyles are the styles of the exports.
type xlsxStyles struct {
	title, caption, header, text, number, rate, totalText, totalNumber, totalRate int
}

func newXLSXStyles(f *excelize.File) (xlsxStyles, error) {
	border := []excelize.Border{{Type: "left", Color: "000000", Style: 1}, {Type: "top", Color: "000000", Style: 1},
		{Type: "right", Color: "000000", Style: 1}, {Type: "bottom", Color: "000000", Style: 1}}
	font := func(bold bool, size float64) *excelize.Font {
		return &excelize.Font{Family: "Times New Roman", Size: size, Bold: bold}
	}
	two := "0.00"
	specs := []*excelize.Style{
		{Font: font(true, 14), Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}},
		{Font: font(false, 12), Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}},
		{Font: font(true, 11), Border: border, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}},
		{Font: font(false, 11), Border: border, Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}},
		{Font: font(false, 11), Border: border, NumFmt: 3},
		{Font: font(false, 11), Border: border, CustomNumFmt: &two},
		{Font: font(true, 11), Border: border, Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}},
		{Font: font(true, 11), Border: border, NumFmt: 3},
		{Font: font(true, 11), Border: border, CustomNumFmt: &two},
	}
	ids := make([]int, len(specs))
	for i, s := range specs {
		id, err := f.NewStyle(s)
		if err != nil {
			return xlsxStyles{}, err
		}
		ids[i] = id
	}
	return xlsxStyles{ids[0], ids[1], ids[2], ids[3], ids[4], ids[5], ids[6], ids[7], ids[8]}, nil
}

// captions writes the title and the period, scope and extra lines, each
// merged across width columns; it returns the next free row.
func captions(f *excelize.File, sheet string, st xlsxStyles, width int, title string, lines ...string) (int, error) {
	row := 1
	put := func(text string, style int) error {
		a, b := cellName(1, row), cellName(width, row)
		if err := f.MergeCell(sheet, a, b); err != nil {
			return err
		}
		if err := f.SetCellValue(sheet, a, text); err != nil {
			return err
		}
		if err := f.SetCellStyle(sheet, a, b, style); err != nil {
			return err
		}
		row++
		return nil
	}
	if err := put(title, st.title); err != nil {
		return 0, err
	}
	for _, l := range lines {
		if err := put(l, st.caption); err != nil {
			return 0, err
		}
	}
	return row + 1, nil
}

// form06Workbook renders form 06 in the official layout: title, period,
// unit, the three-level merged header, an STT column, a row per group and
// the "Tổng cộng" row, every figure a number.
func form06Workbook(r stats.Form06) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close() //nolint:errcheck
	if err := f.SetSheetName("Sheet1", form06Sheet); err != nil {
		return nil, err
	}
	sheet := form06Sheet
	st, err := newXLSXStyles(f)
	if err != nil {
		return nil, err
	}
	if _, err := captions(f, sheet, st, form06Columns, form06Title,
		"(Mẫu số 06, Thông tư số 01/2020/TT-VPCP)",
		"Kỳ báo cáo: "+r.Period.Label(),
		"Đơn vị: "+r.Scope.Label(),
		"Tổng hợp theo: "+r.GroupBy.Heading()); err != nil {
		return nil, err
	}
	for _, h := range form06Headers {
		text := h.text
		if h.col == 2 {
			text = r.GroupBy.Heading()
		}
		a, b := cellName(h.col, form06HeadRow+h.row), cellName(h.col2, form06HeadRow+h.r2)
		if a != b {
			if err := f.MergeCell(sheet, a, b); err != nil {
				return nil, err
			}
		}
		if err := f.SetCellValue(sheet, a, text); err != nil {
			return nil, err
		}
	}
	if err := f.SetCellStyle(sheet, cellName(1, form06HeadRow), cellName(form06Columns, form06HeadRow+2), st.header); err != nil {
		return nil, err
	}
	row := form06FirstData
	put := func(stt any, code, name string, c stats.Counts, total bool) error {
		text, num, rate := st.text, st.number, st.rate
		if total {
			text, num, rate = st.totalText, st.totalNumber, st.totalRate
		}
		cells := append([]any{stt, name, code}, form06Values(c)...)
		for i, v := range cells {
			col := i + 1
			ref := cellName(col, row)
			if err := f.SetCellValue(sheet, ref, cellValue(v)); err != nil {
				return err
			}
			style := num
			switch {
			case col == 2 || col == 3:
				style = text
			case form06RateColumns[col]:
				style = rate
			}
			if err := f.SetCellStyle(sheet, ref, ref, style); err != nil {
				return err
			}
		}
		row++
		return nil
	}
	for i, g := range r.Rows {
		if err := put(i+1, g.Group, g.Name, g.Counts, false); err != nil {
			return nil, err
		}
	}
	if err := put(nil, "", totalLabel, r.Total, true); err != nil {
		return nil, err
	}
	widths := map[string]float64{"A": 6, "B": 40, "C": 18}
	for col, w := range widths {
		if err := f.SetColWidth(sheet, col, col, w); err != nil {
			return nil, err
		}
	}
	last, _ := excelize.ColumnNumberToName(form06Columns)
	if err := f.SetColWidth(sheet, "D", last, 13); err != nil {
		return nil, err
	}
	if err := f.SetRowHeight(sheet, form06HeadRow+2, 75); err != nil {
		return nil, err
	}
	if err := f.SetRowHeight(sheet, 1, 36); err != nil {
		return nil, err
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ---- the other reports: a list of indicators

// indicatorHeadings are the columns of the simple reports.
var indicatorHeadings = []string{"STT", "Chỉ tiêu", "Giá trị", "Tỷ lệ (%)", "Tử số", "Mẫu số"}

// indicator is one line of a simple report: a count or mean (Value), or a
// rate (Rate set).
type indicator struct {
	no    string
	label string
	value any
	rate  *stats.Rate
}

func countLine(no, label string, n int64) indicator { return indicator{no: no, label: label, value: n} }

func rateLine(no, label string, r stats.Rate) indicator {
	return indicator{no: no, label: label, rate: &r}
}

// indicatorTable is a simple report as a table of indicators.
type indicatorTable struct {
	title string
	sheet string
	lines []indicator
}

func (l indicator) cells() []any {
	out := []any{l.no, l.label, l.value, nil, nil, nil}
	if l.rate != nil {
		out[3], out[4], out[5] = l.rate.Value(), l.rate.Numerator, l.rate.Denominator
	}
	return out
}

func (t indicatorTable) csvRecords() [][]string {
	out := [][]string{indicatorHeadings}
	for _, l := range t.lines {
		cells := l.cells()
		rec := make([]string, len(cells))
		for i, v := range cells {
			rec[i] = cellText(v)
		}
		out = append(out, rec)
	}
	return out
}

func (t indicatorTable) workbook(p stats.Period, s stats.Scope) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close() //nolint:errcheck
	if err := f.SetSheetName("Sheet1", t.sheet); err != nil {
		return nil, err
	}
	st, err := newXLSXStyles(f)
	if err != nil {
		return nil, err
	}
	width := len(indicatorHeadings)
	row, err := captions(f, t.sheet, st, width, t.title, "Kỳ báo cáo: "+p.Label(), "Đơn vị: "+s.Label())
	if err != nil {
		return nil, err
	}
	if err := f.SetSheetRow(t.sheet, cellName(1, row), &indicatorHeadings); err != nil {
		return nil, err
	}
	if err := f.SetCellStyle(t.sheet, cellName(1, row), cellName(width, row), st.header); err != nil {
		return nil, err
	}
	for _, l := range t.lines {
		row++
		for i, v := range l.cells() {
			ref := cellName(i+1, row)
			if err := f.SetCellValue(t.sheet, ref, cellValue(v)); err != nil {
				return nil, err
			}
			style := st.number
			switch {
			case i < 2:
				style = st.text
			case i == 3:
				style = st.rate
			case i == 2 && l.value != nil:
				if _, isMean := l.value.(float64); isMean {
					style = st.rate
				}
			}
			if err := f.SetCellStyle(t.sheet, ref, ref, style); err != nil {
				return nil, err
			}
		}
	}
	for col, w := range map[string]float64{"A": 6, "B": 60, "C": 12, "D": 12, "E": 12, "F": 12} {
		if err := f.SetColWidth(t.sheet, col, col, w); err != nil {
			return nil, err
		}
	}
	if err := f.SetRowHeight(t.sheet, 1, 36); err != nil {
		return nil, err
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func onlineTable(r stats.OnlineReport) indicatorTable {
	t := indicatorTable{title: "THỐNG KÊ CUNG CẤP DỊCH VỤ CÔNG TRỰC TUYẾN", sheet: "Dịch vụ công trực tuyến"}
	for i, l := range r.Levels {
		no := strconv.Itoa(i + 1)
		name := stats.OnlineLevelLabel(l.Level)
		t.lines = append(t.lines,
			indicator{no: no, label: name},
			countLine(no+".1", "Số dịch vụ công đang cung cấp", l.Services),
			countLine(no+".2", "Số hồ sơ tiếp nhận trong kỳ", l.Dossiers),
			countLine(no+".3", "Số hồ sơ tiếp nhận trực tuyến", l.DossiersOnline),
			rateLine(no+".4", "Tỷ lệ hồ sơ tiếp nhận trực tuyến", l.OnlineRate()))
	}
	t.lines = append(t.lines, rateLine(strconv.Itoa(len(r.Levels)+1),
		"Tỷ lệ dịch vụ công mức độ 3, 4 đã tích hợp trên Cổng Dịch vụ công quốc gia", r.Integration()))
	return t
}

func feedbackTable(r stats.FeedbackReport) indicatorTable {
	t := indicatorTable{title: "THỐNG KÊ TIẾP NHẬN, XỬ LÝ PHẢN ÁNH, KIẾN NGHỊ", sheet: "Phản ánh kiến nghị"}
	t.lines = append(t.lines, countLine("1", "Số phản ánh, kiến nghị tiếp nhận trong kỳ", r.Received))
	sub := func(no string, keys []string, m map[string]int64) {
		for i, k := range keys {
			t.lines = append(t.lines, countLine(no+"."+strconv.Itoa(i+1), stats.FeedbackLabel(k), m[k]))
		}
	}
	t.lines = append(t.lines, indicator{no: "2", label: "Theo kênh tiếp nhận"})
	sub("2", stats.FeedbackChannels, r.ByChannel)
	t.lines = append(t.lines, indicator{no: "3", label: "Theo nội dung"})
	sub("3", stats.FeedbackCategories, r.ByCategory)
	t.lines = append(t.lines, indicator{no: "4", label: "Theo tình trạng xử lý hiện nay"})
	sub("4", stats.FeedbackStatuses, r.ByStatus)
	t.lines = append(t.lines,
		countLine("5", "Số đã trả lời trong kỳ", r.Answered),
		countLine("5.1", "Trong đó trả lời đúng hạn", r.AnsweredOnTime),
		countLine("6", "Số từ chối xử lý trong kỳ", r.Refused),
		countLine("6.1", "Trong đó từ chối đúng hạn", r.RefusedOnTime),
		rateLine("7", "Tỷ lệ xử lý đúng hạn", r.OnTimeRate()),
		countLine("8", "Số kết quả xử lý đã công khai trong kỳ", r.Published))
	return t
}

func proceduresTable(r stats.ProcedureReport) indicatorTable {
	t := indicatorTable{title: "THỐNG KÊ THỦ TỤC HÀNH CHÍNH", sheet: "Thủ tục hành chính"}
	t.lines = append(t.lines, countLine("1", "Số thủ tục hành chính được công bố trong kỳ", r.PublicationsTotal()))
	for i, k := range stats.PublicationKinds {
		t.lines = append(t.lines, countLine("1."+strconv.Itoa(i+1), stats.PublicationLabel(k), r.Publications[k]))
	}
	t.lines = append(t.lines, countLine("2", "Số thủ tục hành chính đang có hiệu lực", r.Active))
	for i, k := range stats.Levels {
		t.lines = append(t.lines, countLine("2."+strconv.Itoa(i+1), stats.LevelLabel(k), r.ByLevel[k]))
	}
	for i, k := range stats.OnlineLevels {
		t.lines = append(t.lines, countLine("2."+strconv.Itoa(len(stats.Levels)+i+1), stats.OnlineLevelLabel(k), r.ByOnlineLevel[k]))
	}
	t.lines = append(t.lines, countLine("3", "Số thủ tục thực hiện theo phương án 5 tại chỗ", r.OnSpotTotal()))
	for i, a := range r.OnSpot {
		name := a.Name
		if name == "" {
			name = a.AgencyCode
		}
		t.lines = append(t.lines, countLine("3."+strconv.Itoa(i+1), name, a.Count))
	}
	return t
}

func satisfactionTable(r stats.SatisfactionReport) indicatorTable {
	t := indicatorTable{title: "THỐNG KÊ MỨC ĐỘ HÀI LÒNG", sheet: "Mức độ hài lòng"}
	t.lines = append(t.lines, countLine("1", "Số lượt đánh giá trong kỳ", r.Count()))
	for k := 5; k >= 1; k-- {
		t.lines = append(t.lines, countLine("1."+strconv.Itoa(6-k), strconv.Itoa(k)+" điểm", r.ByScore[k]))
	}
	avg := indicator{no: "2", label: "Điểm trung bình"}
	if v := r.Average().Value(); v != nil {
		avg.value = *v
	}
	t.lines = append(t.lines, avg, rateLine("3", "Tỷ lệ hài lòng (4–5 điểm)", r.Satisfied()))
	return t
}
