package api

import (
	"time"

	"github.com/gin-gonic/gin"
)

// ratingHandler serves a citizen's satisfaction rating of a returned dossier
// (docs/openapi.yaml).
type ratingHandler struct {
	svc RatingService
	env
}

type rateRequest struct {
	Score   int    `json:"score"`
	Comment string `json:"comment"`
}

// ratingDTO answers a rating. FeedbackCode names the feedback item a score
// of 1–2 opened; the citizen looks it up with the dossier's PIN.
type ratingDTO struct {
	DossierCode  string    `json:"dossier_code"`
	Score        int       `json:"score"`
	Comment      *string   `json:"comment"`
	FeedbackCode *string   `json:"feedback_code"`
	CreatedAt    time.Time `json:"created_at"`
}

func (h *ratingHandler) rate(c *gin.Context) (answer, error) {
	var req rateRequest
	if err := decodeJSON(c, &req); err != nil {
		return answer{}, err
	}
	r, err := h.svc.Rate(c.Request.Context(), c.Param("code"), c.Query("pin"), req.Score, req.Comment)
	if err != nil {
		return answer{}, err
	}
	return created(ratingDTO{DossierCode: r.DossierCode, Score: r.Score, Comment: optional(r.Comment),
		FeedbackCode: optional(r.FeedbackCode), CreatedAt: r.CreatedAt.In(h.loc)}), nil
}
