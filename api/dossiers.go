package api

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/user"
)

// dossierHandler serves /api/v1/dossiers (staff) and the citizen's lookup.
type dossierHandler struct {
	svc DossierService
	env
	// publicURL is the base of the citizen's lookup page (lookup_url).
	publicURL string
	// dvcqg answers the detail's dvcqg_sync.
	dvcqg *dvcqgHandler
}

// ---- requests

type applicantDTO struct {
	Name         string `json:"name"`
	IDNumber     string `json:"id_number"`
	Phone        string `json:"phone"`
	Email        string `json:"email"`
	Address      string `json:"address"`
	Organization string `json:"organization"`
}

type documentRequest struct {
	Name   string `json:"name"`
	Copies *int   `json:"copies"` // 1 when absent
}

type createDossierRequest struct {
	ProcedureCode string            `json:"procedure_code"`
	Channel       string            `json:"channel"`
	Applicant     applicantDTO      `json:"applicant"`
	OnSpot        bool              `json:"on_spot"`
	Documents     []documentRequest `json:"documents"`
	Note          string            `json:"note"`
	Notify        []string          `json:"notify"`
}

func (r createDossierRequest) asDomain() dossier.NewDossier {
	in := dossier.NewDossier{ProcedureCode: r.ProcedureCode, Channel: dossier.Channel(r.Channel), OnSpot: r.OnSpot, Note: r.Note,
		Notify: r.Notify,
		Applicant: dossier.Applicant{Name: r.Applicant.Name, IDNumber: r.Applicant.IDNumber, Phone: r.Applicant.Phone,
			Email: r.Applicant.Email, Address: r.Applicant.Address, Organization: r.Applicant.Organization}}
	for _, d := range r.Documents {
		copies := 1
		if d.Copies != nil {
			copies = *d.Copies
		}
		in.Documents = append(in.Documents, dossier.Document{Name: d.Name, Copies: copies})
	}
	return in
}

type actionRequest struct {
	Action   string   `json:"action"`
	Note     string   `json:"note"`
	Reason   string   `json:"reason"`
	Assignee string   `json:"assignee"`
	ToUnit   string   `json:"to_unit"`
	Items    []string `json:"items"`
	Amount   *int64   `json:"amount"`
	Outcome  string   `json:"outcome"`
	NewDueAt string   `json:"new_due_at"`
	Version  *int     `json:"version"`
	// The payment fields of request_payment (kind) and confirm_payment.
	Kind          string `json:"kind"`
	Method        string `json:"method"`
	ReceiptNumber string `json:"receipt_number"`
	PaidAt        string `json:"paid_at"`
}

func (r actionRequest) asDomain() dossier.ActionInput {
	return dossier.ActionInput{Action: dossier.Action(r.Action), Note: r.Note, Reason: r.Reason, Assignee: r.Assignee,
		ToUnit: r.ToUnit, Items: r.Items, Amount: r.Amount, Outcome: dossier.Outcome(r.Outcome), NewDueAt: r.NewDueAt,
		Version: r.Version, Kind: dossier.PaymentKind(r.Kind), Method: dossier.PaymentMethod(r.Method),
		ReceiptNumber: r.ReceiptNumber, PaidAt: r.PaidAt}
}

// ---- responses

type documentDTO struct {
	Name   string `json:"name"`
	Copies int    `json:"copies"`
}

type historyDTO struct {
	Action  string         `json:"action"`
	From    *string        `json:"from"`
	To      string         `json:"to"`
	At      time.Time      `json:"at"`
	By      string         `json:"by"`
	Unit    string         `json:"unit"`
	Note    string         `json:"note"`
	Details map[string]any `json:"details,omitempty"`
}

