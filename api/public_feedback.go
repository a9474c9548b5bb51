package api

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/feedback"
)

// publicFeedbackHandler serves citizens' feedback endpoints (docs/openapi.yaml): no
// login, rate-limited by the public group. No answer carries sender data.
type publicFeedbackHandler struct {
	svc FeedbackService
	env
}

type submitFeedbackRequest struct {
	createFeedbackRequest
	// DossierPin is the dossier's lookup PIN; a dossier link needs it.
	DossierPin string `json:"dossier_pin"`
}

// submittedFeedbackDTO answers a citizen's submission: the code and the
// one-time lookup PIN.
type submittedFeedbackDTO struct {
	Code       string    `json:"code"`
	LookupPin  string    `json:"lookup_pin"`
	Status     string    `json:"status"`
	ReceivedAt time.Time `json:"received_at"`
	DueAt      time.Time `json:"due_at"`
}

// feedbackLookupDTO is what a citizen holding the PIN sees: the progress
// and, once published, the answer.
type feedbackLookupDTO struct {
	Code          string     `json:"code"`
	Channel       string     `json:"channel"`
	Category      string     `json:"category"`
	Title         string     `json:"title"`
	Status        string     `json:"status"`
	ReceivedAt    time.Time  `json:"received_at"`
	DueAt         time.Time  `json:"due_at"`
	Published     bool       `json:"published"`
	Answer        *string    `json:"answer"`
	AnsweredAt    *time.Time `json:"answered_at"`
	PublishedAt   *time.Time `json:"published_at"`
	RefusalReason *string    `json:"refusal_reason"`
	RefusedAt     *time.Time `json:"refused_at"`
}

// publishedFeedbackDTO is one published answer: the question and the
// answer, with no sender data at all.
type publishedFeedbackDTO struct {
	Code          string     `json:"code"`
	Category      string     `json:"category"`
	Title         string     `json:"title"`
	Content       string     `json:"content"`
	Answer        string     `json:"answer"`
	AgencyCode    *string    `json:"agency_code"`
	AgencyName    *string    `json:"agency_name"`
	ProcedureCode *string    `json:"procedure_code"`
	ReceivedAt    time.Time  `json:"received_at"`
	AnsweredAt    *time.Time `json:"answered_at"`
	PublishedAt   *time.Time `json:"published_at"`
}

func (h *publicFeedbackHandler) submit(c *gin.Context) (answer, error) {
	var req submitFeedbackRequest
	if err := decodeJSON(c, &req); err != nil {
		return answer{}, err
	}
	f, pin, err := h.svc.Submit(c.Request.Context(), req.asDomain(), req.DossierPin)
	if err != nil {
		return answer{}, err
	}
	loc := h.loc
	return created(submittedFeedbackDTO{Code: f.Code, LookupPin: pin, Status: string(f.Status),
		ReceivedAt: f.ReceivedAt.In(loc), DueAt: f.DueAt.In(loc)}), nil
}

func (h *publicFeedbackHandler) lookup(c *gin.Context) (answer, error) {
	f, err := h.svc.Lookup(c.Request.Context(), c.Param("code"), c.Query("pin"))
	if err != nil {
		return answer{}, err
	}
	loc := h.loc
	return ok(feedbackLookupDTO{Code: f.Code, Channel: string(f.Channel), Category: string(f.Category), Title: f.Title,
		Status: string(f.Status), ReceivedAt: f.ReceivedAt.In(loc), DueAt: f.DueAt.In(loc), Published: f.Published,
		Answer: optional(f.Answer), AnsweredAt: inLoc(f.AnsweredAt, loc), PublishedAt: inLoc(f.PublishedAt, loc),
		RefusalReason: optional(f.RefusalReason), RefusedAt: inLoc(f.RefusedAt, loc)}), nil
}

func (h *publicFeedbackHandler) list(c *gin.Context) (answer, error) {
	page, size, err := pageParams(c)
	if err != nil {
		return answer{}, err
	}
	fe := domain.FieldErrors{}
	if p := boolParam(c, "published", fe); p != nil && !*p {
		fe.Add("published", "chỉ liệt kê được các câu trả lời đã công khai (published=true)")
	}
	if err := fe.Err(); err != nil {
		return answer{}, err
	}
	items, total, err := h.svc.Published(c.Request.Context(), feedback.PublicFilter{Category: feedback.Category(c.Query("category")),
		AgencyCode: c.Query("agency_code"), Page: domain.Page{Page: page, PageSize: size}})
	if err != nil {
		return answer{}, err
	}
	loc := h.loc
	out := make([]publishedFeedbackDTO, len(items))
	for i, f := range items {
		out[i] = publishedFeedbackDTO{Code: f.Code, Category: string(f.Category), Title: f.Title, Content: f.Content, Answer: f.Answer,
			AgencyCode: optional(f.AgencyCode), AgencyName: optional(f.AgencyName), ProcedureCode: optional(f.ProcedureCode),
			ReceivedAt: f.ReceivedAt.In(loc), AnsweredAt: inLoc(f.AnsweredAt, loc), PublishedAt: inLoc(f.PublishedAt, loc)}
	}
	return ok(newList(out, page, size, total)), nil
}
