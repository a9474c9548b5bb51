// Package web serves the pages people use: the citizen pages (lookup,
// feedback, rating, public figures), which are rendered on the server and
// need no script, the staff shells over the JSON API, and the API
// reference. Templates, styles, scripts and images are embedded, so the
// binary carries all of it and no page loads anything from another host.
//
// The pages call the same domain services as the JSON API (through the
// small interfaces below) and answer errors through the same table
// (api/httperr), so a page and the API give the same status and code for
// the same input.
package web

import (
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/feedback"
	"github.com/motcua/motcua/domain/stats"
	"github.com/motcua/motcua/domain/user"
)

// DossierService is the part of dossier.Service the pages call.
type DossierService interface {
	Lookup(ctx context.Context, code string, c dossier.Credential) (dossier.Public, error)
}

// FeedbackService is the part of feedback.Service the pages call.
type FeedbackService interface {
	Submit(ctx context.Context, in feedback.NewFeedback, dossierPin string) (feedback.Feedback, string, error)
	Lookup(ctx context.Context, code, pin string) (feedback.Feedback, error)
	Published(ctx context.Context, f feedback.PublicFilter) ([]feedback.Feedback, int64, error)
	Rate(ctx context.Context, code, pin string, score int, comment string) (feedback.Rating, error)
}

// StatsService is the part of stats.Service the public figures call.
type StatsService interface {
	Dossiers(ctx context.Context, by user.Principal, req stats.Request, group stats.GroupBy) (stats.Form06, error)
	Feedback(ctx context.Context, by user.Principal, req stats.Request) (stats.FeedbackReport, error)
}

// CatalogService is the part of catalog.Service the feedback form calls
// (its list of agencies).
type CatalogService interface {
	ListAgencies(ctx context.Context, f catalog.AgencyFilter) ([]catalog.Agency, int64, error)
}

var (
	_ DossierService  = (*dossier.Service)(nil)
	_ FeedbackService = (*feedback.Service)(nil)
	_ StatsService    = (*stats.Service)(nil)
	_ CatalogService  = (*catalog.Service)(nil)
)

// Deps is what the pages need. cmd builds it.
type Deps struct {
	Log      *slog.Logger
	Dossiers DossierService
	Feedback FeedbackService
	Stats    StatsService
	Catalog  CatalogService
	// Results serves the electronic results the lookup page offers for
	// download; nil offers none.
	Results ResultService
	// DataKey is MOTCUA_DATA_KEY: the CSRF key is derived from it.
	DataKey []byte
	// PublicURL is MOTCUA_PUBLIC_URL: the origin form posts must come
	// from; empty means the request's own host over http.
	PublicURL string
	// CacheSeconds is how old the public figures may be (0: live).
	CacheSeconds int
	// CutoffDay is the report month's cut-off day (0: calendar months).
	CutoffDay int
	// OpenAPI is the contract the reference page is rendered from.
	OpenAPI []byte
	// Now is the clock (time.Now if nil).
	Now func() time.Time
	// Location is the zone every time is shown in (UTC if nil).
	Location *time.Location
}

// Hooks are what the API's router lends the pages, so a page and the API
// share one budget and one idempotency record: Allow draws a token from
// the public rate-limit bucket of the request's client; Idempotent is the
// API's Idempotency-Key middleware, answering its own refusals through
// the error function it was built with.
type Hooks struct {
	Allow      func(c *gin.Context) (bool, time.Duration)
	Idempotent gin.HandlerFunc
}

// Pages holds the parsed templates and what the handlers share.
type Pages struct {
	d       Deps
	log     *slog.Logger
	now     func() time.Time
	loc     *time.Location
	csrf    *csrfKey
	https   bool
	origin  string // the public origin, "" when it is the request's host
	assets  *assets
	views   *views
	figures *figureCache
	docs    []byte // the rendered API reference
	// fragments are the lookup page's rendered fragments by name and
	// value (lookupFragment).
	fragments sync.Map
}

// publicViewer is who the public figures are computed as: a viewer of the
// whole province, which is what a viewer without a unit sees in the API.
var publicViewer = user.Principal{Username: "public-figures", Role: user.RoleViewer}

