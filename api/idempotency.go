package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/motcua/motcua/domain"
)

// IdempotencyKeyHeader names the header that makes a POST safe to retry
// (docs/openapi.yaml).
const IdempotencyKeyHeader = "Idempotency-Key"

// IdempotentReplayedHeader marks an answer replayed from an earlier request
// with the same key.
const IdempotentReplayedHeader = "Idempotent-Replayed"

const (
	// maxIdempotencyKey is the longest key accepted, in bytes.
	maxIdempotencyKey = 200
	// idempotencyPoll is how often a duplicate that arrives while the
	// first request runs looks for its answer.
	idempotencyPoll = 20 * time.Millisecond
	// idempotencyWait is how long such a duplicate waits before giving up
	// with 409.
	idempotencyWait = 10 * time.Second
	// maxReplayBytes is the largest answer kept for replay; POST answers
	// are one resource, far below it.
	maxReplayBytes = 4 << 20
)

// IdempotencyRecord is what Begin finds for a key (one type, in domain).
type IdempotencyRecord = domain.IdempotencyRecord

// IdempotencyStore keeps the first answer to each (owner, key) for 24 hours.
type IdempotencyStore interface {
	// Run claims (owner, key) for the request with fingerprint and, when
	// it holds the claim, runs fn in one transaction with it (fn's context
	// carries the transaction): the request's writes, its kept answer and
	// the claim commit together. Otherwise it reports what the key holds.
	// Claim is set in the record when fn ran.
	Run(ctx context.Context, owner, key, fingerprint string, now time.Time,
		fn func(context.Context) domain.IdempotentOutcome) (IdempotencyRecord, error)
	// Pending reports whether the key's first request still runs.
	Pending(ctx context.Context, owner, key string, now time.Time) (bool, error)
}

var (
	errIdempotencyMismatch = &domain.Error{Kind: domain.KindConflict,
		Message: "Idempotency-Key đã được dùng cho một yêu cầu khác"}
	errIdempotencyBusy = &domain.Error{Kind: domain.KindConflict,
		Message: "Yêu cầu với Idempotency-Key này vẫn đang được xử lý; vui lòng thử lại sau"}
	errIdempotencyKey = &domain.Error{Kind: domain.KindInvalid,
		Message: "Idempotency-Key phải gồm 1 đến 200 ký tự ASCII in được",
		Fields:  map[string]string{IdempotencyKeyHeader: "1 đến 200 ký tự ASCII in được"}}
)

// idempotent makes POST requests that carry an Idempotency-Key safe to
// retry (docs/openapi.yaml): the first answer to a key is kept for 24 hours and
// replayed, without running the handler, to the same request with the same
// key; the key with another request is 409 conflict. Keys belong to the
// caller: the user when authenticate ran before, else the client address.
// A duplicate that arrives while the first request runs waits for its
// answer (up to idempotencyWait, then 409). Answers of 5xx and 429, and
// panics, are not kept: the key is freed so the retry runs. A nil store,
// other methods and requests without the header pass through.
//
// Imports (/api/v1/imports/*) also pass through: their bodies are streamed
// and may exceed what a fingerprint can hold in memory, and importing the
// same file twice changes nothing anyway (docs/openapi.yaml).
func idempotent(store IdempotencyStore, now func() time.Time, log *slog.Logger) gin.HandlerFunc {
	return idempotentWaiting(store, now, log, idempotencyWait, func(c *gin.Context, err error) { writeError(c, log, err) })
}

// isUpload reports whether route takes a file's bytes as its body: those
// are streamed to storage and never read into memory here; the upload
// handler honours the key itself, fingerprinting the digest it computes
// while streaming (idempotency_upload.go).
func isUpload(route string) bool {
	return route == "/api/v1/dossiers/:code/files" || route == "/api/v1/dossiers/:code/files/:id/versions"
}

// idempotentWaiting is idempotent with duplicates waiting at most wait.
// Its own refusals (a reused key, a key still busy) are answered by fail:
// the JSON error for the API, an error page for the pages' forms.
func idempotentWaiting(store IdempotencyStore, now func() time.Time, log *slog.Logger, wait time.Duration,
	fail func(*gin.Context, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		values, present := c.Request.Header[IdempotencyKeyHeader]
		if store == nil || !present || c.Request.Method != http.MethodPost ||
			strings.HasPrefix(c.FullPath(), "/api/v1/imports/") || isUpload(c.FullPath()) {
			c.Next()
			return
		}
		if len(values) != 1 || !validIdempotencyKey(values[0]) {
			fail(c, errIdempotencyKey)
			return
		}
		key := values[0]
		body, err := readBody(c)
		if err != nil {
			fail(c, err)
			return
		}
		c.Request.Body = io.NopCloser(bytes.NewReader(body))
		c.Request.ContentLength = int64(len(body))
		owner := idempotencyOwner(c)
		fp := fingerprint(c.Request, body)
		ctx := c.Request.Context()
		deadline := time.Now().Add(wait)
		for {
			var held *heldWriter
			rec, err := store.Run(ctx, owner, key, fp, now(), func(tctx context.Context) domain.IdempotentOutcome {
				out, w := runClaimed(c, tctx, log)
				held = w
				return out
			})
			ran := held != nil
			switch {
			case ran && err != nil:
				// The answer and the writes did not commit: nothing
				// happened, and a retry with the key runs again.
				fail(c, err)
				return
			case ran:
				held.release()
				c.Abort()
				return
			case err != nil:
				fail(c, err)
				return
			case rec.Mismatch:
				fail(c, errIdempotencyMismatch)
				return
			case rec.Done:
				replay(c, rec)
				return
			}
			// The first request with this key still runs: wait for it to
			// finish (or give the key up), then look again.
			if err := waitForKey(ctx, store, owner, key, now, deadline); err != nil {
				fail(c, err)
				return
			}
		}
	}
}

