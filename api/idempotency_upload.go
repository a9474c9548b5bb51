package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/files"
)

// Uploads honour Idempotency-Key without the middleware, which would read
// the body into memory: the key is checked before the body is read, the
// fingerprint takes the SHA-256 that receiving computes while streaming,
// and only then is the key claimed. The same key, path, query and bytes
// answer the first 201 again, and the second copy of the bytes is dropped
// before it reaches the blob store.

// uploadKey returns the upload's Idempotency-Key, "" when it has none or
// the server keeps no keys; a malformed key is the middleware's 400.
func (h *fileHandler) uploadKey(c *gin.Context) (string, error) {
	values, present := c.Request.Header[IdempotencyKeyHeader]
	if h.idem == nil || !present {
		return "", nil
	}
	if len(values) != 1 || !validIdempotencyKey(values[0]) {
		return "", errIdempotencyKey
	}
	return values[0], nil
}

// uploadFingerprint identifies an upload: method, path, query and the
// digest of its body.
func uploadFingerprint(r *http.Request, sha string) string {
	h := sha256.New()
	h.Write([]byte("upload\n" + r.Method + "\n" + r.URL.EscapedPath() + "\n" + r.URL.RawQuery + "\n" + sha))
	return hex.EncodeToString(h.Sum(nil))
}

// idempotencyOwner is whose key it is: the user, else the client address.
func idempotencyOwner(c *gin.Context) string {
	if p := principal(c); p.Username != "" {
		return "user:" + p.Username
	}
	return "ip:" + c.ClientIP()
}

// storeOnce stores the received blob b under key: the file's rows and
// the kept answer commit in one transaction. A key whose first upload
// already answered replays that answer and drops b; a key used for other
// bytes or another target is 409. A refused upload keeps nothing, so its
// key stays free for a corrected retry.
func (h *fileHandler) storeOnce(c *gin.Context, key string, t *files.Target, b files.Blob) (answer, error) {
	ctx := c.Request.Context()
	owner, fp := idempotencyOwner(c), uploadFingerprint(c.Request, b.SHA256)
	deadline := time.Now().Add(idempotencyWait)
	for {
		var (
			out   answer
			serr  error
			ran   bool
			shown []byte
		)
		rec, err := h.idem.Run(ctx, owner, key, fp, h.now(), func(tctx context.Context) domain.IdempotentOutcome {
			ran = true
			f, err := h.svc.Store(tctx, t, b)
			if err != nil {
				serr = err
				return domain.IdempotentOutcome{Status: http.StatusUnprocessableEntity}
			}
			out = created(toFileDTO(f, h.loc, false))
			if shown, err = json.Marshal(out.body); err != nil {
				serr = err
				return domain.IdempotentOutcome{Status: http.StatusInternalServerError}
			}
			return domain.IdempotentOutcome{Status: out.status, ContentType: "application/json; charset=utf-8",
				Body: shown, Commit: true, Keep: len(shown) <= maxReplayBytes}
		})
		switch {
		case ran && serr != nil:
			return answer{}, serr // Store consumed b
		case ran && err != nil:
			return answer{}, err
		case ran:
			return out, nil
		}
		if err != nil || rec.Mismatch || rec.Done {
			h.svc.Discard(b)
		}
		switch {
		case err != nil:
			return answer{}, err
		case rec.Mismatch:
			return answer{}, errIdempotencyMismatch
		case rec.Done:
			c.Header(IdempotentReplayedHeader, "true")
			return answer{status: rec.Status, contentType: rec.ContentType, data: rec.Body}, nil
		}
		if err := waitForKey(ctx, h.idem, owner, key, h.now, deadline); err != nil {
			h.svc.Discard(b)
			return answer{}, err
		}
	}
}
