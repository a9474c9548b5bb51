package papers

import (
	"context"

	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/user"
)

// ControlSlip renders form 05 of a received dossier: a row per hand-over
// of its history, each judged against the dossier's due time (procedures
// here define no steps of their own), then the result and its timeliness.
// Every staff role may print it; KindInvalidTransition before reception.
func (s *Service) ControlSlip(ctx context.Context, by user.Principal, code string) (File, error) {
	p, err := s.load(ctx, by, code, slipRoles)
	if err != nil {
		return File{}, err
	}
	d := p.d
	if d.ReceivedAt == nil || d.Status == dossier.Submitted || d.Status == dossier.Rejected {
		return File{}, wrongState("Hồ sơ chưa được tiếp nhận: chưa có phiếu kiểm soát")
	}
	h, err := s.heading(ctx, KindControlSlip, d.UnitCode, d.Code, began(d), *d.ReceivedAt, p.tree, p)
	if err != nil {
		return File{}, err
	}
	r := ControlSlip{Heading: h, ApplicantName: d.Applicant.Name, ProcedureName: p.proc.Name,
		ReceivedAt: LongTime(d.ReceivedAt, p.loc), DueAt: LongTime(d.DueAt, p.loc)}
	if r.AgencyName, err = s.agencyName(ctx, p, d.AgencyCode); err != nil {
		return File{}, err
	}
	for _, e := range d.History {
		st, ok, err := s.step(ctx, p, e)
		if err != nil {
			return File{}, err
		}
		if ok {
			r.Steps = append(r.Steps, st)
		}
	}
	r.FinalResult, r.FinalTimeliness = final(d)
	data, err := s.render.ControlSlip(r)
	return File{Name: h.Form.FileName(d.Code, "pdf"), Data: data}, err
}

// handOvers names the actions that pass the dossier from one party to
// another; the others (payments, reschedules, ends) are no hand-over.
var handOvers = map[dossier.Action]string{
	dossier.ActReceive:           "Tiếp nhận hồ sơ",
	dossier.ActAccept:            "Tiếp nhận hồ sơ trực tuyến",
	dossier.ActStart:             "Chuyển xử lý",
	dossier.ActTransfer:          "Chuyển đơn vị xử lý",
	dossier.ActRequestSupplement: "Yêu cầu bổ sung hồ sơ",
	dossier.ActSupplement:        "Đã bổ sung hồ sơ",
	dossier.ActResolve:           "Có kết quả giải quyết",
	dossier.ActReturn:            "Đã trả kết quả",
}

// step is the hand-over of e: who gave, who took, when and how it kept to
// the due time; false when e is no hand-over.
func (s *Service) step(ctx context.Context, p *paper, e dossier.Entry) (Step, bool, error) {
	label, ok := handOvers[e.Action]
	if !ok {
		return Step{}, false, nil
	}
	d := p.d
	actor, err := s.party(ctx, p, e.By, e.Unit)
	if err != nil {
		return Step{}, false, err
	}
	applicant := "Người nộp hồ sơ: " + d.Applicant.Name
	st := Step{Action: label, At: LongTime(&e.At, p.loc)}
	switch e.Action {
	case dossier.ActReceive, dossier.ActAccept, dossier.ActSupplement:
		st.Giver, st.Receiver = applicant, actor
	case dossier.ActStart:
		st.Giver = actor
		if st.Receiver, err = s.party(ctx, p, detail(e, "assignee"), d.AgencyCode); err != nil {
			return Step{}, false, err
		}
	case dossier.ActTransfer:
		if st.Giver, err = s.party(ctx, p, e.By, detail(e, "from_unit")); err != nil {
			return Step{}, false, err
		}
		if st.Receiver, err = s.party(ctx, p, detail(e, "assignee"), detail(e, "to_unit")); err != nil {
			return Step{}, false, err
		}
	case dossier.ActRequestSupplement, dossier.ActReturn:
		st.Giver, st.Receiver = actor, applicant
	case dossier.ActResolve:
		st.Giver = actor
		if st.Receiver, err = s.party(ctx, p, "", d.UnitCode); err != nil {
			return Step{}, false, err
		}
	}
	if d.DueAt != nil {
		st.Result = Timeliness(dossier.Classify(e.At, *d.DueAt, p.loc))
	}
	return st, true, nil
}

// party names a person and their unit: "Nguyễn Văn B (Sở Tư pháp)", the
// unit alone without a person, the person alone without a unit.
func (s *Service) party(ctx context.Context, p *paper, username, unit string) (string, error) {
	name, err := s.person(ctx, p, username)
	if err != nil {
		return "", err
	}
	u, err := s.agencyName(ctx, p, unit)
	if err != nil {
		return "", err
	}
	switch {
	case name == "":
		return u, nil
	case u == "":
		return name, nil
	}
	return name + " (" + u + ")", nil
}

// final is the result of the dossier and its timeliness, as far as it got.
func final(d dossier.Dossier) (result, timeliness string) {
	switch d.Status {
	case dossier.Resolved, dossier.Returned:
		result = "Đã có kết quả giải quyết"
		switch d.Outcome {
		case dossier.Approved:
			result += ": chấp thuận"
		case dossier.Denied:
			result += ": không chấp thuận (có văn bản nêu lý do)"
		}
		if d.Status == dossier.Returned {
			result += "; đã trả kết quả"
		}
		timeliness = Timeliness(d.Timeliness)
	case dossier.Withdrawn:
		result = "Người nộp đã rút hồ sơ"
	case dossier.Stopped:
		result = "Dừng giải quyết"
	default:
		result = "Đang giải quyết"
	}
	if timeliness == "" {
		timeliness = "Chưa có kết quả"
		if d.Status == dossier.Withdrawn || d.Status == dossier.Stopped {
			timeliness = "Không đánh giá"
		}
	}
	return result, timeliness
}
