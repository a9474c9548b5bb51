package api

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/feedback"
	"github.com/motcua/motcua/domain/worktime"
)

// feedbackHandler serves staff's feedback endpoints (docs/domain.md).
type feedbackHandler struct {
	svc FeedbackService
	env
}

type feedbackSenderDTO struct {
	Name    *string `json:"name"`
	Phone   *string `json:"phone"`
	Email   *string `json:"email"`
	Address *string `json:"address"`
}

type feedbackEntryDTO struct {
	Action string    `json:"action"`
	From   *string   `json:"from"`
	To     string    `json:"to"`
	At     time.Time `json:"at"`
	By     *string   `json:"by"`
	Unit   *string   `json:"unit"`
	Note   *string   `json:"note"`
}

type feedbackDTO struct {
	Code          string             `json:"code"`
	Channel       string             `json:"channel"`
	Category      string             `json:"category"`
	Title         string             `json:"title"`
	Content       string             `json:"content"`
	Sender        *feedbackSenderDTO `json:"sender"`
	DossierCode   *string            `json:"dossier_code"`
	AgencyCode    *string            `json:"agency_code"`
	ProcedureCode *string            `json:"procedure_code"`
	RecordedUnit  *string            `json:"recorded_unit"`
	Notify        []string           `json:"notify"`
	Status        string             `json:"status"`
	Published     bool               `json:"published"`
	Answer        *string            `json:"answer"`
	RefusalReason *string            `json:"refusal_reason"`
	ReceivedAt    time.Time          `json:"received_at"`
	DueAt         time.Time          `json:"due_at"`
	RefuseDueAt   time.Time          `json:"refuse_due_at"`
	AnsweredAt    *time.Time         `json:"answered_at"`
	RefusedAt     *time.Time         `json:"refused_at"`
	PublishedAt   *time.Time         `json:"published_at"`
	Overdue       bool               `json:"overdue"`
	Version       int                `json:"version"`
	History       []feedbackEntryDTO `json:"history,omitempty"`
	// LookupPin is shown once, in the answer that created the item.
	LookupPin string `json:"lookup_pin,omitempty"`
}

func toFeedbackDTO(f feedback.Feedback, loc *time.Location, now time.Time) feedbackDTO {
	out := feedbackDTO{Code: f.Code, Channel: string(f.Channel), Category: string(f.Category), Title: f.Title, Content: f.Content,
		DossierCode: optional(f.DossierCode), AgencyCode: optional(f.AgencyCode), ProcedureCode: optional(f.ProcedureCode),
		RecordedUnit: optional(f.RecordedUnit), Notify: notifyDTO(f.Notify), Status: string(f.Status), Published: f.Published,
		Answer: optional(f.Answer), RefusalReason: optional(f.RefusalReason),
		ReceivedAt: f.ReceivedAt.In(loc), DueAt: f.DueAt.In(loc), RefuseDueAt: f.RefuseDueAt.In(loc),
		AnsweredAt: inLoc(f.AnsweredAt, loc), RefusedAt: inLoc(f.RefusedAt, loc), PublishedAt: inLoc(f.PublishedAt, loc),
		Overdue: f.Overdue(now), Version: f.Version}
	if !f.Sender.Empty() {
		out.Sender = &feedbackSenderDTO{Name: optional(f.Sender.Name), Phone: optional(f.Sender.Phone),
			Email: optional(f.Sender.Email), Address: optional(f.Sender.Address)}
	}
	for _, e := range f.History {
		out.History = append(out.History, feedbackEntryDTO{Action: string(e.Action), From: optional(string(e.From)), To: string(e.To),
			At: e.At.In(loc), By: optional(e.By), Unit: optional(e.Unit), Note: optional(e.Note)})
	}
	return out
}

type feedbackSenderRequest struct {
	Name    string `json:"name"`
	Phone   string `json:"phone"`
	Email   string `json:"email"`
	Address string `json:"address"`
}

type createFeedbackRequest struct {
	Channel       string                 `json:"channel"`
	Category      string                 `json:"category"`
	Title         string                 `json:"title"`
	Content       string                 `json:"content"`
	Sender        *feedbackSenderRequest `json:"sender"`
	DossierCode   string                 `json:"dossier_code"`
	AgencyCode    string                 `json:"agency_code"`
	ProcedureCode string                 `json:"procedure_code"`
	Notify        []string               `json:"notify"`
}

func (r createFeedbackRequest) asDomain() feedback.NewFeedback {
	n := feedback.NewFeedback{Channel: feedback.Channel(r.Channel), Category: feedback.Category(r.Category), Title: r.Title,
		Content: r.Content, DossierCode: r.DossierCode, AgencyCode: r.AgencyCode, ProcedureCode: r.ProcedureCode, Notify: r.Notify}
	if r.Sender != nil {
		n.Sender = feedback.Sender{Name: r.Sender.Name, Phone: r.Sender.Phone, Email: r.Sender.Email, Address: r.Sender.Address}
	}
	return n
}

