package api

import (
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/files"
)

// publicResultHandler lets the citizen download the electronic results of
// a returned dossier with the receipt's code and pin (docs/openapi.yaml,
// tag public). Anything the pin does not open answers the same 404 as an
// unknown code.
type publicResultHandler struct {
	svc FileService
	env
}

// publicResultDTO is a result as the citizen sees it: no staff names, no
// flags.
type publicResultDTO struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	UploadedAt  time.Time `json:"uploaded_at"`
}

func (h *publicResultHandler) list(c *gin.Context) (answer, error) {
	list, err := h.svc.PublicResults(c.Request.Context(), c.Param("code"), c.Query("pin"))
	if err != nil {
		return answer{}, err
	}
	out := mapItems(list, func(f files.File) publicResultDTO {
		v := f.Current
		return publicResultDTO{ID: f.ID, Name: v.Name, ContentType: v.ContentType, Size: v.Size, SHA256: v.SHA256,
			UploadedAt: v.UploadedAt.In(h.loc)}
	})
	return ok(gin.H{"items": out}), nil
}

func (h *publicResultHandler) content(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		writeError(c, h.log, dossier.ErrNoDossier)
		return
	}
	v, r, err := h.svc.PublicResult(c.Request.Context(), c.Param("code"), c.Query("pin"), id)
	if err != nil {
		writeError(c, h.log, err)
		return
	}
	defer r.Close()
	liftDeadlines(c)
	serveVersion(c, h.log, v, r)
}
