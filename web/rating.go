package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/motcua/motcua/domain"
)

// ratingFormView is the rating form's data.
type ratingFormView struct {
	Code   string
	Scores []struct {
		Value int
		Label string
	}
	// Pin, when set, travels in a hidden field (the lookup page's form);
	// else the form asks for it.
	Pin string
}

func (p *Pages) ratingView(c *gin.Context, page, code string, kept map[string]string) view {
	v := p.formView(c, page, "Đánh giá mức độ hài lòng", kept)
	v.Data = ratingFormView{Code: code, Scores: ratingScores}
	return v
}

// ratingForm is GET /danh-gia/{code}.
func (p *Pages) ratingForm(c *gin.Context) {
	p.render(c, http.StatusOK, "rating", p.ratingView(c, "rating", strings.TrimSpace(c.Param("code")), nil))
}

// ratedView is the rating-done page's data.
type ratedView struct {
	Code, FeedbackCode string
}

// rate is POST /danh-gia/{code}: what POST /api/v1/public/dossiers/{code}/rating
// does, through the same service.
func (p *Pages) rate(c *gin.Context) {
	f := form(c)
	code := strings.TrimSpace(c.Param("code"))
	kept := map[string]string{"score": f.get("score"), "comment": f.get("comment")}
	fail := func(err error) {
		if domain.KindOf(err) == domain.KindNotFound {
			p.notFoundCredential(c, "rating-done", err)
			return
		}
		v := p.ratingView(c, "rating-done", code, kept)
		p.renderError(c, "rating", err, &v)
	}
	if !csrfPassed(c) {
		fail(errCSRF)
		return
	}
	score := 0
	if s := strings.TrimSpace(f.get("score")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 5 {
			n = -1 // the service refuses it with its own message
		}
		score = n
	}
	r, err := p.d.Feedback.Rate(c.Request.Context(), code, strings.TrimSpace(f.get("pin")), score, f.get("comment"))
	if err != nil {
		fail(err)
		return
	}
	p.render(c, http.StatusCreated, "rating-done", view{Page: "rating-done", Title: "Cảm ơn bạn đã đánh giá",
		Data: ratedView{Code: r.DossierCode, FeedbackCode: r.FeedbackCode}})
}
