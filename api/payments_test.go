package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
)

// paymentAnswer is a payment as the API answers it.
type paymentAnswer struct {
	ID            int64   `json:"id"`
	Amount        int64   `json:"amount"`
	Kind          string  `json:"kind"`
	Status        string  `json:"status"`
	Method        *string `json:"method"`
	ReceiptNumber *string `json:"receipt_number"`
	RequestedAt   *string `json:"requested_at"`
	RequestedBy   *string `json:"requested_by"`
	PaidAt        *string `json:"paid_at"`
	RecordedBy    *string `json:"recorded_by"`
	Note          string  `json:"note"`
}

// paidDossier is the part of a dossier the payment tests read.
type paidDossier struct {
	Status     string `json:"status"`
	PaidTotal  int64  `json:"paid_total"`
	PaidOnline bool   `json:"paid_online"`
	Version    int    `json:"version"`
	History    []struct {
		Action  string         `json:"action"`
		From    *string        `json:"from"`
		To      string         `json:"to"`
		Details map[string]any `json:"details"`
	} `json:"history"`
}

func decodeInto[T any](t *testing.T, resp apptest.Response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(resp.Body, &v); err != nil {
		t.Fatalf("decode %T: %v in %s", v, err, resp.Body)
	}
	return v
}

func paymentsOf(t *testing.T, e *env, tok, code string) []paymentAnswer {
	t.Helper()
	return decodeInto[struct {
		Items []paymentAnswer `json:"items"`
	}](t, apptest.Want(t, e.get("/api/v1/dossiers/"+code+"/payments", tok), http.StatusOK)).Items
}

func paidDossierOf(t *testing.T, e *env, tok, code string) paidDossier {
	t.Helper()
	return decodeInto[paidDossier](t, apptest.Want(t, e.get("/api/v1/dossiers/"+code, tok), http.StatusOK))
}

func TestPaymentsRequestConfirmAndCounter(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	d := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct"))
	code, pin := d["code"].(string), d["lookup_pin"].(string)
	clerk, officer, viewer := freshToken(e, "clerk"), freshToken(e, "officer"), freshToken(e, "viewer")
	pays := "/api/v1/dossiers/" + code + "/payments"

	// A counter payment on receipt: paid at once, no status moves.
	before := paidDossierOf(t, e, clerk, code)
	p := decodeInto[paymentAnswer](t, apptest.Want(t, e.post(pays, clerk, map[string]any{
		"amount": 20000, "receipt_number": "BL-0001", "note": "Lệ phí nộp tại quầy"}), http.StatusCreated))
	if p.Status != "paid" || p.Kind != "charge" || p.Method == nil || *p.Method != "cash" || p.Amount != 20000 ||
		p.ReceiptNumber == nil || *p.ReceiptNumber != "BL-0001" || p.RecordedBy == nil || *p.RecordedBy != "clerk" ||
		p.RequestedAt != nil || p.RequestedBy != nil || p.PaidAt == nil || p.Note != "Lệ phí nộp tại quầy" {
		t.Fatalf("counter payment %+v", p)
	}
	after := paidDossierOf(t, e, clerk, code)
	last := after.History[len(after.History)-1]
	if after.Status != before.Status || after.PaidTotal != 20000 || after.PaidOnline || last.Action != "record_payment" ||
		last.From == nil || *last.From != last.To || last.Details["amount"] != 20000.0 || last.Details["method"] != "cash" ||
		last.Details["payment_id"] != float64(p.ID) {
		t.Fatalf("after the counter payment: %+v", after)
	}

	// request_payment opens a request; confirm_payment pays it online.
	dossierActionOK(t, e, "officer", code, map[string]any{"action": "start"})
	dossierActionOK(t, e, "officer", code, map[string]any{"action": "request_payment", "amount": 1500000, "kind": "obligation"})
	list := paymentsOf(t, e, viewer, code) // every staff role reads them
	if len(list) != 2 || list[1].Status != "requested" || list[1].Kind != "obligation" || list[1].Amount != 1500000 ||
		list[1].RequestedBy == nil || *list[1].RequestedBy != "officer" || list[1].Method != nil || list[1].PaidAt != nil {
		t.Fatalf("after request_payment: %+v", list)
	}
	// While awaiting payment the counter pays the request, not a new payment.
	wantError(t, e.post(pays, clerk, map[string]any{"amount": 1}), http.StatusConflict, "invalid_transition")
	wantError(t, e.post(pays, officer, map[string]any{"amount": 1}), http.StatusForbidden, "forbidden")

	// A failing confirm changes nothing.
	future := e.s.Clock.Now().Add(48 * time.Hour).Format(time.RFC3339)
	r := dossierAction(e, "clerk", code, map[string]any{"action": "confirm_payment", "method": "card", "paid_at": future,
		"receipt_number": strings.Repeat("x", 101)})
	wantError(t, r, http.StatusUnprocessableEntity, "validation_failed")
	wantFields(t, r, "method", "paid_at", "receipt_number")
	wantFields(t, dossierAction(e, "clerk", code, map[string]any{"action": "confirm_payment", "paid_at": "2000-01-01T00:00:00+07:00"}), "paid_at")
	if got := paymentsOf(t, e, clerk, code); got[1].Status != "requested" {
		t.Fatalf("a refused confirm paid: %+v", got[1])
	}

	e.s.Clock.Advance(time.Hour)
	paidAt := e.s.Clock.Now().Add(-time.Minute).Truncate(time.Second)
	dossierActionOK(t, e, "clerk", code, map[string]any{"action": "confirm_payment", "method": "online",
		"receipt_number": "DVCQG-889900", "paid_at": paidAt.Format(time.RFC3339)})
	list = paymentsOf(t, e, officer, code)
	if list[1].Status != "paid" || list[1].Method == nil || *list[1].Method != "online" || list[1].ReceiptNumber == nil ||
		*list[1].ReceiptNumber != "DVCQG-889900" || list[1].RecordedBy == nil || *list[1].RecordedBy != "clerk" || list[1].PaidAt == nil {
		t.Fatalf("after confirm_payment: %+v", list[1])
	}
	if at, err := time.Parse(time.RFC3339, *list[1].PaidAt); err != nil || !at.Equal(paidAt) {
		t.Errorf("paid_at %s, want %s", *list[1].PaidAt, paidAt)
	}
	got := paidDossierOf(t, e, clerk, code)
	if got.Status != "processing" || got.PaidTotal != 1520000 || !got.PaidOnline {
		t.Fatalf("dossier after the online payment: %+v", got)
	}

	// Payment records are not stages of the citizen's lookup.
	pub := obj(t, apptest.Want(t, e.get("/api/v1/public/dossiers/"+code+"?pin="+pin, ""), http.StatusOK))
	for _, s := range pub["stages"].([]any) {
		if a := s.(map[string]any)["action"]; a == "record_payment" {
			t.Errorf("the lookup shows %v", a)
		}
	}
}

