package repository

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/motcua/motcua/domain/dossier"
)

// paymentRow is a row of payments (migration 00015).
type paymentRow struct {
	ID            int64 `gorm:"primaryKey"`
	DossierID     int64
	Amount        int64
	Kind          string
	Status        string
	Method        *string
	ReceiptNumber *string
	Note          string
	RequestedAt   *time.Time
	RequestedBy   *string
	PaidAt        *time.Time
	RecordedAt    *time.Time
	RecordedBy    *string
	CancelledAt   *time.Time
}

func (paymentRow) TableName() string { return "payments" }

func paymentRowOf(p *dossier.Payment) paymentRow {
	return paymentRow{ID: p.ID, DossierID: p.DossierID, Amount: p.Amount, Kind: string(p.Kind),
		Status: string(p.Status), Method: nullable(string(p.Method)), ReceiptNumber: nullable(p.ReceiptNumber),
		Note: p.Note, RequestedAt: utcPtr(p.RequestedAt), RequestedBy: nullable(p.RequestedBy),
		PaidAt: utcPtr(p.PaidAt), RecordedAt: utcPtr(p.RecordedAt), RecordedBy: nullable(p.RecordedBy),
		CancelledAt: utcPtr(p.CancelledAt)}
}

func (r paymentRow) asDomain() dossier.Payment {
	return dossier.Payment{ID: r.ID, DossierID: r.DossierID, Amount: r.Amount, Kind: dossier.PaymentKind(r.Kind),
		Status: dossier.PaymentStatus(r.Status), Method: dossier.PaymentMethod(deref(r.Method)),
		ReceiptNumber: deref(r.ReceiptNumber), Note: r.Note, RequestedAt: utcPtr(r.RequestedAt),
		RequestedBy: deref(r.RequestedBy), PaidAt: utcPtr(r.PaidAt), RecordedAt: utcPtr(r.RecordedAt),
		RecordedBy: deref(r.RecordedBy), CancelledAt: utcPtr(r.CancelledAt)}
}

const paymentNoun = "khoản thanh toán"

// CreatePayment implements dossier.PaymentStore.
func (s *DossierStore) CreatePayment(ctx context.Context, p *dossier.Payment) error {
	r := paymentRowOf(p)
	r.ID = 0
	err := s.write(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&r).Error; err != nil {
			return translate(err, paymentNoun)
		}
		return markDVCQG(tx, r.DossierID)
	})
	if err != nil {
		return err
	}
	p.ID = r.ID
	return nil
}

// UpdatePayment implements dossier.PaymentStore.
func (s *DossierStore) UpdatePayment(ctx context.Context, p *dossier.Payment) error {
	r := paymentRowOf(p)
	return s.write(ctx, func(tx *gorm.DB) error {
		err := tx.Model(&paymentRow{}).Where("id = ?", r.ID).Updates(map[string]any{
			"status": r.Status, "method": r.Method, "receipt_number": r.ReceiptNumber, "paid_at": r.PaidAt,
			"recorded_at": r.RecordedAt, "recorded_by": r.RecordedBy, "cancelled_at": r.CancelledAt,
		}).Error
		if err != nil {
			return translate(err, paymentNoun)
		}
		id := r.DossierID
		if id == 0 {
			if err := tx.Model(&paymentRow{}).Where("id = ?", r.ID).Pluck("dossier_id", &id).Error; err != nil {
				return translate(err, paymentNoun)
			}
		}
		return markDVCQG(tx, id)
	})
}

// Payments implements dossier.PaymentStore.
func (s *DossierStore) Payments(ctx context.Context, dossierID int64) ([]dossier.Payment, error) {
	var rows []paymentRow
	if err := conn(ctx, s.db).Where("dossier_id = ?", dossierID).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err, paymentNoun)
	}
	out := make([]dossier.Payment, len(rows))
	for i, r := range rows {
		out[i] = r.asDomain()
	}
	return out, nil
}
