package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/feedback"
)

// feedbackFields are the feedback form's fields kept on a refusal (all
// but the dossier PIN).
var feedbackFields = []string{"category", "title", "content", "agency_code", "dossier_code", "name", "phone", "email", "address"}

// feedbackFormView is the feedback form's data: the choices it offers.
type feedbackFormView struct {
	Categories []struct{ Value, Label string }
	Agencies   []catalog.Agency
}

// feedbackChoices lists the categories and the open agencies.
func (p *Pages) feedbackChoices(c *gin.Context) (feedbackFormView, error) {
	out := feedbackFormView{Categories: feedbackCategories}
	for page := 1; ; page++ {
		list, total, err := p.d.Catalog.ListAgencies(c.Request.Context(), catalog.AgencyFilter{Page: domain.Page{Page: page, PageSize: 200}})
		if err != nil {
			return out, err
		}
		for _, a := range list {
			if !a.Closed {
				out.Agencies = append(out.Agencies, a)
			}
		}
		if int64(page*200) >= total || len(list) == 0 {
			return out, nil
		}
	}
}

// feedbackForm is GET /phan-anh.
func (p *Pages) feedbackForm(c *gin.Context) {
	p.feedbackPage(c, http.StatusOK, "feedback", nil, nil)
}

// feedbackPage renders the form (on page) with kept values and an error.
func (p *Pages) feedbackPage(c *gin.Context, status int, page string, kept map[string]string, err error) {
	v := p.formView(c, page, "Gửi phản ánh, kiến nghị", kept)
	choices, cerr := p.feedbackChoices(c)
	if cerr != nil {
		p.renderError(c, "error", cerr, nil)
		return
	}
	v.Data = choices
	if err != nil {
		p.renderError(c, "feedback", err, &v)
		return
	}
	p.render(c, status, "feedback", v)
}

// sentView is the feedback-sent page's data.
type sentView struct {
	Code, Pin string
	DueAt     any
}

// feedbackSubmit is POST /phan-anh: what POST /api/v1/public/feedback
// does, through the same service. The code and PIN are shown once.
func (p *Pages) feedbackSubmit(c *gin.Context) {
	f := form(c)
	kept := map[string]string{}
	for _, k := range feedbackFields {
		kept[k] = f.get(k)
	}
	if !csrfPassed(c) {
		p.feedbackPage(c, 0, "feedback-sent", kept, errCSRF)
		return
	}
	in := feedback.NewFeedback{Channel: feedback.ChannelOnline, Category: feedback.Category(f.get("category")),
		Title: f.get("title"), Content: f.get("content"), AgencyCode: strings.TrimSpace(f.get("agency_code")),
		DossierCode: f.get("dossier_code"),
		Sender:      feedback.Sender{Name: f.get("name"), Phone: f.get("phone"), Email: f.get("email"), Address: f.get("address")}}
	item, pin, err := p.d.Feedback.Submit(c.Request.Context(), in, strings.TrimSpace(f.get("dossier_pin")))
	if err != nil {
		p.feedbackPage(c, 0, "feedback-sent", kept, err)
		return
	}
	v := view{Page: "feedback-sent", Title: "Đã gửi phản ánh, kiến nghị",
		Data: sentView{Code: item.Code, Pin: pin, DueAt: item.DueAt}}
	p.render(c, http.StatusCreated, "feedback-sent", v)
}

// feedbackLookupForm is GET /phan-anh/{code}: the PIN form.
func (p *Pages) feedbackLookupForm(c *gin.Context) {
	v := p.formView(c, "feedback-lookup", "Tra cứu phản ánh, kiến nghị", nil)
	v.Data = strings.TrimSpace(c.Param("code"))
	p.render(c, http.StatusOK, "feedback-lookup", v)
}

// feedbackStatusView is the feedback-status page's data.
type feedbackStatusView struct {
	F           feedback.Feedback
	StatusLabel string
	// Answer is shown once the answer is published.
	Answer string
}

// feedbackStatus is POST /phan-anh/{code}: the item's progress for whoever
// holds its PIN (or, for an item a rating opened, the dossier's PIN).
func (p *Pages) feedbackStatus(c *gin.Context) {
	f := form(c)
	code := strings.TrimSpace(c.Param("code"))
	fail := func(err error) {
		if domain.KindOf(err) == domain.KindNotFound {
			p.notFoundCredential(c, "feedback-status", err)
			return
		}
		v := p.formView(c, "feedback-status", "Tra cứu phản ánh, kiến nghị", nil)
		v.Data = code
		p.renderError(c, "feedback-lookup", err, &v)
	}
	if !csrfPassed(c) {
		fail(errCSRF)
		return
	}
	item, err := p.d.Feedback.Lookup(c.Request.Context(), code, strings.TrimSpace(f.get("pin")))
	if err != nil {
		fail(err)
		return
	}
	sv := feedbackStatusView{F: item, StatusLabel: label(feedbackStatusLabels, string(item.Status))}
	if item.Published {
		sv.Answer = item.Answer
	}
	p.render(c, http.StatusOK, "feedback-status", view{Page: "feedback-status", Title: "Phản ánh " + item.Code, Data: sv})
}
