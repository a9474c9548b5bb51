// Package app wires motcua together: configuration, database, domain
// services and the HTTP handler. cmd/motcua and the end-to-end tests share it.
package app

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/riverqueue/river"
	"golang.org/x/text/unicode/norm"
	"gorm.io/gorm"

	"github.com/motcua/motcua/api"
	"github.com/motcua/motcua/config"
	"github.com/motcua/motcua/docs"
	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/audit"
	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/dvcqg"
	"github.com/motcua/motcua/domain/event"
	"github.com/motcua/motcua/domain/feedback"
	"github.com/motcua/motcua/domain/files"
	"github.com/motcua/motcua/domain/importer"
	"github.com/motcua/motcua/domain/papers"
	"github.com/motcua/motcua/domain/stats"
	"github.com/motcua/motcua/domain/user"
	dwebhook "github.com/motcua/motcua/domain/webhook"
	"github.com/motcua/motcua/dvcqgpush"
	"github.com/motcua/motcua/notify"
	"github.com/motcua/motcua/outbox"
	"github.com/motcua/motcua/render/pdf"
	"github.com/motcua/motcua/repository"
	"github.com/motcua/motcua/storage"
	"github.com/motcua/motcua/web"
)

// App is a wired service.
type App struct {
	Config  config.Config
	DB      *gorm.DB
	Log     *slog.Logger
	Catalog *catalog.Service
	Users   *user.Service
	Tokens  *api.TokenIssuer
	Handler http.Handler
	// Metrics serves /metrics on its own listener; nil unless
	// MOTCUA_METRICS_ADDR is set (then Handler has no /metrics).
	Metrics http.Handler
	DataKey []byte
	// Sealer keeps applicants' and senders' personal data sealed at rest
	// under keys derived from DataKey.
	Sealer *repository.Sealer

	// Dossiers runs registration, the dossier lifecycle and citizen lookups.
	Dossiers *dossier.Service
	// DemoDossier is the demo dossier whose pin demo.Seed prints (set when
	// this run created it).
	DemoDossier DemoDossier

	// Feedback runs citizen feedback (PAKN) and satisfaction ratings.
	Feedback *feedback.Service

	// Stats answers the statistics (report form 06 and the others).
	Stats *stats.Service

	// Imports streams a province's history in (docs/openapi.yaml).
	Imports *importer.Service

	// Papers renders the printed papers (receipt, control slip, …).
	Papers *papers.Service
	// DVCQG builds the national portal's records (§14.1) and their export.
	DVCQG *dvcqg.Service
	// DVCQGPush pushes the dossiers to the portal (dvcqg.go); nil while
	// MOTCUA_DVCQG_URL is empty. DVCQGMetrics are its counter and gauge.
	DVCQGPush    *dvcqgpush.Worker
	DVCQGMetrics *dvcqgpush.Metrics
	Files        *files.Service

	// Audit keeps the audit trail; Close flushes its writer.
	Audit *audit.Service

	// Queue works the outbox's jobs (queue.go) once StartQueue is called;
	// Close stops it.
	Queue *river.Client[*sql.Tx]
	// Metrics are the counters of the queue's delivery workers.
	QueueMetrics *outbox.Metrics
	// Webhooks manages the webhook subscriptions and their delivery logs.
	Webhooks *dwebhook.Service
	// Email sends the queue's e-mails (SMTP, or the log without a server).
	Email notify.EmailSender

	// Now is the clock every service runs on (time.Now unless Options.Now).
	Now func() time.Time
}

// DemoDossier is the demo dossier a newcomer can look up as a citizen: its
// code and the one-time pin, printed once by `motcua seed demo`.
type DemoDossier struct {
	Code string
	Pin  string
}

// Options tune New for tests.
type Options struct {
	// Now replaces time.Now.
	Now func() time.Time
	// Hasher replaces bcrypt (tests use a low cost).
	Hasher user.Hasher
	// Demo allows running without MOTCUA_DATA_KEY (serve --demo, seed
	// demo): a generated key is kept in the database, as with MOTCUA_ENV=dev.
	Demo bool
}

