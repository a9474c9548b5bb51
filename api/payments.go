package api

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/motcua/motcua/domain/dossier"
)

// paymentHandler serves a dossier's payments (docs/openapi.yaml, tag
// payments): the list, and the payments clerks record at the counter.
type paymentHandler struct {
	svc DossierService
	loc *time.Location
}

type counterPaymentRequest struct {
	Amount        *int64 `json:"amount"`
	Kind          string `json:"kind"`
	Method        string `json:"method"`
	ReceiptNumber string `json:"receipt_number"`
	PaidAt        string `json:"paid_at"`
	Note          string `json:"note"`
}

type paymentDTO struct {
	ID            int64      `json:"id"`
	Amount        int64      `json:"amount"`
	Kind          string     `json:"kind"`
	Status        string     `json:"status"`
	Method        *string    `json:"method"`
	ReceiptNumber *string    `json:"receipt_number"`
	RequestedAt   *time.Time `json:"requested_at"`
	RequestedBy   *string    `json:"requested_by"`
	PaidAt        *time.Time `json:"paid_at"`
	RecordedBy    *string    `json:"recorded_by"`
	Note          string     `json:"note"`
}

func paymentAsDTO(p dossier.Payment, loc *time.Location) paymentDTO {
	return paymentDTO{ID: p.ID, Amount: p.Amount, Kind: string(p.Kind), Status: string(p.Status),
		Method: optional(string(p.Method)), ReceiptNumber: optional(p.ReceiptNumber),
		RequestedAt: inLoc(p.RequestedAt, loc), RequestedBy: optional(p.RequestedBy),
		PaidAt: inLoc(p.PaidAt, loc), RecordedBy: optional(p.RecordedBy), Note: p.Note}
}

func (h *paymentHandler) list(c *gin.Context) (answer, error) {
	ps, err := h.svc.Payments(c.Request.Context(), principal(c), c.Param("code"))
	if err != nil {
		return answer{}, err
	}
	out := mapItems(ps, func(p dossier.Payment) paymentDTO { return paymentAsDTO(p, h.loc) })
	return ok(gin.H{"items": out}), nil
}

func (h *paymentHandler) record(c *gin.Context) (answer, error) {
	var req counterPaymentRequest
	if err := decodeJSON(c, &req); err != nil {
		return answer{}, err
	}
	p, err := h.svc.RecordPayment(c.Request.Context(), principal(c), c.Param("code"), dossier.CounterPayment{
		Amount: req.Amount, Kind: dossier.PaymentKind(req.Kind), Method: dossier.PaymentMethod(req.Method),
		ReceiptNumber: req.ReceiptNumber, PaidAt: req.PaidAt, Note: req.Note})
	if err != nil {
		return answer{}, err
	}
	return created(paymentAsDTO(p, h.loc)), nil
}
