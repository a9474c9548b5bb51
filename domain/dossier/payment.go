package dossier

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/user"
)

// PaymentKind is what a payment is for (docs/domain.md, "Fees and
// payments"): a charge (lệ phí) or a fee (phí) of the procedure's schedule,
// or another financial obligation (nghĩa vụ tài chính: taxes, land levies).
type PaymentKind string

// The payment kinds.
const (
	PaymentCharge     PaymentKind = "charge"
	PaymentFee        PaymentKind = "fee"
	PaymentObligation PaymentKind = "obligation"
)

// PaymentKinds lists the kinds in the order of docs/domain.md.
var PaymentKinds = []PaymentKind{PaymentCharge, PaymentFee, PaymentObligation}

// Valid reports whether k is a known kind.
func (k PaymentKind) Valid() bool { return slices.Contains(PaymentKinds, k) }

// PaymentMethod is how a payment was made: at the counter, by bank
// transfer, or online through the national payment platform.
type PaymentMethod string

// The payment methods.
const (
	PaidCash         PaymentMethod = "cash"
	PaidBankTransfer PaymentMethod = "bank_transfer"
	PaidOnline       PaymentMethod = "online"
)

// PaymentMethods lists the methods in the order of docs/domain.md.
var PaymentMethods = []PaymentMethod{PaidCash, PaidBankTransfer, PaidOnline}

// Valid reports whether m is a known method.
func (m PaymentMethod) Valid() bool { return slices.Contains(PaymentMethods, m) }

// PaymentStatus is where a payment stands.
type PaymentStatus string

// The payment statuses: asked by request_payment, paid, or cancelled with
// its dossier (withdrawn or stopped while the request was open).
const (
	PaymentRequested PaymentStatus = "requested"
	PaymentPaid      PaymentStatus = "paid"
	PaymentCancelled PaymentStatus = "cancelled"
)

// MaxReceiptLen is the longest receipt number (biên lai) or payment
// platform transaction code, in characters.
const MaxReceiptLen = 100

// Payment is one payment of a dossier. A requested payment has
// RequestedAt and RequestedBy; a paid one Method, PaidAt, RecordedAt and
// RecordedBy; a cancelled one CancelledAt. Payments are never deleted.
type Payment struct {
	ID            int64
	DossierID     int64
	Amount        int64
	Kind          PaymentKind
	Status        PaymentStatus
	Method        PaymentMethod // "" until paid
	ReceiptNumber string
	Note          string
	RequestedAt   *time.Time
	RequestedBy   string
	PaidAt        *time.Time
	RecordedAt    *time.Time
	RecordedBy    string
	CancelledAt   *time.Time
}

// PaymentStore is the persistence of payments. Its writes belong to the
// transaction of the dossier change they come with (call them on the Store
// InTx passes).
type PaymentStore interface {
	// CreatePayment inserts p and sets its ID.
	CreatePayment(ctx context.Context, p *Payment) error
	// UpdatePayment writes p's status, method, receipt, paid, recorded and
	// cancelled fields.
	UpdatePayment(ctx context.Context, p *Payment) error
	// Payments returns the payments of a dossier, oldest first.
	Payments(ctx context.Context, dossierID int64) ([]Payment, error)
}

// ActRecordPayment is the history record of a payment made without a
// request (fees paid at the counter). It moves no status and is not a
// stage of the citizen's lookup.
const ActRecordPayment Action = "record_payment"

// paymentInput is the part of an action or a counter payment that says how
// a payment was made, validated.
type paymentInput struct {
	method  PaymentMethod
	receipt string
	paidAt  *time.Time // nil: now
}

// checkPaid validates the fields of a payment being made. The time paid
// must be RFC 3339, not after now (the dossier check comes later).
func checkPaid(fe domain.FieldErrors, method PaymentMethod, receipt, paidAt string, now time.Time) paymentInput {
	out := paymentInput{method: method, receipt: strings.TrimSpace(receipt)}
	if out.method == "" {
		out.method = PaidCash
	} else if !out.method.Valid() {
		fe.Add("method", "phải là cash, bank_transfer hoặc online")
	}
	catalog.CheckText(fe, "receipt_number", out.receipt, false, MaxReceiptLen)
	if paidAt != "" {
		t, err := time.Parse(time.RFC3339, paidAt)
		switch {
		case err != nil:
			fe.Add("paid_at", "phải theo RFC 3339, ví dụ 2026-11-30T09:00:00+07:00")
		case t.After(now):
			fe.Add("paid_at", "không được ở trong tương lai")
		default:
			out.paidAt = ptr(t.UTC())
		}
	}
	return out
}

