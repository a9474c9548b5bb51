package api

import (
	"log/slog"
	"mime"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// handlerFunc is the shape of every API handler: it binds the request,
// calls a domain service and returns the answer, or an error that the
// adapter (env.handle) renders through the one error table.
type handlerFunc func(c *gin.Context) (answer, error)

// answer is a handler's successful reply: a status and a JSON body, no
// body (204), or bytes of another type (an export).
type answer struct {
	status      int
	body        any    // the JSON body; nil for none
	contentType string // set for a non-JSON body in data
	data        []byte
	filename    string // a download's file name (Content-Disposition)
	inline      bool   // shown in the browser (inline) rather than saved (attachment)
}

// ok answers 200 with body as JSON.
func ok(body any) answer { return answer{status: http.StatusOK, body: body} }

// created answers 201 with body as JSON.
func created(body any) answer { return answer{status: http.StatusCreated, body: body} }

// noContent answers 204.
func noContent() answer { return answer{status: http.StatusNoContent} }

// download answers 200 with data of contentType, as the attachment name.
func download(name, contentType string, data []byte) answer {
	return answer{status: http.StatusOK, contentType: contentType, data: data, filename: name}
}

// inlineDownload is download shown in place (Content-Disposition: inline),
// as a printed paper opens in the browser's viewer.
func inlineDownload(name, contentType string, data []byte) answer {
	a := download(name, contentType, data)
	a.inline = true
	return a
}

// env is what every handler shares: the logger, the time zone responses
// are shown in, and the clock. It reaches handlers this one way.
type env struct {
	log *slog.Logger
	loc *time.Location
	now func() time.Time
	// audit keeps the audit trail; nil records nothing.
	audit AuditService
}

// handle adapts fn to Gin: an error goes through writeError, an answer is
// written as it says.
func (e env) handle(fn handlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		a, err := fn(c)
		if err != nil {
			writeError(c, e.log, err)
			return
		}
		switch {
		case a.contentType != "":
			switch {
			case a.filename != "" && a.inline:
				c.Header("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": a.filename}))
			case a.filename != "":
				attachment(c, a.filename)
			}
			c.Data(a.status, a.contentType, a.data)
		case a.body == nil:
			c.Status(a.status)
		default:
			c.JSON(a.status, a.body)
		}
	}
}
