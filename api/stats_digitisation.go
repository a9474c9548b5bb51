package api

import (
	"github.com/gin-gonic/gin"

	"github.com/motcua/motcua/domain/stats"
)

// ---- digitisation, electronic results, online payment

type fileVolumeDTO struct {
	Versions int64 `json:"versions"`
	Bytes    int64 `json:"bytes"`
}

type digitisationDTO struct {
	Period                    periodDTO     `json:"period"`
	Scope                     scopeDTO      `json:"scope"`
	Received                  int64         `json:"received"`
	ReceivedWithFiles         int64         `json:"received_with_files"`
	ReceivedDigitised         int64         `json:"received_digitised"`
	ReceivedReused            int64         `json:"received_reused"`
	ComponentDigitisationRate rateDTO       `json:"component_digitisation_rate"`
	ReuseRate                 rateDTO       `json:"reuse_rate"`
	Resolved                  int64         `json:"resolved"`
	ResolvedWithEResult       int64         `json:"resolved_with_e_result"`
	EResultRate               rateDTO       `json:"e_result_rate"`
	ResolvedDigitised         int64         `json:"resolved_digitised"`
	DigitisationRate          rateDTO       `json:"digitisation_rate"`
	Payable                   int64         `json:"payable"`
	PaidOnline                int64         `json:"paid_online"`
	OnlinePaymentRate         rateDTO       `json:"online_payment_rate"`
	Files                     fileVolumeDTO `json:"files"`
}

func (h *statsHandler) digitisation(c *gin.Context) (answer, error) {
	format, err := exportFormat(c)
	if err != nil {
		return answer{}, err
	}
	r, err := h.svc.Digitisation(c.Request.Context(), principal(c), statsRequest(c))
	if err != nil {
		return answer{}, err
	}
	name := exportName("thong-ke-so-hoa-ket-qua-dien-tu-thanh-toan-truc-tuyen", r.Period, r.Scope)
	switch format {
	case formatCSV:
		return csvDownload(name, digitisationRecords(r))
	case formatXLSX:
		return xlsxDownload(name, func() ([]byte, error) { return writeLayout(digitisationLayout(r)) })
	}
	return ok(digitisationDTO{Period: toPeriodDTO(r.Period, h.loc), Scope: toScopeDTO(r.Scope),
		Received: r.Received, ReceivedWithFiles: r.ReceivedWithFiles, ReceivedDigitised: r.ReceivedDigitised,
		ReceivedReused: r.ReceivedReused, ComponentDigitisationRate: toRateDTO(r.ComponentDigitisationRate()),
		ReuseRate: toRateDTO(r.ReuseRate()), Resolved: r.Resolved, ResolvedWithEResult: r.ResolvedWithEResult,
		EResultRate: toRateDTO(r.EResultRate()), ResolvedDigitised: r.ResolvedDigitised,
		DigitisationRate: toRateDTO(r.DigitisationRate()), Payable: r.Payable, PaidOnline: r.PaidOnline,
		OnlinePaymentRate: toRateDTO(r.OnlinePaymentRate()),
		Files:             fileVolumeDTO{Versions: r.FileVersions, Bytes: r.FileBytes}}), nil
}

// digitisationTitle is the title of the digitisation export.
const digitisationTitle = "THỐNG KÊ SỐ HÓA HỒ SƠ, CẤP KẾT QUẢ ĐIỆN TỬ VÀ THANH TOÁN TRỰC TUYẾN"

// digitisationHeadings are the columns of the export, one row of figures
// under them.
var digitisationHeadings = []string{
	"Tiếp nhận",
	"Có thành phần hồ sơ điện tử",
	"Có thành phần số hóa",
	"Có thành phần tái sử dụng, khai thác từ CSDL",
	"Tỷ lệ số hóa thành phần hồ sơ (%)",
	"Tỷ lệ tái sử dụng thành phần hồ sơ (%)",
	"Đã giải quyết",
	"Có kết quả điện tử",
	"Tỷ lệ cấp kết quả điện tử (%)",
	"Số hóa thành phần và có kết quả điện tử",
	"Tỷ lệ số hóa hồ sơ (%)",
	"Có nghĩa vụ tài chính",
	"Thanh toán trực tuyến",
	"Tỷ lệ thanh toán trực tuyến (%)",
	"Số phiên bản tệp lưu trữ",
	"Dung lượng tệp lưu trữ (byte)",
}

// digitisationValues are the report's cells in digitisationHeadings order.
func digitisationValues(r stats.DigitisationReport) []any {
	return []any{
		r.Received, r.ReceivedWithFiles, r.ReceivedDigitised, r.ReceivedReused,
		r.ComponentDigitisationRate().Value(), r.ReuseRate().Value(),
		r.Resolved, r.ResolvedWithEResult, r.EResultRate().Value(), r.ResolvedDigitised, r.DigitisationRate().Value(),
		r.Payable, r.PaidOnline, r.OnlinePaymentRate().Value(),
		r.FileVersions, r.FileBytes,
	}
}

// digitisationRecords is the report as CSV: the headings and one row.
func digitisationRecords(r stats.DigitisationReport) [][]string {
	return oneRowRecords(digitisationHeadings, digitisationValues(r))
}

// digitisationLayout is the report as a sheet: title, period and scope,
// the headings and one row.
func digitisationLayout(r stats.DigitisationReport) sheetLayout {
	return oneRowLayout("Số hóa", digitisationTitle, r.Period.Label(), r.Scope.Label(), digitisationHeadings, digitisationValues(r))
}

// oneRowRecords is a one-row report as CSV: the headings and the row.
func oneRowRecords(headings []string, vals []any) [][]string {
	rec := make([]string, len(vals))
	for i, v := range vals {
		rec[i] = cellText(v)
	}
	return [][]string{headings, rec}
}

// oneRowLayout is a one-row report as a sheet: the title, period and
// scope captions, the headings and the row (rates in the rate style).
func oneRowLayout(name, title, period, scope string, headings []string, vals []any) sheetLayout {
	l := sheetLayout{name: name}
	width := len(headings)
	row := l.captions(width, title, "Kỳ báo cáo: "+period, "Đơn vị: "+scope)
	for i, h := range headings {
		l.put(i+1, row, h, styleHeader)
	}
	for i, v := range vals {
		style := styleNumber
		if _, isRate := v.(*float64); isRate {
			style = styleRate
		}
		l.put(i+1, row+1, v, style)
	}
	l.widths = []colWidth{{1, width, 16}}
	l.heights = map[int]float64{1: 36, row: 60}
	return l
}
