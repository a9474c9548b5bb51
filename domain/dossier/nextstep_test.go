package dossier_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/motcua/motcua/domain/dossier"
)

func i64(v int64) *int64 { return &v }

// TestNextStepOf is docs/domain.md's table "What the lookup tells the
// citizen", status by status, with details as the service writes them (Go
// values) and as they come back from the database (JSON-decoded values).
func TestNextStepOf(t *testing.T) {
	t.Parallel()
	t0 := at("2026-11-23 09:00")
	st := func(a dossier.Action, details map[string]any) dossier.Stage {
		t0 = t0.Add(time.Hour)
		return dossier.Stage{Action: a, At: t0, Details: details}
	}
	receive := st(dossier.ActReceive, nil)
	start := st(dossier.ActStart, nil)
	for _, tt := range []struct {
		name    string
		d       dossier.Dossier
		history []dossier.Stage
		rated   bool
		want    dossier.NextStep
	}{
		{"submitted", dossier.Dossier{Status: dossier.Submitted}, []dossier.Stage{st(dossier.ActSubmit, nil)}, false,
			dossier.NextStep{Kind: dossier.NextWait}},
		{"received", dossier.Dossier{Status: dossier.Received}, []dossier.Stage{receive}, false,
			dossier.NextStep{Kind: dossier.NextWait}},
		{"processing, after a supplement", dossier.Dossier{Status: dossier.Processing}, []dossier.Stage{receive, start,
			st(dossier.ActRequestSupplement, map[string]any{"reason": "Thiếu giấy", "items": []any{"Bản sao"}}),
			st(dossier.ActSupplement, nil)}, false,
			dossier.NextStep{Kind: dossier.NextWait}},
		{"rejected", dossier.Dossier{Status: dossier.Rejected}, []dossier.Stage{st(dossier.ActSubmit, nil),
			st(dossier.ActReject, map[string]any{"reason": "Không thuộc thẩm quyền"})}, false,
			dossier.NextStep{Kind: dossier.NextNone, Reason: "Không thuộc thẩm quyền"}},
		{"rejected, imported without a reason", dossier.Dossier{Status: dossier.Rejected}, []dossier.Stage{receive,
			st(dossier.ActReject, nil)}, false,
			dossier.NextStep{Kind: dossier.NextNone}},
		{"supplement requested: the latest request", dossier.Dossier{Status: dossier.SupplementRequested}, []dossier.Stage{receive, start,
			st(dossier.ActRequestSupplement, map[string]any{"reason": "Lần 1", "items": []any{"A"}}),
			st(dossier.ActSupplement, nil),
			st(dossier.ActRequestSupplement, map[string]any{"reason": "Lần 2", "items": []any{"B", "C"}}),
			st(dossier.ActReschedule, map[string]any{"reason": "Xin lỗi", "new_due_at": "2026-12-01T17:00:00+07:00"})}, false,
			dossier.NextStep{Kind: dossier.NextSupplement, Reason: "Lần 2", Items: []string{"B", "C"}}},
		{"supplement requested, items as the service writes them", dossier.Dossier{Status: dossier.SupplementRequested},
			[]dossier.Stage{receive, st(dossier.ActRequestSupplement, map[string]any{"reason": "Thiếu", "items": []string{"D"}})}, false,
			dossier.NextStep{Kind: dossier.NextSupplement, Reason: "Thiếu", Items: []string{"D"}}},
		{"supplement requested without items", dossier.Dossier{Status: dossier.SupplementRequested},
			[]dossier.Stage{receive, st(dossier.ActRequestSupplement, map[string]any{"reason": "Thiếu"})}, false,
			dossier.NextStep{Kind: dossier.NextSupplement, Reason: "Thiếu"}},
		{"awaiting payment: the latest request (JSON number)", dossier.Dossier{Status: dossier.AwaitingPayment, PaymentAmount: i64(1)},
			[]dossier.Stage{receive, start, st(dossier.ActRequestPayment, map[string]any{"amount": 50000.0}),
				st(dossier.ActConfirmPayment, map[string]any{"amount": 50000.0}),
				st(dossier.ActRequestPayment, map[string]any{"amount": 200000.0})}, false,
			dossier.NextStep{Kind: dossier.NextPayment, Amount: i64(200000)}},
		{"awaiting payment, amount as the service writes it", dossier.Dossier{Status: dossier.AwaitingPayment},
			[]dossier.Stage{receive, st(dossier.ActRequestPayment, map[string]any{"amount": int64(75000)})}, false,
			dossier.NextStep{Kind: dossier.NextPayment, Amount: i64(75000)}},
		{"awaiting payment, imported: the dossier's amount", dossier.Dossier{Status: dossier.AwaitingPayment, PaymentAmount: i64(30000)},
			[]dossier.Stage{receive}, false,
			dossier.NextStep{Kind: dossier.NextPayment, Amount: i64(30000)}},
		{"withdrawn", dossier.Dossier{Status: dossier.Withdrawn}, []dossier.Stage{receive,
			st(dossier.ActWithdraw, map[string]any{"reason": "Công dân rút"})}, false,
			dossier.NextStep{Kind: dossier.NextNone, Reason: "Công dân rút"}},
		{"stopped", dossier.Dossier{Status: dossier.Stopped}, []dossier.Stage{receive, start,
			st(dossier.ActStop, map[string]any{"reason": "Giấy tờ giả"})}, false,
			dossier.NextStep{Kind: dossier.NextNone, Reason: "Giấy tờ giả"}},
		{"resolved, approved", dossier.Dossier{Status: dossier.Resolved, Outcome: dossier.Approved}, []dossier.Stage{receive, start,
			st(dossier.ActResolve, map[string]any{"outcome": "approved", "reason": "không hiển thị"})}, false,
			dossier.NextStep{Kind: dossier.NextCollect}},
		{"resolved, denied: the written reasons", dossier.Dossier{Status: dossier.Resolved, Outcome: dossier.Denied}, []dossier.Stage{receive, start,
			st(dossier.ActResolve, map[string]any{"outcome": "denied", "reason": "Không đủ điều kiện"})}, false,
			dossier.NextStep{Kind: dossier.NextCollect, Reason: "Không đủ điều kiện"}},
		{"returned, not rated", dossier.Dossier{Status: dossier.Returned, Outcome: dossier.Approved}, []dossier.Stage{receive,
			st(dossier.ActResolve, map[string]any{"outcome": "approved"}), st(dossier.ActReturn, nil)}, false,
			dossier.NextStep{Kind: dossier.NextRate}},
		{"returned, rated", dossier.Dossier{Status: dossier.Returned, Outcome: dossier.Approved}, []dossier.Stage{receive,
			st(dossier.ActResolve, map[string]any{"outcome": "approved"}), st(dossier.ActReturn, nil)}, true,
			dossier.NextStep{Kind: dossier.NextNone}},
		{"unknown status", dossier.Dossier{Status: "archived"}, nil, false,
			dossier.NextStep{Kind: dossier.NextNone}},
	} {
		if got := dossier.NextStepOf(tt.d, tt.history, tt.rated); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
	}
	// Every status has a row above.
	seen := map[dossier.Status]bool{}
	for _, s := range dossier.Statuses {
		seen[s] = dossier.NextStepOf(dossier.Dossier{Status: s}, nil, false).Kind != ""
	}
	for _, s := range dossier.Statuses {
		if !seen[s] {
			t.Errorf("status %s has no next step", s)
		}
	}
}

