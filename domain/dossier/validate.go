package dossier

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/user"
)

// Limits of the API contract (docs/openapi.yaml) and of a dossier's file.
const (
	MaxDocuments = 100  // documents in one dossier
	MaxCopies    = 100  // copies of one document
	MaxItems     = 100  // items of one supplement request
	MaxAmount    = 1e12 // VND of one payment request
)

// NewDossier is a registration at the counter (docs/domain.md).
type NewDossier struct {
	ProcedureCode string
	Channel       Channel
	Applicant     Applicant
	OnSpot        bool
	Documents     []Document
	Note          string
	// Notify lists the channels the applicant asked to be told on
	// (domain.NotifyChannels); each needs the address it writes to.
	Notify []string
}

// normalize trims the text fields in place.
func (in *NewDossier) normalize() {
	in.ProcedureCode = strings.TrimSpace(in.ProcedureCode)
	a := &in.Applicant
	a.Name = strings.Join(strings.Fields(a.Name), " ")
	a.IDNumber = NormalizeIDNumber(a.IDNumber)
	a.Phone = strings.TrimSpace(a.Phone)
	a.Email = strings.TrimSpace(a.Email)
	a.Address = strings.TrimSpace(a.Address)
	a.Organization = strings.TrimSpace(a.Organization)
	for i := range in.Documents {
		in.Documents[i].Name = strings.TrimSpace(in.Documents[i].Name)
	}
	in.Notify = domain.NormalizeNotify(in.Notify)
}

// validate reports every problem of the request's own fields.
func (in NewDossier) validate(fe domain.FieldErrors) {
	if in.ProcedureCode == "" {
		fe.Add("procedure_code", "bắt buộc")
	}
	if !in.Channel.Valid() {
		fe.Add("channel", "phải là direct, online hoặc postal")
	}
	if in.OnSpot && in.Channel != Direct && in.Channel.Valid() {
		fe.Add("on_spot", "chỉ áp dụng cho hồ sơ nộp trực tiếp tại bộ phận một cửa")
	}
	a := in.Applicant
	catalog.CheckText(fe, "applicant.name", a.Name, true, catalog.MaxNameLen)
	if a.IDNumber != "" && !ValidIDNumber(a.IDNumber) {
		fe.Add("applicant.id_number", "phải gồm 9 đến 12 chữ số")
	}
	if a.Phone != "" && !domain.ValidPhone(a.Phone) {
		fe.Add("applicant.phone", "số điện thoại không hợp lệ")
	}
	if a.Email != "" && !domain.ValidEmail(a.Email) {
		fe.Add("applicant.email", "địa chỉ email không hợp lệ")
	}
	catalog.CheckText(fe, "applicant.address", a.Address, false, catalog.MaxNameLen)
	catalog.CheckText(fe, "applicant.organization", a.Organization, false, catalog.MaxNameLen)
	if len(in.Documents) > MaxDocuments {
		fe.Add("documents", "tối đa 100 giấy tờ")
	} else {
		for i, d := range in.Documents {
			f := "documents[" + strconv.Itoa(i) + "]"
			catalog.CheckText(fe, f+".name", d.Name, true, catalog.MaxNameLen)
			if d.Copies < 1 || d.Copies > MaxCopies {
				fe.Add(f+".copies", "phải từ 1 đến 100")
			}
		}
	}
	catalog.CheckText(fe, "note", in.Note, false, catalog.MaxTextLen)
	domain.CheckNotify(fe, in.Notify, a.Email, a.Phone, "applicant.email", "applicant.phone")
}

// NormalizeIDNumber drops the spaces of an ID number (CMND/CCCD).
func NormalizeIDNumber(s string) string {
	return strings.Join(strings.Fields(s), "")
}

