// Package notify writes to citizens who asked to be told about their
// dossier or feedback item: it renders the messages from templates a
// province may override, and sends them by e-mail (SMTP) or SMS (an HTTP
// gateway, or a log line). It decides nothing about when to send: the
// caller hands it a message type and the data of one event.
package notify

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/motcua/motcua/domain/dossier"
)

// The message types: the only events a citizen is written to about.
const (
	TypeDossierReceive           = "dossier.receive"
	TypeDossierAccept            = "dossier.accept"
	TypeDossierReject            = "dossier.reject"
	TypeDossierRequestSupplement = "dossier.request_supplement"
	TypeDossierRequestPayment    = "dossier.request_payment"
	TypeDossierReschedule        = "dossier.reschedule"
	TypeDossierResolve           = "dossier.resolve"
	TypeFeedbackAnswer           = "feedback.answer"
	TypeFeedbackRefuse           = "feedback.refuse"
)

// Types lists the message types in a fixed order.
func Types() []string {
	return []string{TypeDossierReceive, TypeDossierAccept, TypeDossierReject, TypeDossierRequestSupplement,
		TypeDossierRequestPayment, TypeDossierReschedule, TypeDossierResolve, TypeFeedbackAnswer, TypeFeedbackRefuse}
}

// Data is everything a template may print. It has, on purpose, no field
// for the lookup PIN, the ID number, the phone, the e-mail or postal
// address, or any person's name (applicant, sender or staff): an e-mail or
// SMS can reach the wrong person, and a template cannot print what it is
// never given, whatever a province writes into it. Times and amounts are
// already formatted so that templates need no functions.
type Data struct {
	// Code is the dossier's or feedback item's code.
	Code string
	// ProcedureCode and ProcedureName name the procedure (empty for
	// feedback that names none).
	ProcedureCode string
	ProcedureName string
	// AgencyName is the handling agency (dossier) or assigned agency
	// (feedback): where results are collected and who answers.
	AgencyName string
	// ReceivedAt, AppointmentAt and DueAt are local times written as
	// "15:00 ngày 05/12/2026"; empty when unknown.
	ReceivedAt    string
	AppointmentAt string
	DueAt         string
	// Reason is what staff wrote for this action (a refusal's, a
	// supplement request's or a reschedule's reason).
	Reason string
	// Items are the papers a supplement request asks for, as staff wrote
	// them.
	Items []string
	// Amount is the sum to pay, written as "100.000 đồng".
	Amount string
	// LookupURL is where the citizen looks the item up (empty when no
	// public portal is configured).
	LookupURL string
}

// FormatTime writes t in loc as "15:00 ngày 05/12/2026", the form of the
// one-stop papers; the zero time is "".
func FormatTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	if loc != nil {
		t = t.In(loc)
	}
	return t.Format("15:04") + " ngày " + t.Format("02/01/2006")
}

// FormatAmount writes an amount of đồng with dots between thousands:
// 100000 → "100.000 đồng".
func FormatAmount(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String() + " đồng"
	}
	return b.String() + " đồng"
}

// LookupURL is the portal address citizens look an item up at: portal
// with "{code}" replaced by the escaped code when it has one, portal as it
// is otherwise, "" without a portal.
func LookupURL(portal, code string) string {
	portal = strings.TrimSpace(portal)
	if portal == "" {
		return ""
	}
	return strings.ReplaceAll(portal, "{code}", url.PathEscape(code))
}

// DossierData fills Data from a dossier: its code, procedure, times and
// the amount of an open payment request. The applicant is not read at
// all. The names (procedure, agency) come from the catalogue, the reason
// and items from the action, so the caller sets them.
func DossierData(d dossier.Dossier, procedureName, agencyName string, loc *time.Location, portal string) Data {
	out := Data{
		Code:          d.Code,
		ProcedureCode: d.ProcedureCode,
		ProcedureName: procedureName,
		AgencyName:    agencyName,
		LookupURL:     LookupURL(portal, d.Code),
	}
	if d.ReceivedAt != nil {
		out.ReceivedAt = FormatTime(*d.ReceivedAt, loc)
	}
	if d.AppointmentAt != nil {
		out.AppointmentAt = FormatTime(*d.AppointmentAt, loc)
	}
	if d.DueAt != nil {
		out.DueAt = FormatTime(*d.DueAt, loc)
	}
	if d.PaymentAmount != nil {
		out.Amount = FormatAmount(*d.PaymentAmount)
	}
	return out
}

// sample is the data every template is executed with at load, every field
// filled so that every {{if}} branch runs and a misspelt field anywhere is
// found. Its values are long-ish on purpose: an SMS template that passes
// with them fits 160 characters with real ones.
func sample() Data {
	return Data{
		Code:          "000.00.12.H01-261205-0001",
		ProcedureCode: "1.001234",
		ProcedureName: "Cấp giấy chứng nhận đăng ký hộ kinh doanh",
		AgencyName:    "Phòng Tài chính - Kế hoạch huyện Đông Anh",
		ReceivedAt:    "08:30 ngày 01/12/2026",
		AppointmentAt: "15:00 ngày 05/12/2026",
		DueAt:         "17:00 ngày 05/12/2026",
		Reason:        "Bản sao giấy tờ chưa được chứng thực",
		Items:         []string{"Bản sao chứng thực hợp đồng thuê nhà", "Giấy ủy quyền"},
		Amount:        "100.000 đồng",
		LookupURL:     "https://dichvucong.hanoi.gov.vn/tra-cuu",
	}
}
