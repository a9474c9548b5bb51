package api

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/text/unicode/norm"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/files"
	"github.com/motcua/motcua/domain/user"
)

// FileService is the part of files.Service the HTTP layer calls.
type FileService interface {
	MaxBytes() int64
	Prepare(ctx context.Context, by user.Principal, code string, fileID int64, in files.Upload) (*files.Target, error)
	Receive(ctx context.Context, body io.Reader) (files.Blob, error)
	Discard(b files.Blob)
	Store(ctx context.Context, t *files.Target, b files.Blob) (files.File, error)
	List(ctx context.Context, by user.Principal, code string, kind files.Kind, componentID *int64) ([]files.File, error)
	Get(ctx context.Context, by user.Principal, code string, id int64) (files.File, error)
	Content(ctx context.Context, by user.Principal, code string, id int64, n int) (files.Version, io.ReadSeekCloser, error)
	PublicResults(ctx context.Context, code, pin string) ([]files.File, error)
	PublicResult(ctx context.Context, code, pin string, id int64) (files.Version, io.ReadSeekCloser, error)
}

var _ FileService = (*files.Service)(nil)

// fileVersionDTO is one version of a file (docs/openapi.yaml).
type fileVersionDTO struct {
	Version        int       `json:"version"`
	Name           string    `json:"name"`
	ContentType    string    `json:"content_type"`
	Size           int64     `json:"size"`
	SHA256         string    `json:"sha256"`
	Digitised      bool      `json:"digitised"`
	Reused         bool      `json:"reused"`
	FromNationalDB bool      `json:"from_national_db"`
	UploadedAt     time.Time `json:"uploaded_at"`
	UploadedBy     string    `json:"uploaded_by"`
}

// fileDTO is a dossier's file: its current version's fields, and every
// version on the single-file read.
type fileDTO struct {
	ID            int64   `json:"id"`
	DossierCode   string  `json:"dossier_code"`
	Kind          string  `json:"kind"`
	ComponentID   *int64  `json:"component_id"`
	ComponentName *string `json:"component_name"`
	fileVersionDTO
	Versions []fileVersionDTO `json:"versions,omitempty"`
}

func toVersionDTO(v files.Version, loc *time.Location) fileVersionDTO {
	return fileVersionDTO{Version: v.Version, Name: v.Name, ContentType: v.ContentType, Size: v.Size, SHA256: v.SHA256,
		Digitised: v.Digitised, Reused: v.Reused, FromNationalDB: v.FromNationalDB, UploadedAt: v.UploadedAt.In(loc),
		UploadedBy: v.UploadedBy}
}

func toFileDTO(f files.File, loc *time.Location, withVersions bool) fileDTO {
	out := fileDTO{ID: f.ID, DossierCode: f.DossierCode, Kind: string(f.Kind), ComponentID: f.ComponentID,
		ComponentName: optional(f.ComponentName), fileVersionDTO: toVersionDTO(f.Current, loc)}
	if withVersions {
		out.Versions = make([]fileVersionDTO, 0, len(f.Versions))
		for _, v := range f.Versions {
			out.Versions = append(out.Versions, toVersionDTO(v, loc))
		}
	}
	return out
}

// fileHandler serves a dossier's files.
type fileHandler struct {
	svc  FileService
	idem IdempotencyStore // nil: Idempotency-Key is not kept
	env
}

// uploadParams reads an upload's query: malformed values are 400, as the
// error table of docs/openapi.yaml says; the rules on the values are the
// service's.
func uploadParams(c *gin.Context, newFile bool) (files.Upload, error) {
	q := c.Request.URL.Query()
	in := files.Upload{Name: norm.NFC.String(q.Get("name")), SHA256: q.Get("sha256")}
	allowed := map[string]bool{"name": true, "digitised": true, "reused": true, "from_national_db": true, "sha256": true}
	if newFile {
		allowed["kind"], allowed["component_id"] = true, true
	}
	for k := range q {
		if !allowed[k] {
			return in, badRequest("Tham số không được hỗ trợ", k)
		}
	}
	if newFile {
		in.Kind = files.Kind(q.Get("kind"))
		if in.Kind != "" && !in.Kind.Valid() {
			return in, badRequest("kind phải là component hoặc result", "kind")
		}
		if s := q.Get("component_id"); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n < 1 {
				return in, badRequest("component_id phải là số nguyên dương", "component_id")
			}
			in.ComponentID = &n
		}
	}
	for name, dst := range map[string]**bool{"digitised": &in.Digitised, "reused": &in.Reused, "from_national_db": &in.FromNationalDB} {
		if s, ok := q[name]; ok {
			b, err := strconv.ParseBool(s[0])
			if err != nil || (s[0] != "true" && s[0] != "false") || len(s) != 1 {
				return in, badRequest(name+" phải là true hoặc false", name)
			}
			*dst = &b
		}
	}
	if in.SHA256 != "" && !files.ValidSHA256(in.SHA256) {
		return in, badRequest("sha256 phải là 64 chữ số thập lục phân viết thường", "sha256")
	}
	return in, nil
}

// create is POST /dossiers/{code}/files: a new file of the body.
func (h *fileHandler) create(c *gin.Context) (answer, error) { return h.upload(c, 0) }

// addVersion is POST /dossiers/{code}/files/{id}/versions.
func (h *fileHandler) addVersion(c *gin.Context) (answer, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return answer{}, err
	}
	return h.upload(c, id)
}

