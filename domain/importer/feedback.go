package importer

import (
	"context"
	"time"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/feedback"
)

// feedbackLine is one line of a feedback import: the fields of docs/domain.md plus
// its times, the answer and, optionally, the refusal reason and the unit
// that recorded it.
type feedbackLine struct {
	Code     string `json:"code"`
	Channel  string `json:"channel"`
	Category string `json:"category"`
	Title    string `json:"title"`
	Content  string `json:"content"`
	Sender   struct {
		Name    string `json:"name"`
		Phone   string `json:"phone"`
		Email   string `json:"email"`
		Address string `json:"address"`
	} `json:"sender"`
	DossierCode   string `json:"dossier_code"`
	AgencyCode    string `json:"agency_code"`
	ProcedureCode string `json:"procedure_code"`
	// UnitCode is the unit that recorded the item (its scope); none for an
	// item a citizen sent.
	UnitCode      string  `json:"unit_code"`
	Status        string  `json:"status"`
	Published     *bool   `json:"published"`
	Answer        string  `json:"answer"`
	RefusalReason string  `json:"refusal_reason"`
	ReceivedAt    *string `json:"received_at"`
	DueAt         *string `json:"due_at"`
	AnsweredAt    *string `json:"answered_at"`
	RefusedAt     *string `json:"refused_at"`
	PublishedAt   *string `json:"published_at"`
}

// maxFeedbackCode is the longest feedback code kept.
const maxFeedbackCode = 120