type dossierDTO struct {
	Code                  string            `json:"code"`
	Status                string            `json:"status"`
	StatusCode            int               `json:"status_code"`
	ProcedureCode         string            `json:"procedure_code"`
	UnitCode              string            `json:"unit_code"`
	AgencyCode            string            `json:"agency_code"`
	HolderUnit            string            `json:"holder_unit"`
	Assignee              *string           `json:"assignee"`
	Channel               string            `json:"channel"`
	OnSpot                bool              `json:"on_spot"`
	Applicant             applicantDTO      `json:"applicant"`
	Documents             []documentDTO     `json:"documents"`
	Note                  string            `json:"note"`
	Notify                []string          `json:"notify"`
	ProcessingTime        processingTimeDTO `json:"processing_time"`
	SubmittedAt           time.Time         `json:"submitted_at"`
	ReceivedAt            *time.Time        `json:"received_at"`
	DueAt                 *time.Time        `json:"due_at"`
	AppointmentAt         *time.Time        `json:"appointment_at"`
	SupplementRequestedAt *time.Time        `json:"supplement_requested_at"`
	PaymentAmount         *int64            `json:"payment_amount"`
	ResolvedAt            *time.Time        `json:"resolved_at"`
	Outcome               *string           `json:"outcome"`
	Timeliness            *string           `json:"timeliness"`
	ReturnedAt            *time.Time        `json:"returned_at"`
	WithdrawnAt           *time.Time        `json:"withdrawn_at"`
	StoppedAt             *time.Time        `json:"stopped_at"`
	RejectedAt            *time.Time        `json:"rejected_at"`
	Digitised             bool              `json:"digitised"`
	EResult               bool              `json:"e_result"`
	PaidTotal             int64             `json:"paid_total"`
	PaidOnline            bool              `json:"paid_online"`
	Version               int               `json:"version"`
	CreatedAt             time.Time         `json:"created_at"`
	UpdatedAt             time.Time         `json:"updated_at"`
	LookupPin             string            `json:"lookup_pin,omitempty"`
	LookupURL             string            `json:"lookup_url,omitempty"`
	History               []historyDTO      `json:"history,omitempty"`
	// DVCQGSync is the national portal sync state, in the detail alone.
	DVCQGSync *dvcqgSyncDTO `json:"dvcqg_sync,omitempty"`
}

// notifyDTO is the channels an applicant or sender opted into, [] for none.
func notifyDTO(channels []string) []string {
	if channels == nil {
		return []string{}
	}
	return channels
}

