package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/user"
)

// Read-your-writes: a writing request, and every request of the same caller
// within FreshReadWindow after a successful write, read from the primary;
// other callers, failed writes and later reads may use a replica.
func TestFreshReadsAfterOwnWrites(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }

	r := gin.New()
	r.Use(func(c *gin.Context) { // stands in for authenticate
		if u := c.GetHeader("X-Test-User"); u != "" {
			c.Set(ctxPrincipal, user.Principal{Username: u, Role: user.RoleClerk, Unit: "U"})
		}
		c.Next()
	})
	r.Use(freshReads(newWriteTracker(clock)))
	seen := func(c *gin.Context) string {
		if domain.FreshReads(c.Request.Context()) {
			return "primary"
		}
		return "replica"
	}
	r.GET("/x", func(c *gin.Context) { c.String(http.StatusOK, seen(c)) })
	r.POST("/x", func(c *gin.Context) { c.String(http.StatusCreated, seen(c)) })
	r.POST("/bad", func(c *gin.Context) { c.String(http.StatusUnprocessableEntity, seen(c)) })

	do := func(method, path, who string) string {
		t.Helper()
		req := httptest.NewRequest(method, path, strings.NewReader("{}"))
		if who != "" {
			req.Header.Set("X-Test-User", who)
		}
		req.RemoteAddr = "192.0.2.7:1000"
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		return rec.Body.String()
	}
	steps := []struct {
		method, path, who, want string
		after                   time.Duration
	}{
		{"GET", "/x", "lan", "replica", 0},
		{"POST", "/bad", "lan", "primary", 0}, // a write reads the primary, even one that fails…
		{"GET", "/x", "lan", "replica", 0},    // …but a failed write does not pin later reads
		{"POST", "/x", "lan", "primary", 0},
		{"GET", "/x", "lan", "primary", 0},  // right after her own write
		{"GET", "/x", "minh", "replica", 0}, // another user is not pinned
		{"GET", "/x", "", "replica", 0},     // nor is an anonymous caller
		{"GET", "/x", "lan", "primary", FreshReadWindow - time.Second},
		{"GET", "/x", "lan", "replica", 2 * time.Second}, // the window has passed
	}
	for i, s := range steps {
		advance(s.after)
		if got := do(s.method, s.path, s.who); got != s.want {
			t.Fatalf("step %d: %s %s by %q read from %s, want %s", i, s.method, s.path, s.who, got, s.want)
		}
	}
}
