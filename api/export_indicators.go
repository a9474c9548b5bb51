package api

import (
	"strconv"

	"github.com/motcua/motcua/domain/stats"
)

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

// layout lays the table out under its title, period and scope.
func (t indicatorTable) layout(p stats.Period, s stats.Scope) sheetLayout {
	l := sheetLayout{name: t.sheet}
	width := len(indicatorHeadings)
	row := l.captions(width, t.title, "Kỳ báo cáo: "+p.Label(), "Đơn vị: "+s.Label())
	for i, h := range indicatorHeadings {
		l.put(i+1, row, h, styleHeader)
	}
	for _, line := range t.lines {
		row++
		for i, v := range line.cells() {
			style := styleNumber
			switch {
			case i < 2:
				style = styleText
			case i == 3:
				style = styleRate
			case i == 2 && line.value != nil:
				if _, isMean := line.value.(float64); isMean {
					style = styleRate
				}
			}
			l.put(i+1, row, v, style)
		}
	}
	l.widths = []colWidth{{1, 1, 6}, {2, 2, 60}, {3, 6, 12}}
	l.heights = map[int]float64{1: 36}
	return l
}

func (t indicatorTable) workbook(p stats.Period, s stats.Scope) ([]byte, error) {
	return writeLayout(t.layout(p, s))
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
	t.lines = append(t.lines, indicator{no: "4", label: "Theo tình trạng xử lý tại thời điểm thống kê"})
	sub("4", stats.FeedbackStatuses, r.ByStatus)
	t.lines = append(t.lines,
		countLine("4."+strconv.Itoa(len(stats.FeedbackStatuses)+1), "Số đang xử lý tại thời điểm thống kê", r.Open),
		countLine("4."+strconv.Itoa(len(stats.FeedbackStatuses)+2), "Trong đó quá hạn", r.OpenOverdue),
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