func inLoc(t *time.Time, loc *time.Location) *time.Time {
	if t == nil {
		return nil
	}
	v := t.In(loc)
	return &v
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// dossierAsDTO renders d; masked hides the applicant's ID number and phone
// and drops the email and address (lists).
func dossierAsDTO(d dossier.Dossier, loc *time.Location, masked bool) dossierDTO {
	a := d.Applicant
	app := applicantDTO{Name: a.Name, IDNumber: a.IDNumber, Phone: a.Phone, Email: a.Email, Address: a.Address, Organization: a.Organization}
	if masked {
		app = applicantDTO{Name: a.Name, IDNumber: dossier.MaskIDNumber(a.IDNumber), Phone: dossier.MaskPhone(a.Phone),
			Organization: a.Organization}
	}
	out := dossierDTO{
		Code: d.Code, Status: string(d.Status), StatusCode: d.Status.Code(), ProcedureCode: d.ProcedureCode,
		UnitCode: d.UnitCode, AgencyCode: d.AgencyCode, HolderUnit: d.HolderUnit, Assignee: optional(d.Assignee),
		Channel: string(d.Channel), OnSpot: d.OnSpot, Applicant: app, Documents: []documentDTO{}, Note: d.Note,
		Notify:         notifyDTO(d.Notify),
		ProcessingTime: processingTimeDTO{Value: d.ProcessingTime.Value, Unit: string(d.ProcessingTime.Unit)},
		SubmittedAt:    d.SubmittedAt.In(loc), ReceivedAt: inLoc(d.ReceivedAt, loc), DueAt: inLoc(d.DueAt, loc),
		AppointmentAt: inLoc(d.AppointmentAt, loc), SupplementRequestedAt: inLoc(d.SupplementRequestedAt, loc),
		PaymentAmount: d.PaymentAmount, ResolvedAt: inLoc(d.ResolvedAt, loc), Outcome: optional(string(d.Outcome)),
		Timeliness: optional(string(d.Timeliness)), ReturnedAt: inLoc(d.ReturnedAt, loc),
		WithdrawnAt: inLoc(d.WithdrawnAt, loc), StoppedAt: inLoc(d.StoppedAt, loc), RejectedAt: inLoc(d.RejectedAt, loc),
		Digitised: d.Digitised, EResult: d.EResult, PaidTotal: d.PaidTotal, PaidOnline: d.PaidOnline,
		Version: d.Version, CreatedAt: d.CreatedAt.In(loc), UpdatedAt: d.UpdatedAt.In(loc),
	}
	for _, doc := range d.Documents {
		out.Documents = append(out.Documents, documentDTO{Name: doc.Name, Copies: doc.Copies})
	}
	for _, e := range d.History {
		out.History = append(out.History, historyDTO{Action: string(e.Action), From: optional(string(e.From)),
			To: string(e.To), At: e.At.In(loc), By: e.By, Unit: e.Unit, Note: e.Note, Details: e.Details})
	}
	return out
}

// ---- handlers

func (h *dossierHandler) create(c *gin.Context) (answer, error) {
	var req createDossierRequest
	if err := decodeJSON(c, &req); err != nil {
		return answer{}, err
	}
	r, err := h.svc.Register(c.Request.Context(), principal(c), req.asDomain())
	if err != nil {
		return answer{}, err
	}
	out := registeredDTO{dossierDTO: dossierAsDTO(r.Dossier, h.loc, false), ProcedureName: r.ProcedureName,
		UnitName: r.UnitName, AgencyName: r.AgencyName, ReceivedByName: r.ReceivedByName, Fee: r.Fee}
	out.LookupPin = r.Pin
	out.LookupURL = dossier.LookupURL(h.publicURL, r.Code)
	return created(out), nil
}

// registeredDTO is the registration's answer: the dossier and what a
// client needs to print its own receipt.
type registeredDTO struct {
	dossierDTO
	ProcedureName  string `json:"procedure_name"`
	UnitName       string `json:"unit_name"`
	AgencyName     string `json:"agency_name"`
	ReceivedByName string `json:"received_by_name"`
	Fee            int64  `json:"fee"`
}

func (h *dossierHandler) get(c *gin.Context) (answer, error) {
	p := principal(c)
	d, err := h.svc.Get(c.Request.Context(), p, c.Param("code"))
	if err != nil {
		return answer{}, err
	}
	// Viewers read statistics, not cases: they see the applicant as lists
	// show it; the staff who handle dossiers see it whole.
	out := dossierAsDTO(d, h.loc, p.Role == user.RoleViewer)
	out.LookupURL = dossier.LookupURL(h.publicURL, d.Code)
	if h.dvcqg != nil {
		if out.DVCQGSync, err = h.dvcqg.syncState(c.Request.Context(), d); err != nil {
			return answer{}, err
		}
	}
	return ok(out), nil
}

func (h *dossierHandler) act(c *gin.Context) (answer, error) {
	var req actionRequest
	if err := decodeJSON(c, &req); err != nil {
		return answer{}, err
	}
	d, err := h.svc.Act(c.Request.Context(), principal(c), c.Param("code"), req.asDomain())
	if err != nil {
		return answer{}, err
	}
	return ok(dossierAsDTO(d, h.loc, false)), nil
}

func (h *dossierHandler) list(c *gin.Context) (answer, error) {
	page, size, err := pageParams(c)
	if err != nil {
		return answer{}, err
	}
	fe := domain.FieldErrors{}
	overdue := boolParam(c, "overdue", fe)
	onSpot := boolParam(c, "on_spot", fe)
	dueHours := intParam(c, "due_within_hours", fe)
	if err := fe.Err(); err != nil {
		return answer{}, err
	}
	f := dossier.Filter{Status: dossier.Status(c.Query("status")), AgencyCode: c.Query("agency_code"),
		UnitCode: c.Query("unit_code"), ProcedureCode: c.Query("procedure_code"), Channel: dossier.Channel(c.Query("channel")),
		ReceivedFrom: c.Query("received_from"), ReceivedTo: c.Query("received_to"), Overdue: overdue != nil && *overdue,
		OnSpot: onSpot, Q: c.Query("q"), DueWithinHours: dueHours, Page: domain.Page{Page: page, PageSize: size}, Cursor: c.Query("cursor")}
	items, total, err := h.svc.List(c.Request.Context(), principal(c), f)
	if err != nil {
		return answer{}, err
	}
	loc := h.loc
	out := mapItems(items, func(d dossier.Dossier) dossierDTO { return dossierAsDTO(d, loc, true) })
	return ok(newCursorList(items, out, page, size, total, func(d dossier.Dossier) string { return f.CursorAfter(d).String() })), nil
}
