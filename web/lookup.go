package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/dossier"
)

// formView is a page holding a form: fresh tokens and the kept values.
func (p *Pages) formView(c *gin.Context, page, title string, kept map[string]string) view {
	if kept == nil {
		kept = map[string]string{}
	}
	return view{Page: page, Title: title, CSRF: p.csrfToken(c), FormKey: newFormKey(), Form: kept}
}

// lookupForm is GET /tra-cuu and /tra-cuu/{code}, the receipt's QR target:
// the form, with the code filled in. Any code gets the same page, so the
// page says nothing of whether the code exists.
func (p *Pages) lookupForm(c *gin.Context) {
	v := p.formView(c, "lookup", "Tra cứu hồ sơ", map[string]string{"code": strings.TrimSpace(c.Param("code"))})
	p.render(c, http.StatusOK, "lookup", v)
}

// stageView is one stage as the citizen reads it.
type stageView struct {
	Action, Label string
	At            any
}

// lookupView is the lookup-result page's data.
type lookupView struct {
	P           dossier.Public
	StatusLabel string
	Stages      []stageView
	// Rating is the rating form of /danh-gia/{code}, shown in the next
	// step while the returned dossier is not rated, nil otherwise. Looked
	// up with the PIN, the form carries it in a hidden field; looked up by
	// ID number, it asks for the PIN (a rating is made with the PIN alone).
	Rating *view
	// ResultsAvailable: the dossier is returned with an electronic result;
	// Results are its download buttons, given when looked up with the pin
	// (ResultPin, posted again with each).
	ResultsAvailable bool
	Results          []resultView
	ResultPin        string
	CSRF             string
}

var errCodeMissing = domain.FieldErrors{"code": "bắt buộc"}.Err()

// lookup is POST /tra-cuu: the same service, and so the same answers, as
// GET /api/v1/public/dossiers/{code}. The PIN and ID number are never
// shown again, not even on a refusal.
func (p *Pages) lookup(c *gin.Context) {
	f := form(c)
	code := strings.TrimSpace(f.get("code"))
	kept := map[string]string{"code": code}
	fail := func(err error) {
		if domain.KindOf(err) == domain.KindNotFound {
			// An unknown code and a wrong credential must look alike to
			// the byte: the page keeps nothing of what was sent.
			kept = nil
		}
		v := p.formView(c, "lookup-result", "Tra cứu hồ sơ", kept)
		p.renderError(c, "lookup", err, &v)
	}
	if !csrfPassed(c) {
		fail(errCSRF)
		return
	}
	if code == "" {
		fail(errCodeMissing)
		return
	}
	cred := dossier.Credential{Pin: strings.TrimSpace(f.get("pin")), IDNumber: strings.TrimSpace(f.get("id_number"))}
	d, err := p.d.Dossiers.Lookup(c.Request.Context(), code, cred)
	if err != nil {
		fail(err)
		return
	}
	lv := lookupView{P: d, StatusLabel: label(dossierStatusLabels, string(d.Status))}
	for _, s := range d.Stages {
		lv.Stages = append(lv.Stages, stageView{Action: string(s.Action), Label: label(stageLabels, string(s.Action)), At: s.At})
	}
	v := p.formView(c, "lookup-result", "Hồ sơ "+d.Code, nil)
	lv.CSRF = v.CSRF
	if d.ResultsAvailable {
		p.results(c, &lv, d.Code, cred.Pin)
	}
	if d.Next.Kind == dossier.NextRate {
		rv := p.ratingView(c, "lookup-result", d.Code, nil)
		rv.Data = ratingFormView{Code: d.Code, Scores: ratingScores, Pin: cred.Pin}
		lv.Rating = &rv
	}
	v.Data = lv
	p.render(c, http.StatusOK, "lookup-result", v)
}
