// Package api is motcua's HTTP transport: the Gin router, middleware,
// handlers and their request and response types. It calls the domain
// services through small interfaces it declares, and renders every error
// through one table (errors.go).
package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/motcua/motcua/api/open311"
	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/audit"
	"github.com/motcua/motcua/domain/user"
	"github.com/motcua/motcua/web"
)

// Deps is what the HTTP layer needs. cmd builds it.
type Deps struct {
	Log     *slog.Logger
	Users   UserService
	Catalog CatalogService
	Tokens  *TokenIssuer
	// Ready reports whether the database answers.
	Ready func(ctx context.Context) error
	// OpenAPI is the contract served at /openapi.yaml.
	OpenAPI []byte
	// PublicRateLimit is requests a minute per client address on public
	// endpoints and login; 0 turns limiting off.
	PublicRateLimit int
	// TrustedProxies are addresses whose X-Forwarded-For is believed.
	TrustedProxies []string
	// Now is the clock (time.Now in production).
	Now func() time.Time
	// Location is the time zone every answer shows times in (UTC if nil).
	Location *time.Location
	// Idempotency keeps answers for Idempotency-Key (docs/openapi.yaml); nil turns
	// the header off.
	Idempotency IdempotencyStore
	// Dossiers serves dossiers and the citizen's lookup (docs/domain.md).
	Dossiers DossierService
	// Feedback serves citizen feedback (docs/openapi.yaml).
	Feedback FeedbackService
	// Webhooks manages webhook subscriptions (admin).
	Webhooks WebhookService
	// Ratings records citizens' satisfaction ratings (docs/openapi.yaml).
	Ratings RatingService
	// Stats answers the statistics and their exports (docs/domain.md).
	Stats StatsService
	// Imports streams a province's history in (docs/openapi.yaml).
	Imports ImportService
	// PublicStatsTTL is how long GET /api/v1/public/stats keeps a month's
	// answer (MOTCUA_PUBLIC_STATS_CACHE_SECONDS); 0 keeps nothing.
	PublicStatsTTL time.Duration
	// Papers renders the printed papers (docs/domain.md, "Papers").
	Papers PapersService
	// Files stores and serves the dossiers' papers and results.
	Files FileService
	// DVCQG answers the national portal's records and their export (§14).
	DVCQG DVCQGService
	// PublicURL is the base of the citizen's lookup page (MOTCUA_PUBLIC_URL).
	PublicURL string
	// Audit keeps the audit trail (docs/domain.md, "Audit trail"); nil
	// records nothing and GET /api/v1/audit answers 404.
	Audit AuditService
	// Pages are the citizen and staff pages (package web), mounted beside
	// the API; nil serves the API alone.
	Pages *web.Pages
	// Events lists items' events (docs/openapi.yaml); nil answers 404.
	Events EventService
	// OutboxPending counts the queue's unfinished jobs by kind for
	// motcua_outbox_pending; nil leaves the gauge out.
	OutboxPending func(ctx context.Context) (map[string]int64, error)
	// Collectors are registered on /metrics as they are: the counters the
	// queue's workers keep (motcua_deliveries_total, …).
	Collectors []prometheus.Collector
	// SeparateMetrics leaves /metrics off the main handler; NewHandlers
	// then returns it on its own, for a listener of its own.
	SeparateMetrics bool
	// Open311 configures the Open311 facade at /open311/v2/ (package
	// api/open311), served over Feedback.
	Open311 Open311Settings
}

// Open311Settings are the facade's settings (MOTCUA_OPEN311_*,
// MOTCUA_PUBLIC_BASE_URL).
type Open311Settings struct {
	Keys    []string
	Contact string
	BaseURL string
}

// NewHandler builds the HTTP handler with every route of the API. It
// returns http.Handler so cmd never imports gin.
func NewHandler(d Deps) (http.Handler, error) {
	h, _, err := NewHandlers(d)
	return h, err
}