func checkKind(fe domain.FieldErrors, k PaymentKind) PaymentKind {
	if k == "" {
		return PaymentCharge
	}
	if !k.Valid() {
		fe.Add("kind", "phải là charge, fee hoặc obligation")
	}
	return k
}

func checkAmount(fe domain.FieldErrors, amount *int64) {
	if amount == nil {
		fe.Add("amount", "bắt buộc")
	} else if *amount <= 0 || *amount > MaxAmount {
		fe.Add("amount", "phải là số tiền dương (VNĐ), tối đa 10^12")
	}
}

// checkPaidAfterSubmission refuses a time paid before the dossier existed.
func checkPaidAfterSubmission(in paymentInput, d *Dossier) error {
	if in.paidAt != nil && in.paidAt.Before(d.SubmittedAt) {
		return domain.FieldErrors{"paid_at": "không được trước thời điểm nộp hồ sơ"}.Err()
	}
	return nil
}

// pay turns p paid by in at now, recorded by by, and adds it to d.
func (in paymentInput) pay(p *Payment, d *Dossier, by string, now time.Time) {
	p.Status, p.Method, p.ReceiptNumber = PaymentPaid, in.method, in.receipt
	p.PaidAt, p.RecordedAt, p.RecordedBy = in.paidAt, ptr(now), by
	if p.PaidAt == nil {
		p.PaidAt = ptr(now)
	}
	d.PaidTotal += p.Amount
	if p.Method == PaidOnline {
		d.PaidOnline = true
		if d.PaidOnlineAt == nil {
			d.PaidOnlineAt = ptr(now)
		}
	}
	if d.PayableAt == nil {
		d.PayableAt = ptr(now)
	}
}

// paymentDetails are the history details of payment p.
func paymentDetails(e *Entry, p *Payment) {
	e.Details["payment_id"] = p.ID
	e.Details["amount"] = p.Amount
	e.Details["kind"] = string(p.Kind)
	if p.Method != "" {
		e.Details["method"] = string(p.Method)
	}
	if p.ReceiptNumber != "" {
		e.Details["receipt_number"] = p.ReceiptNumber
	}
}

// settle makes the payment effects of action a on d inside the
// transaction tx: request_payment opens a request, confirm_payment pays
// the open one, withdraw and stop cancel it. It runs before d is written,
// so the dossier's totals go with the same Update.
func (s *Service) settle(ctx context.Context, tx Store, d *Dossier, in *ActionInput, pay paymentInput, e *Entry, now time.Time) error {
	switch in.Action {
	case ActRequestPayment:
		p := Payment{DossierID: d.ID, Amount: *in.Amount, Kind: in.Kind, Status: PaymentRequested,
			RequestedAt: ptr(now), RequestedBy: e.By}
		if err := tx.CreatePayment(ctx, &p); err != nil {
			return fmt.Errorf("open payment: %w", err)
		}
		if d.PayableAt == nil {
			d.PayableAt = ptr(now)
		}
		paymentDetails(e, &p)
	case ActConfirmPayment:
		ps, err := tx.Payments(ctx, d.ID)
		if err != nil {
			return fmt.Errorf("load payments: %w", err)
		}
		i := slices.IndexFunc(ps, func(p Payment) bool { return p.Status == PaymentRequested })
		if i < 0 {
			// A request made before payments were kept: pay what the
			// dossier says was asked.
			if d.PaymentAmount == nil {
				return nil
			}
			p := Payment{DossierID: d.ID, Amount: *d.PaymentAmount, Kind: PaymentCharge}
			pay.pay(&p, d, e.By, now)
			if err := tx.CreatePayment(ctx, &p); err != nil {
				return fmt.Errorf("record payment: %w", err)
			}
			paymentDetails(e, &p)
			return nil
		}
		p := ps[i]
		pay.pay(&p, d, e.By, now)
		if err := tx.UpdatePayment(ctx, &p); err != nil {
			return fmt.Errorf("pay: %w", err)
		}
		paymentDetails(e, &p)
	case ActWithdraw, ActStop:
		ps, err := tx.Payments(ctx, d.ID)
		if err != nil {
			return fmt.Errorf("load payments: %w", err)
		}
		owed := d.RegisteredFee > 0
		for i := range ps {
			p := &ps[i]
			if p.Status == PaymentRequested {
				p.Status, p.CancelledAt = PaymentCancelled, ptr(now)
				if err := tx.UpdatePayment(ctx, p); err != nil {
					return fmt.Errorf("cancel payment: %w", err)
				}
				e.Details["cancelled_payment_id"] = p.ID
			}
			if p.Status != PaymentCancelled {
				owed = true
			}
		}
		if !owed {
			d.PayableAt = nil
		}
	}
	return nil
}