// validIdempotencyKey accepts 1 to 200 printable ASCII characters.
func validIdempotencyKey(k string) bool {
	if k == "" || len(k) > maxIdempotencyKey {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x20 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// fingerprint identifies a request: method, path, query and body.
func fingerprint(r *http.Request, body []byte) string {
	h := sha256.New()
	h.Write([]byte(r.Method + "\n" + r.URL.EscapedPath() + "\n" + r.URL.RawQuery + "\n"))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// waitForKey polls until the key's first request is no longer in progress,
// the deadline passes (409) or the client goes away.
func waitForKey(ctx context.Context, store IdempotencyStore, owner, key string, now func() time.Time, deadline time.Time) error {
	t := time.NewTicker(idempotencyPoll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return errIdempotencyBusy
		case <-t.C:
		}
		pending, err := store.Pending(ctx, owner, key, now())
		if err != nil {
			return err
		}
		if !pending {
			return nil
		}
		if time.Now().After(deadline) {
			return errIdempotencyBusy
		}
	}
}

// runClaimed runs the handler for the request that holds the key, in the
// transaction of tctx. The answer is held back until that transaction
// commits (a client must never see an answer whose writes a crash could
// still undo); it is written out when runClaimed's caller returns.
// Answers of 5xx and 429, and panics, roll the request back and are not
// kept: the key is free again. A refusal (4xx) is kept and changes nothing.
func runClaimed(c *gin.Context, tctx context.Context, log *slog.Logger) (domain.IdempotentOutcome, *heldWriter) {
	w := &heldWriter{ResponseWriter: c.Writer, status: http.StatusOK}
	req := c.Request
	c.Writer, c.Request = w, req.WithContext(tctx)
	restore := func() { c.Writer, c.Request = w.ResponseWriter, req }
	defer func() {
		if p := recover(); p != nil {
			restore() // the recovery middleware answers on the real writer
			panic(p)
		}
	}()
	c.Next()
	restore()
	status := w.Status()
	final := status < http.StatusInternalServerError && status != http.StatusTooManyRequests
	out := domain.IdempotentOutcome{Status: status, ContentType: w.Header().Get("Content-Type"), Body: w.buf.Bytes(),
		Commit: final && status < http.StatusBadRequest, Keep: final && w.buf.Len() <= maxReplayBytes}
	if final && !out.Keep {
		log.WarnContext(tctx, "idempotency: answer too large to keep", "route", c.FullPath(),
			"request_id", c.GetString(ctxRequestID))
	}
	return out, w
}

// replay writes a kept answer; the handler does not run.
func replay(c *gin.Context, rec IdempotencyRecord) {
	if rec.ContentType != "" {
		c.Header("Content-Type", rec.ContentType)
	}
	c.Header(IdempotentReplayedHeader, "true")
	c.Status(rec.Status)
	if len(rec.Body) > 0 {
		_, _ = c.Writer.Write(rec.Body)
	} else {
		c.Writer.WriteHeaderNow()
	}
	c.Abort()
}

// heldWriter keeps what the handler writes (status and body) instead of
// sending it; headers go to the real writer's map, unsent.
type heldWriter struct {
	gin.ResponseWriter
	buf     bytes.Buffer
	status  int
	written bool
}

func (w *heldWriter) WriteHeader(code int) {
	if code > 0 && !w.written {
		w.status = code
	}
}
func (w *heldWriter) WriteHeaderNow()             { w.written = true }
func (w *heldWriter) Write(p []byte) (int, error) { w.written = true; return w.buf.Write(p) }
func (w *heldWriter) WriteString(s string) (int, error) {
	w.written = true
	return w.buf.WriteString(s)
}
func (w *heldWriter) Status() int { return w.status }
func (w *heldWriter) Size() int {
	if !w.written {
		return -1
	}
	return w.buf.Len()
}
func (w *heldWriter) Written() bool { return w.written }

// release sends the held answer on the real writer.
func (w *heldWriter) release() {
	w.ResponseWriter.WriteHeader(w.status)
	if w.buf.Len() > 0 {
		_, _ = w.ResponseWriter.Write(w.buf.Bytes())
		return
	}
	w.ResponseWriter.WriteHeaderNow()
}
func (w *heldWriter) Flush() {}