func TestPaymentsDefaultsCancellationAndRefusals(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	clerk := freshToken(e, "clerk")

	// The old request shapes keep working: kind defaults to charge, method to cash.
	code := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct"))["code"].(string)
	dossierActionOK(t, e, "officer", code, map[string]any{"action": "start"})
	dossierActionOK(t, e, "officer", code, map[string]any{"action": "request_payment", "amount": 50000})
	dossierActionOK(t, e, "clerk", code, map[string]any{"action": "confirm_payment"})
	list := paymentsOf(t, e, clerk, code)
	if len(list) != 1 || list[0].Kind != "charge" || list[0].Method == nil || *list[0].Method != "cash" || list[0].Status != "paid" {
		t.Fatalf("defaults: %+v", list)
	}
	if d := paidDossierOf(t, e, clerk, code); d.PaidTotal != 50000 || d.PaidOnline {
		t.Fatalf("dossier: %+v", d)
	}

	// An open request is cancelled when the dossier is withdrawn or stopped.
	for _, end := range []struct{ who, action string }{{"clerk", "withdraw"}, {"leader", "stop"}} {
		code := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct"))["code"].(string)
		dossierActionOK(t, e, "officer", code, map[string]any{"action": "start"})
		dossierActionOK(t, e, "officer", code, map[string]any{"action": "request_payment", "amount": 70000, "kind": "fee"})
		dossierActionOK(t, e, end.who, code, map[string]any{"action": end.action, "reason": "Công dân không tiếp tục"})
		list := paymentsOf(t, e, clerk, code)
		if len(list) != 1 || list[0].Status != "cancelled" || list[0].Method != nil {
			t.Errorf("%s: %+v", end.action, list)
		}
		if d := paidDossierOf(t, e, clerk, code); d.PaidTotal != 0 {
			t.Errorf("%s: paid_total %d", end.action, d.PaidTotal)
		}
		// A counter payment after the end is refused.
		wantError(t, e.post("/api/v1/dossiers/"+code+"/payments", clerk, map[string]any{"amount": 1000}),
			http.StatusConflict, "invalid_transition")
	}

	// Field checks of a counter payment; nothing is recorded.
	code = registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct"))["code"].(string)
	pays := "/api/v1/dossiers/" + code + "/payments"
	future := e.s.Clock.Now().Add(time.Hour).Format(time.RFC3339)
	r := e.post(pays, clerk, map[string]any{"amount": 0, "kind": "tax", "method": "card", "paid_at": future,
		"receipt_number": strings.Repeat("9", 101), "note": strings.Repeat("a", 10001)})
	wantError(t, r, http.StatusUnprocessableEntity, "validation_failed")
	wantFields(t, r, "amount", "kind", "method", "paid_at", "receipt_number", "note")
	wantFields(t, e.post(pays, clerk, map[string]any{"amount": 1_000_000_000_001}), "amount")
	wantFields(t, e.post(pays, clerk, map[string]any{}), "amount")
	wantFields(t, e.post(pays, clerk, map[string]any{"amount": 10, "paid_at": "hôm qua"}), "paid_at")
	wantFields(t, e.post(pays, clerk, map[string]any{"amount": 10, "paid_at": "2001-01-01T08:00:00+07:00"}), "paid_at")
	wantError(t, e.post(pays, clerk, map[string]any{"amount": 10, "currency": "VND"}), http.StatusBadRequest, "invalid_request")
	if n := len(paymentsOf(t, e, clerk, code)); n != 0 {
		t.Fatalf("refused payments were recorded: %d", n)
	}
	if d := paidDossierOf(t, e, clerk, code); d.PaidTotal != 0 || len(d.History) != 1 {
		t.Fatalf("refused payments changed the dossier: %+v", d)
	}
	wantError(t, e.get("/api/v1/dossiers/000.00.00.H99-000000-0000/payments", clerk), http.StatusNotFound, "not_found")
	wantError(t, e.post("/api/v1/dossiers/000.00.00.H99-000000-0000/payments", clerk, map[string]any{"amount": 10}),
		http.StatusNotFound, "not_found")
	wantError(t, e.post(pays, freshToken(e, "viewer"), map[string]any{"amount": 10}), http.StatusForbidden, "forbidden")
}
