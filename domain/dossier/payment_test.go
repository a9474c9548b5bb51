package dossier_test

import (
	"context"
	"testing"

	"github.com/motcua/motcua/domain/dossier"
)

// TestConfirmPaymentOfARequestMadeBeforePaymentsWereKept: a dossier left
// awaiting payment by an older version has the asked amount but no open
// payment; confirm_payment pays that amount rather than nothing.
func TestConfirmPaymentOfARequestMadeBeforePaymentsWereKept(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dossier.PolicyPause, "2026-11-23 09:00")
	r := f.register(t, clerkC, direct("P3"))
	f.act(t, officerK, r.Code, dossier.ActionInput{Action: dossier.ActStart})
	asked := int64(250000)
	d := f.act(t, officerK, r.Code, dossier.ActionInput{Action: dossier.ActRequestPayment, Amount: &asked})
	// What an older version left: the request's amount on the dossier, no
	// payment row.
	f.store.payments = nil
	d = f.act(t, clerkC, d.Code, dossier.ActionInput{Action: dossier.ActConfirmPayment, Method: dossier.PaidBankTransfer})
	ps, err := f.svc.Payments(context.Background(), clerkC, d.Code)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].Amount != 250000 || ps[0].Status != dossier.PaymentPaid || ps[0].Method != dossier.PaidBankTransfer ||
		d.PaidTotal != 250000 || d.PaidOnline {
		t.Fatalf("payments %+v, dossier paid %d online %v", ps, d.PaidTotal, d.PaidOnline)
	}
}

// TestPayableFollowsTheObligation: a dossier of a procedure without a fee
// becomes payable with a request and stops being so when that request is
// cancelled by a withdrawal; one of a fee-bearing procedure is payable from
// registration and stays so.
func TestPayableFollowsTheObligation(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dossier.PolicyPause, "2026-11-23 09:00")
	for _, tt := range []struct {
		proc      string
		fee       int64
		afterStop bool
	}{{"P3", 0, false}, {"P3F", 100000, true}} {
		r := f.register(t, clerkC, direct(tt.proc))
		if r.RegisteredFee != tt.fee || (r.PayableAt != nil) != (tt.fee > 0) {
			t.Fatalf("%s: registered fee %d, payable at %v", tt.proc, r.RegisteredFee, r.PayableAt)
		}
		f.act(t, officerK, r.Code, dossier.ActionInput{Action: dossier.ActStart})
		amount := int64(1000)
		d := f.act(t, officerK, r.Code, dossier.ActionInput{Action: dossier.ActRequestPayment, Amount: &amount})
		if d.PayableAt == nil {
			t.Fatalf("%s: a requested payment does not make the dossier payable", tt.proc)
		}
		d = f.act(t, clerkC, r.Code, dossier.ActionInput{Action: dossier.ActWithdraw, Reason: "Rút hồ sơ"})
		if (d.PayableAt != nil) != tt.afterStop {
			t.Errorf("%s: payable after the request was cancelled: %v, want %v", tt.proc, d.PayableAt != nil, tt.afterStop)
		}
	}
}