// New wires an App over an open, migrated database.
func New(ctx context.Context, cfg config.Config, db *gorm.DB, log *slog.Logger, opt Options) (*App, error) {
	now := opt.Now
	if now == nil {
		// Microseconds are what PostgreSQL keeps; both engines then agree.
		now = func() time.Time { return time.Now().Truncate(time.Microsecond) }
	}
	hasher := opt.Hasher
	if hasher == nil {
		hasher = api.BcryptHasher{}
	}
	loc := cfg.Location()
	a := &App{Config: cfg, DB: db, Log: log, Now: now}

	secret := []byte(cfg.JWTSecret)
	if len(secret) == 0 {
		secret = make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			return nil, err
		}
		log.Warn("MOTCUA_JWT_SECRET is not set: using a random secret; tokens die with this process")
	}
	key := []byte(cfg.DataKey)
	if len(key) == 0 && !opt.Demo && cfg.Env != config.EnvDev {
		return nil, errors.New("MOTCUA_DATA_KEY is required (at least 32 bytes): it keys the lookup PINs and seals personal data at rest; " +
			"only serve --demo, seed demo or MOTCUA_ENV=dev run without it, with a generated key kept in the database")
	}
	if len(key) == 0 {
		k, created, err := repository.DataKey(ctx, db)
		if err != nil {
			return nil, fmt.Errorf("data key: %w", err)
		}
		if created {
			log.Warn("MOTCUA_DATA_KEY is not set: generated a data key and kept it in the database; set MOTCUA_DATA_KEY in production")
		}
		key = k
	}
	a.DataKey = key
	var err error
	if a.Sealer, err = repository.NewSealer(key, cfg.DataKeyID); err != nil {
		return nil, err
	}
	if err := repository.VerifySealer(ctx, db, a.Sealer); err != nil {
		return nil, fmt.Errorf("MOTCUA_DATA_KEY: %w", err)
	}

	// Statistics rollups: built once for dossiers older than them, and
	// again when the zone changes (ADR 0004).
	if rebuilt, err := repository.BackfillRollups(ctx, db, loc); err != nil {
		return nil, err
	} else if rebuilt {
		log.Info("statistics rollups built", "zone", loc.String())
	}

	a.Catalog = catalog.NewService(repository.NewCatalogStore(db), loc, now)
	a.Users = user.NewService(repository.NewUserStore(db), hasher,
		func(ctx context.Context) (user.UnitChecker, error) { return a.Catalog.Tree(ctx) }, now)
	a.Tokens = api.NewTokenIssuer(secret, cfg.JWTIssuer, cfg.JWTAudience, cfg.TokenTTL, now)
	idem, err := repository.NewIdempotencyStore(db, key)
	if err != nil {
		return nil, err
	}

	a.Dossiers = dossier.NewService(repository.NewDossierStore(db, a.Sealer), a.Catalog, domain.NewPinHasher(key),
		dossier.SupplementPolicy(cfg.SupplementPolicy), now)

	a.Dossiers.UseStaffNames(a.Users)
	a.Papers = papers.NewService(a.Dossiers, a.Catalog, a.Users, pdf.Renderer{}, papers.Config{
		PublicURL: cfg.PublicURL, CutoffDay: cfg.ReportCutoffDay, Location: loc, Now: now})

	a.DVCQG = dvcqg.NewService(a.Dossiers, a.Catalog, repository.NewUserStore(db), repository.NewDossierStore(db, a.Sealer), loc)
	if err := a.addDVCQG(); err != nil {
		return nil, fmt.Errorf("dvcqg push: %w", err)
	}

	a.Feedback = feedback.NewService(repository.NewFeedbackStore(db, a.Sealer), a.Catalog, domain.NewPinHasher(key), now)
	a.Feedback.ShareDossierLockout(a.Dossiers.PinLockout())

	a.Stats = stats.NewService(repository.NewStatsStore(db), a.Catalog, loc, cfg.ReportCutoffDay, now)
	a.Stats.UseIndexPoints(cfg.ServiceIndexPoints)
	a.Stats.UseDVCQGPush(cfg.DVCQG.On())

	a.Imports = importer.NewService(repository.NewImportStore(db, a.Sealer), a.Catalog, a.Dossiers.HashIDNumber, now)
	a.Imports.NormalizeText(norm.NFC.Bytes)

	a.Audit = audit.NewService(repository.NewAuditStore(db), audit.Config{RetentionDays: cfg.AuditRetentionDays, Log: log}, now)
	if err := a.Audit.Start(ctx); err != nil {
		_ = a.Audit.Close(ctx)
		return nil, fmt.Errorf("audit trail: %w", err)
	}

	blobs, err := storage.Open(ctx, string(cfg.StorageURL), "files")
	if err != nil {
		_ = a.Audit.Close(ctx)
		return nil, fmt.Errorf("MOTCUA_STORAGE_URL: %w", err)
	}
	a.Files = files.NewService(repository.NewFileStore(db), blobs, receiveBlob, a.Dossiers, componentsOf{a.Catalog},
		int64(cfg.FileMaxBytes), now)

	// The queue comes after the services its workers use.
	a.QueueMetrics = outbox.NewMetrics()
	if a.Email, err = emailSender(cfg.Notifications, log); err != nil {
		_ = a.Audit.Close(ctx)
		return nil, err
	}
	parts := queueParts{workers: river.NewWorkers()}
	if err := a.addWebhooks(&parts); err != nil {
		_ = a.Audit.Close(ctx)
		return nil, err
	}
	if err := a.addNotifications(&parts); err != nil {
		_ = a.Audit.Close(ctx)
		return nil, err
	}
	a.addEscalation(&parts)
	if a.Queue, err = newQueue(db, log, loc, cfg.Notifications, parts); err != nil {
		_ = a.Audit.Close(ctx)
		return nil, err
	}

	pages, err := web.New(web.Deps{Log: log, Dossiers: a.Dossiers, Feedback: a.Feedback, Stats: a.Stats, Catalog: a.Catalog,
		Results: a.Files,
		DataKey: a.DataKey, PublicURL: cfg.PublicURL, CacheSeconds: cfg.PublicCacheSeconds, CutoffDay: cfg.ReportCutoffDay,
		OpenAPI: docs.OpenAPI, Now: now, Location: loc})
	if err != nil {
		_ = a.Audit.Close(ctx)
		return nil, err
	}
	h, metrics, err := api.NewHandlers(api.Deps{
		Log: log, Users: a.Users, Catalog: a.Catalog, Tokens: a.Tokens,
		Ready:           func(ctx context.Context) error { return repository.Ping(ctx, db) },
		OpenAPI:         docs.OpenAPI,
		PublicRateLimit: cfg.PublicRateLimit,
		TrustedProxies:  cfg.TrustedProxies,
		Now:             now,
		Location:        loc,
		Idempotency:     idem,
		Dossiers:        a.Dossiers,
		Feedback:        a.Feedback,
		Ratings:         a.Feedback,
		Webhooks:        a.Webhooks,
		Stats:           a.Stats,
		Imports:         a.Imports,
		PublicStatsTTL:  time.Duration(cfg.PublicStatsCacheSeconds) * time.Second,
		Papers:          a.Papers,
		Files:           a.Files,
		DVCQG:           a.DVCQG,
		Audit:           a.Audit,
		PublicURL:       cfg.PublicURL,
		Pages:           pages,
		Events: event.NewService(repository.NewEventStore(db),
			func(ctx context.Context, by user.Principal, code string) error {
				_, err := a.Dossiers.InScope(ctx, by, code)
				return err
			},
			func(ctx context.Context, by user.Principal, code string) error {
				_, err := a.Feedback.Get(ctx, by, code)
				return err
			}),
		OutboxPending:   func(ctx context.Context) (map[string]int64, error) { return repository.PendingJobs(ctx, db) },
		Collectors:      append(a.QueueMetrics.Collectors(), a.DVCQGMetrics.Collectors()...),
		SeparateMetrics: cfg.MetricsAddr != "",
		Open311: api.Open311Settings{Keys: secretStrings(cfg.Open311.APIKeys), Contact: cfg.Open311.Contact,
			BaseURL: cfg.Open311.PublicBaseURL},
	})
	if err != nil {
		_ = a.Audit.Close(ctx)
		return nil, err
	}
	a.Handler = h
	if cfg.MetricsAddr != "" {
		a.Metrics = metrics
	}
	return a, nil
}