// ValidIDNumber reports whether s is 9 to 12 ASCII digits (CMND has 9,
// CCCD 12).
func ValidIDNumber(s string) bool {
	if len(s) < 9 || len(s) > 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ActionInput is a request to move a dossier (docs/domain.md): the action and the
// extra fields it takes. Version, when given, must equal the dossier's
// current version (optimistic concurrency across a read and an act).
type ActionInput struct {
	Action   Action
	Note     string
	Reason   string
	Assignee string
	ToUnit   string
	Items    []string
	Amount   *int64
	Outcome  Outcome
	NewDueAt string // RFC 3339
	Version  *int
	// Kind is the kind of a requested payment (default charge); Method,
	// ReceiptNumber and PaidAt (RFC 3339, default now) say how a confirmed
	// one was paid (default cash).
	Kind          PaymentKind
	Method        PaymentMethod
	ReceiptNumber string
	PaidAt        string
}

// validate checks the fields that do not depend on the dossier and returns
// the parsed new due time of a reschedule and how a confirmed payment was
// made.
func (in *ActionInput) validate(now time.Time) (time.Time, paymentInput, error) {
	fe := domain.FieldErrors{}
	in.Reason = strings.TrimSpace(in.Reason)
	in.Assignee = strings.TrimSpace(in.Assignee)
	in.ToUnit = strings.TrimSpace(in.ToUnit)
	if in.Action == "" {
		fe.Add("action", "bắt buộc")
		return time.Time{}, paymentInput{}, fe.Err()
	}
	if !in.Action.Valid() {
		fe.Add("action", "thao tác không được hỗ trợ")
		return time.Time{}, paymentInput{}, fe.Err()
	}
	catalog.CheckText(fe, "note", in.Note, false, catalog.MaxTextLen)
	catalog.CheckText(fe, "reason", in.Reason, false, catalog.MaxTextLen)
	if in.Version != nil && *in.Version < 1 {
		fe.Add("version", "phải là số nguyên dương")
	}
	var newDue time.Time
	var pay paymentInput
	switch in.Action {
	case ActReject, ActWithdraw, ActStop, ActRequestSupplement, ActReschedule:
		if in.Reason == "" {
			fe.Add("reason", "bắt buộc")
		}
	}
	switch in.Action {
	case ActStart:
		checkAssignee(fe, in.Assignee)
	case ActTransfer:
		if in.ToUnit == "" {
			fe.Add("to_unit", "bắt buộc")
		}
		checkAssignee(fe, in.Assignee)
	case ActRequestSupplement:
		if len(in.Items) > MaxItems {
			fe.Add("items", "tối đa 100 mục")
		}
		for i := range in.Items {
			in.Items[i] = strings.TrimSpace(in.Items[i])
			catalog.CheckText(fe, "items["+strconv.Itoa(i)+"]", in.Items[i], true, catalog.MaxNameLen)
		}
	case ActRequestPayment:
		checkAmount(fe, in.Amount)
		in.Kind = checkKind(fe, in.Kind)
	case ActConfirmPayment:
		pay = checkPaid(fe, in.Method, in.ReceiptNumber, in.PaidAt, now)
	case ActResolve:
		if !in.Outcome.Valid() {
			fe.Add("outcome", "phải là approved hoặc denied")
		} else if in.Outcome == Denied && in.Reason == "" {
			fe.Add("reason", "bắt buộc khi từ chối giải quyết")
		}
	case ActReschedule:
		if in.NewDueAt == "" {
			fe.Add("new_due_at", "bắt buộc")
		} else {
			t, err := time.Parse(time.RFC3339, in.NewDueAt)
			if err != nil {
				fe.Add("new_due_at", "phải theo RFC 3339, ví dụ 2026-11-30T17:00:00+07:00")
			} else {
				newDue = t.UTC()
			}
		}
	}
	return newDue, pay, fe.Err()
}

func checkAssignee(fe domain.FieldErrors, s string) {
	if s != "" && !user.ValidUsername(s) {
		fe.Add("assignee", "tên đăng nhập không hợp lệ")
	}
}

// Filter narrows a dossier list (docs/domain.md). Dates are local YYYY-MM-DD,
// inclusive.
type Filter struct {
	Status        Status
	AgencyCode    string
	UnitCode      string
	ProcedureCode string
	Channel       Channel
	ReceivedFrom  string
	ReceivedTo    string
	Overdue       bool
	OnSpot        *bool
	Q             string
	// DueWithinHours, when set, keeps the dossiers whose clock runs
	// (received, processing, awaiting_payment) and whose due_at is after now
	// and at most that many working hours ahead, soonest due first.
	DueWithinHours *int
	domain.Page
	// Cursor, when not empty, is a next_cursor of an earlier page: the page
	// starts after it, whatever Page says.
	Cursor string
}

// Query is a list request as the store runs it: the filter resolved to
// instants, the caller's scope and the page.
type Query struct {
	// Scope lists the units whose dossiers (by reception unit, handling
	// agency or holder) may be listed; nil means every dossier.
	Scope         []string
	Status        Status
	AgencyCode    string
	UnitCode      string
	ProcedureCode string
	Channel       Channel
	// ReceivedFrom and ReceivedBefore bound received_at: [from, before).
	ReceivedFrom   *time.Time
	ReceivedBefore *time.Time
	// OverdueAt, when set, keeps dossiers in progress with due_at before it.
	OverdueAt *time.Time
	// DueSoonAt and DueSoonBy, when set, keep the running dossiers with
	// DueSoonAt < due_at <= DueSoonBy, listed by due_at then id.
	DueSoonAt, DueSoonBy *time.Time
	OnSpot               *bool
	// Q matches the code or, folded (Fold), the applicant's name.
	Q      string
	Offset int
	Limit  int
	// After, when set, starts the page right after that position (keyset
	// pagination); Offset is then 0.
	After *domain.Cursor
}

// utf8Len is the length of s in characters.
func utf8Len(s string) int { return utf8.RuneCountInString(s) }