// New parses the templates and prepares the assets. It fails when a
// template does not parse or the data key is missing.
func New(d Deps) (*Pages, error) {
	if len(d.DataKey) == 0 {
		return nil, errors.New("web: the data key is needed for the forms' CSRF key")
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Location == nil {
		d.Location = time.UTC
	}
	p := &Pages{d: d, log: d.Log, now: d.Now, loc: d.Location}
	key, err := hkdf.Key(sha256.New, d.DataKey, nil, "motcua/csrf/v1", 32)
	if err != nil {
		return nil, err
	}
	p.csrf = newCSRFKey(key)
	if d.PublicURL != "" {
		u, err := url.Parse(d.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, errors.New("web: the public URL must be http(s)://host[:port]")
		}
		p.origin = u.Scheme + "://" + u.Host
		p.https = u.Scheme == "https"
	}
	if p.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	if p.views, err = parseViews(p); err != nil {
		return nil, err
	}
	p.figures = newFigureCache(time.Duration(d.CacheSeconds)*time.Second, d.Now)
	if p.docs, err = p.renderDocs(d.OpenAPI); err != nil {
		return nil, err
	}
	return p, nil
}

// Register mounts every page on r. The POST routes draw from the public
// rate-limit bucket (h.Allow) before anything else, then read the form and
// check its CSRF token, then go through the API's idempotency record with
// the form's form_key, then validate and act.
func (p *Pages) Register(r gin.IRoutes, h Hooks) {
	page := []gin.HandlerFunc{p.headers}
	post := []gin.HandlerFunc{p.headers, noStore, p.limit(h.Allow), p.readForm}
	if h.Idempotent != nil {
		post = append(post, unlessRefused(h.Idempotent))
	}
	with := func(hs []gin.HandlerFunc, fn gin.HandlerFunc) []gin.HandlerFunc {
		return append(append([]gin.HandlerFunc(nil), hs...), fn)
	}
	r.GET("/", with(page, p.home)...)
	r.GET("/tra-cuu", with(page, p.lookupForm)...)
	r.GET("/tra-cuu/:code", with(page, p.lookupForm)...)
	r.POST("/tra-cuu", with(post, p.lookup)...)
	r.POST("/tra-cuu/:code/ket-qua/:id", with(post, p.resultDownload)...)
	r.GET("/phan-anh", with(page, p.feedbackForm)...)
	r.POST("/phan-anh", with(post, p.feedbackSubmit)...)
	r.GET("/phan-anh/:code", with(page, p.feedbackLookupForm)...)
	r.POST("/phan-anh/:code", with(post, p.feedbackStatus)...)
	r.GET("/danh-gia/:code", with(page, p.ratingForm)...)
	r.POST("/danh-gia/:code", with(post, p.rate)...)
	r.GET("/cong-khai", with(page, p.transparency)...)
	r.GET("/docs", with(page, p.docsPage)...)
	staff := []gin.HandlerFunc{p.headers, noStore}
	r.GET("/quan-tri", with(staff, p.staffShell("staff"))...)
	r.GET("/quan-tri/ho-so", with(staff, p.staffShell("staff-dossiers"))...)
	r.GET("/quan-tri/ho-so/:code", with(staff, p.staffShell("staff-dossier"))...)
	r.GET("/static/*path", p.headers, p.static)
	r.HEAD("/static/*path", p.headers, p.static)
}

// IsPagePath reports whether an unmatched path belongs to the pages (an
// HTML 404) rather than to the API and its probes (a JSON 404).
func IsPagePath(path string) bool {
	for _, pre := range []string{"/api/", "/healthz", "/readyz", "/metrics", "/openapi.yaml", "/open311/"} {
		if path == strings.TrimSuffix(pre, "/") || strings.HasPrefix(path, pre) {
			return false
		}
	}
	return true
}

// NotFound answers an unknown page path with the HTML 404 page.
func (p *Pages) NotFound(c *gin.Context) {
	p.headers(c)
	p.renderError(c, "not-found", errNoPage, nil)
}

// noStore forbids caching the answer.
func noStore(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Next()
}

// publicOrigin is the origin form posts must come from.
func (p *Pages) publicOrigin(r *http.Request) string {
	if p.origin != "" {
		return p.origin
	}
	return "http://" + r.Host
}
