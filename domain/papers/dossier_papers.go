package papers

import (
	"context"

	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/user"
)

// The papers of one dossier: forms 01 to 05.

// Receipt renders form 01 of a dossier received (or later, but not
// rejected). pin, when given, must be the dossier's PIN and is printed in
// its field; a wrong one is KindValidation and says nothing more. Returns
// ErrForbidden for viewers, KindNotFound outside the caller's scope and
// KindInvalidTransition before reception.
func (s *Service) Receipt(ctx context.Context, by user.Principal, code, pin string) (File, error) {
	p, err := s.load(ctx, by, code, staffRoles)
	if err != nil {
		return File{}, err
	}
	d := p.d
	if d.ReceivedAt == nil || d.Status == dossier.Submitted || d.Status == dossier.Rejected {
		return File{}, wrongState("Hồ sơ chưa được tiếp nhận: chưa có giấy tiếp nhận")
	}
	if pin != "" && !s.dossiers.PinMatches(d, pin) {
		return File{}, errPin
	}
	h, err := s.heading(ctx, KindReceipt, d.UnitCode, d.Code, began(d), *d.ReceivedAt, p.tree, p)
	if err != nil {
		return File{}, err
	}
	r := Receipt{Heading: h, ApplicantName: d.Applicant.Name, IDNumber: d.Applicant.IDNumber, Phone: d.Applicant.Phone,
		Address: d.Applicant.Address, ProcedureName: p.proc.Name, ProcedureCode: p.proc.Code,
		ReceivedAt: LongTime(d.ReceivedAt, p.loc), AppointmentAt: LongTime(d.AppointmentAt, p.loc),
		CollectAt: h.Unit, Fee: Money(p.proc.Fee), Pin: pin}
	for _, doc := range d.Documents {
		r.Documents = append(r.Documents, Document{Name: doc.Name, Copies: doc.Copies})
	}
	clerk := ""
	if e, ok := receivedBy(d); ok {
		clerk = e.By
	}
	if r.ClerkName, err = s.person(ctx, p, clerk); err != nil {
		return File{}, err
	}
	data, err := s.render.Receipt(r)
	return File{Name: h.Form.FileName(d.Code, "pdf"), Data: data}, err
}

// receivedBy is the entry that received d: its registration at the
// counter, or the acceptance of an online submission.
func receivedBy(d dossier.Dossier) (dossier.Entry, bool) {
	if e, ok := latest(d, dossier.ActAccept); ok {
		return e, true
	}
	return latest(d, dossier.ActReceive)
}

// SupplementRequest renders form 02 from the latest supplement request of
// the dossier (KindInvalidTransition when it never had one).
func (s *Service) SupplementRequest(ctx context.Context, by user.Principal, code string) (File, error) {
	p, err := s.load(ctx, by, code, staffRoles)
	if err != nil {
		return File{}, err
	}
	d := p.d
	e, ok := latest(d, dossier.ActRequestSupplement)
	if !ok {
		return File{}, wrongState("Hồ sơ chưa có yêu cầu bổ sung")
	}
	unit := e.Unit
	if unit == "" {
		unit = d.UnitCode
	}
	h, err := s.heading(ctx, KindSupplementRequest, unit, d.Code, began(d), e.At, p.tree, p)
	if err != nil {
		return File{}, err
	}
	r := SupplementRequest{Heading: h, ApplicantName: d.Applicant.Name, ProcedureName: p.proc.Name,
		ReceivedAt: LongTime(d.ReceivedAt, p.loc), Items: details(e, "items"), Reason: detail(e, "reason"),
		RequestedUnit: h.Unit, RequestedAt: LongTime(&e.At, p.loc)}
	if r.RequestedBy, err = s.person(ctx, p, e.By); err != nil {
		return File{}, err
	}
	data, err := s.render.SupplementRequest(r)
	return File{Name: h.Form.FileName(d.Code, "pdf"), Data: data}, err
}

// Refusal renders form 03 of a rejected dossier (KindInvalidTransition in
// any other state; ErrForbidden for officers and viewers).
func (s *Service) Refusal(ctx context.Context, by user.Principal, code string) (File, error) {
	p, err := s.load(ctx, by, code, counterRoles)
	if err != nil {
		return File{}, err
	}
	d := p.d
	e, ok := latest(d, dossier.ActReject)
	if d.Status != dossier.Rejected || !ok {
		return File{}, wrongState("Hồ sơ không bị từ chối tiếp nhận")
	}
	h, err := s.heading(ctx, KindRefusal, d.UnitCode, d.Code, began(d), e.At, p.tree, p)
	if err != nil {
		return File{}, err
	}
	r := Refusal{Heading: h, ApplicantName: d.Applicant.Name, ProcedureName: p.proc.Name,
		SubmittedAt: LongTime(&d.SubmittedAt, p.loc), Reason: detail(e, "reason"), RefusedAt: LongTime(&e.At, p.loc)}
	if r.RefusedBy, err = s.person(ctx, p, e.By); err != nil {
		return File{}, err
	}
	data, err := s.render.Refusal(r)
	return File{Name: h.Form.FileName(d.Code, "pdf"), Data: data}, err
}

// Apology renders form 04 from the latest reschedule of the dossier
// (KindInvalidTransition when it never had one; ErrForbidden for officers
// and viewers). The signing unit is the unit that rescheduled.
func (s *Service) Apology(ctx context.Context, by user.Principal, code string) (File, error) {
	p, err := s.load(ctx, by, code, counterRoles)
	if err != nil {
		return File{}, err
	}
	d := p.d
	e, ok := latest(d, dossier.ActReschedule)
	if !ok {
		return File{}, wrongState("Hồ sơ chưa được hẹn lại ngày trả kết quả")
	}
	unit := e.Unit
	if unit == "" {
		unit = d.AgencyCode
	}
	h, err := s.heading(ctx, KindApology, unit, d.Code, began(d), e.At, p.tree, p)
	if err != nil {
		return File{}, err
	}
	r := Apology{Heading: h, ApplicantName: d.Applicant.Name, ProcedureName: p.proc.Name,
		ReceivedAt: LongTime(d.ReceivedAt, p.loc), DueAt: LongTime(d.DueAt, p.loc),
		PreviousAppointment: LongTime(parseDetailTime(e, "previous_appointment_at"), p.loc),
		NewAppointment:      LongTime(parseDetailTime(e, "new_due_at"), p.loc), Reason: detail(e, "reason"),
		SigningUnit: h.Unit}
	if r.SignedBy, err = s.person(ctx, p, e.By); err != nil {
		return File{}, err
	}
	data, err := s.render.Apology(r)
	return File{Name: h.Form.FileName(d.Code, "pdf"), Data: data}, err
}