// NewHandlers builds the API handler and the metrics handler. The metrics
// handler serves /metrics alone (anything else is 404); unless
// d.SeparateMetrics, the API handler serves /metrics too.
func NewHandlers(d Deps) (api, metrics http.Handler, err error) {
	var reg *prometheus.Registry
	e, err := newEngineWith(d, &reg)
	if err != nil {
		return nil, nil, err
	}
	return e, metricsHandler(reg), nil
}

// publicScope is the rate-limit bucket of citizens' requests: the public
// API and the pages' form posts draw from it alike.
const publicScope = "public"

// Route is one method and path pattern the API handler serves, the pattern
// as registered (":code" for a path parameter).
type Route struct {
	Method, Path string
}

// Routes lists the routes h serves; h is a handler NewHandler or
// NewHandlers built (nil for any other handler). The auth matrix test walks
// them.
func Routes(h http.Handler) []Route {
	e, ok := h.(*gin.Engine)
	if !ok {
		return nil
	}
	var out []Route
	for _, r := range e.Routes() {
		out = append(out, Route{Method: r.Method, Path: r.Path})
	}
	return out
}

func newEngine(d Deps) (*gin.Engine, error) {
	return newEngineWith(d, nil)
}

func newEngineWith(d Deps, regOut **prometheus.Registry) (*gin.Engine, error) {
	gin.SetMode(gin.ReleaseMode)
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Location == nil {
		d.Location = time.UTC
	}
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.ContextWithFallback = true
	if err := r.SetTrustedProxies(d.TrustedProxies); err != nil {
		return nil, err
	}
	if len(d.TrustedProxies) == 0 {
		r.ForwardedByClientIP = false
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if regOut != nil {
		*regOut = reg
	}
	m := newMetrics(reg)
	registerAuditMetrics(reg, d.Audit)
	registerOutboxMetrics(reg, d.OutboxPending)
	reg.MustRegister(d.Collectors...)
	r.Use(withRequestID(), securityHeaders(), observe(d.Log, m), recoverPanics(d.Log), guardInput(d.Log))
	log := d.Log
	e := env{log: log, loc: d.Location, now: d.Now, audit: d.Audit}
	r.NoRoute(func(c *gin.Context) {
		if d.Pages != nil && web.IsPagePath(c.Request.URL.Path) {
			d.Pages.NotFound(c)
			return
		}
		writeError(c, log, domain.NotFound("đường dẫn"))
	})
	r.NoMethod(func(c *gin.Context) {
		if open311.Owns(c.Request.URL.Path) {
			open311.WriteStatus(c, http.StatusMethodNotAllowed, "Phương thức không được hỗ trợ cho đường dẫn này")
			return
		}
		c.AbortWithStatusJSON(http.StatusMethodNotAllowed, errorBody{Error: errorPayload{
			Code: "method_not_allowed", Message: "Phương thức không được hỗ trợ cho đường dẫn này"}})
	})

	var limiter *rateLimiter
	if d.PublicRateLimit > 0 {
		limiter = newRateLimiter(d.PublicRateLimit, d.Now)
	}

	healthz := func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) }
	r.GET("/healthz", healthz)
	r.HEAD("/healthz", healthz)
	readyz := func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
		defer cancel()
		if d.Ready != nil {
			if err := d.Ready(ctx); err != nil {
				c.JSON(http.StatusServiceUnavailable, errorBody{Error: errorPayload{Code: "unavailable", Message: "Cơ sở dữ liệu không phản hồi"}})
				return
			}
		}
		c.JSON(http.StatusOK, gin.H{"status": "ready"})
	}
	r.GET("/readyz", readyz)
	r.HEAD("/readyz", readyz)
	if !d.SeparateMetrics {
		r.GET("/metrics", gin.WrapH(promhttp.HandlerFor(reg, promhttp.HandlerOpts{})))
	}
	r.GET("/openapi.yaml", func(c *gin.Context) { c.Data(http.StatusOK, "application/yaml; charset=utf-8", d.OpenAPI) })

	// Every API answer may carry personal data (dossiers, applicants,
	// senders, users): none of it is kept by caches.
	v1 := r.Group("/api/v1", noStore())
	ah := &authHandler{users: d.Users, catalog: d.Catalog, tokens: d.Tokens, env: e}
	v1.POST("/auth/login", limitRate(limiter, "login", log), e.handle(ah.login))

	tracker := newWriteTracker(d.Now)
	// idem keeps and replays answers to POSTs with an Idempotency-Key; it
	// runs after authenticate so staff keys belong to the user.
	idem := idempotent(d.Idempotency, d.Now, log)
	staff := v1.Group("", authenticate(d.Tokens, d.Users, log), freshReads(tracker), idem)
	// public is /api/v1/public/* for citizens (no login): rate-limited per
	// client address, Idempotency-Key owned by that address. Dossier and
	// feedback routes are added to it.
	public := v1.Group("/public", limitRate(limiter, publicScope, log), idem)
	admin := requireRole(log, user.RoleAdmin)
	staff.GET("/auth/me", e.handle(ah.me))
	staff.POST("/auth/logout", e.handle(ah.logout))
	staff.POST("/auth/password", e.handle(ah.password))

	uh := &userHandler{svc: d.Users, env: e}
	staff.GET("/users", admin, e.handle(uh.list))
	staff.POST("/users", admin, e.handle(e.audited(audit.UserCreated, createdUser, uh.create)))
	staff.GET("/users/:username", admin, e.handle(uh.get))
	staff.PATCH("/users/:username", admin, e.handle(uh.update))

	ch := &catalogHandler{svc: d.Catalog, env: e}
	staff.GET("/agencies", e.handle(ch.listAgencies))
	staff.POST("/agencies", admin, e.handle(e.audited(audit.AgencyCreated, createdAgency, ch.createAgency)))
	staff.GET("/agencies/:code", e.handle(ch.getAgency))
	staff.PATCH("/agencies/:code", admin, e.handle(e.audited(audit.AgencyUpdated, param("code"), ch.updateAgency)))
	staff.GET("/procedures", e.handle(ch.listProcedures))
	staff.POST("/procedures", admin, e.handle(e.audited(audit.ProcedureCreated, createdProcedure, ch.createProcedure)))
	staff.GET("/procedures/:code", e.handle(ch.getProcedure))
	staff.PATCH("/procedures/:code", admin, e.handle(e.audited(audit.ProcedureUpdated, param("code"), ch.updateProcedure)))
	staff.POST("/procedures/:code/publications", admin, e.handle(e.audited(audit.ProcedurePublish, param("code"), ch.addPublication)))
	// Components are audited as changes of their procedure (catalog_components.go).
	staff.GET("/procedures/:code/components", e.handle(ch.listComponents))
	staff.POST("/procedures/:code/components", admin, e.handle(ch.createComponent))
	staff.PATCH("/procedures/:code/components/:id", admin, e.handle(ch.updateComponent))
	staff.GET("/calendar/:year", e.handle(ch.getCalendar))
	staff.PUT("/calendar/:year", admin, e.handle(e.audited(audit.CalendarChanged, param("year"), ch.putCalendar)))

	// ==== dossier routes (docs/domain.md)
	dvh := &dvcqgHandler{svc: d.DVCQG, env: e}
	dh := &dossierHandler{svc: d.Dossiers, env: e, publicURL: d.PublicURL, dvcqg: dvh}
	// Registering is the counter's (the service says so too); refused before
	// the body is read.
	staff.POST("/dossiers", requireRole(log, user.RoleClerk), e.handle(dh.create))
	staff.GET("/dossiers", e.handle(dh.list))
	staff.GET("/dossiers/:code", e.handle(e.auditedRead(audit.DossierRead, "code", dh.get)))
	staff.POST("/dossiers/:code/actions", e.handle(dh.act))
	evh := &eventsHandler{svc: d.Events, loc: e.loc}
	staff.GET("/dossiers/:code/events", e.handle(evh.dossier))
	wh := &webhookHandler{svc: d.Webhooks, loc: e.loc}
	staff.POST("/webhooks", admin, e.handle(e.audited(audit.WebhookCreated, createdWebhook, wh.create)))
	staff.GET("/webhooks", admin, e.handle(wh.list))
	staff.GET("/webhooks/:id", admin, e.handle(wh.get))
	staff.DELETE("/webhooks/:id", admin, e.handle(e.audited(audit.WebhookDeleted, param("id"), wh.delete)))
	staff.GET("/webhooks/:id/deliveries", admin, e.handle(wh.deliveries))
	staff.POST("/webhooks/:id/deliveries/:delivery_id/retry", admin,
		e.handle(e.audited(audit.WebhookRetried, param("delivery_id"), wh.retry)))
	pyh := &paymentHandler{svc: d.Dossiers, loc: e.loc}
	staff.GET("/dossiers/:code/payments", e.handle(pyh.list))
	staff.POST("/dossiers/:code/payments", requireRole(log, user.RoleClerk), e.handle(pyh.record))
	public.GET("/dossiers/:code", e.handle(dh.lookup))
	prh := &publicResultHandler{svc: d.Files, env: e}
	public.GET("/dossiers/:code/results", e.handle(prh.list))
	public.GET("/dossiers/:code/results/:id/content", prh.content)

	// ==== printed papers (docs/openapi.yaml): roles and states are the papers service's
	ph := &papersHandler{svc: d.Papers, env: e}
	staff.GET("/dossiers/:code/papers/receipt.pdf", e.handle(e.auditedRead(audit.DossierPaperRead, "code", ph.receipt)))
	staff.GET("/dossiers/:code/papers/supplement-request.pdf", e.handle(e.auditedRead(audit.DossierPaperRead, "code", ph.supplementRequest)))
	staff.GET("/dossiers/:code/papers/refusal.pdf", e.handle(e.auditedRead(audit.DossierPaperRead, "code", ph.refusal)))
	staff.GET("/dossiers/:code/papers/apology.pdf", e.handle(e.auditedRead(audit.DossierPaperRead, "code", ph.apology)))
	staff.GET("/dossiers/:code/papers/control-slip.pdf", e.handle(e.auditedRead(audit.DossierPaperRead, "code", ph.controlSlip)))
	staff.GET("/papers/tracking-book", e.handle(e.auditedExport(ph.trackingBook)))

	// ==== dossier files (docs/openapi.yaml): uploads are streamed, never
	// buffered, so they do not pass the idempotency middleware's body read
	flh := &fileHandler{svc: d.Files, idem: d.Idempotency, env: e}
	staff.POST("/dossiers/:code/files", e.handle(flh.create))
	staff.GET("/dossiers/:code/files", e.handle(flh.list))
	staff.GET("/dossiers/:code/files/:id", e.handle(flh.get))
	staff.POST("/dossiers/:code/files/:id/versions", e.handle(flh.addVersion))
	staff.GET("/dossiers/:code/files/:id/content", flh.content)
	staff.HEAD("/dossiers/:code/files/:id/content", flh.content)
	staff.GET("/dossiers/:code/files/:id/versions/:n/content", flh.content)
	staff.HEAD("/dossiers/:code/files/:id/versions/:n/content", flh.content)

	// ==== the national portal's records (docs/openapi.yaml, tag dvcqg): admins and viewers
	dvcqgRoles := requireRole(log, user.RoleAdmin, user.RoleViewer)
	staff.GET("/dossiers/:code/dvcqg", dvcqgRoles, e.handle(e.auditedRead(audit.DossierRead, "code", dvh.get)))
	staff.GET("/integrations/dvcqg/export", dvcqgRoles, dvh.export)
	staff.GET("/integrations/dvcqg/dossiers", dvcqgRoles, e.handle(dvh.syncList))
	staff.POST("/integrations/dvcqg/dossiers/:code/sync", admin,
		e.handle(e.audited(audit.DVCQGRequeued, param("code"), dvh.requeue)))

	// ==== feedback routes (docs/openapi.yaml)
	fh := &feedbackHandler{svc: d.Feedback, env: e}
	staff.POST("/feedback", requireRole(log, user.RoleClerk, user.RoleAdmin), e.handle(fh.create))
	staff.GET("/feedback", e.handle(fh.list))
	staff.GET("/feedback/:code", e.handle(e.auditedRead(audit.FeedbackRead, "code", fh.get)))
	staff.GET("/feedback/:code/public-preview", e.handle(e.auditedRead(audit.FeedbackRead, "code", fh.publicPreview)))
	staff.POST("/feedback/:code/actions", e.handle(fh.act))
	staff.GET("/feedback/:code/events", e.handle(evh.feedback))
	pfh := &publicFeedbackHandler{svc: d.Feedback, env: e}
	public.POST("/feedback", e.handle(pfh.submit))
	public.GET("/feedback", e.handle(pfh.list))
	public.GET("/feedback/:code", e.handle(pfh.lookup))
	public.POST("/dossiers/:code/rating", e.handle((&ratingHandler{svc: d.Ratings, env: e}).rate))

	// ==== statistics routes (docs/domain.md): viewers, admins, leaders (own subtree)
	sh := &statsHandler{svc: d.Stats, env: e}
	statsRoles := requireRole(log, user.RoleViewer, user.RoleAdmin, user.RoleLeader)
	staff.GET("/stats/dossiers", statsRoles, e.handle(e.auditedExport(sh.dossiers)))
	staff.GET("/stats/online", statsRoles, e.handle(e.auditedExport(sh.online)))
	staff.GET("/stats/digitisation", statsRoles, e.handle(e.auditedExport(sh.digitisation)))
	staff.GET("/stats/dvcqg", statsRoles, e.handle(e.auditedExport(sh.dvcqg)))
	staff.GET("/stats/feedback", statsRoles, e.handle(e.auditedExport(sh.feedback)))
	staff.GET("/stats/procedures", statsRoles, e.handle(e.auditedExport(sh.procedures)))
	staff.GET("/stats/satisfaction", statsRoles, e.handle(e.auditedExport(sh.satisfaction)))
	staff.GET("/stats/service-index", statsRoles, e.handle(e.auditedExport(sh.serviceIndex)))
	// The public figures (no login): form 06 by agency of a closed month,
	// kept per month until an import of dossiers (below) discards them.
	psh := &publicStatsHandler{svc: d.Stats, cache: newPublicStatsCache(d.PublicStatsTTL, d.Now), env: e}
	public.GET("/stats", e.handle(psh.stats))

	// ==== import routes (docs/openapi.yaml): admin; the body is streamed NDJSON
	staff.POST("/imports/:kind", admin, e.handle(e.audited(audit.ImportRun, param("kind"), (&importHandler{svc: d.Imports, env: e, imported: psh.imported}).run)))

	// ==== the pages (package web): a form post spends the public bucket
	// and keeps its answer under the API's idempotency record.
	if d.Pages != nil {
		allow := func(c *gin.Context) (bool, time.Duration) {
			if limiter == nil {
				return true, 0
			}
			return limiter.allow(publicScope + "|" + clientKey(c.ClientIP()))
		}
		d.Pages.Register(r, web.Hooks{Allow: allow,
			Idempotent: idempotentWaiting(d.Idempotency, d.Now, log, idempotencyWait, d.Pages.Fail)})
	}

	// ==== Open311 GeoReport v2 over feedback (docs/openapi.yaml): the
	// public bucket and the public Idempotency-Key, errors in Open311's shape
	allowPublic := func(c *gin.Context) (bool, time.Duration) {
		if limiter == nil {
			return true, 0
		}
		return limiter.allow(publicScope + "|" + clientKey(c.ClientIP()))
	}
	var feedbackSvc open311.FeedbackService
	if d.Feedback != nil {
		feedbackSvc = d.Feedback
	}
	open311.Register(r, open311.Deps{Feedback: feedbackSvc, Keys: d.Open311.Keys, Contact: d.Open311.Contact,
		BaseURL: d.Open311.BaseURL, Log: log, Now: d.Now, Location: d.Location},
		open311.Hooks{Allow: allowPublic, Idempotent: idempotentWaiting(d.Idempotency, d.Now, log, idempotencyWait,
			func(c *gin.Context, err error) { open311.WriteError(c, log, err) })})

	// ==== the audit trail (docs/domain.md): province admins
	staff.GET("/audit", admin, e.handle((&auditHandler{env: e}).list))
	return r, nil
}