// CounterPayment is a payment made without a request: fees paid at the
// counter, recorded by a clerk.
type CounterPayment struct {
	Amount        *int64
	Kind          PaymentKind
	Method        PaymentMethod
	ReceiptNumber string
	PaidAt        string // RFC 3339; empty: now
	Note          string
}

// counterPaymentStatuses are the statuses a counter payment may be
// recorded in; while awaiting payment, confirm_payment pays the request.
var counterPaymentStatuses = []Status{Submitted, Received, Processing, SupplementRequested, Resolved}

// RecordPayment records a paid counter payment on the dossier code and
// appends record_payment to its history; it moves no status. Returns
// ErrForbidden for a role other than clerk, KindNotFound outside by's
// scope, KindInvalidTransition in another status, KindValidation for bad
// fields.
func (s *Service) RecordPayment(ctx context.Context, by user.Principal, code string, in CounterPayment) (Payment, error) {
	if err := by.RequireRole(user.RoleClerk); err != nil {
		return Payment{}, err
	}
	now := s.now().UTC()
	fe := domain.FieldErrors{}
	checkAmount(fe, in.Amount)
	kind := checkKind(fe, in.Kind)
	pay := checkPaid(fe, in.Method, in.ReceiptNumber, in.PaidAt, now)
	catalog.CheckText(fe, "note", in.Note, false, catalog.MaxTextLen)
	if err := fe.Err(); err != nil {
		return Payment{}, err
	}
	d, _, err := s.load(ctx, by, code)
	if err != nil {
		return Payment{}, err
	}
	if !slices.Contains(counterPaymentStatuses, d.Status) {
		return Payment{}, invalidTransition(d.Status, ActRecordPayment)
	}
	if err := checkPaidAfterSubmission(pay, &d); err != nil {
		return Payment{}, err
	}
	p := Payment{DossierID: d.ID, Amount: *in.Amount, Kind: kind, Note: in.Note}
	pay.pay(&p, &d, by.Username, now)
	d.UpdatedAt = now
	e := Entry{DossierID: d.ID, Action: ActRecordPayment, From: d.Status, To: d.Status, At: now, By: by.Username,
		Unit: by.Unit, Details: map[string]any{}}
	err = s.store.InTx(ctx, func(tx Store) error {
		if err := tx.CreatePayment(ctx, &p); err != nil {
			return err
		}
		if err := tx.Update(ctx, &d); err != nil {
			return err
		}
		paymentDetails(&e, &p)
		return tx.AppendHistory(ctx, &e)
	})
	if err != nil {
		return Payment{}, fmt.Errorf("record payment: %w", err)
	}
	return p, nil
}

// Payments returns the payments of the dossier code, oldest first, to
// staff whose scope holds it; KindNotFound otherwise.
func (s *Service) Payments(ctx context.Context, by user.Principal, code string) ([]Payment, error) {
	d, _, err := s.load(ctx, by, code)
	if err != nil {
		return nil, err
	}
	ps, err := s.store.Payments(ctx, d.ID)
	if err != nil {
		return nil, fmt.Errorf("load payments: %w", err)
	}
	return ps, nil
}
