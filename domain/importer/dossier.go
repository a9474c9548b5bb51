package importer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/dossier"
)

// dossierLine is one line of a dossier import: the fields of a registration
// (docs/domain.md) plus the code and the dossier's history as times.
type dossierLine struct {
	Code          string `json:"code"`
	ProcedureCode string `json:"procedure_code"`
	UnitCode      string `json:"unit_code"`
	// AgencyCode is the handling agency; the procedure's agency when absent.
	AgencyCode string `json:"agency_code"`
	Channel    string `json:"channel"`
	Status     string `json:"status"`
	OnSpot     bool   `json:"on_spot"`
	Applicant  struct {
		Name         string `json:"name"`
		IDNumber     string `json:"id_number"`
		Phone        string `json:"phone"`
		Email        string `json:"email"`
		Address      string `json:"address"`
		Organization string `json:"organization"`
	} `json:"applicant"`
	Documents []struct {
		Name   string `json:"name"`
		Copies *int   `json:"copies"`
	} `json:"documents"`
	Note          string  `json:"note"`
	SubmittedAt   *string `json:"submitted_at"`
	ReceivedAt    *string `json:"received_at"`
	DueAt         *string `json:"due_at"`
	AppointmentAt *string `json:"appointment_at"`
	ResolvedAt    *string `json:"resolved_at"`
	Outcome       string  `json:"outcome"`
	ReturnedAt    *string `json:"returned_at"`
	WithdrawnAt   *string `json:"withdrawn_at"`
	StoppedAt     *string `json:"stopped_at"`
	RejectedAt    *string `json:"rejected_at"`
	// Digitised, EResult and PaidOnline stand for the files and payments
	// the history had in the older system: the dossier counts in the
	// digitisation report as if it had a digitised component file since
	// its receipt, an electronic result since its resolution and a payment
	// made online at its receipt (docs/domain.md).
	Digitised  bool `json:"digitised"`
	EResult    bool `json:"e_result"`
	PaidOnline bool `json:"paid_online"`
}

// maxDossierCode is the longest dossier code kept (the column's width).
const maxDossierCode = 120

// dossierTimes are a line's parsed times; nil has not happened.
type dossierTimes struct {
	submitted, received, due, appointment, resolved, returned, withdrawn, stopped, rejected *time.Time
}

// named lists the times by field name, in lifecycle order.
func (t dossierTimes) named() []struct {
	field string
	at    *time.Time
} {
	return []struct {
		field string
		at    *time.Time
	}{
		{"submitted_at", t.submitted}, {"received_at", t.received}, {"due_at", t.due},
		{"appointment_at", t.appointment}, {"resolved_at", t.resolved}, {"returned_at", t.returned},
		{"withdrawn_at", t.withdrawn}, {"stopped_at", t.stopped}, {"rejected_at", t.rejected},
	}
}

// dossierRule is what a status implies of a dossier's times: those it
// needs and those it cannot have.
type dossierRule struct {
	need, forbid []string
	// online: only an online submission can be in this status.
	online bool
}

// dossierRules is the status ⇔ times table of an imported dossier. Every
// time not named is optional: submitted_at (the receipt time when absent),
// due_at (computed from the calendar when absent) and appointment_at
// (due_at when absent); withdrawn_at without received_at is an online
// submission withdrawn before it was accepted.
var dossierRules = map[dossier.Status]dossierRule{
	dossier.Submitted: {need: []string{"submitted_at"}, online: true,
		forbid: []string{"received_at", "due_at", "appointment_at", "resolved_at", "returned_at", "withdrawn_at", "stopped_at", "rejected_at"}},
	dossier.Rejected: {need: []string{"rejected_at"}, online: true,
		forbid: []string{"received_at", "due_at", "appointment_at", "resolved_at", "returned_at", "withdrawn_at", "stopped_at"}},
	dossier.Received:            inProgressRule,
	dossier.Processing:          inProgressRule,
	dossier.SupplementRequested: inProgressRule,
	dossier.AwaitingPayment:     inProgressRule,
	dossier.Resolved: {need: []string{"received_at", "resolved_at"},
		forbid: []string{"returned_at", "withdrawn_at", "stopped_at", "rejected_at"}},
	dossier.Returned: {need: []string{"received_at", "resolved_at", "returned_at"},
		forbid: []string{"withdrawn_at", "stopped_at", "rejected_at"}},
	dossier.Withdrawn: {need: []string{"withdrawn_at"},
		forbid: []string{"resolved_at", "returned_at", "stopped_at", "rejected_at"}},
	dossier.Stopped: {need: []string{"received_at", "stopped_at"},
		forbid: []string{"resolved_at", "returned_at", "withdrawn_at", "rejected_at"}},
}

