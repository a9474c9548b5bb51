package api

import (
	"fmt"

	"github.com/gin-gonic/gin"

	"github.com/motcua/motcua/domain/stats"
)

// ---- the service index of Decision 766/QĐ-TTg (GET /stats/service-index)

type indexAverageDTO struct {
	Value    *float64 `json:"value"`
	Unit     string   `json:"unit"`
	Dossiers int64    `json:"dossiers"`
}

type indexTermsDTO struct {
	Received     int64 `json:"received"`
	Overdue      int64 `json:"overdue"`
	Dissatisfied int64 `json:"dissatisfied"`
}

type indexIndicatorDTO struct {
	ID         string           `json:"id"`
	Group      int              `json:"group"`
	Key        string           `json:"key"`
	Name       string           `json:"name"`
	Available  bool             `json:"available"`
	Reason     string           `json:"reason,omitempty"`
	Rate       *rateDTO         `json:"rate"`
	MaxPoints  int              `json:"max_points"`
	FullAt     *int64           `json:"full_at"`
	Score      *float64         `json:"score"`
	Average    *indexAverageDTO `json:"average,omitempty"`
	BeforeSync *rateDTO         `json:"before_sync,omitempty"`
	Terms      *indexTermsDTO   `json:"terms,omitempty"`
}

type indexGroupDTO struct {
	Group           int     `json:"group"`
	Name            string  `json:"name"`
	MaxPoints       int     `json:"max_points"`
	AvailablePoints int     `json:"available_points"`
	Score           float64 `json:"score"`
}

type indexTotalDTO struct {
	MaxPoints       int     `json:"max_points"`
	AvailablePoints int     `json:"available_points"`
	Score           float64 `json:"score"`
}

type serviceIndexDTO struct {
	Period         periodDTO           `json:"period"`
	Scope          scopeDTO            `json:"scope"`
	FormulaVersion string              `json:"formula_version"`
	Indicators     []indexIndicatorDTO `json:"indicators"`
	Groups         []indexGroupDTO     `json:"groups"`
	Total          indexTotalDTO       `json:"total"`
}

func toIndicatorDTO(x stats.Indicator) indexIndicatorDTO {
	d := indexIndicatorDTO{ID: x.ID, Group: x.Group, Key: x.Key, Name: x.Name, Available: x.Available,
		Reason: x.Reason, MaxPoints: x.MaxPoints}
	if x.Available && x.Scored() {
		full := x.FullAt
		d.FullAt = &full
	}
	if x.Rate != nil {
		r := toRateDTO(*x.Rate)
		d.Rate = &r
	}
	if x.Score != nil {
		v := x.Score.Value()
		d.Score = &v
	}
	if x.Average != nil {
		d.Average = &indexAverageDTO{Value: x.Average.Value(), Unit: "working_days", Dossiers: x.Average.Dossiers}
	}
	if x.BeforeSync != nil {
		r := toRateDTO(*x.BeforeSync)
		d.BeforeSync = &r
	}
	if x.Terms != nil {
		d.Terms = &indexTermsDTO{Received: x.Terms.Received, Overdue: x.Terms.Overdue, Dissatisfied: x.Terms.Dissatisfied}
	}
	return d
}

func toServiceIndexDTO(r stats.ServiceIndexReport, h *statsHandler) serviceIndexDTO {
	out := serviceIndexDTO{Period: toPeriodDTO(r.Period, h.loc), Scope: toScopeDTO(r.Scope), FormulaVersion: r.FormulaVersion,
		Indicators: make([]indexIndicatorDTO, 0, len(r.Indicators)), Groups: make([]indexGroupDTO, 0, len(r.Groups)),
		Total: indexTotalDTO{MaxPoints: r.Total.Points, AvailablePoints: r.Total.AvailablePoints, Score: r.Total.Score.Value()}}
	for _, x := range r.Indicators {
		out.Indicators = append(out.Indicators, toIndicatorDTO(x))
	}
	for _, g := range r.Groups {
		out.Groups = append(out.Groups, indexGroupDTO{Group: g.Group, Name: g.Name, MaxPoints: g.Points,
			AvailablePoints: g.AvailablePoints, Score: g.Score.Value()})
	}
	return out
}

