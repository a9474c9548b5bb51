package api

import (
	"errors"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/importer"
)

// MaxImportBytes is the largest import body accepted (docs/openapi.yaml: 1 GB).
const MaxImportBytes = 1 << 30

// importDeadline replaces the server's read and write timeouts for an
// import: streaming a gigabyte into the database takes minutes.
const importDeadline = 2 * time.Hour

// ndjsonTypes are the media types an import body may be sent as.
var ndjsonTypes = map[string]bool{"application/x-ndjson": true, "application/ndjson": true, "application/jsonl": true}

// importHandler serves POST /api/v1/imports/{kind} (admin).
type importHandler struct {
	svc ImportService
	env
	// imported, when set, is told of every import run once it ends, even
	// one that stopped half-way (what was stored stays).
	imported func(importer.Kind)
}

type importErrorDTO struct {
	Line  int64  `json:"line"`
	Error string `json:"error"`
}

type importResultDTO struct {
	Imported          int64            `json:"imported"`
	SkippedDuplicates int64            `json:"skipped_duplicates"`
	Errors            []importErrorDTO `json:"errors"`
	ErrorsTotal       int64            `json:"errors_total"`
	Lines             int64            `json:"lines"`
}

func toImportResultDTO(r importer.Result) importResultDTO {
	d := importResultDTO{Imported: r.Imported, SkippedDuplicates: r.SkippedDuplicates, ErrorsTotal: r.ErrorLines,
		Lines: r.Lines, Errors: make([]importErrorDTO, len(r.Errors))}
	for i, e := range r.Errors {
		d.Errors[i] = importErrorDTO{Line: e.Line, Error: e.Error}
	}
	return d
}

// run streams the request body into the importer: never read whole, never
// through decodeJSON's 1 MiB limit, but through a 1 GiB one.
func (h *importHandler) run(c *gin.Context) (answer, error) {
	kind := importer.Kind(c.Param("kind"))
	if !kind.Valid() {
		return answer{}, domain.NotFound("loại dữ liệu nhập (dossiers, feedback hoặc procedures)")
	}
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || !ndjsonTypes[mt] {
		return answer{}, badRequest("Nội dung nhập phải là NDJSON (Content-Type: application/x-ndjson), mỗi dòng một đối tượng JSON", "Content-Type")
	}
	if c.Request.ContentLength > MaxImportBytes {
		return answer{}, tooLargeImport(importer.Result{})
	}
	rc := http.NewResponseController(c.Writer)
	_ = rc.SetReadDeadline(time.Now().Add(importDeadline)) // not every writer supports it (tests)
	_ = rc.SetWriteDeadline(time.Now().Add(importDeadline))
	body := http.MaxBytesReader(c.Writer, c.Request.Body, MaxImportBytes)
	res, err := h.svc.Import(c.Request.Context(), principal(c), kind, body, nil)
	if h.imported != nil {
		h.imported(kind)
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			err = tooLargeImport(res)
		}
		return answer{}, err
	}
	h.log.InfoContext(c.Request.Context(), "import finished", "kind", string(kind), "lines", res.Lines,
		"imported", res.Imported, "skipped_duplicates", res.SkippedDuplicates, "errors", res.ErrorLines,
		"request_id", c.GetString(ctxRequestID))
	return ok(toImportResultDTO(res)), nil
}

// tooLargeImport is the 413 of a body over MaxImportBytes; details say what
// was stored before the limit (complete lines only: sending the rest, or the
// whole file again, finishes the work).
func tooLargeImport(r importer.Result) error {
	return &domain.Error{Kind: domain.KindTooLarge,
		Message: "Nội dung nhập quá lớn (tối đa " + strconv.Itoa(MaxImportBytes>>30) + " GiB); hãy chia tệp",
		Details: map[string]any{"imported": r.Imported, "skipped_duplicates": r.SkippedDuplicates, "lines": r.Lines}}
}
