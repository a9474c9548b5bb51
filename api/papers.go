package api

import (
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/papers"
	"github.com/motcua/motcua/domain/stats"
)

const contentPDF = "application/pdf"

// papersHandler serves the printed papers (docs/openapi.yaml, "Papers").
type papersHandler struct {
	svc PapersService
	env
}

func pdfAnswer(f papers.File, err error) (answer, error) {
	if err != nil {
		return answer{}, err
	}
	return inlineDownload(f.Name, contentPDF, f.Data), nil
}

func (h *papersHandler) receipt(c *gin.Context) (answer, error) {
	return pdfAnswer(h.svc.Receipt(c.Request.Context(), principal(c), c.Param("code"), c.Query("pin")))
}

func (h *papersHandler) supplementRequest(c *gin.Context) (answer, error) {
	return pdfAnswer(h.svc.SupplementRequest(c.Request.Context(), principal(c), c.Param("code")))
}

func (h *papersHandler) refusal(c *gin.Context) (answer, error) {
	return pdfAnswer(h.svc.Refusal(c.Request.Context(), principal(c), c.Param("code")))
}

func (h *papersHandler) apology(c *gin.Context) (answer, error) {
	return pdfAnswer(h.svc.Apology(c.Request.Context(), principal(c), c.Param("code")))
}

func (h *papersHandler) controlSlip(c *gin.Context) (answer, error) {
	return pdfAnswer(h.svc.ControlSlip(c.Request.Context(), principal(c), c.Param("code")))
}

// trackingBook answers form 06 as a PDF (the default) or as the XLSX
// workbook laid out like the statistics' form 06.
func (h *papersHandler) trackingBook(c *gin.Context) (answer, error) {
	req := papers.BookRequest{UnitCode: c.Query("unit_code"), Period: stats.PeriodInput{Month: c.Query("month"),
		Quarter: c.Query("quarter"), Half: c.Query("half"), Year: c.Query("year"), From: c.Query("from"), To: c.Query("to")}}
	switch c.DefaultQuery("format", "pdf") {
	case "pdf":
		return pdfAnswer(h.svc.TrackingBookPDF(c.Request.Context(), principal(c), req))
	case formatXLSX:
		b, err := h.svc.TrackingBook(c.Request.Context(), principal(c), req)
		if err != nil {
			return answer{}, err
		}
		data, err := writeLayout(trackingBookLayout(b))
		if err != nil {
			return answer{}, err
		}
		return download(b.FileName("xlsx"), contentXLSX, data), nil
	}
	return answer{}, domain.FieldErrors{"format": "phải là pdf hoặc xlsx"}.Err()
}

// trackingBookLayout lays out form 06 as a sheet: title, unit and period,
// the column headings and their numbers, a row per dossier, the signature
// blocks, printed on A4 landscape one page wide.
func trackingBookLayout(b papers.TrackingBook) sheetLayout {
	cols := len(papers.BookHeadings)
	l := sheetLayout{name: "Mẫu " + b.Form.Number}
	head := l.captions(cols, b.Form.Title,
		"(Mẫu số "+b.Form.Number+", ban hành kèm theo "+b.Form.Source+")",
		"Đơn vị: "+b.Unit+" ("+b.UnitCode+")",
		"Kỳ: "+b.Period)
	for i, t := range papers.BookHeadings {
		l.put(i+1, head, t, styleHeader)
		l.put(i+1, head+1, "("+strconv.Itoa(i+1)+")", styleHeader)
	}
	row := head + 2
	for _, r := range b.Rows {
		vals := []any{r.No, r.Code, r.Procedure, r.Sets, r.Applicant, r.Contact, r.Agency, r.ReceivedAt,
			r.AppointmentAt, r.TransferredAt, r.ResultAt, r.ReturnedAt, r.Note}
		for i, v := range vals {
			style := styleText
			if i == 0 || i == 3 {
				style = styleNumber
			}
			l.put(i+1, row, v, style)
		}
		row++
	}
	signatureClosing(&l, row+1, [2]int{1, 4}, [2]int{9, cols})
	l.widths = []colWidth{{1, 1, 6}, {2, 2, 26}, {3, 3, 40}, {4, 4, 9}, {5, 6, 24}, {7, 7, 24}, {8, cols, 15}}
	l.heights = map[int]float64{1: 30, head: 45}
	l.print = &printSetup{landscape: true, paperSize: 9, fitWidth: 1, fitHeight: 0, titleFrom: head, titleTo: head + 1}
	return l
}