func (h *statsHandler) serviceIndex(c *gin.Context) (answer, error) {
	format, err := exportFormat(c)
	if err != nil {
		return answer{}, err
	}
	r, err := h.svc.ServiceIndex(c.Request.Context(), principal(c), statsRequest(c))
	if err != nil {
		return answer{}, err
	}
	name := exportName("chi-so-phuc-vu-nguoi-dan-doanh-nghiep", r.Period, r.Scope)
	switch format {
	case formatCSV:
		return csvDownload(name, serviceIndexRecords(r))
	case formatXLSX:
		return xlsxDownload(name, func() ([]byte, error) { return writeLayout(serviceIndexLayout(r)) })
	}
	return ok(toServiceIndexDTO(r, h)), nil
}

// serviceIndexTitle is the title of the export.
const serviceIndexTitle = "BỘ CHỈ SỐ CHỈ ĐẠO, ĐIỀU HÀNH VÀ ĐÁNH GIÁ CHẤT LƯỢNG PHỤC VỤ NGƯỜI DÂN, DOANH NGHIỆP (QUYẾT ĐỊNH 766/QĐ-TTg)"

// serviceIndexHeadings are the columns of the export, one row per indicator.
var serviceIndexHeadings = []string{
	"Mã chỉ số",
	"Nhóm",
	"Chỉ số",
	"Tính được",
	"Lý do chưa tính được",
	"Tỷ lệ (%)",
	"Tử số",
	"Mẫu số",
	"Tỷ lệ trước khi đồng bộ (%)",
	"Thời gian trung bình (ngày làm việc)",
	"Số hồ sơ tính thời gian",
	"Tỷ lệ đạt điểm tối đa (%)",
	"Điểm tối đa",
	"Điểm đạt",
}

// serviceIndexValues are an indicator's cells in serviceIndexHeadings order.
func serviceIndexValues(x stats.Indicator) []any {
	yes := "Không"
	if x.Available {
		yes = "Có"
	}
	out := []any{x.ID, x.Group, x.Name, yes, x.Reason, nil, nil, nil, nil, nil, nil, nil, x.MaxPoints, nil}
	if x.Rate != nil {
		out[5], out[6], out[7] = x.Rate.Value(), x.Rate.Numerator, x.Rate.Denominator
	}
	if x.BeforeSync != nil {
		out[8] = x.BeforeSync.Value()
	}
	if x.Average != nil {
		out[9], out[10] = x.Average.Value(), x.Average.Dossiers
	}
	if x.Available && x.Scored() {
		out[11] = x.FullAt
	}
	if x.Score != nil {
		v := x.Score.Value()
		out[13] = &v
	}
	return out
}

// serviceIndexRecords is the index as CSV: the headings and a row per indicator.
func serviceIndexRecords(r stats.ServiceIndexReport) [][]string {
	out := [][]string{serviceIndexHeadings}
	for _, x := range r.Indicators {
		vals := serviceIndexValues(x)
		rec := make([]string, len(vals))
		for i, v := range vals {
			rec[i] = cellText(v)
		}
		out = append(out, rec)
	}
	return out
}

// serviceIndexLayout is the index as a sheet: title, period, scope,
// formula version and total, the headings and a row per indicator.
func serviceIndexLayout(r stats.ServiceIndexReport) sheetLayout {
	l := sheetLayout{name: "Chỉ số 766"}
	width := len(serviceIndexHeadings)
	row := l.captions(width, serviceIndexTitle, "Kỳ báo cáo: "+r.Period.Label(), "Đơn vị: "+r.Scope.Label(),
		"Phiên bản công thức: "+r.FormulaVersion,
		fmt.Sprintf("Tổng điểm: %s / %d điểm tính được (tối đa %d)", cellText(r.Total.Score.Value()), r.Total.AvailablePoints, r.Total.Points))
	for i, h := range serviceIndexHeadings {
		l.put(i+1, row, h, styleHeader)
	}
	for _, x := range r.Indicators {
		row++
		for i, v := range serviceIndexValues(x) {
			style := styleNumber
			switch {
			case i == 2 || i == 3 || i == 4 || i == 0:
				style = styleText
			case i == 5 || i == 8 || i == 9 || i == 13:
				style = styleRate
			}
			l.put(i+1, row, v, style)
		}
	}
	l.widths = []colWidth{{1, 2, 8}, {3, 3, 48}, {4, 4, 10}, {5, 5, 40}, {6, width, 13}}
	l.heights = map[int]float64{1: 48}
	return l
}
