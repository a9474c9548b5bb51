package api

import (
	"github.com/gin-gonic/gin"

	"github.com/motcua/motcua/domain/stats"
)

// ---- the national portal sync (§14.3)

type dvcqgStatsDTO struct {
	Period   periodDTO `json:"period"`
	Scope    scopeDTO  `json:"scope"`
	Received int64     `json:"received"`
	Synced   int64     `json:"synced"`
	Pending  int64     `json:"pending"`
	Failed   int64     `json:"failed"`
	SyncRate rateDTO   `json:"sync_rate"`
}

func (h *statsHandler) dvcqg(c *gin.Context) (answer, error) {
	format, err := exportFormat(c)
	if err != nil {
		return answer{}, err
	}
	r, err := h.svc.DVCQG(c.Request.Context(), principal(c), statsRequest(c))
	if err != nil {
		return answer{}, err
	}
	name := exportName("thong-ke-dong-bo-dvcqg", r.Period, r.Scope)
	switch format {
	case formatCSV:
		return csvDownload(name, dvcqgRecords(r))
	case formatXLSX:
		return xlsxDownload(name, func() ([]byte, error) { return writeLayout(dvcqgLayout(r)) })
	}
	return ok(dvcqgStatsDTO{Period: toPeriodDTO(r.Period, h.loc), Scope: toScopeDTO(r.Scope),
		Received: r.Received, Synced: r.Synced, Pending: r.Pending, Failed: r.Failed,
		SyncRate: toRateDTO(r.SyncRate())}), nil
}

// dvcqgTitle is the title of the sync export.
const dvcqgTitle = "THỐNG KÊ ĐỒNG BỘ HỒ SƠ LÊN CỔNG DỊCH VỤ CÔNG QUỐC GIA"

// dvcqgHeadings are the columns of the export, one row of figures under them.
var dvcqgHeadings = []string{
	"Tiếp nhận",
	"Đã đồng bộ",
	"Đang chờ đồng bộ",
	"Đồng bộ lỗi",
	"Tỷ lệ đồng bộ (%)",
}

func dvcqgValues(r stats.DVCQGReport) []any {
	return []any{r.Received, r.Synced, r.Pending, r.Failed, r.SyncRate().Value()}
}

// dvcqgRecords is the report as CSV: the headings and one row.
func dvcqgRecords(r stats.DVCQGReport) [][]string {
	return oneRowRecords(dvcqgHeadings, dvcqgValues(r))
}

// dvcqgLayout is the report as a sheet: title, period and scope, the
// headings and one row.
func dvcqgLayout(r stats.DVCQGReport) sheetLayout {
	return oneRowLayout("Đồng bộ DVCQG", dvcqgTitle, r.Period.Label(), r.Scope.Label(), dvcqgHeadings, dvcqgValues(r))
}
