package web

import (
	"errors"
	"html/template"
	"net/http"
	"strings"
	"time"

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

// stageView is one stage as the citizen reads it: Head is its opening,
// with the action and its label (a "stage-fragment"), At its time.
type stageView struct {
	Head template.HTML
	At   *stampView
}

// stampView is a time as the lookup page shows it (what the "time" partial
// shows), formatted in Go once instead of by two template funcs: ISO is
// <time datetime> (RFC 3339 in the zone), Text what the citizen reads. A
// nil one shows "—".
type stampView struct {
	ISO, Text string
}

// stampOf is t (time.Time or *time.Time) as a stampView: nil for a nil
// *time.Time, empty strings for a zero time, as the "time" partial shows
// them.
func (p *Pages) stampOf(t any) *stampView {
	if x, ok := t.(*time.Time); ok && x == nil {
		return nil
	}
	return &stampView{ISO: p.stamp(t, time.RFC3339), Text: p.stamp(t, "02/01/2006 15:04")}
}

// rescheduleView is the apology of a moved appointment, its times
// formatted.
type rescheduleView struct {
	Reason            string
	AppointmentAt, At *stampView
}

// nextView is the dossier's next step as the page shows it: which step it
// is, decided here once rather than by a chain of eq in the template.
type nextView struct {
	Kind                                     string
	Wait, Supplement, Payment, Collect, Rate bool
	// Denied: a collected result that refuses the request.
	Denied bool
	Reason string
	Items  []string
	Amount *int64
}

func nextViewOf(d dossier.Public) nextView {
	n := d.Next
	return nextView{Kind: string(n.Kind), Wait: n.Kind == dossier.NextWait, Supplement: n.Kind == dossier.NextSupplement,
		Payment: n.Kind == dossier.NextPayment, Collect: n.Kind == dossier.NextCollect, Rate: n.Kind == dossier.NextRate,
		Denied: d.Outcome == dossier.Denied, Reason: n.Reason, Items: n.Items, Amount: n.Amount}
}

// lookupView is the lookup-result page's data: the dossier's public fields
// as the page prints them, flat, so the template reads each in one step.
type lookupView struct {
	Code, ProcedureName, AgencyName, UnitName, ApplicantName string
	// StatusHTML is the status with its label (a "status-fragment").
	StatusHTML template.HTML
	Next       nextView
	// The dossier's times, formatted (nil when the dossier has none).
	ReceivedAt, AppointmentAt, ResolvedAt, ReturnedAt *stampView
	Reschedule                                        *rescheduleView
	Stages                                            []stageView
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
	lv := lookupView{Code: d.Code, ProcedureName: d.ProcedureName, AgencyName: d.AgencyName, UnitName: d.UnitName,
		ApplicantName: d.ApplicantName, Next: nextViewOf(d),
		ReceivedAt: p.stampOf(d.ReceivedAt), AppointmentAt: p.stampOf(d.AppointmentAt),
		ResolvedAt: p.stampOf(d.ResolvedAt), ReturnedAt: p.stampOf(d.ReturnedAt),
		Stages: make([]stageView, 0, len(d.Stages))}
	if r := d.Reschedule; r != nil {
		lv.Reschedule = &rescheduleView{Reason: r.Reason, AppointmentAt: p.stampOf(r.AppointmentAt), At: p.stampOf(r.At)}
	}
	if lv.StatusHTML, err = p.lookupFragment("status-fragment", dossierStatusLabels, string(d.Status)); err != nil {
		p.fragmentFailed(c, err)
		return
	}
	for _, s := range d.Stages {
		head, err := p.lookupFragment("stage-fragment", stageLabels, string(s.Action))
		if err != nil {
			p.fragmentFailed(c, err)
			return
		}
		lv.Stages = append(lv.Stages, stageView{Head: head, At: p.stampOf(s.At)})
	}
	// The page's own forms are the result downloads, which carry the CSRF
	// token but no form key (the rating form has its own view).
	v := view{Page: "lookup-result", Title: "Hồ sơ " + d.Code, CSRF: p.csrfToken(c)}
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

// fragmentData is what a fragment of the lookup page shows: one value and
// its label.
type fragmentData struct {
	Value, Label string
}

// lookupFragment is the lookup page's fragment name for value, labelled
// from labels. A fragment is the page's own markup rendered, and so
// escaped, by html/template like the rest of the page; one for a value the
// table knows is kept and reused (the tables are finite), one for another
// value is rendered each time and not kept.
func (p *Pages) lookupFragment(name string, labels map[string]string, value string) (template.HTML, error) {
	l, known := labels[value]
	if !known {
		l = value
	}
	key := name + "\x00" + value
	if known {
		if f, ok := p.fragments.Load(key); ok {
			return f.(template.HTML), nil
		}
	}
	t, ok := p.views.pages["lookup-result"]
	if !ok {
		return "", errors.New("web: page template lookup-result missing")
	}
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, name, fragmentData{Value: value, Label: l}); err != nil {
		return "", err
	}
	f := template.HTML(b.String())
	if known {
		p.fragments.Store(key, f)
	}
	return f, nil
}

// fragmentFailed answers a fragment that did not render as a page that
// did not: logged, and the internal error.
func (p *Pages) fragmentFailed(c *gin.Context, err error) {
	p.log.ErrorContext(c.Request.Context(), "page failed to render", "template", "lookup-result", "err", err.Error())
	c.AbortWithStatus(http.StatusInternalServerError)
}