var inProgressRule = dossierRule{need: []string{"received_at"},
	forbid: []string{"resolved_at", "returned_at", "withdrawn_at", "stopped_at", "rejected_at"}}

// dossier validates one dossier line and builds its record.
func (rn *run) dossier(ctx context.Context, n int64, line []byte) (DossierRecord, string, problems, error) {
	p := problems{}
	var in dossierLine
	if !decodeLine(line, &in, p) {
		return DossierRecord{}, "", p, nil
	}
	nd := dossier.NewDossier{ProcedureCode: in.ProcedureCode, Channel: dossier.Channel(in.Channel), OnSpot: in.OnSpot,
		Note: in.Note, Applicant: dossier.Applicant{Name: in.Applicant.Name, IDNumber: in.Applicant.IDNumber,
			Phone: in.Applicant.Phone, Email: in.Applicant.Email, Address: in.Applicant.Address,
			Organization: in.Applicant.Organization}}
	for _, d := range in.Documents {
		copies := 1
		if d.Copies != nil {
			copies = *d.Copies
		}
		nd.Documents = append(nd.Documents, dossier.Document{Name: d.Name, Copies: copies})
	}
	fe := domain.FieldErrors{}
	dossier.CheckNew(&nd, fe)
	p.merge(fe)
	checkCode(p, in.Code, maxDossierCode)

	// Units and procedure.
	switch {
	case in.UnitCode == "":
		p.add("unit_code", "bắt buộc")
	case !rn.tree.Has(in.UnitCode):
		p.add("unit_code", "đơn vị tiếp nhận không tồn tại")
	}
	if in.AgencyCode != "" && !rn.tree.Has(in.AgencyCode) {
		p.add("agency_code", "cơ quan giải quyết không tồn tại")
	}
	var proc catalog.Procedure
	known := false
	if nd.ProcedureCode != "" {
		var err error
		proc, known, err = rn.lookupProcedure(ctx, nd.ProcedureCode)
		if err != nil {
			return DossierRecord{}, "", nil, err
		}
		if !known {
			p.add("procedure_code", "thủ tục không tồn tại")
		}
	}
	if known && nd.OnSpot && !proc.OnSpotEligible {
		p.add("on_spot", "thủ tục không thuộc danh mục giải quyết tại chỗ")
	}

	// Status, outcome and times.
	status := dossier.Status(in.Status)
	rule, okStatus := dossierRules[status]
	if in.Status == "" {
		p.add("status", "bắt buộc")
	} else if !okStatus {
		p.add("status", "trạng thái không hợp lệ")
	}
	t := dossierTimes{
		submitted: parseTime(p, "submitted_at", in.SubmittedAt), received: parseTime(p, "received_at", in.ReceivedAt),
		due: parseTime(p, "due_at", in.DueAt), appointment: parseTime(p, "appointment_at", in.AppointmentAt),
		resolved: parseTime(p, "resolved_at", in.ResolvedAt), returned: parseTime(p, "returned_at", in.ReturnedAt),
		withdrawn: parseTime(p, "withdrawn_at", in.WithdrawnAt), stopped: parseTime(p, "stopped_at", in.StoppedAt),
		rejected: parseTime(p, "rejected_at", in.RejectedAt),
	}
	outcome := dossier.Outcome(in.Outcome)
	if okStatus {
		checkStatus(p, status, rule, t, nd.Channel, outcome)
	}
	order(p, "received_at", t.received, "submitted_at", t.submitted)
	order(p, "rejected_at", t.rejected, "submitted_at", t.submitted)
	order(p, "withdrawn_at", t.withdrawn, "submitted_at", t.submitted)
	order(p, "due_at", t.due, "received_at", t.received)
	order(p, "appointment_at", t.appointment, "received_at", t.received)
	order(p, "resolved_at", t.resolved, "received_at", t.received)
	order(p, "returned_at", t.returned, "resolved_at", t.resolved)
	order(p, "withdrawn_at", t.withdrawn, "received_at", t.received)
	order(p, "stopped_at", t.stopped, "received_at", t.received)
	for _, x := range t.named() {
		if x.field != "due_at" && x.field != "appointment_at" {
			past(p, x.field, x.at, rn.now)
		}
	}
	if len(p) > 0 {
		return DossierRecord{}, "", p, nil
	}
	return rn.dossierRecord(n, in, nd, proc, status, outcome, t), in.Code, nil, nil
}

