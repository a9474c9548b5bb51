package api

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/motcua/motcua/domain/audit"
	"github.com/motcua/motcua/domain/dvcqg"
	"github.com/motcua/motcua/domain/user"
)

// DVCQGService is the part of dvcqg.Service the HTTP layer calls.
type DVCQGService interface {
	Get(ctx context.Context, by user.Principal, code string) (dvcqg.HoSo, error)
	Export(ctx context.Context, by user.Principal, req dvcqg.ExportRequest) (*dvcqg.Export, error)
}

var _ DVCQGService = (*dvcqg.Service)(nil)

// dvcqgHandler serves the national portal's records (docs/openapi.yaml,
// tag dvcqg): one dossier's, and the NDJSON export.
type dvcqgHandler struct {
	svc DVCQGService
	env env
}

// get answers the payload as the portal receives it: the domain type is
// the wire shape (docs/dvcqg/hoso.schema.json), so no DTO stands between.
func (h *dvcqgHandler) get(c *gin.Context) (answer, error) {
	p, err := h.svc.Get(c.Request.Context(), principal(c), c.Param("code"))
	if err != nil {
		return answer{}, err
	}
	return ok(p), nil
}

// export streams one payload a line, flushed after every page the service
// reads; the body is never held whole. An error once lines are out cuts
// the connection short (the client sees a truncated body, never a 200
// that looks complete).
func (h *dvcqgHandler) export(c *gin.Context) {
	ctx := c.Request.Context()
	x, err := h.svc.Export(ctx, principal(c), dvcqg.ExportRequest{
		From: c.Query("from"), To: c.Query("to"), UnitCode: c.Query("unit_code")})
	if err != nil {
		writeError(c, h.env.log, err)
		return
	}
	en := entry(c, audit.Exported, c.Request.URL.Path)
	en.Detail = c.Request.URL.RawQuery
	h.env.record(c, en)
	liftDeadlines(c)
	c.Header("Content-Type", "application/x-ndjson")
	c.Status(http.StatusOK)
	c.Writer.WriteHeaderNow()
	w := bufio.NewWriterSize(c.Writer, 64<<10)
	enc := json.NewEncoder(w) // Encode ends each line with \n
	enc.SetEscapeHTML(false)
	err = x.Run(ctx, func(p dvcqg.HoSo) error { return enc.Encode(p) }, func() error {
		if err := w.Flush(); err != nil {
			return err
		}
		c.Writer.Flush()
		return nil
	})
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		if ctx.Err() == nil {
			h.env.log.ErrorContext(ctx, "dvcqg export cut short", "err", err.Error(), "request_id", c.GetString(ctxRequestID))
		}
		panic(http.ErrAbortHandler)
	}
}
