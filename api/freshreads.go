package api

import (
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/motcua/motcua/domain"
)

// FreshReadWindow is how long after a caller's write their reads keep going
// to the primary database instead of a read replica (read-your-writes).
const FreshReadWindow = 10 * time.Second

// writeTracker remembers when each caller last wrote. It is per process: a
// deployment with several instances behind a load balancer should keep a
// caller on one instance (sticky sessions) or accept replica lag for the
// window.
type writeTracker struct {
	now   func() time.Time
	mu    sync.Mutex
	last  map[string]time.Time
	swept time.Time
}

func newWriteTracker(now func() time.Time) *writeTracker {
	return &writeTracker{now: now, last: map[string]time.Time{}, swept: now()}
}

func (w *writeTracker) recent(key string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	t, ok := w.last[key]
	return ok && w.now().Sub(t) < FreshReadWindow
}

func (w *writeTracker) mark(key string) {
	now := w.now()
	w.mu.Lock()
	defer w.mu.Unlock()
	w.last[key] = now
	if now.Sub(w.swept) > time.Minute {
		for k, t := range w.last {
			if now.Sub(t) >= FreshReadWindow {
				delete(w.last, k)
			}
		}
		w.swept = now
	}
}

// freshReads sends every read of a writing request, and every read of a
// caller who wrote within FreshReadWindow, to the primary database. Other
// reads may go to a replica (when replicas are configured).
func freshReads(w *writeTracker) gin.HandlerFunc {
	return func(c *gin.Context) {
		key := "ip:" + c.ClientIP()
		if p := principal(c); p.Username != "" {
			key = "user:" + p.Username
		}
		writing := c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead
		if writing || w.recent(key) {
			c.Request = c.Request.WithContext(domain.WithFreshReads(c.Request.Context()))
		}
		c.Next()
		if writing && c.Writer.Status() < http.StatusBadRequest {
			w.mark(key)
		}
	}
}
