package api

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/user"
)

// Context keys.
const (
	ctxRequestID = "motcua.request_id"
	ctxPrincipal = "motcua.principal"
	ctxBody      = "motcua.body"
)

// withRequestID echoes a sane X-Request-ID or makes one, and sets it on the
// response.
func withRequestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader("X-Request-ID")
		if !validRequestID(id) {
			b := make([]byte, 12)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		c.Set(ctxRequestID, id)
		c.Header("X-Request-ID", id)
		c.Next()
	}
}

// securityHeaders sets, on every answer (errors and 404s included), the
// headers that stop browsers from guessing content types and from sending
// our addresses (which carry dossier codes) as referrers.
func securityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		c.Next()
	}
}

// noStore forbids caching the answer: it may hold personal data.
func noStore() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Writer.Header().Set("Cache-Control", "no-store")
		c.Next()
	}
}

// metricsHandler serves reg at /metrics and 404 elsewhere, with the same
// content-type header rule as the API.
func metricsHandler(reg *prometheus.Registry) http.Handler {
	prom := promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		if r.URL.Path != "/metrics" {
			http.NotFound(w, r)
			return
		}
		prom.ServeHTTP(w, r)
	})
}

func validRequestID(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for _, r := range s {
		if r < 0x21 || r > 0x7e {
			return false
		}
	}
	return true
}

// recoverPanics turns a panic into a logged 500 internal answer. The log
// line carries the request ID, the route and the stack; the client sees only
// the fixed internal message. http.ErrAbortHandler is passed on, as net/http
// expects.
func recoverPanics(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			if p == http.ErrAbortHandler {
				panic(p)
			}
			log.ErrorContext(c.Request.Context(), "panic recovered", "err", fmt.Sprint(p), "route", c.FullPath(),
				"request_id", c.GetString(ctxRequestID), "stack", string(debug.Stack()))
			if c.Writer.Written() {
				// Part of an answer is already out; a second status line is
				// impossible, so the connection is merely cut short.
				c.Abort()
				return
			}
			writeError(c, nil, domain.Errorf(domain.KindInternal, "%s", internalMessage))
		}()
		c.Next()
	}
}

// metrics counts requests and their latency by route and status.
type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "motcua_http_requests_total", Help: "HTTP requests by method, route and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "motcua_http_request_duration_seconds", Help: "HTTP request latency by method, route and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route", "status"}),
	}
	reg.MustRegister(m.requests, m.latency)
	return m
}

// metricMethod bounds the method label: any method outside HTTP's usual
// set is "OTHER", so made-up methods cannot grow the series without end.
func metricMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return m
	}
	return "OTHER"
}

// observe logs each request (route template only: paths and queries can
// carry codes and pins) and records its metrics.
func observe(log *slog.Logger, m *metrics) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		status := c.Writer.Status()
		d := time.Since(start)
		method := metricMethod(c.Request.Method)
		m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
		m.latency.WithLabelValues(method, route, strconv.Itoa(status)).Observe(d.Seconds())
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		attrs := []slog.Attr{
			slog.String("method", method), slog.String("route", route), slog.Int("status", status),
			slog.Float64("ms", float64(d.Microseconds())/1000), slog.String("request_id", c.GetString(ctxRequestID)),
		}
		if p, ok := c.Get(ctxPrincipal); ok {
			attrs = append(attrs, slog.String("user", p.(user.Principal).Username))
		}
		log.LogAttrs(c.Request.Context(), level, "request", attrs...)
	}
}

// authenticate requires a valid, unrevoked bearer token and loads the
// principal.
func authenticate(tokens *TokenIssuer, users UserService, log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.GetHeader("Authorization")
		scheme, tok, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
			writeError(c, log, domain.ErrUnauthenticated)
			return
		}
		sub, err := tokens.Verify(strings.TrimSpace(tok))
		if err != nil {
			writeError(c, log, err)
			return
		}
		// One read by primary key: the account must still be enabled and
		// at the token's version (else the token was revoked).
		p, err := users.Principal(c.Request.Context(), sub.Username, sub.Version)
		if err != nil {
			writeError(c, log, err)
			return
		}
		c.Set(ctxPrincipal, p)
		c.Next()
	}
}

// principal returns the authenticated caller (set by authenticate).
func principal(c *gin.Context) user.Principal {
	p, _ := c.Get(ctxPrincipal)
	pr, _ := p.(user.Principal)
	return pr
}

// requireRole answers 403 unless the caller has one of roles.
func requireRole(log *slog.Logger, roles ...user.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := principal(c).RequireRole(roles...); err != nil {
			writeError(c, log, err)
			return
		}
		c.Next()
	}
}

// rateLimiter is a token bucket per client address: limit requests a minute,
// bursting up to limit.
type rateLimiter struct {
	limit float64
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newRateLimiter(perMinute int, now func() time.Time) *rateLimiter {
	return &rateLimiter{limit: float64(perMinute), now: now, buckets: map[string]*bucket{}, swept: now()}
}

// allow takes a token for key; when none is left it says how long to wait.
func (l *rateLimiter) allow(key string) (bool, time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > 5*time.Minute { // forget idle clients
		for k, b := range l.buckets {
			if now.Sub(b.at) > 2*time.Minute {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	rate := l.limit / 60 // tokens a second
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: l.limit, at: now}
		l.buckets[key] = b
	}
	b.tokens = math.Min(l.limit, b.tokens+now.Sub(b.at).Seconds()*rate)
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / rate * float64(time.Second))
}

// clientKey is the address a client is limited by: an IPv4 address as it
// is, an IPv6 address by its /64 (one subscriber's network hands out many
// addresses of it).
func clientKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, err := a.Prefix(64)
	if err != nil {
		return ip
	}
	return p.String()
}

// limitRate answers 429 with Retry-After when the client address has spent
// its budget. A nil limiter lets everything through.
func limitRate(l *rateLimiter, scope string, log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		if l == nil {
			c.Next()
			return
		}
		ok, wait := l.allow(scope + "|" + clientKey(c.ClientIP()))
		if !ok {
			secs := int(math.Ceil(wait.Seconds()))
			if secs < 1 {
				secs = 1
			}
			writeError(c, log, &domain.Error{Kind: domain.KindRateLimited,
				Message: "Quá nhiều yêu cầu; vui lòng thử lại sau " + strconv.Itoa(secs) + " giây",
				Details: map[string]any{"retry_after_seconds": secs}})
			return
		}
		c.Next()
	}
}