// checkStatus records what the status table says is missing or too much,
// and the outcome a resolved dossier needs.
func checkStatus(p problems, status dossier.Status, rule dossierRule, t dossierTimes, ch dossier.Channel, outcome dossier.Outcome) {
	have := map[string]bool{}
	for _, x := range t.named() {
		have[x.field] = x.at != nil
	}
	for _, f := range rule.need {
		if !have[f] {
			p.add(f, "bắt buộc với trạng thái "+string(status))
		}
	}
	for _, f := range rule.forbid {
		if have[f] {
			p.add(f, "không được có với trạng thái "+string(status))
		}
	}
	if (rule.online || (status == dossier.Withdrawn && !have["received_at"])) && ch.Valid() && ch != dossier.Online {
		if rule.online {
			p.add("channel", "chỉ hồ sơ nộp trực tuyến mới có trạng thái "+string(status))
		} else {
			p.add("received_at", "bắt buộc với hồ sơ không nộp trực tuyến")
		}
	}
	if !have["received_at"] {
		for _, f := range []string{"due_at", "appointment_at"} {
			if have[f] {
				p.add(f, "chỉ có khi hồ sơ đã được tiếp nhận (received_at)")
			}
		}
	}
	resolved := status == dossier.Resolved || status == dossier.Returned
	switch {
	case resolved && outcome == "":
		p.add("outcome", "bắt buộc với trạng thái "+string(status))
	case resolved && !outcome.Valid():
		p.add("outcome", "phải là approved hoặc denied")
	case !resolved && outcome != "":
		p.add("outcome", "chỉ có khi hồ sơ đã giải quyết (resolved, returned)")
	}
}