// feedback validates one feedback line and builds its record. The status
// table: received and processing have no answer, refusal or publication
// (processing needs the assigned agency_code); answered needs answered_at
// and the answer; refused needs refused_at; only an answered item is
// published, with published_at. due_at (15 working days) is computed from
// the calendar when absent; the refusal due time (2 working days) always is.
func (rn *run) feedback(ctx context.Context, n int64, line []byte) (FeedbackRecord, string, problems, error) {
	p := problems{}
	var in feedbackLine
	if !decodeLine(line, &in, p) {
		return FeedbackRecord{}, "", p, nil
	}
	nf := feedback.NewFeedback{Channel: feedback.Channel(in.Channel), Category: feedback.Category(in.Category),
		Title: in.Title, Content: in.Content, Sender: feedback.Sender{Name: in.Sender.Name, Phone: in.Sender.Phone,
			Email: in.Sender.Email, Address: in.Sender.Address},
		DossierCode: in.DossierCode, AgencyCode: in.AgencyCode, ProcedureCode: in.ProcedureCode}
	fe := domain.FieldErrors{}
	feedback.CheckNew(&nf, fe)
	p.merge(fe)
	checkCode(p, in.Code, maxFeedbackCode)
	if nf.AgencyCode != "" && fe["agency_code"] == "" && !rn.tree.Has(nf.AgencyCode) {
		p.add("agency_code", "không tồn tại")
	}
	if in.UnitCode != "" && !rn.tree.Has(in.UnitCode) {
		p.add("unit_code", "không tồn tại")
	}
	if nf.ProcedureCode != "" && fe["procedure_code"] == "" {
		_, known, err := rn.lookupProcedure(ctx, nf.ProcedureCode)
		if err != nil {
			return FeedbackRecord{}, "", nil, err
		}
		if !known {
			p.add("procedure_code", "không tồn tại")
		}
	}
	catalog.CheckText(fe, "answer", in.Answer, false, catalog.MaxTextLen)
	catalog.CheckText(fe, "refusal_reason", in.RefusalReason, false, catalog.MaxTextLen)
	p.merge(fe)

	received := parseTime(p, "received_at", in.ReceivedAt)
	due := parseTime(p, "due_at", in.DueAt)
	answered := parseTime(p, "answered_at", in.AnsweredAt)
	refused := parseTime(p, "refused_at", in.RefusedAt)
	publishedAt := parseTime(p, "published_at", in.PublishedAt)
	if received == nil && p["received_at"] == "" {
		p.add("received_at", "bắt buộc")
	}
	published := publishedAt != nil
	if in.Published != nil {
		switch {
		case *in.Published && publishedAt == nil && p["published_at"] == "":
			p.add("published_at", "bắt buộc khi published là true")
		case !*in.Published && publishedAt != nil:
			p.add("published", "phải là true khi có published_at")
		}
		published = published || *in.Published
	}
	status := feedback.Status(in.Status)
	switch {
	case in.Status == "":
		p.add("status", "bắt buộc")
	case !status.Valid():
		p.add("status", "phải là received, processing, answered hoặc refused")
	default:
		st := "với trạng thái " + in.Status
		if status != feedback.StatusAnswered {
			if answered != nil {
				p.add("answered_at", "không được có "+st)
			}
			if in.Answer != "" {
				p.add("answer", "không được có "+st)
			}
			if published {
				p.add("published", "chỉ câu trả lời (trạng thái answered) mới được công khai")
			}
		}
		if status != feedback.StatusRefused {
			if refused != nil {
				p.add("refused_at", "không được có "+st)
			}
			if in.RefusalReason != "" {
				p.add("refusal_reason", "không được có "+st)
			}
		}
		switch status {
		case feedback.StatusProcessing:
			if nf.AgencyCode == "" {
				p.add("agency_code", "bắt buộc "+st+" (cơ quan được giao xử lý)")
			}
		case feedback.StatusAnswered:
			if answered == nil && p["answered_at"] == "" {
				p.add("answered_at", "bắt buộc "+st)
			}
			if in.Answer == "" {
				p.add("answer", "bắt buộc "+st)
			}
		case feedback.StatusRefused:
			if refused == nil && p["refused_at"] == "" {
				p.add("refused_at", "bắt buộc "+st)
			}
		}
	}
	order(p, "due_at", due, "received_at", received)
	order(p, "answered_at", answered, "received_at", received)
	order(p, "refused_at", refused, "received_at", received)
	order(p, "published_at", publishedAt, "answered_at", answered)
	for _, x := range []struct {
		f string
		t *time.Time
	}{{"received_at", received}, {"answered_at", answered}, {"refused_at", refused}, {"published_at", publishedAt}} {
		past(p, x.f, x.t, rn.now)
	}
	if len(p) > 0 {
		return FeedbackRecord{}, "", p, nil
	}

	f := feedback.Feedback{
		Code: in.Code, Channel: nf.Channel, Category: nf.Category, Title: nf.Title, Content: nf.Content, Sender: nf.Sender,
		DossierCode: nf.DossierCode, AgencyCode: nf.AgencyCode, ProcedureCode: nf.ProcedureCode, RecordedUnit: in.UnitCode,
		Status: status, Published: published, Answer: in.Answer, RefusalReason: in.RefusalReason,
		ReceivedAt: *received, RefuseDueAt: rn.cal.DueAt(*received, feedback.RefuseTime).UTC().Truncate(time.Microsecond),
		AnsweredAt: answered, RefusedAt: refused, PublishedAt: publishedAt,
		Version: 1, CreatedAt: rn.now, UpdatedAt: rn.now,
	}
	if due != nil {
		f.DueAt = *due
	} else {
		f.DueAt = rn.cal.DueAt(*received, feedback.AnswerTime).UTC().Truncate(time.Microsecond)
	}
	action := feedback.ActionSubmit
	if in.UnitCode != "" {
		action = feedback.ActionReceive
	}
	h := []feedback.Entry{{Action: action, To: feedback.StatusReceived, At: f.ReceivedAt, By: ImportedBy, Unit: in.UnitCode}}
	last := feedback.StatusReceived
	if answered != nil {
		h = append(h, feedback.Entry{Action: feedback.ActionAnswer, From: last, To: feedback.StatusAnswered, At: *answered,
			By: ImportedBy, Unit: f.AgencyCode})
		last = feedback.StatusAnswered
	}
	if refused != nil {
		h = append(h, feedback.Entry{Action: feedback.ActionRefuse, From: last, To: feedback.StatusRefused, At: *refused,
			By: ImportedBy, Unit: f.AgencyCode, Note: f.RefusalReason})
	}
	if publishedAt != nil {
		h = append(h, feedback.Entry{Action: feedback.ActionPublish, From: feedback.StatusAnswered, To: feedback.StatusAnswered,
			At: *publishedAt, By: ImportedBy, Unit: f.AgencyCode})
	}
	return FeedbackRecord{Line: n, Feedback: f, History: h}, in.Code, nil, nil
}
