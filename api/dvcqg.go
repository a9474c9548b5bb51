package api

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/audit"
	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/dvcqg"
	"github.com/motcua/motcua/domain/user"
)

// DVCQGService is the part of dvcqg.Service the HTTP layer calls.
type DVCQGService interface {
	Get(ctx context.Context, by user.Principal, code string) (dvcqg.HoSo, error)
	Export(ctx context.Context, by user.Principal, req dvcqg.ExportRequest) (*dvcqg.Export, error)
	SyncState(ctx context.Context, d dossier.Dossier) (dvcqg.Sync, error)
	SyncList(ctx context.Context, by user.Principal, req dvcqg.SyncListRequest) ([]dvcqg.SyncItem, int64, error)
	Requeue(ctx context.Context, by user.Principal, code string) (dvcqg.Sync, error)
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

// dvcqgSyncDTO is a dossier's sync state with the portal (§14.3).
type dvcqgSyncDTO struct {
	Status        string     `json:"status"`
	SyncedAt      *time.Time `json:"synced_at"`
	SyncedVersion *int       `json:"synced_version"`
	Attempts      int        `json:"attempts"`
	LastAttemptAt *time.Time `json:"last_attempt_at"`
	NextAttemptAt *time.Time `json:"next_attempt_at"`
	LastError     *string    `json:"last_error"`
}

func toSyncDTO(s dvcqg.Sync, loc *time.Location) *dvcqgSyncDTO {
	if s.Status == "" {
		s.Status = dvcqg.NotSynced
	}
	return &dvcqgSyncDTO{Status: string(s.Status), SyncedAt: inLoc(s.SyncedAt, loc), SyncedVersion: s.SyncedVersion,
		Attempts: s.Attempts, LastAttemptAt: inLoc(s.LastAttemptAt, loc), NextAttemptAt: inLoc(s.NextAttemptAt, loc),
		LastError: s.LastError}
}

// dvcqgSyncItemDTO is a line of the sync list.
type dvcqgSyncItemDTO struct {
	Code       string        `json:"code"`
	ReceivedAt time.Time     `json:"received_at"`
	DVCQGSync  *dvcqgSyncDTO `json:"dvcqg_sync"`
}

// syncState is d's sync state; not_synced without the service.
func (h *dvcqgHandler) syncState(ctx context.Context, d dossier.Dossier) (*dvcqgSyncDTO, error) {
	if h.svc == nil {
		return toSyncDTO(dvcqg.Sync{Status: dvcqg.NotSynced}, h.env.loc), nil
	}
	s, err := h.svc.SyncState(ctx, d)
	if err != nil {
		return nil, err
	}
	return toSyncDTO(s, h.env.loc), nil
}

// syncList answers the received dossiers with their sync states.
func (h *dvcqgHandler) syncList(c *gin.Context) (answer, error) {
	page, size, err := pageParams(c)
	if err != nil {
		return answer{}, err
	}
	if h.svc == nil {
		return answer{}, dvcqg.ErrPushOff
	}
	items, total, err := h.svc.SyncList(c.Request.Context(), principal(c), dvcqg.SyncListRequest{
		ReceivedFrom: c.Query("received_from"), ReceivedTo: c.Query("received_to"), Status: c.Query("status"),
		UnitCode: c.Query("unit_code"), Page: domain.Page{Page: page, PageSize: size}})
	if err != nil {
		return answer{}, err
	}
	return ok(newList(mapItems(items, func(it dvcqg.SyncItem) dvcqgSyncItemDTO {
		return dvcqgSyncItemDTO{Code: it.Code, ReceivedAt: it.ReceivedAt.In(h.env.loc), DVCQGSync: toSyncDTO(it.Sync, h.env.loc)}
	}), page, size, total)), nil
}

// requeue makes a dossier pending, due at once (202).
func (h *dvcqgHandler) requeue(c *gin.Context) (answer, error) {
	if h.svc == nil {
		return answer{}, dvcqg.ErrPushOff
	}
	s, err := h.svc.Requeue(c.Request.Context(), principal(c), c.Param("code"))
	if err != nil {
		return answer{}, err
	}
	return answer{status: http.StatusAccepted, body: gin.H{"code": c.Param("code"), "dvcqg_sync": toSyncDTO(s, h.env.loc)}}, nil
}