// dossierRecord builds the dossier of a good line and its history: one
// entry per known time, by ImportedBy, each from the status the previous
// one reached.
func (rn *run) dossierRecord(n int64, in dossierLine, nd dossier.NewDossier, proc catalog.Procedure, status dossier.Status,
	outcome dossier.Outcome, t dossierTimes) DossierRecord {
	agency := in.AgencyCode
	if agency == "" {
		agency = proc.AgencyCode
	}
	d := dossier.Dossier{
		Code: in.Code, ProcedureCode: proc.Code, UnitCode: in.UnitCode, AgencyCode: agency, HolderUnit: agency,
		Channel: nd.Channel, OnSpot: nd.OnSpot, Status: status, Applicant: nd.Applicant,
		ApplicantIDHash: rn.s.hashID(nd.Applicant.IDNumber), Documents: nd.Documents, Note: nd.Note,
		PinHash: unusablePinHash(), ProcessingTime: proc.ProcessingTime, Outcome: outcome,
		ResolvedAt: t.resolved, ReturnedAt: t.returned, WithdrawnAt: t.withdrawn, StoppedAt: t.stopped,
		RejectedAt: t.rejected, Version: 1, CreatedAt: rn.now, UpdatedAt: rn.now,
	}
	switch {
	case t.submitted != nil:
		d.SubmittedAt = *t.submitted
	case t.received != nil:
		d.SubmittedAt = *t.received
	case t.rejected != nil:
		d.SubmittedAt = *t.rejected
	case t.withdrawn != nil:
		d.SubmittedAt = *t.withdrawn
	}
	if t.received != nil {
		due := t.due
		if due == nil {
			v := rn.cal.DueAt(*t.received, proc.ProcessingTime).UTC().Truncate(time.Microsecond)
			due = &v
		}
		appt := t.appointment
		if appt == nil {
			appt = due
		}
		d.ReceivedAt, d.DueAt, d.AppointmentAt = t.received, due, appt
	}
	if t.resolved != nil {
		d.Timeliness = dossier.Classify(*t.resolved, *d.DueAt, rn.loc)
	}
	importedFlags(&d, in)

	// History: one entry per known time.
	var h []dossier.Entry
	last := dossier.Status("")
	add := func(a dossier.Action, to dossier.Status, at time.Time, unit string, details map[string]any) {
		h = append(h, dossier.Entry{Action: a, From: last, To: to, At: at, By: ImportedBy, Unit: unit, Details: details})
		last = to
	}
	first := map[string]any{"channel": string(d.Channel), "imported": true}
	if d.OnSpot {
		first["on_spot"] = true
	}
	dueDetails := func() map[string]any {
		return map[string]any{"due_at": d.DueAt.In(rn.loc).Format(time.RFC3339)}
	}
	if d.Channel == dossier.Online {
		add(dossier.ActSubmit, dossier.Submitted, d.SubmittedAt, d.UnitCode, first)
		if d.ReceivedAt != nil {
			add(dossier.ActAccept, dossier.Received, *d.ReceivedAt, d.UnitCode, dueDetails())
		}
	} else {
		for k, v := range dueDetails() {
			first[k] = v
		}
		add(dossier.ActReceive, dossier.Received, *d.ReceivedAt, d.UnitCode, first)
	}
	if d.RejectedAt != nil {
		add(dossier.ActReject, dossier.Rejected, *d.RejectedAt, d.UnitCode, nil)
	}
	if d.ResolvedAt != nil {
		add(dossier.ActResolve, dossier.Resolved, *d.ResolvedAt, d.AgencyCode,
			map[string]any{"outcome": string(d.Outcome), "timeliness": string(d.Timeliness)})
	}
	if d.ReturnedAt != nil {
		add(dossier.ActReturn, dossier.Returned, *d.ReturnedAt, d.UnitCode, nil)
	}
	if d.WithdrawnAt != nil {
		add(dossier.ActWithdraw, dossier.Withdrawn, *d.WithdrawnAt, d.UnitCode, nil)
	}
	if d.StoppedAt != nil {
		add(dossier.ActStop, dossier.Stopped, *d.StoppedAt, d.AgencyCode, nil)
	}
	return DossierRecord{Line: n, Dossier: d, History: h}
}

// importedFlags sets the digitisation facts a line's flags stand for: a
// digitised component file at receipt (submission when never received),
// an electronic result at resolution (receipt, or submission, when not
// resolved), a payment made online, and so a financial obligation, at
// receipt (or submission).
func importedFlags(d *dossier.Dossier, in dossierLine) {
	at := func(ts ...*time.Time) *time.Time {
		for _, t := range ts {
			if t != nil {
				v := *t
				return &v
			}
		}
		v := d.SubmittedAt
		return &v
	}
	if in.Digitised {
		d.Digitised, d.DigitisedAt = true, at(d.ReceivedAt)
		d.ComponentFileAt = d.DigitisedAt
	}
	if in.EResult {
		d.EResult, d.EResultAt = true, at(d.ResolvedAt, d.ReceivedAt)
	}
	if in.PaidOnline {
		d.PaidOnline, d.PaidOnlineAt = true, at(d.ReceivedAt)
		d.PayableAt = d.PaidOnlineAt
	}
}

// unusablePinHash is the pin hash of an imported dossier: 32 random bytes,
// which no 6-digit pin hashes to, so that citizens look an imported dossier
// up by the applicant's ID number only (its pin was never handed out by
// this system).
func unusablePinHash() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}