// Close stops the background work: the queue takes no new job and its
// running jobs finish, the DVCQG push records the call in flight, the audit writer writes what is queued (until ctx
// ends) and the daily purge stops. The database stays open.
func (a *App) Close(ctx context.Context) error {
	qerr := errors.Join(a.stopDVCQG(ctx), a.stopQueue(ctx))
	if a.Audit == nil {
		return qerr
	}
	return errors.Join(qerr, a.Audit.Close(ctx))
}

// OpenDatabase opens the configured database, migrates it and seeds the
// official calendars.
func OpenDatabase(ctx context.Context, cfg config.Config, log *slog.Logger) (*gorm.DB, error) {
	var replicas []string
	for _, r := range cfg.ReplicaURLs {
		replicas = append(replicas, string(r))
	}
	db, err := repository.Open(repository.Options{URL: string(cfg.DatabaseURL), MaxOpenConns: cfg.DBMaxOpenConns, Log: log, ReplicaURLs: replicas})
	if err != nil {
		return nil, err
	}
	if err := repository.Migrate(ctx, db); err != nil {
		_ = repository.Close(db)
		return nil, err
	}
	if err := repository.SeedCalendars(ctx, db); err != nil {
		_ = repository.Close(db)
		return nil, err
	}
	return db, nil
}

// secretStrings are the secrets' values, for the one place that compares
// them.
func secretStrings(in []config.Secret) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = string(s)
	}
	return out
}