// upload makes every check that needs no body, then streams the body into
// the store. The server's read and write deadlines are lifted for it: a
// 20 MiB scan on a slow counter link takes longer than any JSON request.
func (h *fileHandler) upload(c *gin.Context, fileID int64) (answer, error) {
	in, err := uploadParams(c, fileID == 0)
	if err != nil {
		return answer{}, err
	}
	key, err := h.uploadKey(c)
	if err != nil {
		return answer{}, err
	}
	ctx := c.Request.Context()
	t, err := h.svc.Prepare(ctx, principal(c), c.Param("code"), fileID, in)
	if err != nil {
		return answer{}, err
	}
	max := h.svc.MaxBytes()
	if c.Request.ContentLength > max {
		return answer{}, tooLarge(max)
	}
	liftDeadlines(c)
	b, err := h.svc.Receive(ctx, c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return answer{}, tooLarge(max)
		}
		return answer{}, err
	}
	if key != "" {
		return h.storeOnce(c, key, t, b)
	}
	f, err := h.svc.Store(ctx, t, b)
	if err != nil {
		return answer{}, err
	}
	return created(toFileDTO(f, h.loc, false)), nil
}

// tooLarge is the 413 of an upload over max bytes.
func tooLarge(max int64) error {
	return &domain.Error{Kind: domain.KindTooLarge, Message: "Tệp tải lên quá lớn (tối đa " +
		strconv.FormatInt(max, 10) + " byte)", Details: map[string]any{"max_bytes": max}}
}

// liftDeadlines removes the server's read and write deadlines for this
// request; a writer that cannot (a test recorder) keeps its own.
func liftDeadlines(c *gin.Context) {
	rc := http.NewResponseController(c.Writer)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
}

// idParam reads a positive integer path parameter; anything else names
// nothing there (404).
func idParam(c *gin.Context, name string) (int64, error) {
	n, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || n < 1 {
		return 0, domain.NotFound("tệp")
	}
	return n, nil
}

// list is GET /dossiers/{code}/files?kind=&component_id=.
func (h *fileHandler) list(c *gin.Context) (answer, error) {
	kind := files.Kind(c.Query("kind"))
	if kind != "" && !kind.Valid() {
		return answer{}, badRequest("kind phải là component hoặc result", "kind")
	}
	var comp *int64
	if s := c.Query("component_id"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			return answer{}, badRequest("component_id phải là số nguyên dương", "component_id")
		}
		comp = &n
	}
	list, err := h.svc.List(c.Request.Context(), principal(c), c.Param("code"), kind, comp)
	if err != nil {
		return answer{}, err
	}
	out := mapItems(list, func(f files.File) fileDTO { return toFileDTO(f, h.loc, false) })
	// A dossier's files are few: one page holds them all.
	return ok(newList(out, 1, max(len(out), 1), int64(len(out)))), nil
}

// get is GET /dossiers/{code}/files/{id}: the file with its versions.
func (h *fileHandler) get(c *gin.Context) (answer, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return answer{}, err
	}
	f, err := h.svc.Get(c.Request.Context(), principal(c), c.Param("code"), id)
	if err != nil {
		return answer{}, err
	}
	return ok(toFileDTO(f, h.loc, true)), nil
}

// content is GET (and HEAD) /dossiers/{code}/files/{id}/content and
// …/versions/{n}/content: the bytes, streamed, with Range and ETag.
func (h *fileHandler) content(c *gin.Context) {
	id, err := idParam(c, "id")
	n := 0
	if err == nil && c.Param("n") != "" {
		v, perr := strconv.Atoi(c.Param("n"))
		if perr != nil || v < 1 {
			err = domain.NotFound("phiên bản tệp")
		}
		n = v
	}
	if err != nil {
		writeError(c, h.log, err)
		return
	}
	v, r, err := h.svc.Content(c.Request.Context(), principal(c), c.Param("code"), id, n)
	if err != nil {
		writeError(c, h.log, err)
		return
	}
	defer r.Close()
	liftDeadlines(c)
	serveVersion(c, h.log, v, r)
}

// serveVersion streams v's bytes from r with the headers of a download:
// its type, length, ETag (its SHA-256), byte ranges, the name as an
// attachment. An unsatisfiable range is the JSON error of the table.
func serveVersion(c *gin.Context, log *slog.Logger, v files.Version, r io.ReadSeeker) {
	w := c.Writer
	h := w.Header()
	h.Set("Content-Type", v.ContentType)
	h.Set("ETag", `"`+v.SHA256+`"`)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox")
	h.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(v.Name))
	rw := &rangeGuard{ResponseWriter: w, c: c, log: log}
	http.ServeContent(rw, c.Request, "", v.UploadedAt, r)
}

// rangeGuard turns http.ServeContent's plain-text 416 into the API's JSON
// error, keeping its Content-Range header.
type rangeGuard struct {
	gin.ResponseWriter
	c       *gin.Context
	log     *slog.Logger
	swallow bool
}

func (g *rangeGuard) WriteHeader(code int) {
	if code != http.StatusRequestedRangeNotSatisfiable || g.swallow {
		g.ResponseWriter.WriteHeader(code)
		return
	}
	g.swallow = true
	h := g.ResponseWriter.Header()
	h.Del("Content-Length")
	h.Del("Content-Disposition")
	h.Del("Content-Security-Policy")
	h.Del("Content-Type") // http.Error's text/plain; the JSON writer sets its own
	writeError(g.c, g.log, errRange)
}

func (g *rangeGuard) Write(b []byte) (int, error) {
	if g.swallow {
		return len(b), nil // ServeContent's own text
	}
	return g.ResponseWriter.Write(b)
}

var errRange = &domain.Error{Kind: domain.KindRangeNotSatisfiable, Message: "Khoảng byte yêu cầu nằm ngoài nội dung tệp"}
