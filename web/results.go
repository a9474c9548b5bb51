package web

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/files"
)

// ResultService is the part of files.Service the pages call: the
// electronic results a citizen downloads with the receipt's pin.
type ResultService interface {
	PublicResults(ctx context.Context, code, pin string) ([]files.File, error)
	PublicResult(ctx context.Context, code, pin string, id int64) (files.Version, io.ReadSeekCloser, error)
}

// resultView is one electronic result on the lookup page.
type resultView struct {
	ID   int64
	Name string
	Size int64
}

// results fills the lookup page's results: the citizen who looked up with
// the pin gets a download button per result, posting the pin again (never
// in a URL, where it would stay in histories and logs).
func (p *Pages) results(c *gin.Context, lv *lookupView, code, pin string) {
	lv.ResultsAvailable = true
	if pin == "" || p.d.Results == nil {
		return // looked up by ID number: the page says the pin opens them
	}
	list, err := p.d.Results.PublicResults(c.Request.Context(), code, pin)
	if err != nil {
		return // the lookup just opened it; a failure now only hides the buttons
	}
	for _, f := range list {
		lv.Results = append(lv.Results, resultView{ID: f.ID, Name: f.Current.Name, Size: f.Current.Size})
	}
	lv.ResultPin = pin
}

// resultDownload is POST /tra-cuu/{code}/ket-qua/{id}: the bytes of one
// electronic result, for the pin in the form. Anything the pin does not
// open is the page of a wrong credential, like the lookup's.
func (p *Pages) resultDownload(c *gin.Context) {
	if !csrfPassed(c) {
		v := view{Page: "lookup-result", Title: "Tra cứu hồ sơ"}
		p.renderError(c, "lookup", errCSRF, &v)
		return
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 || p.d.Results == nil {
		p.notFoundCredential(c, "lookup-result", domain.NotFound("hồ sơ"))
		return
	}
	v, r, err := p.d.Results.PublicResult(c.Request.Context(), strings.TrimSpace(c.Param("code")),
		strings.TrimSpace(form(c).get("pin")), id)
	if err != nil {
		if domain.KindOf(err) == domain.KindNotFound {
			p.notFoundCredential(c, "lookup-result", err)
			return
		}
		p.renderError(c, "lookup", err, &view{Page: "lookup-result", Title: "Tra cứu hồ sơ"})
		return
	}
	defer r.Close()
	h := c.Writer.Header()
	h.Set("Content-Type", v.ContentType)
	h.Set("ETag", `"`+v.SHA256+`"`)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox")
	h.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(v.Name))
	http.ServeContent(c.Writer, c.Request, "", v.UploadedAt, r)
}