func TestLatestReschedule(t *testing.T) {
	t.Parallel()
	first, second := at("2026-11-24 10:00"), at("2026-11-25 16:00")
	stages := []dossier.Stage{
		{Action: dossier.ActReceive, At: at("2026-11-23 09:00")},
		{Action: dossier.ActReschedule, At: first, Details: map[string]any{"reason": "Lần 1", "new_due_at": "2026-11-30T17:00:00+07:00"}},
		{Action: dossier.ActReschedule, At: second, Details: map[string]any{"reason": "Lần 2", "new_due_at": "2026-12-04T17:00:00+07:00",
			"previous_appointment_at": "2026-11-30T17:00:00+07:00"}},
		{Action: dossier.ActStart, At: at("2026-11-26 09:00")},
	}
	got := dossier.LatestReschedule(stages)
	if got == nil || !got.At.Equal(second) || !got.AppointmentAt.Equal(at("2026-12-04 17:00")) || got.Reason != "Lần 2" {
		t.Fatalf("latest reschedule %+v", got)
	}
	if got := dossier.LatestReschedule(stages[:1]); got != nil {
		t.Fatalf("never rescheduled: %+v, want nil", got)
	}
	// An entry whose new appointment cannot be read is passed over.
	bad := append(stages[:3:3], dossier.Stage{Action: dossier.ActReschedule, At: at("2026-11-27 09:00"), Details: map[string]any{"reason": "?"}})
	if got := dossier.LatestReschedule(bad); got == nil || got.Reason != "Lần 2" {
		t.Fatalf("unreadable latest entry: %+v, want the one before", got)
	}
}
