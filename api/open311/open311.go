// Package open311 is the Open311 GeoReport v2 facade over citizen feedback
// (docs/openapi.yaml, /open311/v2/): services are the feedback categories, a
// service request is a feedback item, its id the feedback code. Every
// resource answers in JSON (.json) or XML (.xml) by its suffix, and every
// error in Open311's own shape, never the API's. Submissions go to the same
// feedback service as POST /api/v1/public/feedback; the list shows only
// published answers, through the same redacted query as
// GET /api/v1/public/feedback.
package open311

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/feedback"
)

// Prefix is where the facade is mounted.
const Prefix = "/open311/v2"

// Owns reports whether path belongs to the facade: its errors are
// Open311's.
func Owns(path string) bool { return path == "/open311" || strings.HasPrefix(path, "/open311/") }

// FeedbackService is what the facade needs of domain/feedback: the same
// submission and published list the public API uses.
type FeedbackService interface {
	Submit(ctx context.Context, in feedback.NewFeedback, dossierPin string) (feedback.Feedback, string, error)
	Published(ctx context.Context, f feedback.PublicFilter) ([]feedback.Feedback, int64, error)
}

// Deps is what the facade needs.
type Deps struct {
	Feedback FeedbackService
	// Keys are the accepted api_key values of POST requests; none: no key
	// is needed (and any given is ignored).
	Keys []string
	// Contact is the discovery's contact text.
	Contact string
	// BaseURL is this service's absolute URL as citizens reach it, without
	// a trailing slash; empty: the request's scheme and Host.
	BaseURL string
	Log     *slog.Logger
	Now     func() time.Time
	// Location is the time zone of every time shown.
	Location *time.Location
}

// Hooks are what the API lends the facade: the public rate limit's
// bucket and the Idempotency-Key middleware (whose refusals must be
// answered with WriteError).
type Hooks struct {
	// Allow takes a token of the client's public budget; nil: no limit.
	Allow func(c *gin.Context) (bool, time.Duration)
	// Idempotent keeps and replays POST answers; nil: the header is ignored.
	Idempotent gin.HandlerFunc
}

type handler struct {
	Deps
}

// Register adds the facade's routes to r under Prefix.
func Register(r gin.IRouter, d Deps, h Hooks) {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Location == nil {
		d.Location = time.UTC
	}
	if d.Contact == "" {
		d.Contact = "Bộ phận Một cửa — motcua"
	}
	hd := &handler{Deps: d}
	g := r.Group(Prefix, noStore, limit(h.Allow, d.Log))
	for _, f := range []format{formatJSON, formatXML} {
		ext := "." + string(f)
		g.GET("/discovery"+ext, hd.fixed(f, hd.discovery))
		g.GET("/services"+ext, hd.fixed(f, hd.services))
		g.GET("/requests"+ext, hd.fixed(f, hd.listRequests))
		post := []gin.HandlerFunc{hd.readForm}
		if h.Idempotent != nil {
			post = append(post, h.Idempotent)
		}
		g.POST("/requests"+ext, append(post, hd.fixed(f, hd.createRequest))...)
	}
	g.GET("/services/:file", hd.suffixed(hd.serviceDefinition))
	g.GET("/requests/:file", hd.suffixed(hd.getRequest))
}

// result is a handler's answer: a status and the body in both shapes.
type result struct {
	status int
	json   any
	xml    any
}

type resourceFunc func(c *gin.Context, f format, id string) (result, error)

// fixed serves a resource whose format the route names.
func (h *handler) fixed(f format, fn resourceFunc) gin.HandlerFunc {
	return func(c *gin.Context) { h.serve(c, f, "", fn) }
}

// suffixed serves /…/{id}.{json,xml}: another suffix is 404 (in JSON).
func (h *handler) suffixed(fn resourceFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		file := c.Param("file")
		i := strings.LastIndexByte(file, '.')
		if i <= 0 {
			WriteError(c, h.Log, errNoPath)
			return
		}
		f := format(file[i+1:])
		if f != formatJSON && f != formatXML {
			WriteError(c, h.Log, errNoPath)
			return
		}
		h.serve(c, f, file[:i], fn)
	}
}

func (h *handler) serve(c *gin.Context, f format, id string, fn resourceFunc) {
	r, err := fn(c, f, id)
	if err != nil {
		WriteError(c, h.Log, err)
		return
	}
	if f == formatXML {
		writeXML(c, r.status, r.xml)
		return
	}
	c.JSON(r.status, r.json)
}

// noStore forbids caching: a submission's answer holds its lookup PIN.
func noStore(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Next()
}

// limit spends the client's public budget: 429 with Retry-After when it is
// gone.
func limit(allow func(c *gin.Context) (bool, time.Duration), log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		if allow == nil {
			c.Next()
			return
		}
		if ok, wait := allow(c); !ok {
			WriteError(c, log, rateLimited(wait))
			return
		}
		c.Next()
	}
}

// keyOK reports whether key is one of the configured keys (constant time
// for each), or whether no key is needed.
func (h *handler) keyOK(key string) bool {
	if len(h.Keys) == 0 {
		return true
	}
	found := 0
	for _, k := range h.Keys {
		found |= subtle.ConstantTimeCompare([]byte(k), []byte(key))
	}
	return found == 1 && key != ""
}

// baseURL is the service's URL as citizens reach it.
func (h *handler) baseURL(c *gin.Context) string {
	if h.BaseURL != "" {
		return h.BaseURL
	}
	scheme := "http"
	if c.Request.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host
}

// Open311 times: RFC 3339 with a numeric offset, to the second.
const timeLayout = "2006-01-02T15:04:05-07:00"

func (h *handler) stamp(t time.Time) string { return t.In(h.Location).Format(timeLayout) }

var errNoPath = &domain.Error{Kind: domain.KindNotFound, Message: "Không có tài nguyên Open311 tại đường dẫn này (dùng đuôi .json hoặc .xml)"}

// http statuses named for readability.
const (
	statusOK      = http.StatusOK
	statusCreated = http.StatusCreated
)