type feedbackActionRequest struct {
	Action     string `json:"action"`
	AgencyCode string `json:"agency_code"`
	Answer     string `json:"answer"`
	Reason     string `json:"reason"`
	Note       string `json:"note"`
	Version    int    `json:"version"`
	// publish: the texts to publish instead of the item's own.
	PublicTitle   *string `json:"public_title"`
	PublicContent *string `json:"public_content"`
	PublicAnswer  *string `json:"public_answer"`
}

// publicPreviewDTO is what publishing an item would show.
type publicPreviewDTO struct {
	Title      string `json:"title"`
	Content    string `json:"content"`
	Answer     string `json:"answer"`
	Redactions int    `json:"redactions"`
}

func (h *feedbackHandler) publicPreview(c *gin.Context) (answer, error) {
	p, err := h.svc.PublicPreview(c.Request.Context(), principal(c), c.Param("code"))
	if err != nil {
		return answer{}, err
	}
	return ok(publicPreviewDTO{Title: p.Title, Content: p.Content, Answer: p.Answer, Redactions: p.Redactions}), nil
}

func (h *feedbackHandler) create(c *gin.Context) (answer, error) {
	var req createFeedbackRequest
	if err := decodeJSON(c, &req); err != nil {
		return answer{}, err
	}
	f, pin, err := h.svc.Record(c.Request.Context(), principal(c), req.asDomain())
	if err != nil {
		return answer{}, err
	}
	out := toFeedbackDTO(f, h.loc, h.now())
	out.LookupPin = pin
	return created(out), nil
}

func (h *feedbackHandler) list(c *gin.Context) (answer, error) {
	page, size, err := pageParams(c)
	if err != nil {
		return answer{}, err
	}
	fe := domain.FieldErrors{}
	f := feedback.Filter{Status: feedback.Status(c.Query("status")), Channel: feedback.Channel(c.Query("channel")),
		Category: feedback.Category(c.Query("category")), AgencyCode: c.Query("agency_code"), DossierCode: c.Query("dossier_code"),
		Page: domain.Page{Page: page, PageSize: size}, Cursor: c.Query("cursor")}
	if o := boolParam(c, "overdue", fe); o != nil {
		f.Overdue = *o
	}
	f.ReceivedFrom = fbDateParam(c, "received_from", fe)
	f.ReceivedTo = fbDateParam(c, "received_to", fe)
	f.DueWithin = intParam(c, "due_within", fe)
	f.DueWithinHours = intParam(c, "due_within_hours", fe)
	if err := fe.Err(); err != nil {
		return answer{}, err
	}
	items, total, err := h.svc.List(c.Request.Context(), principal(c), f)
	if err != nil {
		return answer{}, err
	}
	loc, now := h.loc, h.now()
	out := mapItems(items, func(it feedback.Feedback) feedbackDTO { return toFeedbackDTO(it, loc, now) })
	return ok(newCursorList(items, out, page, size, total, func(it feedback.Feedback) string { return f.CursorAfter(it).String() })), nil
}

// fbDateParam parses an optional YYYY-MM-DD query parameter.
func fbDateParam(c *gin.Context, name string, fe domain.FieldErrors) worktime.Date {
	v := c.Query(name)
	if v == "" {
		return worktime.Date{}
	}
	d, err := worktime.ParseDate(v)
	if err != nil {
		fe.Add(name, "phải là ngày dạng YYYY-MM-DD")
		return worktime.Date{}
	}
	return d
}

func (h *feedbackHandler) get(c *gin.Context) (answer, error) {
	f, err := h.svc.Get(c.Request.Context(), principal(c), c.Param("code"))
	if err != nil {
		return answer{}, err
	}
	return ok(toFeedbackDTO(f, h.loc, h.now())), nil
}

func (h *feedbackHandler) act(c *gin.Context) (answer, error) {
	var req feedbackActionRequest
	if err := decodeJSON(c, &req); err != nil {
		return answer{}, err
	}
	f, err := h.svc.Act(c.Request.Context(), principal(c), c.Param("code"), feedback.ActionInput{
		Action: feedback.Action(req.Action), AgencyCode: req.AgencyCode, Answer: req.Answer, Reason: req.Reason,
		Note: req.Note, Version: req.Version, PublicTitle: req.PublicTitle, PublicContent: req.PublicContent,
		PublicAnswer: req.PublicAnswer})
	if err != nil {
		return answer{}, err
	}
	return ok(toFeedbackDTO(f, h.loc, h.now())), nil
}
